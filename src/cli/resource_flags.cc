// The cgroup resource flags shared by create/run and update.
#include "cli/resource_flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "cli/create_flags.h"

namespace berth::cli {

namespace {

Result<int64_t> parseInt(const std::string& flag, const std::string& v) {
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || errno)
    return makeError(Code::kInvalidArgument, "invalid argument {:?} for \"--{}\" flag: not an integer", v, flag);
  return int64_t(n);
}

Result<uint64_t> parseUint(const std::string& flag, const std::string& v) {
  int64_t n = TRY(parseInt(flag, v));
  if (n < 0) return makeError(Code::kInvalidArgument, "invalid argument {:?} for \"--{}\" flag: must not be negative", v, flag);
  return uint64_t(n);
}

Result<int64_t> parseFlagSize(const std::string& flag, const std::string& v) {
  auto n = parseSize(v);
  if (!n.ok()) return makeError(Code::kInvalidArgument, "invalid value {:?} for --{}: {}", v, flag, n.error().message());
  return *n;
}

// "PATH:VALUE" (the path may not contain ':' here, as podman's parsers split at the last one).
Result<std::pair<std::string, std::string>> splitDevice(const std::string& flag, const std::string& v) {
  auto c = v.rfind(':');
  if (c == std::string::npos || c == 0 || c + 1 == v.size())
    return makeError(Code::kInvalidArgument, "invalid value {:?} for --{}: want DEVICE:VALUE", v, flag);
  std::string path = v.substr(0, c);
  if (!path.starts_with("/dev/"))
    return makeError(Code::kInvalidArgument, "invalid value {:?} for --{}: {} is not a device under /dev", v, flag, path);
  return std::make_pair(path, v.substr(c + 1));
}

}  // namespace

