// Filesystem helpers.
#include "base/fs.h"
#include "base/tempfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

namespace berth::fs {

Result<UniqueFd> openFd(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return errnoError("open {}", path);
  return UniqueFd(fd);
}

Result<std::string> readAll(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read");
    }
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

Result<std::string> readFile(const std::string& path) {
  UniqueFd fd = TRY(openFd(path, O_RDONLY));
  return TRY_CTX(readAll(fd.get()), "read {}", path);
}

Result<TempFile> createTempBeside(const std::string& path, mode_t mode) {
  std::random_device rd;
  for (int attempt = 0;; ++attempt) {
    std::string tmp = fmt::format("{}.tmp-{:08x}{:08x}", path, rd(), rd());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd >= 0) return TempFile{std::move(tmp), UniqueFd(fd)};
    if (errno != EEXIST || attempt >= 16) return errnoError("create a temp file for {}", path);
  }
}

Status writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("write");
    }
    data.remove_prefix(n);
  }
  return {};
}

Status copyAll(int in, int out) {
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errnoError("read");
    if (n == 0) return {};
    TRY(writeAll(out, std::string_view(buf.data(), size_t(n))));
  }
}

Status fsyncDir(const std::string& dir) {
  UniqueFd fd = TRY(openFd(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) < 0) return errnoError("fsync {}", dir);
  return {};
}

static std::string dirName(const std::string& p) {
  auto pos = p.rfind('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return p.substr(0, pos);
}

namespace {

// Writes data to a fresh temp file beside path and renames it over path.
Status replaceFile(const std::string& path, std::string_view data, mode_t mode, bool durable) {
  TempFile tmp = TRY(createTempBeside(path, mode));
  auto fail = [&](Error e) {
    ::unlink(tmp.path.c_str());
    return e;
  };
  if (auto s = writeAll(tmp.fd.get(), data); !s)
    return fail(std::move(s).error().context(fmt::format("write {}", tmp.path)));
  if (durable && ::fsync(tmp.fd.get()) < 0) return fail(errnoError("fsync {}", tmp.path));
  tmp.fd.reset();
  if (::rename(tmp.path.c_str(), path.c_str()) < 0)
    return fail(errnoError("rename {} to {}", tmp.path, path));
  return durable ? fsyncDir(dirName(path)) : Status();
}

}  // namespace

Status writeFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  return replaceFile(path, data, mode, /*durable=*/true);
}

Status writeFileReplace(const std::string& path, std::string_view data, mode_t mode) {
  return replaceFile(path, data, mode, /*durable=*/false);
}

Status mkdirAll(const std::string& path, mode_t mode) {
  if (path.empty()) return {};
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return sysError(ENOTDIR, fmt::format("mkdir {}", path));
  }
  std::string parent = dirName(path);
  if (parent != path) TRY(mkdirAll(parent, mode));
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return errnoError("mkdir {}", path);
  return {};
}

static Status removeAt(int dirfd, const char* name, const std::string& shown) {
  if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return errnoError("remove {}", shown);
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    return errnoError("open {}", shown);
  }
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return errnoError("opendir {}", shown);
  }
  Status st;
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    st = removeAt(::dirfd(d), e->d_name, shown + "/" + e->d_name);
    if (!st) break;
  }
  ::closedir(d);
  if (!st) return st;
  if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errnoError("rmdir {}", shown);
  return {};
}

Status removeAll(const std::string& path) { return removeAt(AT_FDCWD, path.c_str(), path); }

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool isDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> listDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return errnoError("opendir {}", dir);
  std::vector<std::string> out;
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

static uint64_t sizeAt(int dirfd) {
  uint64_t total = 0;
  DIR* d = ::fdopendir(dirfd);
  if (!d) {
    ::close(dirfd);
    return 0;
  }
  while (struct dirent* e = ::readdir(d)) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      int fd = ::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) total += sizeAt(fd);
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      total += st.st_size;
    }
  }
  ::closedir(d);
  return total;
}

uint64_t dirSize(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? 0 : sizeAt(fd);
}

std::string joinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  out.append(b);
  return out;
}

}  // namespace berth::fs
