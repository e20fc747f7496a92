// Runtime lookup and default choice.
#include "runtime/select.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
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

CgroupLayout detectCgroupLayout(const std::string& root) {
  CgroupLayout l;
  l.mode = detectCgroupMode(root);
  if (l.mode != CgroupMode::kHybrid) return l;
  auto text = fs::readFile(fs::joinPath(root, "unified/cgroup.controllers"));
  if (!text.ok()) return l;
  std::string word;
  for (char c : *text + " ") {
    if (c == ' ' || c == '\n' || c == '\t') {
      if (!word.empty()) l.unified_controllers.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  return l;
}

Result<std::vector<std::string>> moveUnifiedControllersToV1(const std::string& root) {
  CgroupLayout l = detectCgroupLayout(root);
  if (l.mode != CgroupMode::kHybrid)
    return makeError(Code::kFailedPrecondition, "cgroups at {} are {}, not hybrid: there is nothing to move", root,
                     cgroupModeName(l.mode));
  std::string enabled;
  if (auto t = fs::readFile(fs::joinPath(root, "unified/cgroup.subtree_control")); t.ok()) enabled = " " + *t + " ";
  for (auto& c : l.unified_controllers) {
    if (enabled.find(" " + c + " ") != std::string::npos || enabled.find(" " + c + "\n") != std::string::npos)
      return makeError(Code::kFailedPrecondition,
                       "controller {} is enabled in {}/unified/cgroup.subtree_control: it is in use on the "
                       "unified hierarchy and cannot move",
                       c, root);
  }
  std::vector<std::string> moved;
  for (auto& c : l.unified_controllers) {
    std::string dir = fs::joinPath(root, c);
    if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) {
      if (errno != EROFS) return errnoError("create {}", dir);
      // systemd mounts the tmpfs at /sys/fs/cgroup read-only: open it for the mkdir only.
      if (::mount(nullptr, root.c_str(), nullptr, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
        return errnoError("remount {} read-write", root);
      int rc = ::mkdir(dir.c_str(), 0755), err = errno;
      ::mount(nullptr, root.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755");
      if (rc < 0 && err != EEXIST) {
        errno = err;
        return errnoError("create {}", dir);
      }
    }
    if (::mount("cgroup", dir.c_str(), "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, c.c_str()) < 0)
      return errnoError("mount the {} controller on {}", c, dir);
    moved.push_back(c);
  }
  return moved;
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

Result<RuntimeChoice> chooseDefaultRuntime(const CgroupLayout& layout, const std::vector<std::string>& dirs) {
  auto crun = findRuntime("crun", dirs);
  bool refused = layout.mode == CgroupMode::kHybrid && !layout.unified_controllers.empty();
  if (crun.ok() && !refused) {
    std::string why = layout.mode == CgroupMode::kHybrid
                          ? "crun is installed and cgroups are hybrid with no controller on the unified hierarchy"
                          : fmt::format("crun is installed and cgroups are {}", cgroupModeName(layout.mode));
    return RuntimeChoice{"crun", *crun, std::move(why)};
  }
  auto runc = findRuntime("runc", dirs);
  if (!runc.ok()) {
    if (crun.ok())  // hybrid host with crun only: let crun try and report its own error.
      return RuntimeChoice{"crun", *crun, "runc is not installed; crun may refuse hybrid cgroups"};
    return makeError(Code::kNotFound, "no OCI runtime found (crun, runc) in {}", fmt::join(dirs, ":"));
  }
  if (!crun.ok()) return RuntimeChoice{"runc", *runc, "crun is not installed"};
  return RuntimeChoice{"runc", *runc,
                       fmt::format("cgroups are hybrid and {} on the unified hierarchy, which crun refuses "
                                   "(\"cgroups in hybrid mode not supported\"); `berth system "
                                   "move-cgroup-controllers` moves {} to v1 hierarchies so crun can run",
                                   fmt::join(layout.unified_controllers, ", "),
                                   layout.unified_controllers.size() == 1 ? "it" : "them")};
}

}  // namespace berth::runtime
