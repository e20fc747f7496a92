// FileLock: an exclusive flock on a file, released on destruction or process death.
#pragma once

#include <string>

#include "base/fd.h"
#include "base/result.h"

namespace berth::network {

class FileLock {
 public:
  // Creates `path` (0600) if needed and blocks until the lock is held.
  static Result<FileLock> exclusive(const std::string& path);

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace berth::network
