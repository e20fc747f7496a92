// The local volume driver's vocabulary: volume names, create options and how an options
// volume (type=, device=, o=) is mounted. Pure functions, unit-tested without root.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"

namespace berth::engine {

// podman's volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, so never "", "..", or one with "/".
// kInvalidArgument "running volume create option: names must match ...: invalid argument".
Status checkVolumeName(const std::string& name);

// podman's ParseVolumeOptions and the local driver's validateVolumeOpts: the options kept
// for the volume. Known keys: device, o, type, uid, gid, copy, nocopy, noquota, timeout;
// size and inodes (also inside o=) need project quota, which this engine does not set up.
// For type=bind the device must exist (`stat_path` returns 0 or an errno). kInvalidArgument
// with podman's messages ("invalid mount option foo for driver 'local': invalid argument",
// "invalid volume option device for driver 'local': stat /x: no such file or directory").
using StatPath = std::function<int(const std::string& path)>;
Result<std::map<std::string, std::string>> checkLocalOptions(const std::map<std::string, std::string>& opts,
                                                               const StatPath& stat_path);

// How an options volume is mounted on its _data directory.
struct VolumeMountPlan {
  std::string source;  // the device, or the fs type for tmpfs/ramfs
  std::string type;    // "" for a bind mount
  unsigned long flags = 0;
  std::string data;  // the o= entries that are not mount flags
};

// nullopt for a plain directory volume (neither type nor device given).
// kInvalidArgument for a device-backed type without device=.
Result<std::optional<VolumeMountPlan>> planVolumeMount(const std::map<std::string, std::string>& opts);

}  // namespace berth::engine
