// Test helpers: in-memory tar streams written with libarchive, and Readers over strings.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "store/content_store.h"

namespace berth::store::testing {

struct TarEntry {
  std::string name;
  unsigned type = 0100000;  // AE_IFREG; AE_IFDIR 0040000, AE_IFLNK 0120000, ...
  unsigned perm = 0644;
  std::string data;
  std::string link;  // symlink target, or hardlink target when `hardlink`
  bool hardlink = false;
  unsigned uid = 0, gid = 0;
  unsigned dev_major = 0, dev_minor = 0;
  long mtime = 1700000000;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

TarEntry file(std::string name, std::string data, unsigned perm = 0644);
TarEntry dir(std::string name, unsigned perm = 0755);
TarEntry symlink(std::string name, std::string target);
TarEntry hardlink(std::string name, std::string target);

enum class TarFilter { kNone, kGzip, kZstd };
// A pax (restricted) tar of `entries`, optionally compressed by libarchive's filter.
std::string buildTar(const std::vector<TarEntry>& entries, TarFilter filter = TarFilter::kNone);
// A Reader over `data` handing out at most `chunk` bytes per call.
Reader stringReader(std::string data, size_t chunk = 1 << 20);

}  // namespace berth::store::testing
