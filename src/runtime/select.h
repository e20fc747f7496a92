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

// The mode and, on a hybrid host, the controllers that sit on the unified hierarchy
// (<root>/unified/cgroup.controllers). crun 1.8 refuses a hybrid host only while that
// list is not empty: it reads the file before it looks at its cgroup manager.
struct CgroupLayout {
  CgroupMode mode = CgroupMode::kLegacy;
  std::vector<std::string> unified_controllers;
};
CgroupLayout detectCgroupLayout(const std::string& root = "/sys/fs/cgroup");

// The host change behind `berth system move-cgroup-controllers`: mounts each controller of
// the unified hierarchy on a v1 hierarchy of its own at <root>/<name>, so that crun runs on a
// hybrid host. Fails naming the controller when one is in use on the unified hierarchy
// (enabled in its cgroup.subtree_control). Returns the controllers moved; lasts until reboot.
Result<std::vector<std::string>> moveUnifiedControllersToV1(const std::string& root = "/sys/fs/cgroup");

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

// crun when it is installed and can run here: everywhere but a hybrid host with a
// controller on the unified hierarchy, which crun (through 1.8) refuses ("cgroups in
// hybrid mode not supported"); runc there. kNotFound when neither exists.
Result<RuntimeChoice> chooseDefaultRuntime(const CgroupLayout& layout,
                                           const std::vector<std::string>& dirs = runtimeSearchDirs());

}  // namespace berth::runtime
