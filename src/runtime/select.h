// Finding OCI runtime binaries and choosing the default for this host's cgroups.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace berth::runtime {

enum class CgroupMode {
  kUnified,  // cgroup v2 at /sys/fs/cgroup
  kLegacy,   // cgroup v1 only
  kHybrid,   // cgroup v1 plus a cgroup2 mount at /sys/fs/cgroup/unified
};
std::string_view cgroupModeName(CgroupMode m);  // "v2", "v1", "hybrid"

// Detects the mode from the filesystem types under `root` (statfs(2)).
CgroupMode detectCgroupMode(const std::string& root = "/sys/fs/cgroup");

// The directories searched for runtimes, in order.
const std::vector<std::string>& runtimeSearchDirs();

// Absolute path of an executable `name` in runtimeSearchDirs() (or `name`
// itself when it is already a path). kNotFound when there is none.
Result<std::string> findRuntime(const std::string& name,
                                const std::vector<std::string>& dirs = runtimeSearchDirs());

struct RuntimeChoice {
  std::string name;
  std::string path;
  std::string reason;  // one sentence for `berth info`
};

// crun when the host is pure v2 or pure v1 and crun is installed; runc
// otherwise, because crun (at least through 1.8) refuses hybrid hosts
// ("cgroups in hybrid mode not supported"). kNotFound when neither exists.
Result<RuntimeChoice> chooseDefaultRuntime(CgroupMode mode,
                                           const std::vector<std::string>& dirs = runtimeSearchDirs());

}  // namespace berth::runtime
