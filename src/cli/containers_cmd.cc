// Container commands: create, run, start, stop, kill, restart, pause, unpause, wait, rm, prune,
// ps, inspect, logs, attach, exec, top, rename, exists, init, cleanup.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/timefmt.h"
#include "cli/commands.h"
#include "cli/format/tabwriter.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "specgen/flags.h"
#include "engine/container_service.h"
#include "specgen/specgen.h"

namespace berth::cli {

namespace {

using api::ContainerStatus;
using api::ContainerSummary;

// Exit code of an engine error for run/start/exec: podman's 126/127, else 125.
int runExitCode(const Error& e) {
  if (e.code() == Code::kCommandNotFound) return 127;
  if (e.code() == Code::kCannotInvoke) return 126;
  return 125;
}

int failWith(Context& ctx, const Error& e, int code) {
  ctx.err("Error: " + e.what() + "\n");
  return code;
}

// Prints one line per name (podman prints the name as the user gave it) and errors for failures.
int reportNames(Context& ctx, const std::vector<api::NameResult>& results, bool print_ids) {
  int rc = 0;
  for (auto& r : results) {
    if (r.error) {
      ctx.err("Error: " + r.error->what() + "\n");
      rc = r.error->code() == Code::kNotFound ? 125 : 125;
      continue;
    }
    ctx.out((print_ids ? r.id : r.name) + "\n");
  }
  return rc;
}

Result<engine::Engine*> openEngine(Context& ctx) { return ctx.engine(); }

// --- create / run ----------------------------------------------------------------------

struct CreateOpts {
  bool detach = false, interactive = false, tty = false, rm = false, replace = false, privileged = false;
  bool read_only = false, init = false, sig_proxy = true, quiet = false, no_healthcheck = false;
  std::string name, workdir, user, entrypoint, hostname, restart, runtime, log_driver = "k8s-file";
  std::string detach_keys = "ctrl-p,ctrl-q", cidfile, pull = "missing", network, stop_signal, shm_size;
  std::string pid, ipc, uts, memory, cpus, umask;
  int stop_timeout = 10, pids_limit = -1;
  std::vector<std::string> env, env_file, volumes, mounts, tmpfs, labels, log_opts, cap_add, cap_drop;
  std::vector<std::string> ulimits, annotations, attach, add_host, dns, group_add, devices, security_opt;
  bool stop_timeout_set = false;
  bool entrypoint_set = false;
  bool tls_verify = true;
  std::string authfile, creds, cert_dir, arch, os, variant, platform;
};

void addCreateFlags(Command& c, CreateOpts& o, bool run) {
  c.flag("interactive", 'i', &o.interactive, "Keep STDIN open even if not attached")
      .flag("tty", 't', &o.tty, "Allocate a pseudo-TTY for container")
      .flag("rm", 0, &o.rm, "Remove container (and pod if created) after exit")
      .flag("name", 0, &o.name, "Assign a name to the container")
      .flag("env", 'e', &o.env, "Set environment variables in container (default [])")
      .flag("env-file", 0, &o.env_file, "Read in a file of environment variables")
      .flag("workdir", 'w', &o.workdir, "Working directory inside the container")
      .flag("user", 'u', &o.user, "Username or UID (format: <name|uid>[:<group|gid>])")
      .flag("entrypoint", 0, &o.entrypoint, "Overwrite the default ENTRYPOINT of the image")
      .flag("volume", 'v', &o.volumes, "Bind mount a volume into the container")
      .flag("mount", 0, &o.mounts, "Attach a filesystem mount to the container")
      .flag("tmpfs", 0, &o.tmpfs, "Mount a temporary filesystem (tmpfs) into a container")
      .flag("label", 'l', &o.labels, "Set metadata on container")
      .flag("annotation", 0, &o.annotations, "Add annotations to container (key=value)")
      .flag("hostname", 'h', &o.hostname, "Set container hostname")
      .flag("restart", 0, &o.restart, "Restart policy to apply when a container exits (\"always\"|\"no\"|\"never\"|\"on-failure\"|\"unless-stopped\")")
      .flag("runtime", 0, &o.runtime, "Path to the OCI-compatible binary used to run containers")
      .flag("log-driver", 0, &o.log_driver, "Logging driver for the container")
      .flag("log-opt", 0, &o.log_opts, "Logging driver options")
      .flag("cidfile", 0, &o.cidfile, "Write the container ID to the file")
      .flag("replace", 0, &o.replace, "If a container with the same name exists, replace it")
      .flag("pull", 0, &o.pull, "Pull image policy (\"always\"|\"missing\"|\"never\"|\"newer\")")
      .flag("network", 0, &o.network, "Connect a container to a network")
      .flag("privileged", 0, &o.privileged, "Give extended privileges to container")
      .flag("read-only", 0, &o.read_only, "Make containers root filesystem read-only")
      .flag("cap-add", 0, &o.cap_add, "Add capabilities to the container")
      .flag("cap-drop", 0, &o.cap_drop, "Drop capabilities from the container")
      .flag("ulimit", 0, &o.ulimits, "Ulimit options")
      .flag("stop-signal", 0, &o.stop_signal, "Signal to stop a container. Default is SIGTERM")
      .flag("stop-timeout", 0, &o.stop_timeout, "Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.")
      .flag("shm-size", 0, &o.shm_size, "Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
      .flag("init", 0, &o.init, "Run an init binary inside the container that forwards signals and reaps processes")
      .flag("attach", 'a', &o.attach, "Attach to STDIN, STDOUT or STDERR")
      .flag("add-host", 0, &o.add_host, "Add a custom host-to-IP mapping (host:ip)")
      .flag("dns", 0, &o.dns, "Set custom DNS servers")
      .flag("group-add", 0, &o.group_add, "Add additional groups to the primary container process.")
      .flag("device", 0, &o.devices, "Add a host device to the container")
      .flag("security-opt", 0, &o.security_opt, "Security Options")
      .flag("memory", 'm', &o.memory, "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
      .flag("pids-limit", 0, &o.pids_limit, "Tune container pids limit (set -1 for unlimited)")
      .flag("umask", 0, &o.umask, "Set umask in container")
      .flag("pid", 0, &o.pid, "PID namespace to use")
      .flag("ipc", 0, &o.ipc, "IPC namespace to use")
      .flag("uts", 0, &o.uts, "UTS namespace to use")
      .flag("quiet", 'q', &o.quiet, "Suppress output information when pulling images")
      .flag("tls-verify", 0, &o.tls_verify, "Require HTTPS and verify certificates when contacting registries for pulling images")
      .flag("authfile", 0, &o.authfile, "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override")
      .flag("creds", 0, &o.creds, "`Credentials` (USERNAME:PASSWORD) to use for authenticating to a registry")
      .flag("cert-dir", 0, &o.cert_dir, "`Pathname` of a directory containing TLS certificates and keys")
      .flag("arch", 0, &o.arch, "use `ARCH` instead of the architecture of the machine for choosing images")
      .flag("os", 0, &o.os, "use `OS` instead of the running OS for choosing images")
      .flag("variant", 0, &o.variant, "Use `VARIANT` instead of the running architecture variant for choosing images")
      .flag("no-healthcheck", 0, &o.no_healthcheck, "Disable healthchecks on container");
  if (run) {
    c.flag("detach", 'd', &o.detach, "Run container in background and print container ID")
        .flag("detach-keys", 0, &o.detach_keys, "Override the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-cf`, `@`, `^`, `[`, `\\`, `]`, `^` or `_`")
        .flag("sig-proxy", 0, &o.sig_proxy, "Proxy received signals to the process");
  }
  c.noInterspersed();
}

Result<int64_t> parseSize(const std::string& s) {
  if (s.empty()) return makeError(Code::kInvalidArgument, "invalid size: empty");
  size_t i = 0;
  while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
  if (i == 0) return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  double v = std::atof(s.substr(0, i).c_str());
  std::string unit = s.substr(i);
  std::transform(unit.begin(), unit.end(), unit.begin(), ::tolower);
  double mult = 1;
  if (unit == "" || unit == "b") mult = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024;
  else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024.0 * 1024 * 1024;
  else return makeError(Code::kInvalidArgument, "invalid size: {:?}", s);
  return int64_t(v * mult);
}

Result<Json> buildSpec(Context& ctx, CreateOpts& o, const std::vector<std::string>& args,
                       const std::vector<std::string>& raw_argv) {
  Json s;
  s["image"] = args[0];
  s["raw_image_name"] = args[0];
  if (!o.name.empty()) s["name"] = o.name;
  if (args.size() > 1) s["command"] = std::vector<std::string>(args.begin() + 1, args.end());
  if (!o.hostname.empty()) s["hostname"] = o.hostname;
  if (!o.workdir.empty()) {
    if (o.workdir[0] != '/')
      return makeError(Code::kInvalidArgument, "invalid --workdir {:?}: must be an absolute path", o.workdir);
    s["work_dir"] = o.workdir;
  }
  if (!o.user.empty()) s["user"] = TRY(specgen::parseUserFlag(o.user));
  if (o.tty) s["terminal"] = true;
  if (o.interactive) s["stdin"] = true;
  if (o.rm) s["remove"] = true;
  if (o.privileged) s["privileged"] = true;
  if (o.read_only) s["read_only_filesystem"] = true;
  if (o.init) s["init"] = true;
  if (!o.umask.empty()) s["umask"] = o.umask;
  if (!o.entrypoint.empty() || o.entrypoint_set) {
    if (!o.entrypoint.empty() && o.entrypoint[0] == '[') {
      Json e = Json::parse(o.entrypoint, nullptr, false);
      if (!e.is_array()) return makeError(Code::kInvalidArgument, "invalid --entrypoint {:?}: malformed JSON array", o.entrypoint);
      s["entrypoint"] = e;
    } else {
      s["entrypoint"] = Json::array({o.entrypoint});
    }
  }
  auto host_env = specgen::currentEnviron();
  Json env = Json::object();
  for (auto& f : o.env_file)
    for (auto& [k, v] : TRY(specgen::parseEnvFile(f, host_env))) env[k] = v;
  for (auto& e : o.env)
    for (auto& [k, v] : TRY(specgen::parseEnvArg(e, host_env))) env[k] = v;
  if (!env.empty()) s["env"] = env;
  Json labels = Json::object();
  for (auto& l : o.labels) {
    auto eq = l.find('=');
    labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  if (!labels.empty()) s["labels"] = labels;
  Json ann = Json::object();
  for (auto& a : o.annotations) {
    auto eq = a.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid annotation {:?}: must be key=value", a);
    ann[a.substr(0, eq)] = a.substr(eq + 1);
  }
  if (!ann.empty()) s["annotations"] = ann;
  char cwd[4096];
  std::string wd = ::getcwd(cwd, sizeof cwd) ? cwd : "/";
  for (auto& v : o.volumes) TRY(specgen::addVolumeFlag(s, v, wd));
  for (auto& m : o.mounts) TRY(specgen::addMountFlag(s, m, wd));
  for (auto& t : o.tmpfs) TRY(specgen::addTmpfsFlag(s, t));
  if (!o.cap_add.empty()) s["cap_add"] = o.cap_add;
  if (!o.cap_drop.empty()) s["cap_drop"] = o.cap_drop;
  if (!o.ulimits.empty()) {
    Json rl = Json::array();
    for (auto& u : o.ulimits) rl.push_back(TRY(specgen::parseUlimit(u)));
    s["rlimits"] = rl;
  }
  if (!o.restart.empty()) {
    std::string policy = o.restart;
    int tries = 0;
    if (auto colon = policy.find(':'); colon != std::string::npos) {
      try {
        tries = std::stoi(policy.substr(colon + 1));
      } catch (...) {
        return makeError(Code::kInvalidArgument, "invalid restart policy {:?}: bad retry count", o.restart);
      }
      policy = policy.substr(0, colon);
      if (tries < 0) return makeError(Code::kInvalidArgument, "invalid restart policy {:?}: bad retry count", o.restart);
      if (policy != "on-failure")
        return makeError(Code::kInvalidArgument, "restart policy {:?} does not take a retry count: only on-failure does", policy);
    }
    if (policy == "never") policy = "no";
    static const std::set<std::string> kPolicies = {"no", "always", "on-failure", "unless-stopped"};
    if (!kPolicies.count(policy))
      return makeError(Code::kInvalidArgument, "invalid restart policy {:?}: want no, always, on-failure[:N] or unless-stopped", o.restart);
    if (o.rm && policy != "no")
      return makeError(Code::kInvalidArgument, "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
    s["restart_policy"] = policy;
    if (tries) s["restart_tries"] = uint64_t(tries);  // the specgen type is uint
  }
  if (!o.runtime.empty()) s["oci_runtime"] = o.runtime;
  static const std::set<std::string> kDrivers = {"k8s-file", "json-file", "none", "passthrough", "journald"};
  if (!kDrivers.count(o.log_driver))
    return makeError(Code::kInvalidArgument, "invalid log driver {:?}: want k8s-file, json-file, journald, none or passthrough", o.log_driver);
  Json logc = {{"driver", o.log_driver}};
  Json logopts = Json::object();
  for (auto& lo : o.log_opts) {
    auto eq = lo.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid log option {:?}: must be key=value", lo);
    std::string k = lo.substr(0, eq), v = lo.substr(eq + 1);
    if (k == "max-size") logc["size"] = TRY(parseSize(v));
    else if (k == "path") logc["path"] = v;
    else if (k == "tag") logopts["tag"] = v;
    else return makeError(Code::kInvalidArgument, "invalid log option {:?}: unknown key {:?}", lo, k);
  }
  if (!logopts.empty()) logc["options"] = logopts;
  s["log_configuration"] = logc;
  std::string net = o.network.empty() ? "none" : o.network;
  if (net == "none" || net == "host" || net == "private") {
    s["netns"] = {{"nsmode", net == "private" ? "none" : net}};
  } else {
    return makeError(Code::kUnimplemented, "network mode {:?} is not available yet: use --network none or host", net);
  }
  for (auto [flag, key] : {std::pair{&o.pid, "pidns"}, {&o.ipc, "ipcns"}, {&o.uts, "utsns"}}) {
    if (flag->empty()) continue;
    if (*flag != "host" && *flag != "private")
      return makeError(Code::kUnimplemented, "namespace mode {:?} for --{} is not available yet", *flag, std::string(key).substr(0, 3));
    s[key] = {{"nsmode", *flag}};
  }
  if (!o.stop_signal.empty()) s["stop_signal"] = TRY(specgen::parseSignal(o.stop_signal));
  if (o.stop_timeout < 0) return makeError(Code::kInvalidArgument, "invalid --stop-timeout {}: must not be negative", o.stop_timeout);
  s["stop_timeout"] = uint64_t(o.stop_timeout);
  if (!o.shm_size.empty()) s["shm_size"] = TRY(parseSize(o.shm_size));
  Json limits = Json::object();
  if (!o.memory.empty()) limits["memory"] = {{"limit", TRY(parseSize(o.memory))}};
  if (o.pids_limit > 0) limits["pids"] = {{"limit", o.pids_limit}};
  if (!limits.empty()) s["resource_limits"] = limits;
  if (!o.group_add.empty()) s["groups"] = o.group_add;
  if (!o.dns.empty()) s["dns_server"] = o.dns;
  if (!o.add_host.empty()) s["hostadd"] = o.add_host;
  if (!o.devices.empty()) {
    Json devs = Json::array();
    for (auto& d : o.devices) devs.push_back(Json{{"path", d}});
    s["devices"] = devs;
  }
  for (auto& so : o.security_opt) {
    if (so == "no-new-privileges" || so == "no-new-privileges=true") s["no_new_privileges"] = true;
    else if (so == "seccomp=unconfined") s["seccomp_profile_path"] = "unconfined";
    else if (so.rfind("seccomp=", 0) == 0) s["seccomp_profile_path"] = so.substr(8);
    else if (so.rfind("label=", 0) == 0 || so.rfind("apparmor=", 0) == 0) continue;
    else return makeError(Code::kInvalidArgument, "invalid --security-opt {:?}", so);
  }
  static const std::set<std::string> kPull = {"always", "missing", "never", "newer"};
  if (!kPull.count(o.pull))
    return makeError(Code::kInvalidArgument, "invalid pull policy {:?}: want always, missing, never or newer", o.pull);
  s["containerCreateCommand"] = raw_argv;
  TRY(specgen::validateSpecGenerator(s));
  return s;
}

std::vector<std::string> g_raw_argv;

int runCreate(Context& ctx, CreateOpts& o, const std::vector<std::string>& args, bool run, Command& self) {
  if (o.tty && !o.interactive && run && !o.detach && ctx.stdinIsTerminal()) {
    // podman allows -t without -i; keep stdin closed.
  }
  auto eng = openEngine(ctx);
  if (!eng.ok()) return ctx.fail(eng.error());
  auto spec = buildSpec(ctx, o, args, g_raw_argv);
  if (!spec.ok()) return ctx.fail(spec.error());
  if (!o.cidfile.empty() && fs::exists(o.cidfile))
    return ctx.fail(makeError(Code::kAlreadyExists, "container id file exists. Ensure another container is not using it or delete {}", o.cidfile));
  auto& svc = (*eng)->containers();
  // --pull: always pulls; missing and newer pull when the image is not stored; never never does.
  {
    auto& images = (*eng)->images();
    auto have = images.exists(args[0]);
    if (!have.ok()) return ctx.fail(have.error());
    bool pull = o.pull == "always" || (!*have && o.pull != "never");
    if (pull) {
      ProgressRenderer progress(o.quiet);
      api::ImagePullRequest pr;
      pr.reference = args[0];
      pr.have_tty = ctx.stdinIsTerminal() && ::isatty(2);
      pr.progress = progress.fn();
      pr.os = o.os;
      pr.arch = o.arch;
      pr.variant = o.variant;
      pr.access.authfile = o.authfile;
      if (pr.access.authfile.empty())
        if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) pr.access.authfile = e;
      pr.access.creds = o.creds;
      pr.access.cert_dir = o.cert_dir;
      if (self.changed("tls-verify")) pr.access.tls_verify = o.tls_verify;
      auto pulled = images.pull(pr);
      if (!pulled.ok()) return ctx.fail(pulled.error());
      if (!pulled->names.empty()) (*spec)["image"] = pulled->names[0];
    } else if (!*have) {
      return ctx.fail(makeError(Code::kNotFound, "{}: image not known", args[0]));
    }
  }
  auto rep = svc.create(api::ContainerCreateRequest{*spec, o.replace});
  if (!rep.ok()) return ctx.fail(rep.error());
  if (!o.cidfile.empty()) {
    if (auto s = fs::writeFileAtomic(o.cidfile, rep->id); !s.ok()) return ctx.fail(s.error());
  }
  if (!run) {
    ctx.out(rep->id + "\n");
    return 0;
  }
  if (o.detach) {
    auto st = svc.start(rep->id, nullptr);
    if (!st.ok()) {
      int code = runExitCode(st.error());
      ctx.err("Error: " + st.error().what() + "\n");
      if (o.rm) (void)svc.cleanup(rep->id, true);
      return code;
    }
    ctx.out(rep->id + "\n");
    return 0;
  }
  api::AttachStreams streams;
  streams.in = o.interactive ? 0 : -1;
  streams.tty = o.tty;
  streams.detach_keys = o.detach_keys;
  streams.proxy_signals = o.sig_proxy;
  if (!o.attach.empty()) {
    bool in = false, out = false, err = false;
    for (auto& a : o.attach) {
      std::string l = a;
      std::transform(l.begin(), l.end(), l.begin(), ::tolower);
      if (l == "stdin") in = true;
      else if (l == "stdout") out = true;
      else if (l == "stderr") err = true;
      else return ctx.fail(makeError(Code::kInvalidArgument, "invalid stream {:?} for --attach - must be one of stdin, stdout, or stderr", a));
    }
    if (!in) streams.in = -1;
    if (!out) streams.out = -1;
    if (!err) streams.err = -1;
  }
  if (auto k = engine::parseDetachKeys(o.detach_keys); !k.ok()) return ctx.fail(k.error());
  auto code = svc.start(rep->id, &streams);
  if (!code.ok()) {
    int rc = runExitCode(code.error());
    ctx.err("Error: " + code.error().what() + "\n");
    if (o.rm) (void)svc.cleanup(rep->id, true);
    return rc;
  }
  if (*code < 0) return 0;  // detached
  if (o.rm) {
    auto s = svc.cleanup(rep->id, true);
    if (!s.ok()) ctx.err("Error: " + s.error().what() + "\n");
  }
  return *code;
}

std::unique_ptr<Command> createCommand(bool run) {
  auto o = std::make_shared<CreateOpts>();
  auto c = std::make_unique<Command>(run ? "run [options] IMAGE [COMMAND [ARG...]]"
                                         : "create [options] IMAGE [COMMAND [ARG...]]",
                                     run ? "Run a command in a new container" : "Create but do not start a container");
  c->args(1, -1).description(run ? "Runs a command in a new container from the given image"
                                 : "Creates a new container from the given image or storage and prepares it for running the specified command.");
  addCreateFlags(*c, *o, run);
  Command* self = c.get();
  c->run([o, run, self](Context& ctx, const std::vector<std::string>& args) {
    o->stop_timeout_set = self->changed("stop-timeout");
    o->entrypoint_set = self->changed("entrypoint");
    return runCreate(ctx, *o, args, run, *self);
  });
  return c;
}

// --- start / stop / kill / restart / pause ------------------------------------------------

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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (o->all) {
          auto all = svc.list(api::ContainerListRequest{true, -1, false, false, o->filters});
          if (!all.ok()) return ctx.fail(all.error());
          names.clear();
          for (auto& s : *all) names.push_back(s.id);
        }
        if (names.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "start requires at least one argument"));
        if ((o->attach || o->interactive) && names.size() > 1)
          return ctx.fail(makeError(Code::kInvalidArgument, "you cannot start and attach multiple containers at once"));
        if (o->attach || o->interactive) {
          auto insp = svc.inspect(names[0], false);
          if (!insp.ok()) return ctx.fail(insp.error());
          api::AttachStreams st;
          st.in = o->interactive ? 0 : -1;
          st.tty = (*insp)["Config"].value("Tty", false);
          st.detach_keys = o->detach_keys;
          st.proxy_signals = true;
          auto code = svc.start(names[0], &st);
          if (!code.ok()) return failWith(ctx, code.error(), runExitCode(code.error()));
          return *code < 0 ? 0 : *code;
        }
        int rc = 0;
        for (auto& n : names) {
          auto r = svc.start(n, nullptr);
          if (!r.ok()) {
            ctx.err("Error: " + r.error().what() + "\n");
            rc = runExitCode(r.error());
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      });
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
      .run([o, self](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        api::ContainerStopRequest req;
        req.names = args;
        for (auto& f : o->cidfiles) {
          auto id = fs::readFile(f);
          if (!id.ok()) return ctx.fail(id.error());
          req.names.push_back(*id);
        }
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          req.names = {*id};
        }
        req.all = o->all;
        req.ignore = o->ignore;
        if (self->changed("time")) req.timeout = o->timeout;
        if (req.names.empty() && !req.all)
          return ctx.fail(makeError(Code::kInvalidArgument, "you must provide at least one container name or ID"));
        auto res = svc.stop(req);
        if (!res.ok()) return ctx.fail(res.error());
        return reportNames(ctx, *res, o->all);
      });
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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (names.empty() && !o->all)
          return ctx.fail(makeError(Code::kInvalidArgument, "you must provide at least one container name or ID"));
        auto res = svc.kill(names, o->all, o->signal);
        if (!res.ok()) return ctx.fail(res.error());
        return reportNames(ctx, *res, o->all);
      });
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
      .run([o, self](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        std::optional<int> t;
        if (self->changed("time")) t = o->timeout;
        auto res = svc.restart(names, o->all, t);
        if (!res.ok()) return ctx.fail(res.error());
        return reportNames(ctx, *res, o->all);
      });
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
      .run([o, pause](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (names.empty() && !o->all)
          return ctx.fail(makeError(Code::kInvalidArgument, "you must provide at least one container name or ID"));
        auto res = pause ? svc.pause(names, o->all) : svc.unpause(names, o->all);
        if (!res.ok()) return ctx.fail(res.error());
        return reportNames(ctx, *res, o->all);
      });
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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (names.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "you must provide at least one container name or ID"));
        auto interval = parseGoDuration(o->interval);
        int64_t ms = 250;
        if (interval.ok()) ms = *interval / 1000000;
        else {
          try {
            ms = std::stoll(o->interval);
          } catch (...) {
            return ctx.fail(interval.error());
          }
        }
        int rc = 0;
        for (auto& n : names) {
          auto code = svc.wait(n, o->conditions, ms);
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
      });
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
      .run([o, self](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        api::ContainerRemoveRequest req;
        req.names = args;
        for (auto& f : o->cidfiles) {
          auto id = fs::readFile(f);
          if (!id.ok()) {
            if (o->ignore) continue;
            return ctx.fail(id.error());
          }
          req.names.push_back(*id);
        }
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          req.names = {*id};
        }
        req.all = o->all;
        req.force = o->force;
        req.ignore = o->ignore;
        req.volumes = o->volumes;
        if (self->changed("time")) req.timeout = o->timeout;
        if (req.names.empty() && !req.all)
          return ctx.fail(makeError(Code::kInvalidArgument, "you must provide at least one container name or ID"));
        auto res = svc.remove(req);
        if (!res.ok()) return ctx.fail(res.error());
        // podman rm: 1 when a container is unknown, 2 when one is running/in use, else 125.
        int rc = 0;
        for (auto& r : *res) {
          if (r.error) {
            ctx.err("Error: " + r.error->what() + "\n");
            int code = r.error->code() == Code::kNotFound ? 1 : r.error->code() == Code::kConflict ? 2 : 125;
            rc = std::max(rc, code);
            continue;
          }
          if (!r.id.empty()) ctx.out((o->all ? r.id : r.name) + "\n");
        }
        return rc;
      });
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
      .run([o](Context& ctx, const std::vector<std::string>&) {
        if (!o->force) {
          ctx.out("WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ");
          char buf[16] = {};
          ssize_t n = ::read(0, buf, sizeof buf - 1);
          if (n <= 0 || (buf[0] != 'y' && buf[0] != 'Y')) return 0;
        }
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto res = (*eng)->containers().prune(o->filters);
        if (!res.ok()) return ctx.fail(res.error());
        for (auto& [id, size] : *res) ctx.out(id + "\n");
        return 0;
      });
  return c;
}

