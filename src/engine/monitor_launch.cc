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

Result<int> launchMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds,
                          const std::vector<int>& hold_fds) {
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd sync_r(sync[0]), sync_w(sync[1]);
  if (preserve_fds > 0) argv.insert(argv.end(), {"--preserve-fds", std::to_string(preserve_fds)});
  if (!hold_fds.empty()) argv.insert(argv.end(), {"--hold-fds", std::to_string(hold_fds.size())});
  argv.insert(argv.end(), {"--sync-fd", std::to_string(3 + preserve_fds)});
  runtime::SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.stderr_fd = STDERR_FILENO;  // the monitor's own errors before it daemonizes
  for (int fd = 3; fd < 3 + preserve_fds; ++fd) spec.extra_fds.emplace_back(fd, fd);
  spec.extra_fds.emplace_back(3 + preserve_fds, sync_w.get());
  for (size_t i = 0; i < hold_fds.size(); ++i) spec.extra_fds.emplace_back(4 + preserve_fds + int(i), hold_fds[i]);
  auto child = TRY_CTX(runtime::ChildProcess::spawn(spec), "start berth-monitor for {}", what);
  sync_w.reset();
  // The monitor daemonizes: its first process exits at once.
  int wstatus = TRY(child.wait());
  // The report is one line: read up to its newline, not to the pipe's EOF (the monitor may be
  // descheduled between its write and its close).
  std::string line;
  char buf[4096];
  while (line.find('\n') == std::string::npos && line.size() < (1u << 20)) {
    ssize_t n = ::read(sync_r.get(), buf, sizeof buf);
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

}  // namespace berth::engine
