// Rules shared by validateSpec and generateSpec: namespace defaults, mount options.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "berth/api/specgen.h"

namespace berth::specgen {

enum class NsKind { kPid, kNet, kIpc, kUts, kCgroup, kUser };

// The mode `ns` stands for: its own, or for "default" podman's default for a root container
// outside a pod (pid, uts private; ipc shareable; net bridge; cgroup private on cgroup v2
// and host on v1; user host).
api::NamespaceMode effectiveMode(const api::Namespace& ns, NsKind kind, bool cgroup2);


// A --device value as podman's CLI stores it in LinuxDevice.path: SRC[:DST][:PERMS].
struct DeviceSpec {
  std::string src, dst, perms;
};
// kInvalidArgument "invalid device \"...\"" unless both paths are absolute and PERMS is a
// non-empty subset of "rwm".
Result<DeviceSpec> parseDeviceSpec(const std::string& path);

// True if a path component of `p` is "..".
bool hasDotDot(std::string_view p);

}  // namespace berth::specgen