// --- ps --------------------------------------------------------------------------------------

std::string statusText(const ContainerSummary& s) {
  int64_t now = nowNanos();
  switch (s.status) {
    case ContainerStatus::kRunning:
      return "Up " + humanDuration((now - s.started_at) / 1000000000);
    case ContainerStatus::kPaused:
      return "Paused";
    case ContainerStatus::kExited:
    case ContainerStatus::kStopped:
      return fmt::format("Exited ({}) {} ago", s.exit_code, humanDuration((now - s.exited_at) / 1000000000));
    default:
      return "Created";
  }
}

Json psJson(const ContainerSummary& s) {
  Json j;
  j["AutoRemove"] = s.auto_remove;
  j["Command"] = s.command;
  j["CreatedAt"] = humanDuration((nowNanos() - s.created) / 1000000000) + " ago";
  j["Exited"] = s.exited;
  j["ExitedAt"] = s.exited_at ? s.exited_at / 1000000000 : int64_t(-62135596800);
  j["ExitCode"] = s.exit_code;
  j["Id"] = s.id;
  j["Image"] = s.image;
  j["ImageID"] = s.image_id;
  j["IsInfra"] = false;
  if (s.labels.empty()) j["Labels"] = nullptr;
  else
    for (auto& [k, v] : s.labels) j["Labels"][k] = v;
  j["Mounts"] = Json::array();
  j["Names"] = s.names;
  j["Namespaces"] = Json::object();
  j["Networks"] = Json::array();
  j["Pid"] = s.pid;
  j["Pod"] = "";
  j["PodName"] = "";
  j["Ports"] = nullptr;
  j["Restarts"] = s.restarts;
  j["Size"] = s.size_rw >= 0 ? Json{{"rwSize", s.size_rw}, {"rootFsSize", s.size_root_fs}} : Json(nullptr);
  j["StartedAt"] = s.started_at ? s.started_at / 1000000000 : int64_t(-62135596800);
  j["State"] = std::string(api::statusName(s.status));
  j["Status"] = statusText(s);
  j["Created"] = s.created / 1000000000;
  return j;
}

