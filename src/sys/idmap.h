// ID-mapped mounts: a directory shown with its owners shifted into a user namespace's range
// (the image layers of a container with --uidmap, without chowning a copy of them).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/result.h"

namespace berth::sys {

struct IdRange {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

// A user namespace with these uid and gid maps, held by its fd (no process stays in it).
// Errors: kInvalidArgument for empty or overlapping maps (the kernel's EINVAL), else errno's.
Result<UniqueFd> makeUserNamespace(const std::vector<IdRange>& uids, const std::vector<IdRange>& gids);

// Mounts a clone of `source` at `target` (an existing directory) with its IDs mapped through
// `userns_fd`: a file owned by k on disk shows as the host ID the namespace maps k to, and
// writes through it store the reverse. kUnimplemented when the kernel or the filesystem
// cannot (open_tree, mount_setattr MOUNT_ATTR_IDMAP: Linux 5.12 and later).
Status mountIdmapped(const std::string& source, const std::string& target, int userns_fd);

// The host ID that `ranges` map container ID `id` to, or -1 when none does.
int64_t hostId(const std::vector<IdRange>& ranges, uint32_t id);

}  // namespace berth::sys
