// Healthchecks: one check run as an exec in the container, the State.Health record (podman's
// state machine: starting, healthy, unhealthy after `retries` failures outside the start
// period) and the on-failure actions. berth-monitor schedules the runs (see monitor.cc).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/log.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "runtime/child_process.h"

namespace berth::engine {

namespace {

constexpr size_t kMaxLogOutput = 500;  // podman's MaxHealthCheckLogLength
constexpr size_t kMaxLogEntries = 5;   // podman's MaxHealthCheckNumberLogs
constexpr int64_t kDefaultTimeoutNs = 30'000'000'000;

// The command a healthcheck's Test runs (podman's runHealthCheck): CMD args as they are,
// CMD-SHELL through /bin/sh -c, anything else as a plain argv. Empty: no healthcheck.
std::vector<std::string> healthCommand(const std::vector<std::string>& test) {
  if (test.empty() || test[0].empty() || test[0] == "NONE") return {};
  if (test[0] == "CMD") return {test.begin() + 1, test.end()};
  if (test[0] == "CMD-SHELL") {
    std::string joined;
    for (size_t i = 1; i < test.size(); ++i) joined += (i > 1 ? " " : "") + test[i];
    return {"/bin/sh", "-c", joined};
  }
  return test;
}

// bufio.Scanner's lines joined by "\n": a final newline and each line's trailing \r go.
std::string logOutput(const std::string& raw) {
  std::string out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t nl = raw.find('\n', start);
    std::string line = raw.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (start > 0) out += "\n";
    out += line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (out.size() > kMaxLogOutput) out.resize(kMaxLogOutput);
  return out;
}

struct CheckResult {
  int64_t start = 0, end = 0;
  int exit_code = 0;  // podman's: 0, 1 for any failure, -1 for a timeout
  std::string output;
};

// Runs `argv` (the runtime's exec) with stdout and stderr on one pipe, for at most
// `timeout_ns`; past it the runtime process is killed.
Result<CheckResult> runCheck(const std::vector<std::string>& argv, int64_t timeout_ns) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe for the healthcheck output");
  UniqueFd rd(p[0]), wr(p[1]);
  runtime::SpawnSpec sp;
  sp.argv = argv;
  sp.stdout_fd = wr.get();
  sp.stderr_fd = wr.get();
  CheckResult r;
  r.start = nowNanos();
  auto child = TRY(runtime::ChildProcess::spawn(sp));
  wr.reset();
  std::string raw;
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd pfd = {rd.get(), POLLIN, 0};
    int n = ::poll(&pfd, 1, int(std::min<int64_t>(left.count(), 1000)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("poll the healthcheck output");
    if (n == 0) continue;
    char buf[4096];
    ssize_t got = ::read(rd.get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (raw.size() < 64 * 1024) raw.append(buf, size_t(got));
  }
  if (timed_out) ::kill(child.pid(), SIGKILL);
  int status = TRY(child.wait());
  r.end = nowNanos();
  r.output = logOutput(raw);
  int code = runtime::exitCodeFromStatus(status);
  r.exit_code = timed_out ? -1 : code == 0 ? 0 : 1;
  if (timed_out && r.output.empty())
    r.output = fmt::format("healthcheck command exceeded timeout of {}s", timeout_ns / 1000000000);
  return r;
}

}  // namespace

void LocalContainerService::resetHealth(const api::SpecGenerator& spec, Json& state) {
  if (!spec.healthconfig || healthCommand(spec.healthconfig->test).empty()) return;
  Json h = state.value("health", Json::object());
  if (!h.is_object()) h = Json::object();
  h["Status"] = "starting";
  h["FailingStreak"] = 0;
  if (!h.contains("Log") || !h["Log"].is_array()) h["Log"] = Json::array();
  state["health"] = h;
}

Result<std::string> LocalContainerService::healthcheckRun(const std::string& name) {
  auto found = state::findContainer(e_.db(), name);
  if (!found.ok())
    return std::move(found).error().context(fmt::format("unable to look up {} to perform a health check", name));
  auto rec = TRY(loadSynced(found->id));
  if (rec.state.value("status", "") != "running")
    return makeError(Code::kFailedPrecondition, "container {} is not running", rec.id);
  const api::SpecGenerator spec = storedSpec(rec.config);
  std::vector<std::string> cmd = spec.healthconfig ? healthCommand(spec.healthconfig->test) : std::vector<std::string>{};
  if (cmd.empty()) return makeError(Code::kFailedPrecondition, "container {} has no defined healthcheck", rec.id);
  const api::Schema2HealthConfig& hc = *spec.healthconfig;

  // The check runs without the container's lock (STYLE rule 12): it may take `timeout`.
  api::ExecRequest req;
  req.container = rec.id;
  req.cmd = cmd;
  auto argv = TRY(execArgv(rec, req));
  int64_t timeout = hc.timeout.count() > 0 ? hc.timeout.count() : kDefaultTimeoutNs;
  CheckResult r = TRY_CTX(runCheck(argv, timeout), "run the healthcheck of {}", rec.id.substr(0, 12));

  std::string status;
  {
    auto lock = TRY(ContainerLock::take(e_.options().runroot, rec.id));
    auto cur = TRY(state::getContainer(e_.db(), rec.id));
    if (!cur) return makeError(Code::kNotFound, "container {} was removed during its healthcheck", rec.id);
    rec = std::move(*cur);
    TRY(syncLocked(rec));
    Json h = rec.state.value("health", Json::object());
    if (!h.is_object()) h = Json::object();
    status = h.value("Status", "");
    int64_t streak = h.value("FailingStreak", int64_t(0));
    bool in_start_period = hc.start_period.count() > 0 &&
                           r.start < rec.state.value("started_at", int64_t(0)) + hc.start_period.count();
    if (r.exit_code == 0) {
      status = "healthy";
      streak = 0;
    } else {
      if (status.empty()) status = "healthy";  // as podman's updateHealthCheckLog
      if (!in_start_period) {
        ++streak;
        if (streak >= hc.retries) status = "unhealthy";
      }
    }
    Json log = h.contains("Log") && h["Log"].is_array() ? h["Log"] : Json::array();
    log.push_back({{"Start", formatRfc3339Nano(r.start)},
                   {"End", formatRfc3339Nano(r.end)},
                   {"ExitCode", r.exit_code},
                   {"Output", r.output}});
    while (log.size() > kMaxLogEntries) log.erase(log.begin());
    rec.state["health"] = Json{{"Status", status}, {"FailingStreak", streak}, {"Log", log}};
    TRY(saveState(rec));
    auto ev = containerEvent(rec, "health_status");
    ev.health_status = status;
    emitEvent(e_, ev);
  }

  if (status == "unhealthy" && rec.state.value("status", "") == "running") {
    auto first = [](const Result<std::vector<api::NameResult>>& res) -> Status {
      if (!res.ok()) return res.error();
      for (auto& n : *res)
        if (n.error) return *n.error;
      return {};
    };
    switch (spec.health_check_on_failure_action) {
      case api::HealthCheckOnFailureAction::kNone:
        break;
      case api::HealthCheckOnFailureAction::kKill: {
        TRY_CTX(first(kill({rec.id}, false, "SIGKILL")), "killing container health-check turned unhealthy");
        // The container is not left looking "running" to the caller: its exit is recorded.
        for (int i = 0; i < 100; ++i) {
          auto cur = loadSynced(rec.id);
          if (!cur.ok() || cur->state.value("status", "") != "running") break;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        break;
      }
      case api::HealthCheckOnFailureAction::kRestart:
        TRY_CTX(first(restart({rec.id}, false, std::nullopt)),
                "restarting container after health-check turned unhealthy");
        break;
      case api::HealthCheckOnFailureAction::kStop: {
        api::ContainerStopRequest stop_req;
        stop_req.names = {rec.id};
        TRY_CTX(first(stop(stop_req)), "stopping container after health-check turned unhealthy");
        break;
      }
    }
  }
  return std::string(r.exit_code == 0 ? "healthy" : "unhealthy");
}

}  // namespace berth::engine