std::unique_ptr<Command> psCommand(std::string use, std::vector<std::string> aliases) {
  struct O {
    bool all = false, quiet = false, latest = false, size = false, no_trunc = false, noheading = false, ns = false;
    int last = -1;
    std::string format, sort = "created";
    std::vector<std::string> filters;
    bool pod = false, external = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>(std::move(use), "List containers");
  c->aliases(std::move(aliases)).args(0, 0)
      .description("Prints out information about the containers")
      .flag("all", 'a', &o->all, "Show all the containers, default is only running containers")
      .flag("external", 0, &o->external, "Show containers in storage not controlled by Podman")
      .flag("filter", 'f', &o->filters, "Filter output based on conditions given")
      .flag("format", 0, &o->format, "Pretty-print containers to JSON or using a Go template")
      .flag("last", 'n', &o->last, "Print the n last created containers (all states)")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("namespace", 0, &o->ns, "Display namespace information")
      .flag("noheading", 0, &o->noheading, "Do not print headers")
      .flag("no-trunc", 0, &o->no_trunc, "Display the extended information")
      .flag("pod", 'p', &o->pod, "Print the ID and name of the pod the containers are associated with")
      .flag("quiet", 'q', &o->quiet, "Print the numeric IDs of the containers only")
      .flag("size", 's', &o->size, "Display the total file sizes")
      .flag("sort", 0, &o->sort, "Sort output by: command, created, id, image, names, runningfor, size, status")
      .run([o](Context& ctx, const std::vector<std::string>&) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        static const std::set<std::string> kSorts = {"command", "created", "id", "image", "names", "runningfor", "size", "status"};
        if (!kSorts.count(o->sort))
          return ctx.fail(makeError(Code::kInvalidArgument, "invalid option for --sort, options are: command, created, id, image, names, runningfor, size, or status"));
        api::ContainerListRequest req{o->all, o->last, o->latest, o->size, o->filters};
        auto list = (*eng)->containers().list(req);
        if (!list.ok()) return ctx.fail(list.error());
        auto& cs = *list;
        std::stable_sort(cs.begin(), cs.end(), [&](const ContainerSummary& a, const ContainerSummary& b) {
          if (o->sort == "id") return a.id < b.id;
          if (o->sort == "image") return a.image < b.image;
          if (o->sort == "names") return a.names[0] < b.names[0];
          if (o->sort == "status") return api::statusName(a.status) < api::statusName(b.status);
          if (o->sort == "size") return a.size_rw < b.size_rw;
          if (o->sort == "command") return fmt::format("{}", fmt::join(a.command, " ")) < fmt::format("{}", fmt::join(b.command, " "));
          if (o->sort == "runningfor") return a.started_at > b.started_at;
          return a.created > b.created;
        });
        if (isJsonFormat(o->format)) {
          Json arr = Json::array();
          for (auto& s : cs) arr.push_back(psJson(s));
          ctx.out(Context::jsonIndent(arr, 4) + "\n");
          return 0;
        }
        if (o->quiet && o->format.empty()) {
          for (auto& s : cs) ctx.out((o->no_trunc ? s.id : shortId(s.id)) + "\n");
          return 0;
        }
        std::vector<Json> rows;
        for (auto& s : cs) {
          Json r = psJson(s);
          r["ID"] = o->no_trunc ? s.id : shortId(s.id);
          std::string cmd = fmt::format("{}", fmt::join(s.command, " "));
          if (!o->no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";
          r["Command"] = cmd;
          r["CreatedHuman"] = humanDuration((nowNanos() - s.created) / 1000000000) + " ago";
          r["CreatedAt"] = formatGoTime(s.created);
          r["RunningFor"] = humanDuration((nowNanos() - s.created) / 1000000000) + " ago";
          r["Names"] = s.names[0];
          r["Ports"] = "";
          r["Mounts"] = "";
          r["Networks"] = "";
          r["Size"] = s.size_rw >= 0 ? fmt::format("{} (virtual {})", humanSize(double(s.size_rw)), humanSize(double(s.size_root_fs))) : "";
          r["Labels"] = r["Labels"].is_null() ? Json::object() : r["Labels"];
          rows.push_back(r);
        }
        std::string def = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
        if (o->size) def += "\t{{.Size}}";
        std::string f = o->quiet ? "{{.ID}}" : o->format;
        return printRows(ctx, f, def, rows,
                         {{"ID", "CONTAINER ID"}, {"CreatedHuman", "CREATED"}, {"CreatedAt", "CREATED AT"},
                          {"RunningFor", "CREATED"}, {"Names", "NAMES"}},
                         o->noheading);
      });
  return c;
}

// --- inspect / logs / attach / exec / top / rename / exists / init / cleanup -------------------

std::unique_ptr<Command> containerInspectCommand() {
  struct O {
    std::string format;
    bool latest = false, size = false;
  };
  auto o = std::make_shared<O>();
  auto c = std::make_unique<Command>("inspect [options] CONTAINER [CONTAINER...]", "Display the configuration of a container");
  c->flag("format", 'f', &o->format, "Format the output to a Go template or json")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("size", 's', &o->size, "Display total file size")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          names = {*id};
        }
        if (names.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "no names or ids specified"));
        Json arr = Json::array();
        std::vector<Error> errors;
        for (auto& n : names) {
          auto j = svc.inspect(n, o->size);
          if (!j.ok()) {
            errors.push_back(j.error().code() == Code::kNotFound ? makeError(Code::kNotFound, "no such container {}", n) : j.error());
            continue;
          }
          arr.push_back(*j);
        }
        if (o->format.empty() || isJsonFormat(o->format)) ctx.out(Context::jsonIndent(arr, 5) + "\n");
        else
          for (auto& j : arr)
            if (int r = printTemplate(ctx, o->format, j); r) return r;
        for (auto& e : errors) ctx.err("Error: " + e.what() + "\n");
        return errors.empty() ? 0 : 125;
      });
  return c;
}

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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        api::LogsRequest req;
        req.names = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          req.names = {*id};
        }
        if (req.names.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "specify at least one container name or ID to log"));
        req.follow = o->follow;
        req.timestamps = o->timestamps;
        req.tail = o->tail;
        req.names_prefix = o->names || req.names.size() > 1;
        if (!o->since.empty()) {
          auto t = parseTimestampArg(o->since);
          if (!t.ok()) return ctx.fail(t.error());
          req.since = *t;
        }
        if (!o->until.empty()) {
          auto t = parseTimestampArg(o->until);
          if (!t.ok()) return ctx.fail(t.error());
          req.until = *t;
        }
        auto s = svc.logs(req, [&](int stream, std::string_view line) {
          if (stream == 2) ctx.err(line);
          else ctx.out(line);
        });
        return s.ok() ? 0 : ctx.fail(s.error());
      });
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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::string name = args.empty() ? "" : args[0];
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          name = *id;
        }
        if (name.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "attach requires the name or id of one running container or the latest flag"));
        auto insp = svc.inspect(name, false);
        if (!insp.ok()) return ctx.fail(insp.error());
        api::AttachStreams st;
        st.tty = (*insp)["Config"].value("Tty", false);
        st.in = o->no_stdin ? -1 : 0;
        st.detach_keys = o->detach_keys;
        st.proxy_signals = o->sig_proxy;
        auto code = svc.attach(name, st);
        if (!code.ok()) return ctx.fail(code.error());
        return *code < 0 ? 0 : *code;
      });
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
      .flag("env-file", 0, &o->env_file, "Read in a file of environment variables")
      .flag("interactive", 'i', &o->interactive, "Keep STDIN open even if not attached")
      .flag("latest", 'l', &o->latest, "Act on the latest container podman is aware of")
      .flag("privileged", 0, &o->privileged, "Give the process extended Linux capabilities inside the container.  The default is false")
      .flag("tty", 't', &o->tty, "Allocate a pseudo-TTY. The default is false")
      .flag("user", 'u', &o->user, "Sets the username or UID used and optionally the groupname or GID for the specified command")
      .flag("workdir", 'w', &o->workdir, "Working directory inside the container")
      .flag("preserve-fds", 0, &o->preserve_fds, "Pass N additional file descriptors to the container")
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        api::ExecRequest req;
        std::vector<std::string> rest = args;
        if (o->latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          req.container = *id;
        } else {
          req.container = rest[0];
          rest.erase(rest.begin());
        }
        req.cmd = rest;
        if (req.cmd.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "must provide a non-empty command to start an exec session"));
        auto host_env = specgen::currentEnviron();
        for (auto& f : o->env_file) {
          auto kv = specgen::parseEnvFile(f, host_env);
          if (!kv.ok()) return ctx.fail(kv.error());
          for (auto& [k, v] : *kv) req.env.push_back(k + "=" + v);
        }
        for (auto& e : o->env) {
          auto kv = specgen::parseEnvArg(e, host_env);
          if (!kv.ok()) return ctx.fail(kv.error());
          for (auto& [k, v] : *kv) req.env.push_back(k + "=" + v);
        }
        req.user = o->user;
        req.workdir = o->workdir;
        req.interactive = o->interactive;
        req.tty = o->tty;
        req.detach = o->detach;
        req.privileged = o->privileged;
        auto code = svc.exec(req);
        if (!code.ok()) return failWith(ctx, code.error(), runExitCode(code.error()));
        return *code;
      });
  return c;
}

