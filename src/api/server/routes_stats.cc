// Container stats: GET /libpod/containers/stats (podman's libpod.StatsContainer: samples of
// define.ContainerStats) and GET /containers/{name}/stats (podman's compat.StatsContainer:
// Docker's StatsJSON, served on the libpod tree too).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "api/server/stream.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

// Between two samples: podman's DefaultStatsPeriod on the libpod tree; Docker's daemon
// samples every second, and its CLI shows "--" when no sample came for 2 s.
constexpr int64_t kLibpodPeriodMs = 5000, kDockerPeriodMs = 1000;

bool sendLine(Call& c, const Json& j) {
  return c.res.write(j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

// podman's define.ContainerStats.
Json libpodStats(const ContainerStats& s) {
  return Json{{"AvgCPU", s.avg_cpu},         {"ContainerID", s.id},        {"Name", s.name},
              {"PerCPU", s.per_cpu},         {"CPU", s.cpu},               {"CPUNano", s.cpu_nano},
              {"CPUSystemNano", s.cpu_system_nano}, {"SystemNano", s.system_nano}, {"MemUsage", s.mem_usage},
              {"MemLimit", s.mem_limit},     {"MemPerc", s.mem_perc},      {"NetInput", s.net_input},
              {"NetOutput", s.net_output},   {"BlockInput", s.block_input}, {"BlockOutput", s.block_output},
              {"PIDs", s.pids},              {"UpTime", s.up_time},        {"Duration", s.up_time}};
}

// Query: containers (repeated; none: the running ones), stream (default true), interval
// (seconds, default 5). Each sample is podman's ContainerStatsReport {"Error","Stats"}.
Status libpodStatsRoute(Call& c) {
  StatsRequest req;
  req.names = c.all("containers");
  bool stream = TRY(c.boolean("stream", true));
  int64_t interval = TRY(c.integer("interval", 5));
  if (interval < 1)
    return makeError(Code::kInvalidArgument, "\"interval\" parameter of value {} < 1", interval);
  auto eng = TRY(c.engine());
  std::map<std::string, ContainerStats> previous;
  // Unknown containers are refused before the stream starts.
  auto first = TRY(eng->containers().stats(req, previous));
  TRY(c.res.startStream(200, "application/json"));
  auto sample = [&](const std::vector<ContainerStats>& stats) {
    Json arr = Json::array();
    for (auto& s : stats)
      if (!req.names.empty() || s.system_nano != 0) arr.push_back(libpodStats(s));  // none named: running only
    return sendLine(c, Json{{"Error", nullptr}, {"Stats", arr}});
  };
  if (!sample(first)) return c.res.endStream();
  while (stream && pauseStream(c.res, c.state().stopping, interval * 1000)) {
    auto next = eng->containers().stats(req, previous);
    if (!next.ok()) {
      sendLine(c, Json{{"Error", next.error().what()}, {"Stats", nullptr}});
      break;
    }
    if (!sample(*next)) break;
  }
  return c.res.endStream();
}

// The host's CPU time in ns: /proc/stat's cpu line (podman's cgroups.GetSystemCPUUsage).
uint64_t systemCpuUsage() {
  auto text = fs::readFile("/proc/stat");
  if (!text.ok() || text->rfind("cpu ", 0) != 0) return 0;
  std::string line = text->substr(4, text->find('\n') - 4);
  uint64_t ticks = 0;
  size_t i = 0;
  for (int field = 0; field < 7 && i < line.size(); ++field) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && std::isdigit(static_cast<unsigned char>(line[j]))) ++j;
    ticks += std::strtoull(line.substr(i, j - i).c_str(), nullptr, 10);
    i = j;
  }
  long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? ticks * (1000000000ull / uint64_t(hz)) : 0;
}

Json cpuStats(const ContainerStats& s, uint64_t system_usage) {
  return Json{{"cpu_usage",
               {{"total_usage", s.cpu_nano},
                {"percpu_usage", s.per_cpu},
                {"usage_in_kernelmode", s.cpu_system_nano},
                {"usage_in_usermode", s.cpu_nano - std::min(s.cpu_nano, s.cpu_system_nano)}}},
              {"system_cpu_usage", system_usage},
              {"online_cpus", s.per_cpu.size()},
              {"cpu", s.cpu},
              {"throttling_data", {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}}}};
}