void addResourceFlags(Command& c, ResourceOpts& o, bool update) {
  c.flag("blkio-weight", 0, &o.blkio_weight, "Block IO weight (relative weight) accepts a weight value between 10 and 1000.")
      .sliceFlag("blkio-weight-device", 0, &o.blkio_weight_device, "Block IO weight (relative device weight, format: `DEVICE_NAME:WEIGHT`)")
      .flag("cpu-period", 0, &o.cpu_period, "Limit the CPU CFS (Completely Fair Scheduler) period")
      .flag("cpu-quota", 0, &o.cpu_quota, "Limit the CPU CFS (Completely Fair Scheduler) quota")
      .flag("cpu-rt-period", 0, &o.cpu_rt_period, "Limit the CPU real-time period in microseconds")
      .flag("cpu-rt-runtime", 0, &o.cpu_rt_runtime, "Limit the CPU real-time runtime in microseconds")
      .flag("cpu-shares", 'c', &o.cpu_shares, "CPU shares (relative weight)")
      .flag("cpus", 0, &o.cpus, "Number of CPUs. The default is 0.000 which means no limit")
      .flag("cpuset-cpus", 0, &o.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)")
      .flag("cpuset-mems", 0, &o.cpuset_mems, "Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.")
      .sliceFlag("device-read-bps", 0, &o.device_read_bps, "Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)")
      .sliceFlag("device-read-iops", 0, &o.device_read_iops, "Limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)")
      .sliceFlag("device-write-bps", 0, &o.device_write_bps, "Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)")
      .sliceFlag("device-write-iops", 0, &o.device_write_iops, "Limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)")
      .flag("memory-reservation", 0, &o.memory_reservation, "Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
      .flag("memory-swap", 0, &o.memory_swap, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
      .flag("memory-swappiness", 0, &o.memory_swappiness, "Tune container memory swappiness (0 to 100, or -1 for system default)");
  if (update) {
    c.flag("memory", 'm', &o.memory, "Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))")
        .flag("pids-limit", 0, &o.pids_limit, "Tune container pids limit (set -1 for unlimited)");
  } else {
    c.flag("oom-kill-disable", 0, &o.oom_kill_disable, "Disable OOM Killer");
  }
}

Status applyResourceOpts(const ResourceOpts& o, api::SpecGenerator& s, bool default_swap) {
  api::LinuxResources r = s.resource_limits.value_or(api::LinuxResources{});
  auto cpu = [&]() -> api::LinuxCPU& {
    if (!r.cpu) r.cpu = api::LinuxCPU{};
    return *r.cpu;
  };
  auto mem = [&]() -> api::LinuxMemory& {
    if (!r.memory) r.memory = api::LinuxMemory{};
    return *r.memory;
  };
  if (!o.cpus.empty()) {
    if (!o.cpu_period.empty() || !o.cpu_quota.empty())
      return makeError(Code::kInvalidArgument, "--cpus and --cpu-period/--cpu-quota cannot be set together");
    char* end = nullptr;
    double n = std::strtod(o.cpus.c_str(), &end);
    if (*end || !std::isfinite(n) || n < 0)
      return makeError(Code::kInvalidArgument, "invalid argument {:?} for \"--cpus\" flag: not a number of CPUs", o.cpus);
    if (n > 0) {  // podman's CoresToPeriodAndQuota
      cpu().period = 100000;
      cpu().quota = int64_t(std::llround(n * 100000));
    }
  }
  if (!o.cpu_shares.empty()) cpu().shares = TRY(parseUint("cpu-shares", o.cpu_shares));
  if (!o.cpu_period.empty()) cpu().period = TRY(parseUint("cpu-period", o.cpu_period));
  if (!o.cpu_quota.empty()) cpu().quota = TRY(parseInt("cpu-quota", o.cpu_quota));
  if (!o.cpu_rt_period.empty()) cpu().realtime_period = TRY(parseUint("cpu-rt-period", o.cpu_rt_period));
  if (!o.cpu_rt_runtime.empty()) cpu().realtime_runtime = TRY(parseInt("cpu-rt-runtime", o.cpu_rt_runtime));
  if (!o.cpuset_cpus.empty()) cpu().cpus = o.cpuset_cpus;
  if (!o.cpuset_mems.empty()) cpu().mems = o.cpuset_mems;

  if (!o.memory.empty()) mem().limit = TRY(parseFlagSize("memory", o.memory));
  if (!o.memory_reservation.empty()) mem().reservation = TRY(parseFlagSize("memory-reservation", o.memory_reservation));
  if (!o.memory_swap.empty()) mem().swap = o.memory_swap == "-1" ? int64_t(-1) : TRY(parseFlagSize("memory-swap", o.memory_swap));
  else if (default_swap && r.memory && r.memory->limit && *r.memory->limit > 0) mem().swap = 2 * *r.memory->limit;
  if (r.memory && r.memory->limit && r.memory->swap && *r.memory->swap > 0 && *r.memory->swap < *r.memory->limit)
    return makeError(Code::kInvalidArgument,
                     "--memory-swap {} is smaller than --memory {}: the swap limit counts memory plus swap",
                     *r.memory->swap, *r.memory->limit);
  if (!o.memory_swappiness.empty()) {
    int64_t n = TRY(parseInt("memory-swappiness", o.memory_swappiness));
    if (n < -1 || n > 100)
      return makeError(Code::kInvalidArgument, "invalid value {} for --memory-swappiness: must be 0 to 100, or -1", n);
    if (n >= 0) mem().swappiness = uint64_t(n);
  }
  if (o.oom_kill_disable) mem().disable_oom_killer = true;
  if (!o.pids_limit.empty()) r.pids = api::LinuxPids{TRY(parseInt("pids-limit", o.pids_limit))};

  if (!o.blkio_weight.empty()) {
    uint64_t w = TRY(parseUint("blkio-weight", o.blkio_weight));
    if (w != 0 && (w < 10 || w > 1000))
      return makeError(Code::kInvalidArgument, "invalid value {} for --blkio-weight: must be between 10 and 1000", w);
    if (!r.block_io) r.block_io = api::LinuxBlockIO{};
    r.block_io->weight = uint16_t(w);
  }
  for (auto& v : o.blkio_weight_device) {
    auto [path, val] = TRY(splitDevice("blkio-weight-device", v));
    uint64_t w = TRY(parseUint("blkio-weight-device", val));
    if (w != 0 && (w < 10 || w > 1000))
      return makeError(Code::kInvalidArgument, "invalid value {:?} for --blkio-weight-device: weight must be between 10 and 1000", v);
    s.weight_device[path] = api::LinuxWeightDevice{.weight = uint16_t(w)};
  }
  auto throttle = [&](const std::vector<std::string>& vals, const char* flag, bool bytes,
                      std::map<std::string, api::LinuxThrottleDevice>& out) -> Status {
    for (auto& v : vals) {
      auto [path, val] = TRY(splitDevice(flag, v));
      int64_t rate = bytes ? TRY(parseFlagSize(flag, val)) : int64_t(TRY(parseUint(flag, val)));
      if (rate < 0) return makeError(Code::kInvalidArgument, "invalid value {:?} for --{}: negative rate", v, flag);
      out[path] = api::LinuxThrottleDevice{.rate = uint64_t(rate)};
    }
    return okStatus();
  };
  TRY(throttle(o.device_read_bps, "device-read-bps", true, s.throttle_read_bps_device));
  TRY(throttle(o.device_write_bps, "device-write-bps", true, s.throttle_write_bps_device));
  TRY(throttle(o.device_read_iops, "device-read-iops", false, s.throttle_read_iops_device));
  TRY(throttle(o.device_write_iops, "device-write-iops", false, s.throttle_write_iops_device));
  if (r != api::LinuxResources{}) s.resource_limits = std::move(r);
  return okStatus();
}

}  // namespace berth::cli