std::unique_ptr<Command> topCommand() {
  auto latest = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("top [options] CONTAINER [FORMAT-DESCRIPTORS|ARGS...]", "Display the running processes of a container");
  c->args(0, -1)
      .flag("latest", 'l', latest.get(), "Act on the latest container podman is aware of")
      .run([latest](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        auto& svc = (*eng)->containers();
        std::vector<std::string> rest = args;
        std::string name;
        if (*latest) {
          auto id = svc.latestId();
          if (!id.ok()) return ctx.fail(id.error());
          name = *id;
        } else {
          if (rest.empty()) return ctx.fail(makeError(Code::kInvalidArgument, "you must provide the name or id of a running container"));
          name = rest[0];
          rest.erase(rest.begin());
        }
        auto rows = svc.top(name, rest);
        if (!rows.ok()) return ctx.fail(rows.error());
        std::string text;
        for (auto& r : *rows) text += fmt::format("{}\n", fmt::join(r, "\t"));
        // Align like podman (tabwriter 12,2,2).
        format::TabWriter w(12, 2, 2, ' ', 0);
        w.write(text);
        w.flush();
        ctx.out(w.output());
        return 0;
      });
  return c;
}

std::unique_ptr<Command> renameCommand() {
  auto c = std::make_unique<Command>("rename CONTAINER NAME", "Rename an existing container");
  c->args(2, 2).run([](Context& ctx, const std::vector<std::string>& args) {
    auto eng = openEngine(ctx);
    if (!eng.ok()) return ctx.fail(eng.error());
    auto s = (*eng)->containers().rename(args[0], args[1]);
    return s.ok() ? 0 : ctx.fail(s.error());
  });
  return c;
}