// Docker's types.StatsJSON as podman's compat handler fills it.
// The name is Docker's "/name" on the compat tree (its CLI drops the first character),
// podman's bare name on the libpod one.
Json dockerStats(const ContainerStats& s, int64_t read_ns, uint64_t system_usage, int64_t preread_ns,
                 const Json& precpu, bool libpod) {
  Json blkio = Json{{"io_service_bytes_recursive",
                     Json::array({Json{{"major", 0}, {"minor", 0}, {"op", "read"}, {"value", s.block_input}},
                                  Json{{"major", 0}, {"minor", 0}, {"op", "write"}, {"value", s.block_output}}})},
                    {"io_serviced_recursive", nullptr},
                    {"io_queue_recursive", nullptr},
                    {"io_service_time_recursive", nullptr},
                    {"io_wait_time_recursive", nullptr},
                    {"io_merged_recursive", nullptr},
                    {"io_time_recursive", nullptr},
                    {"sectors_recursive", nullptr}};
  Json net = {{"rx_bytes", s.net_output}, {"rx_packets", 0}, {"rx_errors", 0}, {"rx_dropped", 0},
              {"tx_bytes", s.net_input},  {"tx_packets", 0}, {"tx_errors", 0}, {"tx_dropped", 0}};
  return Json{{"read", formatRfc3339Nano(read_ns)},
              {"preread", preread_ns ? formatRfc3339Nano(preread_ns) : std::string("0001-01-01T00:00:00Z")},
              {"pids_stats", {{"current", s.pids}}},
              {"blkio_stats", blkio},
              {"num_procs", 0},
              {"storage_stats", Json::object()},
              {"cpu_stats", cpuStats(s, system_usage)},
              {"precpu_stats", precpu},
              {"memory_stats", {{"usage", s.mem_usage}, {"max_usage", 0}, {"stats", Json::object()},
                                {"limit", s.mem_limit}}},
              {"name", libpod ? s.name : "/" + s.name},
              {"id", s.id},
              {"networks", {{"eth0", net}}}};
}

// Query: stream (default true), one-shot (only with stream=false). Streams a sample every
// second (compat; 5 s on the libpod tree, as podman). The first sample's precpu is one taken
// just before it (podman); on the compat tree a stream=false answer without one-shot waits a
// period for it, as Docker's daemon does, so clients get a real CPU %.
Status compatStatsRoute(Call& c) {
  bool stream = TRY(c.boolean("stream", true)), one_shot = TRY(c.boolean("one-shot", false));
  if (stream && one_shot)
    return makeError(Code::kInvalidArgument, "invalid argument: one-shot can only be used with stream=false");
  int64_t period = c.libpod() ? kLibpodPeriodMs : kDockerPeriodMs;
  auto eng = TRY(c.engine());
  StatsRequest req;
  req.names = {c.param("name")};
  std::map<std::string, ContainerStats> previous;
  auto cur = TRY(eng->containers().stats(req, previous));
  if (cur.empty()) return makeError(Code::kNotFound, "no container with name or ID {:?} found", c.param("name"));
  Json precpu = Json{{"cpu_usage", {{"total_usage", 0}, {"usage_in_kernelmode", 0}, {"usage_in_usermode", 0}}},
                     {"throttling_data", {{"periods", 0}, {"throttled_periods", 0}, {"throttled_time", 0}}}};
  int64_t preread = 0;
  bool wait_for_pre = !stream && !one_shot && !c.libpod();
  if (stream || wait_for_pre) {
    preread = nowNanos();
    precpu = cpuStats(cur.front(), systemCpuUsage());
    if (wait_for_pre && !pauseStream(c.res, c.state().stopping, period)) return {};
    cur = TRY(eng->containers().stats(req, previous));
    if (cur.empty()) return makeError(Code::kNotFound, "no container with name or ID {:?} found", c.param("name"));
  }
  TRY(c.res.startStream(200, "application/json"));
  for (;;) {
    int64_t read = nowNanos();
    uint64_t sys = systemCpuUsage();
    if (!sendLine(c, dockerStats(cur.front(), read, sys, preread, precpu, c.libpod()))) break;
    if (!stream || !pauseStream(c.res, c.state().stopping, period)) break;
    preread = read;
    precpu = cpuStats(cur.front(), sys);
    auto next = eng->containers().stats(req, previous);
    if (!next.ok() || next->empty()) break;
    cur = std::move(*next);
  }
  return c.res.endStream();
}

}  // namespace

void registerStatsRoutes(Router& r) {
  r.add("GET", Tree::kLibpod, "/containers/stats", libpodStatsRoute);
  both(r, "GET", "/containers/{name}/stats", compatStatsRoute);
}

}  // namespace berth::api::server
