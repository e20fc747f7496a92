// Store-wide ingest/GC lock.
#include "engine/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include "base/fs.h"

namespace berth::engine {

Result<StoreLock> StoreLock::take(const std::string& root, int op) {
  std::string path = root + "/storage.lock";
  UniqueFd fd = TRY(fs::openFd(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), op) < 0) {
    if (errno != EINTR) return errnoError("lock {}", path);
  }
  return StoreLock(std::move(fd));
}

Result<StoreLock> StoreLock::shared(const std::string& root) { return take(root, LOCK_SH); }
Result<StoreLock> StoreLock::exclusive(const std::string& root) { return take(root, LOCK_EX); }

}  // namespace berth::engine
