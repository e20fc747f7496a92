// A deterministic tar writer over libarchive: fixed owners, modes and zero mtimes.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

struct archive;

namespace berth::image {

// Writes a pax (ustar where possible) tar to an fd it does not own. Every
// member has uid/gid 0, no owner names and mtime 0, files mode 0444 and
// symlinks 0 as containers/image writes them, so the same calls give the
// same bytes. Call close() to write the trailer; errors are kInternal or
// the fd's errno.
class TarWriter {
 public:
  explicit TarWriter(int fd) : fd_(fd) {}
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  Status open();
  Status addDir(std::string_view name);
  Status addBytes(std::string_view name, std::string_view data);
  // Copies exactly `size` bytes of `fd` from offset 0 (kDataLoss if shorter), as a file of
  // mode `perm` (0555 for an executable).
  Status addFd(std::string_view name, int fd, uint64_t size, unsigned perm = 0444);
  Status addSymlink(std::string_view name, std::string_view target);
  Status close();

 private:
  Status writeHeader(std::string_view name, unsigned type, unsigned perm, uint64_t size,
                     std::string_view symlink = {});
  Error archiveError(std::string_view what) const;

  int fd_;
  struct archive* a_ = nullptr;
};

}  // namespace berth::image
