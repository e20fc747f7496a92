// Host device nodes: stat one (--device) or list all (privileged).
#pragma once

#include <string>
#include <vector>

#include "specgen/specgen.h"

namespace berth::specgen {

// stat(2) of `path` (following symlinks); kInvalidArgument if not a device.
Result<HostDevice> statDevice(const std::string& path);

// Every char/block device under /dev, skipping /dev/pts, /dev/shm,
// /dev/mqueue and symlinks (podman's util.GetDevices).
Result<std::vector<HostDevice>> listHostDevices();

}  // namespace berth::specgen
