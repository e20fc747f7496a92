// Temp files beside their target, for write-then-rename.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/fd.h"
#include "base/result.h"

namespace berth::fs {

// A new file with a unique, unpredictable name beside `path` (same directory,
// so renaming it over `path` is atomic): "<path>.tmp-<16 hex>", opened
// O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, so nothing already there (a
// planted symlink, a FIFO) is ever opened or truncated. The caller renames it
// into place or unlinks it.
struct TempFile {
  std::string path;
  UniqueFd fd;
};
Result<TempFile> createTempBeside(const std::string& path, mode_t mode = 0644);

}  // namespace berth::fs
