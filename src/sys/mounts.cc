// Mount syscalls, mount detection by mount ID, mount-bounded removal.
#include "sys/mounts.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/fs.h"

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

namespace {

// statx of `name` relative to `dirfd` ("" with AT_EMPTY_PATH: the fd itself), never
// following a final symlink nor triggering an automount.
bool statxOf(int dirfd, const char* name, int extra_flags, struct statx* out) {
  std::memset(out, 0, sizeof *out);
  return ::statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | extra_flags,
                 STATX_BASIC_STATS | STATX_MNT_ID, out) == 0;
}

// Undoes mountinfo's octal escapes (\040 for a space, ...).
std::string unescapeMountinfo(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 4 <= s.size() &&
        s.substr(i + 1, 3).find_first_not_of("01234567") == std::string_view::npos) {
      out += char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct MountEntry {
  uint64_t id = 0;
  std::string point;
};

// /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...".
std::vector<MountEntry> readMountinfo() {
  std::vector<MountEntry> out;
  auto text = fs::readFile("/proc/self/mountinfo");
  if (!text.ok()) return out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    std::vector<std::string_view> fields;
    for (size_t pos = 0; pos < line.size() && fields.size() < 5;) {
      size_t sp = line.find(' ', pos);
      if (sp == std::string_view::npos) sp = line.size();
      fields.push_back(line.substr(pos, sp - pos));
      pos = sp + 1;
    }
    if (fields.size() < 5) continue;
    MountEntry e;
    e.id = std::strtoull(std::string(fields[0]).c_str(), nullptr, 10);
    e.point = unescapeMountinfo(fields[4]);
    out.push_back(std::move(e));
  }
  return out;
}

std::string realPath(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> r(::realpath(path.c_str(), nullptr), &std::free);
  return r ? std::string(r.get()) : std::string();
}

// The mount ID from mountinfo: the last-mounted entry whose mount point is the longest
// prefix of the resolved path (later entries stack over earlier ones).
std::optional<uint64_t> mountIdFromMountinfo(const std::string& path) {
  std::string real = realPath(path);
  if (real.empty()) return std::nullopt;
  std::optional<uint64_t> best;
  size_t best_len = 0;
  for (auto& m : readMountinfo()) {
    bool under = real == m.point || m.point == "/" ||
                 (real.size() > m.point.size() && real.compare(0, m.point.size(), m.point) == 0 &&
                  real[m.point.size()] == '/');
    if (under && (!best || m.point.size() >= best_len)) {
      best = m.id;
      best_len = m.point.size();
    }
  }
  return best;
}

}  // namespace

bool isMountPoint(const std::string& path) {
  struct statx sx;
  if (!statxOf(AT_FDCWD, path.c_str(), 0, &sx)) return false;
  if (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  struct statx parent;
  if ((sx.stx_mask & STATX_MNT_ID) && statxOf(AT_FDCWD, (path + "/..").c_str(), 0, &parent) &&
      (parent.stx_mask & STATX_MNT_ID))
    return sx.stx_mnt_id != parent.stx_mnt_id ||
           (sx.stx_ino == parent.stx_ino && sx.stx_dev_major == parent.stx_dev_major &&
            sx.stx_dev_minor == parent.stx_dev_minor);
  std::string real = realPath(path);
  if (real.empty()) return false;
  for (auto& m : readMountinfo())
    if (m.point == real) return true;
  return false;
}

Result<uint64_t> mountId(const std::string& path) {
  struct statx sx;
  if (!statxOf(AT_FDCWD, path.c_str(), 0, &sx)) return errnoError("statx {}", path);
  if (sx.stx_mask & STATX_MNT_ID) return uint64_t(sx.stx_mnt_id);
  if (auto id = mountIdFromMountinfo(path)) return *id;
  return makeError(Code::kUnimplemented, "cannot tell the mount of {}", path);
}

namespace {

class OneMountRemover {
 public:
  // `mnt` is the mount ID every directory must have; `use_mnt_id` false falls back to st_dev.
  OneMountRemover(uint64_t mnt, bool use_mnt_id, dev_t dev) : mnt_(mnt), use_mnt_id_(use_mnt_id), dev_(dev) {}

  Status removeAt(int dirfd, const char* name, const std::string& shown) {
    if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return {};
    if (errno != EISDIR && errno != EPERM) return errnoError("remove {}", shown);
    int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return {};
      return errnoError("open {}", shown);
    }
    UniqueFd owned(fd);
    TRY(checkSameMount(fd, shown));
    DIR* d = ::fdopendir(owned.release());
    if (!d) {
      ::close(fd);
      return errnoError("opendir {}", shown);
    }
    std::unique_ptr<DIR, int (*)(DIR*)> closer(d, ::closedir);
    while (struct dirent* e = ::readdir(d)) {
      if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
      TRY(removeAt(::dirfd(d), e->d_name, shown + "/" + e->d_name));
    }
    closer.reset();
    if (::unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) return errnoError("rmdir {}", shown);
    return {};
  }

 private:
  Status checkSameMount(int fd, const std::string& shown) {
    struct statx sx;
    if (!statxOf(fd, "", AT_EMPTY_PATH, &sx)) return errnoError("statx {}", shown);
    bool other = use_mnt_id_ ? sx.stx_mnt_id != mnt_ : makedev(sx.stx_dev_major, sx.stx_dev_minor) != dev_;
    if (other)
      return makeError(Code::kFailedPrecondition, "refusing to remove {}: a mount point (unmount it first)", shown);
    return {};
  }

  uint64_t mnt_;
  bool use_mnt_id_;
  dev_t dev_;
};

}  // namespace

Status removeAllOnOneMount(const std::string& path) {
  struct statx sx;
  if (!statxOf(AT_FDCWD, path.c_str(), 0, &sx)) {
    if (errno == ENOENT) return {};
    return errnoError("statx {}", path);
  }
  bool use_mnt_id = (sx.stx_mask & STATX_MNT_ID) != 0;
  if (S_ISDIR(sx.stx_mode)) {
    // The top itself must not be a mount root either: its own removal would go through it.
    if (isMountPoint(path))
      return makeError(Code::kFailedPrecondition, "refusing to remove {}: a mount point (unmount it first)", path);
    if (!use_mnt_id) {
      // No mount IDs: refuse up front when mountinfo lists a mount below `path`.
      std::string real = realPath(path);
      for (auto& m : readMountinfo())
        if (!real.empty() && m.point.size() > real.size() && m.point.compare(0, real.size(), real) == 0 &&
            m.point[real.size()] == '/')
          return makeError(Code::kFailedPrecondition, "refusing to remove {}: {} is mounted below it", path,
                           m.point);
    }
  }
  OneMountRemover r(sx.stx_mnt_id, use_mnt_id, makedev(sx.stx_dev_major, sx.stx_dev_minor));
  return r.removeAt(AT_FDCWD, path.c_str(), path);
}

}  // namespace berth::sys
