// Container I/O commands: logs, attach, exec, top.
#include "base/timefmt.h"
#include "cli/container_cmds.h"
#include "cli/format/tabwriter.h"
#include "specgen/flags.h"

namespace berth::cli {

std::unique_ptr<Command> logsCommand() {
  struct O {
    bool follow = false, timestamps = false, latest = false, names = false;
    int tail = -1;
    std::string since, until;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("logs [options] CONTAINER [CONTAINER...]", "Fetch the logs of one or more containers");
  c->description("Retrieves logs for one or more containers.")
      .flag("follow", 'f', &o->follow, "Follow log output.  The default is false")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("names", 'n', &o->names, "Output the container name in the log")
      .flag("since", 0, &o->since, "Show logs since TIMESTAMP")
      .flag("until", 0, &o->until, "Show logs until TIMESTAMP")
      .flag("tail", 0, &o->tail, "Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all lines")
      .flag("timestamps", 't', &o->timestamps, "Output the timestamps in the log")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty()) return makeError(Code::kInvalidArgument, "specify at least one container name or ID to log");
        api::LogsRequest req;
        req.names = std::move(names);
        req.follow = o->follow;
        req.timestamps = o->timestamps;
        req.tail = o->tail;
        req.names_prefix = o->names || req.names.size() > 1;
        req.use_names = o->names;
        if (!o->since.empty()) req.since = TRY(parseTimestampArg(o->since));
        if (!o->until.empty()) req.until = TRY(parseTimestampArg(o->until));
        TRY(svc->logs(req, [&](int stream, std::string_view line) {
          if (stream == 2) ctx.err(line);
          else ctx.out(line);
        }));
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> attachCommand() {
  struct O {
    bool no_stdin = false, latest = false, sig_proxy = true;
    std::string detach_keys = "ctrl-p,ctrl-q";
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("attach [options] CONTAINER", "Attach to a running container");
  c->args(0, 1)
      .flag("detach-keys", 0, &o->detach_keys, "Select the key sequence for detaching a container.")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("no-stdin", 0, &o->no_stdin, "Do not attach STDIN. The default is false")
      .flag("sig-proxy", 0, &o->sig_proxy, "Proxy received signals to the process")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty() || names[0].empty())
          return makeError(Code::kInvalidArgument, "attach requires the name or id of one running container or the latest flag");
        auto insp = TRY(svc->inspect(names[0], false));
        api::AttachStreams st;
        st.tty = insp["Config"].value("Tty", false);
        st.in = o->no_stdin ? -1 : 0;
        st.detach_keys = o->detach_keys;
        st.proxy_signals = o->sig_proxy;
        int code = TRY(svc->attach(names[0], st));
        return code < 0 ? 0 : code;
      }));
  return c;
}

std::unique_ptr<Command> execCommand() {
  struct O {
    bool interactive = false, tty = false, detach = false, privileged = false, latest = false;
    std::vector<std::string> env, env_file;
    std::string user, workdir, detach_keys = "ctrl-p,ctrl-q";
    int preserve_fds = 0;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("exec [options] CONTAINER [COMMAND [ARG...]]", "Run a process in a running container");
  c->args(1, -1).noInterspersed()
      .flag("detach", 'd', &o->detach, "Run the exec session in detached mode (backgrounded)")
      .flag("detach-keys", 0, &o->detach_keys, "Select the key sequence for detaching a container.")
      .flag("env", 'e', &o->env, "Set environment variables")
      .sliceFlag("env-file", 0, &o->env_file, "Read in a file of environment variables")
      .flag("interactive", 'i', &o->interactive, "Keep STDIN open even if not attached")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("privileged", 0, &o->privileged, "Give the process extended Linux capabilities inside the container.  The default is false")
      .flag("tty", 't', &o->tty, "Allocate a pseudo-TTY. The default is false")
      .flag("user", 'u', &o->user, "Sets the username or UID used and optionally the groupname or GID for the specified command")
      .flag("workdir", 'w', &o->workdir, "Working directory inside the container")
      .flag("preserve-fds", 0, &o->preserve_fds, "Pass N additional file descriptors to the container")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        if (o->preserve_fds < 0) return makeError(Code::kInvalidArgument, "invalid --preserve-fds {}: must not be negative", o->preserve_fds);
        if (o->preserve_fds > 0)
          return makeError(Code::kUnimplemented,
                           "exec --preserve-fds is not supported yet: berth cannot hand extra file descriptors to an exec session");
        std::vector<std::string> rest = args;
        if (!o->latest) rest.erase(rest.begin());
        auto [svc, names] = TRY(openTargets(ctx, {args[0]}, o->latest));
        api::ExecRequest req;
        req.container = names[0];
        req.cmd = rest;
        if (req.cmd.empty()) return makeError(Code::kInvalidArgument, "must provide a non-empty command to start an exec session");
        auto host_env = specgen::currentEnviron();
        for (auto& f : o->env_file)
          for (auto& [k, v] : TRY(specgen::parseEnvFile(f, host_env))) req.env.push_back(k + "=" + v);
        for (auto& e : o->env)
          for (auto& [k, v] : TRY(specgen::parseEnvArg(e, host_env))) req.env.push_back(k + "=" + v);
        req.user = o->user;
        req.workdir = o->workdir;
        req.interactive = o->interactive;
        req.tty = o->tty;
        req.detach = o->detach;
        req.privileged = o->privileged;
        if (req.detach) {  // podman prints the exec session's ID
          ctx.out(TRY(svc->execDetached(req)) + "\n");
          return 0;
        }
        return TRY(svc->exec(req));
      }));
  return c;
}

std::unique_ptr<Command> topCommand() {
  auto latest = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("top [options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]", "Display the running processes of a container");
  c->args(0, -1)
      .flag("latest", 'l', latest.get(), "Act on the latest container podman is aware of")
      .run(orFail([latest](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        std::vector<std::string> rest = args;
        if (!*latest) {
          if (rest.empty()) return makeError(Code::kInvalidArgument, "you must provide the name or id of a running container");
          rest.erase(rest.begin());
        }
        auto [svc, names] = TRY(openTargets(ctx, {args.empty() ? "" : args[0]}, *latest));
        std::string text;
        for (auto& r : TRY(svc->top(names[0], rest))) text += fmt::format("{}\n", fmt::join(r, "\t"));
        // Align like podman (tabwriter 12,2,2).
        format::TabWriter w(12, 2, 2, ' ', 0);
        w.write(text);
        w.flush();
        ctx.out(w.output());
        return 0;
      }));
  return c;
}

}  // namespace berth::cli
