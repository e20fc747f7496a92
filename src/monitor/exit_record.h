// The exit record the monitor leaves for the engine, and the restart decision.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "monitor/options.h"

namespace berth::monitor {

struct ExitRecord {
  int exit_code = 0;      // WEXITSTATUS, or 128+signal
  int64_t exited_at = 0;  // unix ns
  bool oom_killed = false;  // not detected yet: always false
  int restarts = 0;       // restarts done before this exit
  // The monitor is about to run the container again: not the final record. Once
  // the new run is up the monitor writes "<exit-file>.restarts" (K+1) and removes this.
  bool restarting = false;
};

// {"exit_code":N,"exited_at":NS,"oom_killed":false,"restarts":K}, plus
// "restarting":true when the monitor restarts the container.
std::string exitRecordJson(const ExitRecord& r);
Result<ExitRecord> parseExitRecord(std::string_view json);
// Written atomically (temp + rename + fsync): readers never see half a record.
Status writeExitRecord(const std::string& path, const ExitRecord& r);

// Whether to run the container again after `exit_code`, given the restarts
// already done. `stopping`: the engine asked for the stop (it creates
// "<exit-file>.stopping" before killing), which never restarts.
bool shouldRestart(const Options& o, int exit_code, int restarts_done, bool stopping);

}  // namespace berth::monitor
