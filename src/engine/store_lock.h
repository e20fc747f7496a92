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
  // Both also collect what killed writers left (ingest files, tmp-* layer dirs):
  // each such item is flock-ed by its live writer, so the sweep is safe under the
  // shared lock too. A failed sweep is logged, never fatal to the caller.
  static Result<StoreLock> shared(const std::string& root);
  static Result<StoreLock> exclusive(const std::string& root);

 private:
  explicit StoreLock(UniqueFd fd) : fd_(std::move(fd)) {}
  static Result<StoreLock> take(const std::string& root, int op);
  UniqueFd fd_;
};

// Removes the leftovers of interrupted store writes under `root` (both layer
// drivers' directories). Safe while other processes write.
Status collectCrashGarbage(const std::string& root);

}  // namespace berth::engine
