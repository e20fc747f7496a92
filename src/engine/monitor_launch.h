// Starting berth-monitor (containers and detached exec sessions) and reading its start report.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace berth::engine {

// Runs berth-monitor with `argv` (argv[0] its absolute path, no --sync-fd:
// added here as fd 3) with stdin/stdout on /dev/null and our stderr, waits
// for its first process to exit (the monitor daemonizes) and reads its one
// sync line. Returns the pid the monitor reported, or the runtime's error
// (classifyRuntimeError) or kInternal when the monitor said nothing.
// `what` names the object in errors ("container 3f2a...").
// With `preserve_fds` N, our fds 3..3+N-1 become the monitor's (--preserve-fds N) and the
// sync fd is 3+N.
// `hold_fds` (our fds) are held open by the monitor for its life (--hold-fds), given to no child.
Result<int> launchMonitor(std::vector<std::string> argv, const std::string& what, int preserve_fds = 0,
                          const std::vector<int>& hold_fds = {});

// Maps a runtime failure to podman's 126/127 classes where its message says so.
Error classifyRuntimeError(Error e);

}  // namespace berth::engine
