// Narrow mount syscalls used by the engine (overlay and bind mounts, unmount, mount
// detection by mount ID, removal that never crosses a mount).
#pragma once

#include <cstdint>
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

// True when `path` (not following a final symlink) is the root of a mount. Decided by
// mount identity, not by st_dev: a bind mount of a directory of the same filesystem
// (vfs rootfs) has its parent's st_dev. Uses statx's STATX_ATTR_MOUNT_ROOT, else
// stx_mnt_id against the parent's, else /proc/self/mountinfo. False when `path` is missing.
bool isMountPoint(const std::string& path);
// The mount ID of `path` (statx STATX_MNT_ID, else mountinfo by device). kNotFound when
// it does not exist; kUnimplemented when the kernel tells neither.
Result<uint64_t> mountId(const std::string& path);

// rm -rf of `path` (a missing path is fine) that never deletes through a mount: on
// meeting a directory that sits on another mount than `path` it stops with
// kFailedPrecondition naming that mount point, leaving what it did not yet remove.
Status removeAllOnOneMount(const std::string& path);

}  // namespace berth::sys
