// The monitor: owns one container's (or exec session's) stdio, log, attach
// socket and exit record, from `runtime create` to the exit command.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "monitor/options.h"

namespace berth::monitor {

// Detaches from the caller: fork, setsid, fork again, so the monitor is
// reparented away from the CLI and outlives it. The two intermediate
// processes _exit(0) at once. Stdio goes to /dev/null unless the log
// driver is passthrough. Returns in the final (monitor) process only.
Status daemonize(const Options& o);

// Runs the whole life of the container. Returns only on failure or when
// there is no exit command; with an exit command it execv()s into it.
// The returned int is the monitor's own exit status.
int runMonitor(const Options& o);

// A read-only range of the executable (page-aligned) to unmap once the start-up is over,
// right before the loop's first blocking wait. Up to 8 ranges.
void addStartupRange(uintptr_t start, size_t len);

}  // namespace berth::monitor
