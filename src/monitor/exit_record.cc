// Exit record and restart policy.
#include "monitor/exit_record.h"

#include "base/fs.h"
#include "base/json.h"

namespace berth::monitor {

std::string exitRecordJson(const ExitRecord& r) {
  return fmt::format("{{\"exit_code\":{},\"exited_at\":{},\"oom_killed\":{},\"restarts\":{}{}}}\n",
                     r.exit_code, r.exited_at, r.oom_killed ? "true" : "false", r.restarts,
                     r.restarting ? ",\"restarting\":true" : "");
}

Result<ExitRecord> parseExitRecord(std::string_view text) {
  Json j = TRY(parseJson(text, "exit file"));
  ExitRecord r;
  r.exit_code = j.value("exit_code", 0);
  r.exited_at = j.value("exited_at", int64_t(0));
  r.oom_killed = j.value("oom_killed", false);
  r.restarts = j.value("restarts", 0);
  r.restarting = j.value("restarting", false);
  return r;
}

Status writeExitRecord(const std::string& path, const ExitRecord& r) {
  // The runroot is volatile: atomic (temp + rename) is what readers need, not durable.
  return fs::writeFileReplace(path, exitRecordJson(r));
}

bool shouldRestart(const Options& o, int exit_code, int restarts_done, bool stopping) {
  if (stopping || o.exec) return false;
  switch (o.restart_policy) {
    case RestartPolicy::kNo: return false;
    case RestartPolicy::kAlways:
    case RestartPolicy::kUnlessStopped: return true;
    case RestartPolicy::kOnFailure:
      return exit_code != 0 && (o.restart_max <= 0 || restarts_done < o.restart_max);
  }
  return false;
}

}  // namespace berth::monitor
