// Reads of a container's own files (passwd, group, the exec PATH lookup), always inside its rootfs.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "berth/api/specgen.h"

namespace berth::engine {

// The container's /etc/passwd and /etc/group, read inside `rootfs` with
// sys::readFileInRoot (symlinks resolve inside the rootfs, regular files of at
// most sys::kMaxRootConfigFile bytes). A missing file is "". Errors name the
// file: kInvalidArgument for a FIFO, device, directory or oversized file.
struct UserFiles {
  std::string passwd;
  std::string group;
};
Result<UserFiles> readUserFiles(const std::string& rootfs);

// Whether `cmd` can be found as the OCI runtime would look it up in the
// container: a name with a slash must exist (the runtime reports what is
// wrong with it); a bare name must be a regular file with an execute bit in
// one of the directories of the last PATH= of `env` (the default PATH
// otherwise), as Go's exec.LookPath does. Every lookup is inside `rootfs`.
// Errors: only a rootfs that cannot be opened.
Result<bool> commandExistsInRoot(const std::string& rootfs, const std::string& cmd,
                                 const std::vector<std::string>& env);

// A command named by a path (`cmd` has a slash) that exists in `rootfs` but is a
// directory or a file without an execute bit: the runtime's execve would fail with
// EACCES ("permission denied"), which podman reports as exit code 126. False for bare
// names and for paths that do not exist.
Result<bool> commandPathNotExecutable(const std::string& rootfs, const std::string& cmd);

}  // namespace berth::engine

namespace berth::engine {

// podman's generatePasswdAndGroup, for a container about to start in `rootfs` whose
// /etc/passwd and /etc/group readUserFiles gave as `files`:
//  - each --hostuser account (looked up on the host) missing from the container's passwd;
//  - a numeric --user uid missing from it, as "UID:*:UID:GID:container user:WORKDIR:/bin/sh"
//    (or --passwd-entry with $USERNAME $UID $GID $NAME $HOME replaced);
//  - a numeric group of --user missing from the container's group file, as "GID:x:GID:USER".
// They are appended to the container's own /etc/passwd and /etc/group (inside the rootfs,
// never through a symlink out of it). With a read-only root the whole files go to
// `static_dir`/passwd and /group instead, and the mounts to bind over /etc/passwd and
// /etc/group are added to `mounts`. Nothing when manage_password is false or a mount
// already covers the file. Errors name the user or group that cannot be resolved.
Status addContainerUsers(const std::string& rootfs, const UserFiles& files, const api::SpecGenerator& spec,
                         const std::string& workdir, const std::string& static_dir, std::vector<api::Mount>& mounts);

}  // namespace berth::engine
