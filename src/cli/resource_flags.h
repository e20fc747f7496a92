// The cgroup resource flags shared by create/run and update (podman's resource flag set).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "berth/api/specgen.h"
#include "cli/command.h"

namespace berth::cli {

// Kept as text: a flag is "set" when not empty, and each parse error names its flag.
struct ResourceOpts {
  std::string cpus, cpu_shares, cpu_period, cpu_quota, cpu_rt_period, cpu_rt_runtime;
  std::string cpuset_cpus, cpuset_mems;
  std::string memory, memory_reservation, memory_swap, memory_swappiness, pids_limit;
  std::string blkio_weight;
  std::vector<std::string> blkio_weight_device, device_read_bps, device_write_bps, device_read_iops,
      device_write_iops;
  bool oom_kill_disable = false;
};

// Registers the flags on `c`. With `update`, also --memory and --pids-limit (create has its
// own) and not --oom-kill-disable (podman's update has none).
void addResourceFlags(Command& c, ResourceOpts& o, bool update);

// Adds what the flags set to s.resource_limits and the per-device maps (weight_device,
// throttle_*_device). With `default_swap`, a --memory without --memory-swap gets twice the
// memory as its swap limit, as podman's create does.
Status applyResourceOpts(const ResourceOpts& o, api::SpecGenerator& s, bool default_swap);

}  // namespace berth::cli
