// In-root file access with openat2(2) RESOLVE_IN_ROOT: images and containers are hostile.
#include "sys/inroot.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace berth::sys {
namespace {

std::string shown(std::string_view path) {
  if (path.empty() || path[0] != '/') return "/" + std::string(path);
  return std::string(path);
}

Error lookupError(int e, std::string_view path) {
  switch (e) {
    case ENOTDIR:
      // A component is a file: for the caller the entry simply does not exist.
      return Error(Code::kNotFound,
                   fmt::format("{}: a path component is not a directory", shown(path)), e);
    case ELOOP:
      return Error(Code::kInvalidArgument,
                   fmt::format("{}: too many symlinks or a /proc magic link", shown(path)), e);
    case EXDEV:
      return Error(Code::kInvalidArgument, fmt::format("{}: escapes the root", shown(path)), e);
    default:
      return sysError(e, fmt::format("open {}", shown(path)));
  }
}

}  // namespace

Result<UniqueFd> openRoot(const std::string& root) {
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoError("open root {}", root);
  return UniqueFd(fd);
}

Result<UniqueFd> openInRoot(int root_fd, std::string_view path, int flags, mode_t mode) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = uint64_t(flags | O_CLOEXEC);
  if (flags & O_CREAT) how.mode = mode;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string p(path);
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  if (p.empty()) p = ".";
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(int(fd));
    // EAGAIN: a concurrent rename raced the lookup (openat2(2)); retry a few times.
    if ((errno == EAGAIN && attempt < 16) || errno == EINTR) continue;
    return lookupError(errno, path);
  }
}

Result<struct stat> statInRoot(int root_fd, std::string_view path) {
  UniqueFd fd = TRY(openInRoot(root_fd, path, O_PATH));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errnoError("stat {}", shown(path));
  return st;
}

Result<UniqueFd> openRegularInRoot(int root_fd, std::string_view path) {
  UniqueFd pathfd = TRY(openInRoot(root_fd, path, O_PATH));
  struct stat st;
  if (::fstat(pathfd.get(), &st) < 0) return errnoError("stat {}", shown(path));
  if (!S_ISREG(st.st_mode))
    return makeError(Code::kInvalidArgument, "{} is not a regular file", shown(path));
  constexpr int kReadFlags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  // Reopen the very inode we checked (open(2), O_PATH): no second lookup to race.
  std::string self = fmt::format("/proc/self/fd/{}", pathfd.get());
  int fd = ::open(self.c_str(), kReadFlags);
  if (fd >= 0) return UniqueFd(fd);
  if (errno != ENOENT) return errnoError("open {}", shown(path));
  // No /proc (a bare chroot): look up again and insist on the same inode.
  UniqueFd again = TRY(openInRoot(root_fd, path, kReadFlags));
  struct stat st2;
  if (::fstat(again.get(), &st2) < 0) return errnoError("stat {}", shown(path));
  if (!S_ISREG(st2.st_mode) || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino)
    return makeError(Code::kInvalidArgument, "{} changed while it was opened", shown(path));
  return again;
}

Result<std::string> readFileInRoot(int root_fd, std::string_view path, size_t max_bytes) {
  UniqueFd fd = TRY(openRegularInRoot(root_fd, path));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return errnoError("stat {}", shown(path));
  auto too_big = [&] {
    return makeError(Code::kInvalidArgument, "{} is larger than {} bytes", shown(path), max_bytes);
  };
  if (uint64_t(st.st_size) > max_bytes) return too_big();
  std::string out;
  out.reserve(size_t(st.st_size));
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read {}", shown(path));
    }
    if (n == 0) break;
    if (out.size() + size_t(n) > max_bytes) return too_big();
    out.append(buf, size_t(n));
  }
  return out;
}

Result<std::string> readFileInRoot(const std::string& root, std::string_view path,
                                   size_t max_bytes) {
  UniqueFd root_fd = TRY(openRoot(root));
  return readFileInRoot(root_fd.get(), path, max_bytes);
}

}  // namespace berth::sys
