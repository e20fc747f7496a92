// OciRuntime: argv construction and error mapping for crun/runc calls.
#include "runtime/oci_runtime.h"

#include <algorithm>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "base/json.h"
#include "runtime/child_process.h"

namespace berth::runtime {

OciRuntime::OciRuntime(RuntimeConfig cfg) : cfg_(std::move(cfg)) {
  std::string_view base = cfg_.path;
  if (auto slash = base.rfind('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
  const char* off = ::getenv("BERTH_RUNTIME_SEALED_COPY");  // "0": the plain execve, for comparison
  if (base == "crun" && !(off && std::string_view(off) == "0")) runFromSealedCopy(cfg_.path);
}

std::vector<std::string> OciRuntime::base() const {
  std::vector<std::string> argv{cfg_.path};
  argv.insert(argv.end(), cfg_.global_args.begin(), cfg_.global_args.end());
  if (!cfg_.log_path.empty()) {
    argv.insert(argv.end(), {"--log", cfg_.log_path, "--log-format", "json"});
  }
  return argv;
}

std::vector<std::string> OciRuntime::createArgv(const std::string& id,
                                                const CreateOptions& o) const {
  auto argv = base();
  argv.insert(argv.end(), {"create", "--bundle", o.bundle});
  if (!o.pid_file.empty()) argv.insert(argv.end(), {"--pid-file", o.pid_file});
  if (!o.console_socket.empty()) argv.insert(argv.end(), {"--console-socket", o.console_socket});
  if (o.preserve_fds > 0) argv.insert(argv.end(), {"--preserve-fds", std::to_string(o.preserve_fds)});
  argv.push_back(id);
  return argv;
}

std::vector<std::string> OciRuntime::runDetachedArgv(const std::string& id, const CreateOptions& o) const {
  auto argv = createArgv(id, o);
  auto verb = std::find(argv.begin(), argv.end(), "create");
  *verb = "run";
  argv.insert(argv.end() - 1, "--detach");
  return argv;
}

std::vector<std::string> OciRuntime::checkpointArgv(const std::string& id, const CheckpointOptions& o) const {
  auto argv = base();
  argv.insert(argv.end(), {"checkpoint", "--image-path", o.image_path, "--work-path", o.work_path});
  if (o.leave_running) argv.push_back("--leave-running");
  if (o.tcp_established) argv.push_back("--tcp-established");
  if (o.file_locks) argv.push_back("--file-locks");
  if (o.pre_dump) argv.push_back("--pre-dump");
  if (!o.parent_path.empty()) argv.insert(argv.end(), {"--parent-path", o.parent_path});
  argv.push_back(id);
  return argv;
}

std::vector<std::string> OciRuntime::restoreArgv(const std::string& id, const RestoreOptions& o) const {
  auto argv = base();
  argv.insert(argv.end(), {"restore", "--detach", "--image-path", o.image_path, "--work-path", o.work_path,
                           "--bundle", o.bundle});
  if (!o.pid_file.empty()) argv.insert(argv.end(), {"--pid-file", o.pid_file});
  if (!o.console_socket.empty()) argv.insert(argv.end(), {"--console-socket", o.console_socket});
  if (o.tcp_established) argv.push_back("--tcp-established");
  if (o.file_locks) argv.push_back("--file-locks");
  argv.push_back(id);
  return argv;
}

std::vector<std::string> OciRuntime::startArgv(const std::string& id) const {
  auto argv = base();
  argv.insert(argv.end(), {"start", id});
  return argv;
}

std::vector<std::string> OciRuntime::execArgv(const std::string& id, const ExecOptions& o) const {
  auto argv = base();
  argv.push_back("exec");
  if (!o.process_json.empty()) argv.insert(argv.end(), {"--process", o.process_json});
  if (!o.pid_file.empty()) argv.insert(argv.end(), {"--pid-file", o.pid_file});
  if (!o.console_socket.empty()) argv.insert(argv.end(), {"--console-socket", o.console_socket});
  if (o.detach) argv.push_back("--detach");
  // With --process the terminal flag comes from process.json; only pass
  // --tty when there is no process file.
  if (o.tty && o.process_json.empty()) argv.push_back("--tty");
  for (auto& e : o.env) argv.insert(argv.end(), {"--env", e});
  if (!o.cwd.empty()) argv.insert(argv.end(), {"--cwd", o.cwd});
  if (!o.user.empty()) argv.insert(argv.end(), {"--user", o.user});
  argv.push_back(id);
  return argv;
}

std::vector<std::string> OciRuntime::deleteArgv(const std::string& id, bool force) const {
  auto argv = base();
  argv.push_back("delete");
  if (force) argv.push_back("--force");
  argv.push_back(id);
  return argv;
}

off_t OciRuntime::logOffset() const {
  if (cfg_.log_path.empty()) return 0;
  struct stat st;
  return ::stat(cfg_.log_path.c_str(), &st) == 0 ? st.st_size : 0;
}

std::string lastLoggedError(std::string_view text) {
  std::string found;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() != '{') continue;
    Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    auto lvl = j.find("level");
    auto msg = j.find("msg");
    if (lvl == j.end() || msg == j.end() || !lvl->is_string() || !msg->is_string()) continue;
    if (*lvl == "error" || *lvl == "fatal") found = msg->get<std::string>();
  }
  return found;
}

static std::string trim(std::string_view s) {
  while (!s.empty() && std::strchr(" \t\r\n", s.front())) s.remove_prefix(1);
  while (!s.empty() && std::strchr(" \t\r\n", s.back())) s.remove_suffix(1);
  return std::string(s);
}

Code codeFromRuntimeMessage(std::string_view msg) {
  auto has = [&](std::string_view w) { return msg.find(w) != std::string_view::npos; };
  if (has("does not exist") || has("container not found")) return Code::kNotFound;
  if (has("not running") || has("is not paused") || has("cannot start") ||
      has("already running") || has("is paused") || has("is not stopped") ||
      has("cannot delete") || has("not created"))
    return Code::kFailedPrecondition;
  return Code::kUnknown;
}

Error OciRuntime::failure(std::string_view verb, int exit_code, std::string_view stderr_text,
                          off_t log_offset) const {
  std::string msg;
  if (!cfg_.log_path.empty()) {
    if (auto log = fs::readFile(cfg_.log_path); log.ok() && off_t(log->size()) > log_offset)
      msg = lastLoggedError(std::string_view(*log).substr(log_offset));
  }
  if (msg.empty()) {
    // runc without --log prints logrus text; crun prints "crun: msg" (and, after a bad
    // option, a "Try `crun --help'" hint). The last non-empty line but the hint is the error.
    std::string_view rest = stderr_text;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string line = trim(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (!line.empty() && line.rfind("Try `", 0) != 0) msg = std::move(line);
    }
  }
  if (msg.empty()) msg = fmt::format("exit status {}", exit_code);
  return makeError(codeFromRuntimeMessage(msg), "{} {}: {}", cfg_.name, verb, msg);
}

Status OciRuntime::runSimple(std::string_view verb, std::vector<std::string> argv) const {
  off_t off = logOffset();
  CommandOutput out = TRY_CTX(runCaptured(argv), "{} {}", cfg_.name, verb);
  if (out.exit_code != 0) return failure(verb, out.exit_code, out.err, off);
  return {};
}

Status OciRuntime::create(const std::string& id, const CreateOptions& o, int stdin_fd,
                          int stdout_fd, int stderr_fd) const {
  off_t off = logOffset();
  SpawnSpec spec;
  spec.argv = createArgv(id, o);
  spec.stdin_fd = stdin_fd;
  spec.stdout_fd = stdout_fd;
  spec.stderr_fd = stderr_fd;
  spec.root_as_mount_ns_top = true;  // see SpawnSpec: exec must land in the container
  ChildProcess child = TRY_CTX(ChildProcess::spawn(spec), "{} create", cfg_.name);
  int code = exitCodeFromStatus(TRY(child.wait()));
  if (code != 0) return failure("create", code, "", off);
  return {};
}

Status OciRuntime::start(const std::string& id) const { return runSimple("start", startArgv(id)); }

Result<ContainerState> OciRuntime::state(const std::string& id) const {
  auto argv = base();
  argv.insert(argv.end(), {"state", id});
  off_t off = logOffset();
  CommandOutput out = TRY_CTX(runCaptured(argv), "{} state", cfg_.name);
  if (out.exit_code != 0) return failure("state", out.exit_code, out.err, off);
  Json j = TRY_CTX(parseJson(out.out, "runtime state"), "{} state {}", cfg_.name, id);
  ContainerState st;
  if (j.contains("status") && j["status"].is_string()) st.status = j["status"].get<std::string>();
  if (j.contains("pid") && j["pid"].is_number_integer()) st.pid = j["pid"].get<pid_t>();
  if (j.contains("bundle") && j["bundle"].is_string()) st.bundle = j["bundle"].get<std::string>();
  return st;
}

Status OciRuntime::kill(const std::string& id, int signal, bool all) const {
  auto argv = base();
  argv.push_back("kill");
  if (all) argv.push_back("--all");
  argv.insert(argv.end(), {id, std::to_string(signal)});
  return runSimple("kill", std::move(argv));
}

Status OciRuntime::remove(const std::string& id, bool force) const {
  return TRY(removeAsync(id, force)).finish();
}

Result<PendingCall> OciRuntime::removeAsync(const std::string& id, bool force) const {
  off_t off = logOffset();
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd err_r(p[0]), err_w(p[1]);
  SpawnSpec spec;
  spec.argv = deleteArgv(id, force);
  spec.stderr_fd = err_w.get();
  ChildProcess child = TRY_CTX(ChildProcess::spawn(spec), "{} delete", cfg_.name);
  return PendingCall(*this, "delete", off, std::move(child), std::move(err_r));
}

Status OciRuntime::removeInBackground(const std::string& id, bool force) const {
  SpawnSpec spec;
  spec.argv = deleteArgv(id, force);
  spec.new_session = true;
  spec.plain_exec = true;
  ChildProcess child = TRY_CTX(ChildProcess::spawn(spec), "{} delete", cfg_.name);
  (void)child.release();  // not waited for: reaped by whoever adopts it once the caller exits
  return {};
}

Status PendingCall::finish() {
  if (done_) return {};
  done_ = true;
  // The runtime's stderr is a few lines at most: it fits the pipe, so reading after the wait
  // cannot block the runtime.
  int status = TRY_CTX(child_.wait(), "{} {}", rt_.config().name, verb_);
  std::string text;
  char buf[4096];
  ssize_t n;
  while (text.size() < 65536 && (n = ::read(err_.get(), buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  int code = exitCodeFromStatus(status);
  if (code != 0) return rt_.failure(verb_, code, text, log_offset_);
  return {};
}

PendingCall::~PendingCall() {
  if (!done_) (void)finish();
}

Status OciRuntime::pause(const std::string& id) const {
  auto argv = base();
  argv.insert(argv.end(), {"pause", id});
  return runSimple("pause", std::move(argv));
}

Status OciRuntime::resume(const std::string& id) const {
  auto argv = base();
  argv.insert(argv.end(), {"resume", id});
  return runSimple("resume", std::move(argv));
}

Status OciRuntime::checkpoint(const std::string& id, const CheckpointOptions& o) const {
  return runSimple("checkpoint", checkpointArgv(id, o));
}

Status OciRuntime::update(const std::string& id, const std::string& resources_file) const {
  auto argv = base();
  argv.insert(argv.end(), {"update", "--resources", resources_file, id});
  return runSimple("update", std::move(argv));
}

Result<std::string> OciRuntime::version() const {
  CommandOutput out = TRY_CTX(runCaptured({cfg_.path, "--version"}), "{} --version", cfg_.name);
  if (out.exit_code != 0) return failure("--version", out.exit_code, out.err, 0);
  std::string v = trim(out.out);
  size_t nl = v.find('\n');
  return nl == std::string::npos ? v : v.substr(0, nl);
}

}  // namespace berth::runtime
