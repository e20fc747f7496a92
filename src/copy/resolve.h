// Paths inside a hostile root (a container's rootfs or a volume), resolved as if the root were "/".
#pragma once

#include <linux/openat2.h>
#include <sys/stat.h>

#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/result.h"

namespace berth::copy {

// openat2(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra):
// symlinks and ".." resolve against the root and never leave it. O_CLOEXEC is
// added. Returns the fd or the errno's error naming `path`.
Result<UniqueFd> openIn(int root_fd, std::string_view path, int flags, uint64_t extra_resolve = 0);

// buildah copier's resolvePath: resolves every symlink of the absolute
// in-root `path` (the last one only with `follow_final`) by reading links
// beneath the root, and returns the resulting absolute in-root path ("/a/b").
// Components that do not exist are appended as they are. ".." never climbs
// above "/". kInvalidArgument for more than 255 links (a loop).
Result<std::string> resolveIn(int root_fd, std::string_view path, bool follow_final);

// What `stat` of a path in a container tells cp (podman's copier.StatForItem).
struct PathStat {
  bool exists = false;      // the entry itself (lstat) exists
  bool target_ok = false;   // ...and, for a symlink, what it resolves to exists
  bool is_dir = false;      // of the resolved target
  bool is_regular = false;  // of the resolved target
  bool is_symlink = false;  // the entry itself
  mode_t mode = 0;          // the entry's (lstat) mode
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::string resolved;  // absolute in-root path with every link resolved (a symlink's target)
};

// lstat of the in-root `path` with the parents' links resolved in the root
// and, for a symlink, the stat of its resolved target. A missing entry is not
// an error (exists == false); other failures are.
Result<PathStat> statIn(int root_fd, std::string_view path);

// Joins and lexically cleans an absolute in-root path ("/a/../b" -> "/b").
std::string cleanAbs(std::string_view path);
// Go's filepath.Dir / filepath.Base on cleaned paths.
std::string dirName(std::string_view path);
std::string baseName(std::string_view path);
// Go's filepath.Dir on the path as typed: the last element is dropped before
// cleaning, so goDir("/a/b/.") is "/a/b" where dirName gives "/a".
std::string goDir(std::string_view path);

}  // namespace berth::copy
