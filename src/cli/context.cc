// CLI context.
#include "cli/context.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "config/containers_conf.h"
#include "config/connections.h"
#include "engine/system_service.h"
#include "sys/cgroup_warm.h"

namespace berth::cli {

namespace {

// The local engine's services behind the interface the remote Connection also implements.
class LocalServices : public api::Services {
 public:
  explicit LocalServices(engine::Engine& e) : e_(e) {}
  api::ContainerService& containers() override { return e_.containers(); }
  api::ImageService& images() override { return e_.images(); }
  api::SystemService& system() override { return e_.system(); }
  api::NetworkService& networks() override { return e_.networks(); }
  api::VolumeService& volumes() override { return e_.volumes(); }
  api::SecretService& secrets() override { return e_.secrets(); }
  api::PodService& pods() override { return e_.pods(); }

 private:
  engine::Engine& e_;
};

}  // namespace

Context::Context() {
  auto add = [&](std::string name, char sh, auto* v, std::string help, bool hidden = false) {
    Flag f{std::move(name), sh, std::move(help), v, ""};
    f.hidden = hidden;
    globals_.push_back(std::move(f));
  };
  add("root", 0, &opts.root, "Path to the root directory in which data, including images, is stored");
  add("runroot", 0, &opts.runroot, "Path to the 'run directory' where all state information is stored");
  add("tmpdir", 0, &opts.tmpdir, "Path to the tmp directory for libpod state content");
  add("storage-driver", 0, &opts.storage_driver, "Select which storage driver is used to manage storage of images and containers");
  add("storage-opt", 0, &storage_opts_, "Used to pass an option to the storage driver");
  add("runtime", 0, &opts.runtime, "Path to the OCI-compatible binary used to run containers");
  add("runtime-flag", 0, &opts.runtime_flags, "add global flags for the container runtime");
  add("log-level", 0, &log_level, "Log messages above specified level (trace, debug, info, warn, warning, error, fatal, panic)");
  add("events-backend", 0, &opts.events_backend, "Events backend to use (file, journald, none)");
  add("cgroup-manager", 0, &cgroup_manager_, "Cgroup manager to use (\"cgroupfs\"|\"systemd\")");
  add("conmon", 0, &conmon_, "Path of the conmon binary");
  add("network-config-dir", 0, &opts.network_config_dir, "Path of the configuration directory for networks");
  add("volumepath", 0, &opts.volume_path, "Path to the volume directory in which volume data is stored");
  add("hooks-dir", 0, &hooks_dir_, "Set the OCI hooks directory path");
  add("syslog", 0, &syslog_flag_, "Output logging information to syslog as well as the console");
  add("remote", 'r', &remote_, "Access remote Podman service");
  add("url", 0, &url_, "URL to access Podman service");
  add("connection", 'c', &connection_, "Connection to use for remote Podman service");
  add("host", 0, &host_, "Used for Docker compatibility", true);
  add("identity", 0, &identity_, "path to SSH identity file");
  add("noout", 0, &noout_, "do not output to stdout");
  add("namespace", 0, &namespace_, "Set the libpod namespace", true);
  add("version", 'v', &version_requested, "Version of Podman");
  add("debug", 'D', &debug_, "Docker compatibility, force setting of log-level", true);
}

Context::~Context() = default;

int Context::applyLogLevel(const std::string& prog, const std::string& command_name) {
  if (debug_) {
    bool level_set = false;
    for (auto& f : globals_)
      if (f.name == "log-level") level_set = f.changed;
    if (level_set) {
      err("Setting --log-level and --debug is not allowed\n");
      return 1;
    }
    log_level = "debug";
  }
  auto lvl = log::parseLevel(log_level);
  if (!lvl.ok()) {
    err(fmt::format("Log Level {:?} is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic\n",
                    log_level));
    return 1;
  }
  log::setLevel(*lvl);
  opts.log_level = log_level;
  LOG_INFO("{} filtering at log level {}", prog, log::levelName(*lvl));
  std::string argv;
  for (auto& a : rawArgv()) argv += (argv.empty() ? "" : " ") + a;
  LOG_DEBUG("Called {}.PersistentPreRunE({})", command_name, argv);
  // A command that starts containers: the runtime's cgroup move comes within milliseconds, so
  // the warming (sys/cgroup_warm.h) starts before the engine is even opened.
  if (!remoteRequested() && (command_name == "run" || command_name == "start" || command_name == "restart" ||
                             command_name == "exec" || command_name == "play"))
    sys::warmCgroupAttach();
  return -1;
}

Status Context::applyGlobals() {
  if (opts.events_backend != "file" && opts.events_backend != "journald" && opts.events_backend != "none")
    return makeError(Code::kInvalidArgument, "invalid events backend {:?}: want file, journald or none",
                     opts.events_backend);
  TRY(resolveRemote());
  if (noout_) {
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::close(fd);
    }
  }
  return {};
}

void Context::setProgramName(const std::string& argv0) {
  auto slash = argv0.rfind('/');
  std::string base = slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  forced_remote_ = base.size() > 7 && base.compare(base.size() - 7, 7, "-remote") == 0;
}

