// StoreLock: a flock on <root>/storage.lock. Ingest (load, import, pull) holds
// it shared while it writes blobs and layers that no record references yet;
// garbage collection holds it exclusive. The lock dies with its process.
#pragma once

#include <string>

#include "base/fd.h"
#include "base/result.h"

namespace berth::engine {

class StoreLock {
 public:
  static Result<StoreLock> shared(const std::string& root);
  static Result<StoreLock> exclusive(const std::string& root);

 private:
  explicit StoreLock(UniqueFd fd) : fd_(std::move(fd)) {}
  static Result<StoreLock> take(const std::string& root, int op);
  UniqueFd fd_;
};

}  // namespace berth::engine
