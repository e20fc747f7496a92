// Filesystem helpers: whole-file reads, atomic durable writes, directory trees.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/result.h"

namespace berth::fs {

Result<std::string> readFile(const std::string& path);
// Writes `data` to a temp file beside `path`, fsyncs it, renames it over
// `path` and fsyncs the directory: readers see the old or the new file whole.
Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);
// Like writeFileAtomic (readers see the old or the new file whole) without the
// fsyncs: for runtime files under the runroot, which need not survive a reboot.
Status writeFileReplace(const std::string& path, std::string_view data, mode_t mode = 0644);
// mkdir -p; existing directories are fine.
Status mkdirAll(const std::string& path, mode_t mode = 0755);
// rm -rf without following symlinks; a missing path is fine. Does not cross
// mount points it cannot remove (returns the error).
Status removeAll(const std::string& path);
bool exists(const std::string& path);
bool isDir(const std::string& path);
Status fsyncDir(const std::string& dir);
Result<std::vector<std::string>> listDir(const std::string& dir);
Result<UniqueFd> openFd(const std::string& path, int flags, mode_t mode = 0);
// Reads all of fd (until EOF).
Result<std::string> readAll(int fd);
// Writes all of data to fd, retrying on EINTR and short writes.
Status writeAll(int fd, std::string_view data);
// Copies `in` from its offset to its end into `out`.
Status copyAll(int in, int out);
// Total bytes of regular files under dir (du --apparent-size like, no symlink follow).
uint64_t dirSize(const std::string& dir);
std::string joinPath(std::string_view a, std::string_view b);

}  // namespace berth::fs
