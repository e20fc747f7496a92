// Container lifecycle commands: start, stop, kill, restart, pause, unpause, wait, rm, prune,
// init, cleanup, rename, exists.
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/container_cmds.h"

namespace berth::cli {

std::unique_ptr<Command> startCommand() {
  struct O {
    bool attach = false, interactive = false, all = false, latest = false, sig_proxy = false;
    std::string detach_keys = "ctrl-p,ctrl-q";
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("start [options] CONTAINER [CONTAINER...]", "Start one or more containers");
  c->description("Starts one or more containers.  The container name or ID can be used.")
      .flag("attach", 'a', &o->attach, "Attach container's STDOUT and STDERR")
      .flag("interactive", 'i', &o->interactive, "Make STDIN available to the contained process")
      .flag("all", 0, &o->all, "Start all containers regardless of their state or configuration")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("detach-keys", 0, &o->detach_keys, "Select the key sequence for detaching a container.")
      .flag("sig-proxy", 0, &o->sig_proxy, "Proxy received signals to the process (default true if attaching, false otherwise)")
      .flag("filter", 'f', &o->filters, "Filter output based on conditions given")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (o->all) {
          auto all = TRY(svc->list(api::ContainerListRequest{true, -1, false, false, o->filters}));
          names.clear();
          for (auto& s : all) names.push_back(s.id);
        }
        if (names.empty()) return makeError(Code::kInvalidArgument, "start requires at least one argument");
        if ((o->attach || o->interactive) && names.size() > 1)
          return makeError(Code::kInvalidArgument, "you cannot start and attach multiple containers at once");
        if (o->attach || o->interactive) {
          auto insp = TRY(svc->inspect(names[0], false));
          api::AttachStreams st;
          st.in = o->interactive ? 0 : -1;
          st.tty = insp["Config"].value("Tty", false);
          st.detach_keys = o->detach_keys;
          st.proxy_signals = true;
          auto code = svc->start(names[0], &st);
          if (!code.ok()) return failWith(ctx, code.error(), runExitCode(code.error()));
          return *code < 0 ? 0 : *code;
        }
        int rc = 0;
        for (auto& n : names) {
          auto r = svc->start(n, nullptr);
          if (!r.ok()) {
            ctx.err("Error: " + r.error().what() + "\n");
            rc = runExitCode(r.error());
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> stopCommand() {
  struct O {
    bool all = false, ignore = false, latest = false;
    int timeout = -1;
    std::vector<std::string> cidfiles;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("stop [options] CONTAINER [CONTAINER...]", "Stop one or more containers");
  Command* self = c.get();
  c->description("Stops one or more running containers.  The container name or ID can be used.")
      .flag("all", 'a', &o->all, "Stop all running containers")
      .flag("ignore", 'i', &o->ignore, "Ignore errors when a specified container is missing")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .flag("cidfile", 0, &o->cidfiles, "Read the container ID from the file")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        std::vector<std::string> names = args;
        for (auto& f : o->cidfiles) names.push_back(TRY(fs::readFile(f)));
        auto [svc, targets] = TRY(openTargets(ctx, names, o->latest));
        api::ContainerStopRequest req;
        req.names = std::move(targets);
        req.all = o->all;
        req.ignore = o->ignore;
        if (self->changed("time")) req.timeout = o->timeout;
        if (req.names.empty() && !req.all)
          return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        return reportNames(ctx, TRY(svc->stop(req)), o->all);
      }));
  return c;
}

std::unique_ptr<Command> killCommand() {
  struct O {
    bool all = false, latest = false;
    std::string signal = "KILL";
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("kill [options] CONTAINER [CONTAINER...]", "Kill one or more running containers with a specific signal");
  c->description("The main process inside each container specified will be sent SIGKILL, or any signal specified with option --signal.")
      .flag("all", 'a', &o->all, "Signal all running containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("signal", 's', &o->signal, "Signal to send to the container")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty() && !o->all)
          return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        return reportNames(ctx, TRY(svc->kill(names, o->all, o->signal)), o->all);
      }));
  return c;
}

std::unique_ptr<Command> restartCommand() {
  struct O {
    bool all = false, latest = false, running = false;
    int timeout = 10;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("restart [options] CONTAINER [CONTAINER...]", "Restart one or more containers");
  Command* self = c.get();
  c->description("Restarts one or more running containers. The container ID or name can be used.")
      .flag("all", 'a', &o->all, "Restart all non-running containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("running", 0, &o->running, "Restart only running containers")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        std::optional<int> t;
        if (self->changed("time")) t = o->timeout;
        return reportNames(ctx, TRY(svc->restart(names, o->all, t)), o->all);
      }));
  return c;
}

std::unique_ptr<Command> pauseCommand(bool pause) {
  struct O {
    bool all = false, latest = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(pause ? "pause [options] CONTAINER [CONTAINER...]" : "unpause [options] CONTAINER [CONTAINER...]",
                                     pause ? "Pause all the processes in one or more containers"
                                           : "Unpause the processes in one or more containers");
  c->flag("all", 'a', &o->all, pause ? "Pause all running containers" : "Unpause all paused containers")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .run(orFail([o, pause](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty() && !o->all)
          return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        auto res = TRY(pause ? svc->pause(names, o->all) : svc->unpause(names, o->all));
        return reportNames(ctx, res, o->all);
      }));
  return c;
}

std::unique_ptr<Command> waitCommand() {
  struct O {
    std::vector<std::string> conditions;
    std::string interval = "250ms";
    bool latest = false, ignore = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("wait [options] CONTAINER [CONTAINER...]", "Block on one or more containers");
  c->description("Block until one or more containers stop and then print their exit codes.")
      .flag("condition", 0, &o->conditions, "Condition to wait on")
      .flag("interval", 'i', &o->interval, "Time Interval to wait before polling for completion")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("ignore", 0, &o->ignore, "Ignore if a container does not exist")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto [svc, names] = TRY(openTargets(ctx, args, o->latest));
        if (names.empty()) return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        auto interval = parseGoDuration(o->interval);
        int64_t ms = 250;
        if (interval.ok()) ms = *interval / 1000000;
        else {
          try {
            ms = std::stoll(o->interval);
          } catch (...) {
            return interval.error();
          }
        }
        int rc = 0;
        for (auto& n : names) {
          auto code = svc->wait(n, o->conditions, ms);
          if (!code.ok()) {
            if (o->ignore && code.error().code() == Code::kNotFound) {
              ctx.out("-1\n");
              continue;
            }
            ctx.err("Error: " + code.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(std::to_string(*code) + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> rmCommand(std::string use) {
  struct O {
    bool all = false, force = false, ignore = false, volumes = false, latest = false, depend = false;
    int timeout = 10;
    std::vector<std::string> cidfiles;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "Remove one or more containers");
  Command* self = c.get();
  c->description("Removes one or more containers from the host. The container name or ID can be used.")
      .flag("all", 'a', &o->all, "Remove all containers")
      .flag("force", 'f', &o->force, "Force removal of a running or unusable container")
      .flag("ignore", 'i', &o->ignore, "Ignore errors when a specified container is missing")
      .flag("volumes", 'v', &o->volumes, "Remove anonymous volumes associated with the container")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("time", 't', &o->timeout, "Seconds to wait for stop before killing the container")
      .flag("depend", 0, &o->depend, "Remove container and all containers that depend on the selected container")
      .flag("cidfile", 0, &o->cidfiles, "Read the container ID from the file")
      .run(orFail([o, self](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        std::vector<std::string> names = args;
        for (auto& f : o->cidfiles) {
          auto id = fs::readFile(f);
          if (!id.ok()) {
            if (o->ignore) continue;
            return std::move(id).error();
          }
          names.push_back(*id);
        }
        auto [svc, targets] = TRY(openTargets(ctx, names, o->latest));
        api::ContainerRemoveRequest req;
        req.names = std::move(targets);
        req.all = o->all;
        req.force = o->force;
        req.ignore = o->ignore;
        req.volumes = o->volumes;
        if (self->changed("time")) req.timeout = o->timeout;
        if (req.names.empty() && !req.all)
          return makeError(Code::kInvalidArgument, "you must provide at least one container name or ID");
        // podman rm: 1 when a container is unknown, 2 when one is running/in use, else 125.
        int rc = 0;
        for (auto& r : TRY(svc->remove(req))) {
          if (r.error) {
            ctx.err("Error: " + r.error->what() + "\n");
            int code = r.error->code() == Code::kNotFound ? 1 : r.error->code() == Code::kConflict ? 2 : 125;
            rc = std::max(rc, code);
            continue;
          }
          if (!r.id.empty()) ctx.out((o->all ? r.id : r.name) + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> containerPruneCommand() {
  struct O {
    bool force = false;
    std::vector<std::string> filters;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("prune [options]", "Remove all non running containers");
  c->args(0, 0)
      .flag("force", 'f', &o->force, "Do not prompt for confirmation.  The default is false")
      .flag("filter", 0, &o->filters, "Provide filter values (e.g. 'label=<key>=<value>')")
      .run(orFail([o](Context& ctx, const std::vector<std::string>&) -> Result<int> {
        if (!o->force) {
          ctx.out("WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ");
          char buf[16] = {};
          ssize_t n = ::read(0, buf, sizeof buf - 1);
          if (n <= 0 || (buf[0] != 'y' && buf[0] != 'Y')) return 0;
        }
        auto* svc = TRY(containerService(ctx));
        for (auto& [id, size] : TRY(svc->prune(o->filters))) ctx.out(id + "\n");
        return 0;
      }));
  return c;
}

std::unique_ptr<Command> renameCommand() {
  auto c = std::make_unique<Command>("rename CONTAINER NAME", "Rename an existing container");
  c->args(2, 2).run(orFail([](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(containerService(ctx));
    TRY(svc->rename(args[0], args[1]));
    return 0;
  }));
  return c;
}

std::unique_ptr<Command> containerExistsCommand() {
  auto c = std::make_unique<Command>("exists [options] CONTAINER", "Check if a container exists in local storage");
  c->args(1, 1).run(orFail([](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
    auto* svc = TRY(containerService(ctx));
    return TRY(svc->exists(args[0])) ? 0 : 1;
  }));
  return c;
}

std::unique_ptr<Command> initCommand() {
  auto all = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("init [options] CONTAINER [CONTAINER...]", "Initialize one or more containers");
  c->flag("all", 'a', all.get(), "Initialize all containers")
      .run(orFail([](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto* svc = TRY(containerService(ctx));
        int rc = 0;
        for (auto& n : args) {
          auto s = svc->init(n);
          if (!s.ok()) {
            ctx.err("Error: " + s.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

std::unique_ptr<Command> cleanupCommand() {
  struct O {
    bool rm = false, all = false, latest = false, rmi = false;
    std::string exec;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("cleanup [options] CONTAINER [CONTAINER...]", "Clean up network and mountpoints of one or more containers");
  c->flag("all", 'a', &o->all, "Cleans up all containers")
      .flag("rm", 0, &o->rm, "After cleanup, remove the container entirely")
      .flag("rmi", 0, &o->rmi, "After cleanup, remove the image entirely")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("exec", 0, &o->exec, "Clean up the given exec session instead of the container")
      .run(orFail([o](Context& ctx, const std::vector<std::string>& args) -> Result<int> {
        auto* svc = TRY(containerService(ctx));
        int rc = 0;
        for (auto& n : args) {
          auto s = svc->cleanup(n, o->rm);
          if (!s.ok()) {
            ctx.err("Error: " + s.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      }));
  return c;
}

}  // namespace berth::cli
