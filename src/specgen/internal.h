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

// podman's util.ProcessOptions for a mount at `dest` of `type`: keeps the caller's options
// (minus the ones only the engine acts on), then adds what is missing: rw, rprivate,
// nosuid/nodev (volumes, tmpfs), tmpcopyup (tmpfs), rbind (binds). kInvalidArgument for ro/rw
// or a propagation given twice, kUnimplemented for overlay (O) mounts.
Result<std::vector<std::string>> processOptions(const std::vector<std::string>& in,
                                                const std::string& type, bool is_volume,
                                                const std::string& dest);

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
