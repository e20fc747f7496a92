// Mount syscalls.
#include "sys/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fd.h"

namespace berth::sys {

Status mount(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags, const std::string& data, const std::string& chdir_to) {
  UniqueFd cwd;
  if (!chdir_to.empty()) {
    cwd.reset(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cwd) return errnoError("open current directory");
    if (::chdir(chdir_to.c_str()) < 0) return errnoError("chdir {}", chdir_to);
  }
  int rc = ::mount(source.c_str(), target.c_str(), type.c_str(), flags, data.empty() ? nullptr : data.c_str());
  int e = errno;
  if (cwd && ::fchdir(cwd.get()) < 0) return errnoError("restore working directory");
  if (rc < 0) return sysError(e, fmt::format("mount {} on {}", type, target));
  return {};
}

Status unmount(const std::string& target, bool lazy) {
  if (::umount2(target.c_str(), lazy ? MNT_DETACH : 0) < 0) {
    if (errno == EINVAL || errno == ENOENT) return {};  // not mounted / gone
    return errnoError("unmount {}", target);
  }
  return {};
}

bool isMountPoint(const std::string& path) {
  struct stat a, b;
  if (::stat(path.c_str(), &a) < 0) return false;
  if (::stat((path + "/..").c_str(), &b) < 0) return false;
  return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

}  // namespace berth::sys
