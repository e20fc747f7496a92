// FileLock.
#include "network/lock.h"

#include <fcntl.h>
#include <sys/file.h>

namespace berth::network {

Result<FileLock> FileLock::exclusive(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return errnoError("open lock {}", path);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errnoError("lock {}", path);
  return FileLock(std::move(fd));
}

}  // namespace berth::network
