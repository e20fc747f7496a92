// Starting berth-monitor (containers and detached exec sessions) and reading its start report.
#pragma once

#include <string>
#include <vector>

#include "base/fd.h"
#include "base/result.h"
#include "runtime/child_process.h"

namespace berth::engine {

// A berth-monitor that is spawned and reports when released (see spawnMonitor).
class PendingMonitor {
 public:
  PendingMonitor() = default;
  PendingMonitor(PendingMonitor&&) noexcept = default;
  PendingMonitor& operator=(PendingMonitor&&) noexcept = default;
  // Sends the go (with spawnMonitor's `wait_for_go`), waits for the monitor's first process
  // to exit (the monitor daemonizes) and reads its one sync line. Returns the pid the
  // monitor reported, or the runtime's error (classifyRuntimeError), or kInternal when the
  // monitor said nothing.
  Result<int> go();
  // Destroyed without go(): the monitor is cancelled (it reads EOF) and exits having written
  // nothing.

 private:
  friend Result<PendingMonitor> spawnMonitor(std::vector<std::string>, const std::string&, int,
                                             const std::vector<int>&, bool);
  runtime::ChildProcess child_;
  UniqueFd sync_r_, go_w_;
  std::string what_;
};

// Spawns berth-monitor with `argv` (argv[0] its absolute path, no --sync-fd: added here) with
// stdin/stdout on /dev/null and our stderr. With `wait_for_go` it returns at once, the monitor
// getting ready meanwhile for a runtime call it makes only on PendingMonitor::go() (--go-fd):
// the caller writes the bundle in the meantime.
// `what` names the object in errors ("container 3f2a...").
// With `preserve_fds` N, our fds 3..3+N-1 become the monitor's (--preserve-fds N) and the
// sync fd is 3+N.
// `hold_fds` (our fds) are held open by the monitor for its life (--hold-fds), given to no
// child; the caller may close its own copies once this returns.
Result<PendingMonitor> spawnMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds,
                                    const std::vector<int>& hold_fds, bool wait_for_go);

// spawnMonitor without waiting for a go, then PendingMonitor::go().
Result<int> launchMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds = 0,
                          const std::vector<int>& hold_fds = {});

// Maps a runtime failure to podman's 126/127 classes where its message says so.
Error classifyRuntimeError(Error e);

}  // namespace berth::engine
