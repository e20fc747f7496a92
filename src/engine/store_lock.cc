// Store-wide ingest/GC lock; the crash-garbage sweep that runs under it.
#include "engine/store_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include "base/fs.h"
#include "base/log.h"
#include "store/content_store.h"
#include "store/layer_store.h"

namespace berth::engine {

Result<StoreLock> StoreLock::take(const std::string& root, int op) {
  std::string path = root + "/storage.lock";
  UniqueFd fd = TRY(fs::openFd(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), op) < 0) {
    if (errno != EINTR) return errnoError("lock {}", path);
  }
  StoreLock lock(std::move(fd));
  if (auto s = collectCrashGarbage(root); !s.ok())
    LOG_WARN("leftovers of interrupted writes remain in {}: {}", root, s.error().what());
  return lock;
}

Result<StoreLock> StoreLock::shared(const std::string& root) { return take(root, LOCK_SH); }
Result<StoreLock> StoreLock::exclusive(const std::string& root) { return take(root, LOCK_EX); }

Status collectCrashGarbage(const std::string& root) {
  TRY(store::ContentStore(root).cleanIngest());
  for (auto [dir, driver] : {std::pair{"overlay", store::Driver::kOverlay}, std::pair{"vfs", store::Driver::kVfs}}) {
    std::string layers = root + "/" + dir;
    if (fs::isDir(layers)) TRY(store::LayerStore(layers, driver).cleanup());
  }
  return {};
}

}  // namespace berth::engine
