// launchMonitor: spawn berth-monitor through ChildProcess and read its sync report.
#include "engine/monitor_launch.h"

#include <fcntl.h>
#include <cerrno>
#include <unistd.h>

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "runtime/child_process.h"
#include "runtime/oci_runtime.h"

namespace berth::engine {

// podman's getOCIRuntimeError, case-insensitive as there: permission first, then not found
// (runc: "executable file not found in $PATH"; crun: "executable file `x` not found in $PATH:
// No such file or directory").
Error classifyRuntimeError(Error e) {
  const std::string& m = e.message();
  std::string lower(m);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  auto has = [&](std::string_view w) { return lower.find(w) != std::string::npos; };
  if (has("permission denied") || has("operation not permitted"))
    return Error(Code::kCannotInvoke, m + ": OCI permission denied");
  if (has("executable file not found in") || has("no such file or directory"))
    return Error(Code::kCommandNotFound, m + ": OCI runtime attempted to invoke a command that was not found");
  return e;
}

Result<PendingMonitor> spawnMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds,
                                    const std::vector<int>& hold_fds, bool wait_for_go) {
  PendingMonitor m;
  m.what_ = what;
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) < 0) return errnoError("pipe");
  m.sync_r_.reset(sync[0]);
  UniqueFd sync_w(sync[1]), go_r;
  if (wait_for_go) {
    int go[2];
    if (::pipe2(go, O_CLOEXEC) < 0) return errnoError("pipe");
    go_r.reset(go[0]);
    m.go_w_.reset(go[1]);
  }
  const int sync_fd = 3 + preserve_fds, go_fd = sync_fd + 1 + int(hold_fds.size());
  if (preserve_fds > 0) argv.insert(argv.end(), {"--preserve-fds", std::to_string(preserve_fds)});
  if (!hold_fds.empty()) argv.insert(argv.end(), {"--hold-fds", std::to_string(hold_fds.size())});
  argv.insert(argv.end(), {"--sync-fd", std::to_string(sync_fd)});
  if (go_r) argv.insert(argv.end(), {"--go-fd", std::to_string(go_fd)});
  runtime::SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.stderr_fd = STDERR_FILENO;  // the monitor's own errors before it daemonizes
  for (int fd = 3; fd < sync_fd; ++fd) spec.extra_fds.emplace_back(fd, fd);
  spec.extra_fds.emplace_back(sync_fd, sync_w.get());
  for (size_t i = 0; i < hold_fds.size(); ++i) spec.extra_fds.emplace_back(sync_fd + 1 + int(i), hold_fds[i]);
  if (go_r) spec.extra_fds.emplace_back(go_fd, go_r.get());
  // With a go to come, the monitor's exec runs beside the caller's own work.
  spec.defer_exec_check = wait_for_go;
  m.child_ = TRY_CTX(runtime::ChildProcess::spawn(spec), "start berth-monitor for {}", what);
  return m;
}

Result<int> PendingMonitor::go() {
  const std::string& what = what_;
  TRY_CTX(child_.confirmExec(), "start berth-monitor for {}", what);
  if (go_w_) {
    // A monitor that died before reading it: its report (none) says so below.
    (void)!::write(go_w_.get(), "1", 1);
    go_w_.reset();
  }
  // The monitor daemonizes: its first process exits at once.
  int wstatus = TRY(child_.wait());
  // The report is one line: read up to its newline, not to the pipe's EOF (the monitor may be
  // descheduled between its write and its close).
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos && line.size() < (1u << 20)) {
    ssize_t n = ::read(sync_r_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read the start report of berth-monitor for {}", what);
    if (n == 0) break;
    line.append(buf, size_t(n));
  }
  Json msg = Json::parse(line.substr(0, line.find('\n')), nullptr, false);
  if (!msg.is_object())
    return makeError(Code::kInternal, "berth-monitor for {} gave no start report (exit status {})", what,
                     runtime::exitCodeFromStatus(wstatus));
  if (msg.contains("error")) {
    std::string text = msg["error"].is_string() ? msg["error"].get<std::string>() : msg["error"].dump();
    return classifyRuntimeError(Error(runtime::codeFromRuntimeMessage(text), text));
  }
  if (!msg.contains("pid") || !msg["pid"].is_number_integer())
    return makeError(Code::kInternal, "berth-monitor for {} reported no pid: {}", what, msg.dump());
  if (msg.contains("runtime_ms") && msg["runtime_ms"].is_number())
    LOG_DEBUG("phase runtime {} (in berth-monitor): {:.2f} ms", msg.value("runtime_op", std::string("create")),
              msg["runtime_ms"].get<double>());
  return msg["pid"].get<int>();
}

Result<int> launchMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds,
                          const std::vector<int>& hold_fds) {
  auto m = TRY(spawnMonitor(std::move(argv), what, preserve_fds, hold_fds, false));
  return m.go();
}

}  // namespace berth::engine
