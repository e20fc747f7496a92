// CLI context.
#include "cli/context.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "cli/commands.h"
#include "config/containers_conf.h"
#include "engine/system_service.h"

namespace berth::cli {

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
  add("runtime-flag", 0, &runtime_flag_, "add global flags for the container runtime");
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
  return -1;
}

Status Context::applyGlobals() {
  if (opts.events_backend != "file" && opts.events_backend != "journald" && opts.events_backend != "none")
    return makeError(Code::kInvalidArgument, "invalid events backend {:?}: want file, journald or none",
                     opts.events_backend);
  if (remoteRequested())
    return makeError(Code::kUnimplemented, "remote mode (--remote, --url, --connection) is not available yet");
  if (noout_) {
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::close(fd);
    }
  }
  return {};
}

Result<engine::Engine*> Context::engine() {
  if (!engine_) {
    // containers.conf's [engine] events settings; --events-backend wins.
    Json conf = TRY(config::loadContainersConf(config::HostEnv::current()));
    auto ev = TRY(config::eventsConf(conf));
    bool backend_flag = false;
    for (auto& f : globals_)
      if (f.name == "events-backend") backend_flag = f.changed;
    if (!backend_flag && !ev.logger.empty()) opts.events_backend = ev.logger;
    if (opts.events_logfile_path.empty()) opts.events_logfile_path = ev.logfile_path;
    opts.events_logfile_max_size = ev.max_size;
    engine_ = TRY(engine::Engine::open(opts));
  }
  return engine_.get();
}

void Context::out(std::string_view s) { (void)fs::writeAll(1, s); }
void Context::err(std::string_view s) { (void)fs::writeAll(2, s); }

int Context::fail(const Error& e, Phase phase) {
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
