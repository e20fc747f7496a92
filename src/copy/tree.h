// File trees in transit for cp, export and commit: entries flow from a source
// (a directory walk, a tar stream) into a sink (a directory, a tar stream).
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace berth::copy {

enum class EntryType { kFile, kDir, kSymlink, kHardlink, kChar, kBlock, kFifo };

// One member of a tree. `name` is relative and '/'-separated ("a/b"); the
// source guarantees nothing else about it: sinks treat it as hostile.
struct Entry {
  std::string name;
  EntryType type = EntryType::kFile;
  uint32_t mode = 0644;  // permission bits with setuid/setgid/sticky
  uint32_t uid = 0, gid = 0;
  int64_t size = 0;  // regular files: bytes of content that follow
  struct timespec atime {};
  struct timespec mtime {};
  std::string link;  // symlink target, or the hardlink's target name
  uint32_t dev_major = 0, dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

// The content of a regular file entry: either an fd positioned at its start
// (the sink may use copy_file_range/sendfile on it) or a reader that yields
// exactly entry.size bytes and then 0.
struct Content {
  int fd = -1;
  std::function<Result<size_t>(char* buf, size_t n)> read;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // `content` is non-null exactly for kFile entries.
  virtual Status add(const Entry& e, Content* content) = 0;
  // Called once after the last entry (tar trailer, directory modes and times).
  virtual Status finish() = 0;
};

// Owner pair for chown options.
struct IdPair {
  uint32_t uid = 0, gid = 0;
};

// buildah copier's handleRename: a direct match of `name`, else the longest
// renamed prefix directory ("a/b" with {"a": "x"} -> "x/b").
std::string applyRename(const std::map<std::string, std::string>& rename, const std::string& name);

// Lexically cleans a member name to a relative path: leading "/", "." and
// ".." that would climb above the top are dropped ("../../etc" -> "etc").
std::string cleanRelative(std::string_view name);

// Writes all of `content` (entry.size bytes) to `out_fd`. An fd content is
// copied in the kernel (copy_file_range, then sendfile) where possible.
// kDataLoss if the content is shorter than `size`.
Status copyContent(Content& content, int64_t size, int out_fd);

}  // namespace berth::copy
