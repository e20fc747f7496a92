// A process's cgroup counters (v1 controllers or the v2 unified tree) and network counters.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace berth::engine {

struct CgroupSample {
  uint64_t cpu_total_ns = 0;  // cpuacct.usage, or cpu.stat usage_usec * 1000
  uint64_t cpu_system_ns = 0;
  std::vector<uint64_t> per_cpu;
  uint64_t mem_usage = 0;  // memory.usage_in_bytes, or memory.stat anon (v2), as podman reads them
  uint64_t mem_limit = 0;  // the cgroup's limit, at most the host's RAM
  uint64_t blk_read = 0, blk_write = 0;
  uint64_t pids = 0;
  uint64_t net_rx = 0, net_tx = 0;  // all interfaces but lo, 0 in the host's network namespace
};

// Reads the counters of the cgroups `pid` belongs to, found through
// /proc/<pid>/cgroup and the hierarchies mounted under `cgroup_root`
// (/sys/fs/cgroup). Missing controllers leave their fields 0. Errors: kNotFound
// when the process is gone.
Result<CgroupSample> readCgroupSample(pid_t pid, const std::string& cgroup_root = "/sys/fs/cgroup");

// Parsers, exposed for tests.
// "/proc/<pid>/cgroup" lines -> controller (or "" for v2) -> path.
std::vector<std::pair<std::string, std::string>> parseProcCgroup(const std::string& text);
// /proc/<pid>/net/dev -> rx and tx bytes of every interface but lo.
void parseNetDev(const std::string& text, uint64_t& rx, uint64_t& tx);

}  // namespace berth::engine
