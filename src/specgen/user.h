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
  std::string home;  // "" when the user has no passwd entry: HOME is left to the runtime
};

// Resolves "", "name", "uid", "name:group", "uid:gid" (podman's --user) as
// runc's GetExecUser does, against `passwd` and `group`: the contents of the
// container's /etc/passwd and /etc/group ("" means no entries). This module
// never opens a file of a container: the caller reads them inside the rootfs
// (sys::readFileInRoot), because an image's files are hostile. "" is uid 0. A numeric uid without
// an entry is allowed (gid 0, no home: podman sets no HOME then, and the runtime looks it
// up in the passwd file as the container has it when it starts). Supplementary gids follow podman 4: with an explicit group
// only that gid; otherwise the primary gid (for uid != 0) plus every group that lists the user's
// name. kInvalidArgument: "unable to find user NAME: no matching entries in passwd file" (or
// group).
Result<ExecUser> resolveUser(std::string_view user, std::string_view passwd,
                             std::string_view group);

// Resolves --group-add entries (names or numbers) to gids against the
// contents of a group file.
Result<std::vector<uint32_t>> resolveGroups(const std::vector<std::string>& groups,
                                            std::string_view group);

}  // namespace berth::specgen
