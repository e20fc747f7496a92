// User and group resolution against a container's passwd and group files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::specgen {

struct ExecUser {
  std::string name;  // passwd name, "" when the uid has no entry
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string home = "/";
};

// Resolves "", "name", "uid", "name:group", "uid:gid" (podman's --user) as
// runc's GetExecUser does, reading `passwd_file` and `group_file` (host paths;
// empty or missing means no entries). "" is uid 0. A numeric uid without an
// entry is allowed (gid 0, home "/"). Supplementary gids follow podman 4: with
// an explicit group only that gid; otherwise the primary gid (for uid != 0)
// plus every group that lists the user's name. kInvalidArgument:
// "unable to find user NAME: no matching entries in passwd file" (or group).
Result<ExecUser> resolveUser(std::string_view user, const std::string& passwd_file,
                             const std::string& group_file);

// Resolves --group-add entries (names or numbers) to gids.
Result<std::vector<uint32_t>> resolveGroups(const std::vector<std::string>& groups,
                                            const std::string& group_file);

}  // namespace berth::specgen