std::unique_ptr<Command> containerExistsCommand() {
  auto c = std::make_unique<Command>("exists [options] CONTAINER", "Check if a container exists in local storage");
  c->args(1, 1).run([](Context& ctx, const std::vector<std::string>& args) {
    auto eng = openEngine(ctx);
    if (!eng.ok()) return ctx.fail(eng.error());
    auto r = (*eng)->containers().exists(args[0]);
    if (!r.ok()) return ctx.fail(r.error());
    return *r ? 0 : 1;
  });
  return c;
}

std::unique_ptr<Command> initCommand() {
  auto all = std::make_shared<bool>(false);
  auto c = std::make_unique<Command>("init [options] CONTAINER [CONTAINER...]", "Initialize one or more containers");
  c->flag("all", 'a', all.get(), "Initialize all containers")
      .run([](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        int rc = 0;
        for (auto& n : args) {
          auto s = (*eng)->containers().init(n);
          if (!s.ok()) {
            ctx.err("Error: " + s.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      });
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
      .run([o](Context& ctx, const std::vector<std::string>& args) {
        auto eng = openEngine(ctx);
        if (!eng.ok()) return ctx.fail(eng.error());
        int rc = 0;
        for (auto& n : args) {
          auto s = (*eng)->containers().cleanup(n, o->rm);
          if (!s.ok()) {
            ctx.err("Error: " + s.error().what() + "\n");
            rc = 125;
            continue;
          }
          ctx.out(n + "\n");
        }
        return rc;
      });
  return c;
}

}  // namespace

void setRawArgv(std::vector<std::string> argv) { g_raw_argv = std::move(argv); }

void addContainerCommands(Command& root) {
  root.add(createCommand(false));
  root.add(createCommand(true));
  root.add(startCommand());
  root.add(stopCommand());
  root.add(killCommand());
  root.add(restartCommand());
  root.add(pauseCommand(true));
  root.add(pauseCommand(false));
  root.add(waitCommand());
  root.add(rmCommand("rm [options] CONTAINER [CONTAINER...]"));
  root.add(psCommand("ps [options]", {}));
  root.add(logsCommand());
  root.add(attachCommand());
  root.add(execCommand());
  root.add(topCommand());
  root.add(renameCommand());
  root.add(initCommand());

  auto ctr = std::make_unique<Command>("container", "Manage containers");
  ctr->description("Manage containers");
  ctr->add(createCommand(false));
  ctr->add(createCommand(true));
  ctr->add(startCommand());
  ctr->add(stopCommand());
  ctr->add(killCommand());
  ctr->add(restartCommand());
  ctr->add(pauseCommand(true));
  ctr->add(pauseCommand(false));
  ctr->add(waitCommand());
  ctr->add(rmCommand("rm [options] CONTAINER [CONTAINER...]"));
  ctr->add(psCommand("list [options]", {"ls", "ps"}));
  ctr->add(containerInspectCommand());
  ctr->add(logsCommand());
  ctr->add(attachCommand());
  ctr->add(execCommand());
  ctr->add(topCommand());
  ctr->add(renameCommand());
  ctr->add(containerExistsCommand());
  ctr->add(initCommand());
  ctr->add(cleanupCommand());
  ctr->add(containerPruneCommand());
  root.add(std::move(ctr));
}

}  // namespace berth::cli
