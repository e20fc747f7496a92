// Narrow mount syscalls used by the engine (overlay and bind mounts, unmount).
#pragma once

#include <string>

#include "base/result.h"

namespace berth::sys {

// Mounts `type` at `target` with `data`. If `chdir_to` is non-empty the mount
// is made from inside that directory, so relative lowerdirs (overlay's short
// links) resolve against it; the working directory is restored afterwards.
Status mount(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags, const std::string& data, const std::string& chdir_to = "");
// Unmounts `target` (MNT_DETACH when `lazy`); a path that is not mounted is fine.
Status unmount(const std::string& target, bool lazy = false);
bool isMountPoint(const std::string& path);

}  // namespace berth::sys