// podman's IsRemote and destination resolution: --connection (through ActiveDestination),
// else --url/--host, else CONTAINER_HOST, CONTAINER_CONNECTION, the active service or
// remote_uri of containers.conf, else the default socket.
Status Context::resolveRemote() {
  remote_mode_ = forced_remote_ || remote_ || !url_.empty() || !host_.empty() || !connection_.empty() ||
                 std::getenv("CONTAINER_HOST") || std::getenv("CONTAINER_CONNECTION");
  if (!remote_mode_) return {};
  remote_identity_ = identity_;
  if (!connection_.empty()) {
    auto conns = config::readConnections();
    if (!conns.ok()) return std::move(conns).error().context("failed to resolve active destination");
    conns->active = connection_;
    auto d = config::activeDestination(*conns);
    if (!d.ok()) return std::move(d).error().context("failed to resolve active destination");
    remote_uri_ = d->uri;
    if (remote_identity_.empty()) remote_identity_ = d->identity;
    return {};
  }
  if (!url_.empty() || !host_.empty()) {
    remote_uri_ = !url_.empty() ? url_ : host_;
    return {};
  }
  if (const char* h = std::getenv("CONTAINER_HOST")) {
    remote_uri_ = h;
    if (const char* k = std::getenv("CONTAINER_SSHKEY"); k && remote_identity_.empty()) remote_identity_ = k;
    return {};
  }
  remote_uri_ = "unix:///run/berth/berth.sock";
  if (auto conns = config::readConnections(); conns.ok()) {
    if (auto d = config::activeDestination(*conns); d.ok()) {
      remote_uri_ = d->uri;
      if (remote_identity_.empty()) remote_identity_ = d->identity;
    } else if (std::getenv("CONTAINER_CONNECTION")) {
      // podman falls back to the default socket here; say why.
      LOG_WARN("{}: using {}", d.error().what(), remote_uri_);
    }
  } else {
    LOG_WARN("unable to read local containers.conf: {}", conns.error().what());
  }
  return {};
}

Result<bindings::Connection*> Context::connection() {
  if (!remote_mode_) return makeError(Code::kFailedPrecondition, "not in remote mode");
  if (!conn_) {
    bindings::ConnectOptions co;
    co.identity = remote_identity_;
    auto c = bindings::connect(remote_uri_, co);
    if (!c.ok()) {
      connect_failed_ = true;
      return std::move(c).error();
    }
    conn_ = std::move(*c);
  }
  return conn_.get();
}

Result<api::Services*> Context::engine() {
  if (remote_mode_) return TRY(connection());
  if (!local_) local_ = std::make_unique<LocalServices>(*TRY(localEngine()));
  return local_.get();
}

Result<engine::Engine*> Context::localEngine() {
  if (remote_mode_) {
    std::string cmd = command_path;
    if (auto sp = cmd.find(' '); sp != std::string::npos) cmd = cmd.substr(sp + 1);
    return makeError(Code::kUnimplemented,
                     "{} is not supported in remote mode: the service has no API route for it; run it on the "
                     "service's host",
                     cmd.empty() ? std::string("this command") : cmd);
  }
  if (!engine_) {
    LOG_PHASE("open engine (containers.conf, store, database)");
    // containers.conf's [engine] events settings; --events-backend wins.
    Json conf = TRY(config::loadContainersConf(config::HostEnv::current()));
    auto ev = TRY(config::eventsConf(conf));
    bool backend_flag = false;
    for (auto& f : globals_)
      if (f.name == "events-backend") backend_flag = f.changed;
    if (!backend_flag && !ev.logger.empty()) opts.events_backend = ev.logger;
    if (opts.events_logfile_path.empty()) opts.events_logfile_path = ev.logfile_path;
    opts.events_logfile_max_size = ev.max_size;
    // [engine] runtime names the OCI runtime when --runtime does not; [engine.runtimes] maps a
    // name to candidate paths (the first that exists is used).
    if (conf.is_object())
      if (auto eng = conf.find("engine"); eng != conf.end() && eng->is_object()) {
        if (auto rt = eng->find("runtime"); opts.runtime.empty() && rt != eng->end() && rt->is_string())
          opts.runtime = rt->get<std::string>();
        auto paths = eng->find("runtimes");
        if (!opts.runtime.empty() && opts.runtime.find('/') == std::string::npos && paths != eng->end() &&
            paths->is_object())
          if (auto cand = paths->find(opts.runtime); cand != paths->end() && cand->is_array())
            for (auto& path : *cand)
              if (path.is_string() && ::access(path.get<std::string>().c_str(), X_OK) == 0) {
                opts.runtime = path.get<std::string>();
                break;
              }
      }
    engine::Options o = opts;
    o.one_shot = !serving;
    engine_ = TRY(engine::Engine::open(o));
  }
  return engine_.get();
}

void Context::out(std::string_view s) { (void)fs::writeAll(1, s); }
void Context::err(std::string_view s) { (void)fs::writeAll(2, s); }

int Context::fail(const Error& e, Phase phase) {
  if (connect_failed_)
    err("Cannot connect to Podman. Please verify your connection to the Linux system using `podman system "
        "connection list`, or try `podman machine init` and `podman machine start` to manage a new Linux VM\n");
  err("Error: " + e.what() + "\n");
  return exitCode(e, phase);
}

bool Context::stdoutIsTerminal() const { return ::isatty(1); }
bool Context::stdinIsTerminal() const { return ::isatty(0); }
std::string Context::version() const { return engine::VersionInfo::kVersion; }

std::string Context::jsonIndent(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace berth::cli
