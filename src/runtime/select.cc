// Runtime lookup and default choice.
#include "runtime/select.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/ranges.h>

#include "base/fs.h"

namespace berth::runtime {

std::string_view cgroupModeName(CgroupMode m) {
  switch (m) {
    case CgroupMode::kUnified: return "v2";
    case CgroupMode::kLegacy: return "v1";
    case CgroupMode::kHybrid: return "hybrid";
  }
  return "unknown";
}

CgroupMode detectCgroupMode(const std::string& root) {
  struct statfs st;
  if (::statfs(root.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return CgroupMode::kUnified;
  std::string unified = fs::joinPath(root, "unified");
  if (::statfs(unified.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return CgroupMode::kHybrid;
  return CgroupMode::kLegacy;
}

const std::vector<std::string>& runtimeSearchDirs() {
  static const std::vector<std::string> dirs{"/usr/local/bin", "/usr/bin", "/usr/sbin",
                                             "/bin", "/sbin", "/usr/libexec/podman"};
  return dirs;
}

static bool isExecutable(const std::string& p) {
  return fs::exists(p) && !fs::isDir(p) && ::access(p.c_str(), X_OK) == 0;
}

Result<std::string> findRuntime(const std::string& name, const std::vector<std::string>& dirs) {
  if (name.find('/') != std::string::npos) {
    if (isExecutable(name)) return name;
    return makeError(Code::kNotFound, "OCI runtime {} not found or not executable", name);
  }
  for (auto& d : dirs) {
    std::string p = fs::joinPath(d, name);
    if (isExecutable(p)) return p;
  }
  return makeError(Code::kNotFound, "OCI runtime {:?} not found in {}", name,
                   fmt::join(dirs, ":"));
}

Result<RuntimeChoice> chooseDefaultRuntime(CgroupMode mode, const std::vector<std::string>& dirs) {
  auto crun = findRuntime("crun", dirs);
  if (crun.ok() && mode != CgroupMode::kHybrid)
    return RuntimeChoice{"crun", *crun,
                         fmt::format("crun is installed and cgroups are {}", cgroupModeName(mode))};
  auto runc = findRuntime("runc", dirs);
  if (!runc.ok()) {
    if (crun.ok())  // hybrid host with crun only: let crun try and report its own error.
      return RuntimeChoice{"crun", *crun, "runc is not installed; crun may refuse hybrid cgroups"};
    return makeError(Code::kNotFound, "no OCI runtime found (crun, runc) in {}",
                     fmt::join(dirs, ":"));
  }
  std::string reason = !crun.ok() ? "crun is not installed"
                                  : "cgroups are hybrid (v1 + unified), which crun refuses "
                                    "(\"cgroups in hybrid mode not supported\")";
  return RuntimeChoice{"runc", *runc, reason};
}

}  // namespace berth::runtime
