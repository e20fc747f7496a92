// stats: podman's per-container resource samples from cgroup counters.
#include "base/timefmt.h"
#include "engine/cgroup_stats.h"
#include "engine/container_service.h"
#include "engine/engine.h"

namespace berth::engine {

namespace {

// podman's calculateCPUPercent: CPU time used over wall time elapsed, in %.
double cpuPercent(uint64_t total, uint64_t prev_cpu, uint64_t now, uint64_t prev_system) {
  double cpu_delta = double(total) - double(prev_cpu);
  double sys_delta = double(now) - double(prev_system);
  return sys_delta > 0 && cpu_delta > 0 ? cpu_delta / sys_delta * 100 : 0.0;
}

}  // namespace

Result<std::vector<api::ContainerStats>> LocalContainerService::stats(
    const api::StatsRequest& req, std::map<std::string, api::ContainerStats>& previous) {
  std::vector<state::ContainerRecord> recs;
  bool query_all = false;
  if (req.latest) {
    recs.push_back(TRY(state::findContainer(e_.db(), TRY(latestId()))));
  } else if (!req.names.empty()) {
    for (auto& n : req.names) recs.push_back(TRY(state::findContainer(e_.db(), n)));
  } else {
    query_all = true;
    recs = TRY(state::listContainerSummaries(e_.db()));
  }
  std::vector<api::ContainerStats> out;
  for (auto& r0 : recs) {
    std::string st0 = r0.state.value("status", "configured");
    Result<state::ContainerRecord> r = r0;
    if (st0 == "running" || st0 == "paused" || st0 == "created") r = loadSynced(r0.id);
    if (!r.ok()) {
      if (query_all && r.error().code() == Code::kNotFound) continue;  // removed meanwhile
      return std::move(r).error();
    }
    api::ContainerStats s;
    s.id = r->id;
    s.name = r->name;
    std::string status = r->state.value("status", "configured");
    int pid = r->state.value("pid", 0);
    if ((status != "running" && status != "paused") || pid <= 0) {
      out.push_back(s);
      continue;
    }
    auto sample = readCgroupSample(pid);
    if (!sample.ok()) {
      if (query_all) continue;  // exited between the sync and the read
      return std::move(sample).error();
    }
    uint64_t now = uint64_t(nowNanos());
    uint64_t started = uint64_t(r->state.value("started_at", int64_t(0)));
    auto prev_it = previous.find(s.id);
    uint64_t prev_cpu = 0, prev_system = started;
    // A total below the last one means a new cgroup (a restart): start over.
    if (prev_it != previous.end() && prev_it->second.cpu_nano <= sample->cpu_total_ns) {
      prev_cpu = prev_it->second.cpu_nano;
      prev_system = prev_it->second.system_nano;
    }
    s.up_time = sample->cpu_total_ns;
    s.cpu = cpuPercent(sample->cpu_total_ns, prev_cpu, now, prev_system);
    s.avg_cpu = cpuPercent(sample->cpu_total_ns, 0, now, started);
    s.cpu_nano = sample->cpu_total_ns;
    s.cpu_system_nano = sample->cpu_system_ns;
    s.system_nano = now;
    s.per_cpu = sample->per_cpu;
    s.mem_usage = sample->mem_usage;
    s.mem_limit = sample->mem_limit;
    s.mem_perc = s.mem_limit ? double(s.mem_usage) / double(s.mem_limit) * 100 : 0;
    s.pids = sample->pids;
    s.block_input = sample->blk_read;
    s.block_output = sample->blk_write;
    s.net_input = sample->net_tx;
    s.net_output = sample->net_rx;
    previous[s.id] = s;
    out.push_back(s);
  }
  return out;
}

}  // namespace berth::engine
