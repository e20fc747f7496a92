// PutSink: members created relative to directory fds opened in the root, never through a path string.
#include "copy/put.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "copy/resolve.h"
#include "copy/walk.h"

namespace berth::copy {

namespace {

// rm -rf of `name` in `dirfd`, never following links. A missing name is fine.
Status removeAllAt(int dirfd, const std::string& name, const std::string& shown) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return goSysError(errno, "remove", shown);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return goSysError(errno, "open", shown);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return goSysError(errno, "opendir", shown);
  }
  Status st;
  while (struct dirent* de = ::readdir(d)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    st = removeAllAt(::dirfd(d), de->d_name, shown + "/" + de->d_name);
    if (!st.ok()) break;
  }
  ::closedir(d);
  TRY(std::move(st));
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) return goSysError(errno, "remove", shown);
  return {};
}

bool isDirAt(int dirfd, const std::string& name) {
  struct stat st;
  return ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

void fixTimes(struct timespec ts[2], const Entry& e) {
  ts[0] = e.atime;
  ts[1] = e.mtime;
  bool atime_zero = e.atime.tv_sec == 0 && e.atime.tv_nsec == 0;
  if (atime_zero || e.atime.tv_sec < e.mtime.tv_sec ||
      (e.atime.tv_sec == e.mtime.tv_sec && e.atime.tv_nsec < e.mtime.tv_nsec))
    ts[0] = e.mtime;
}

void setXattrs(int fd, const Entry& e) {
  for (auto& [k, v] : e.xattrs) {
    if (k.rfind("trusted.overlay.", 0) == 0) continue;  // only whiteouts may carry these
    (void)::fsetxattr(fd, k.c_str(), v.data(), v.size(), 0);  // refused ones are skipped
  }
}

}  // namespace

Result<std::unique_ptr<PutSink>> PutSink::open(int root_fd, std::string_view directory, PutOptions opts) {
  std::string target = TRY(resolveIn(root_fd, directory, true));
  std::unique_ptr<PutSink> s(new PutSink(root_fd, target, std::move(opts)));
  auto fd = openIn(root_fd, target, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (fd.ok()) {
    struct stat st;
    if (::fstat(fd->get(), &st) < 0) return goSysError(errno, "stat", target);
    if (!S_ISDIR(st.st_mode))
      return makeError(Code::kFailedPrecondition, "{} ({}): exists but is not a directory",
                       std::string(directory), target);
  } else if (fd.error().code() != Code::kNotFound) {
    return std::move(fd).error();
  }
  TRY(s->ensureDir(target));
  return s;
}

Result<int> PutSink::ensureDir(const std::string& dir) {
  if (cached_fd_ && dir == cached_dir_) return cached_fd_.get();
  auto fd = openIn(root_, dir, O_PATH | O_DIRECTORY);
  if (!fd.ok()) {
    if (fd.error().code() != Code::kNotFound) return std::move(fd).error();
    // mkdir -p, each step beneath the previous one's fd.
    std::string cur = "/";
    UniqueFd curfd = TRY(openIn(root_, "/", O_PATH | O_DIRECTORY));
    IdPair owner = o_.chown_dirs.value_or(IdPair{});
    size_t i = 1;
    while (i < dir.size()) {
      size_t j = dir.find('/', i);
      if (j == std::string::npos) j = dir.size();
      std::string comp = dir.substr(i, j - i);
      i = j + 1;
      if (comp.empty()) continue;
      std::string next = (cur == "/" ? "" : cur) + "/" + comp;
      if (::mkdirat(curfd.get(), comp.c_str(), 0700) == 0) {
        (void)::fchownat(curfd.get(), comp.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW);
        if (std::none_of(dirs_.begin(), dirs_.end(), [&](auto& d) { return d.path == next; }))
          dirs_.push_back(DirFix{next, 0755, {}, {}, false});
      } else if (errno != EEXIST) {
        return goSysError(errno, "mkdir", next);
      }
      // Re-open through the root: an existing component may be a link (followed in the root).
      curfd = TRY(openIn(root_, next, O_PATH | O_DIRECTORY));
      cur = next;
    }
    fd = std::move(curfd);
  }
  cached_dir_ = dir;
  cached_fd_ = std::move(*fd);
  return cached_fd_.get();
}

Status PutSink::add(const Entry& e, Content* content) {
  if (e.name.empty()) {
    if (content) {
      Content skip = *content;
      UniqueFd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
      TRY(copyContent(skip, e.size, null.get()));
    }
    return {};
  }
  std::string rel = cleanRelative(applyRename(o_.rename, e.name));
  std::string path = rel == "." ? target_ : (target_ == "/" ? "" : target_) + "/" + rel;
  if (path == "/" || rel == ".") {
    // The target directory itself: only a directory member can describe it.
    if (e.type != EntryType::kDir) return goSysError(EISDIR, "open", path);
    DirFix f{path, e.mode, {}, {}, true};
    struct timespec ts[2];
    fixTimes(ts, e);
    f.atime = ts[0];
    f.mtime = ts[1];
    dirs_.push_back(f);
    return {};
  }
  int pfd = TRY(ensureDir(dirName(path)));
  Status s = create(e, content, pfd, baseName(path), path);
  if (!s.ok()) return std::move(s).error().context(fmt::format("error creating \"{}\"", path));
  return {};
}

Status PutSink::create(const Entry& e, Content* content, int pfd, const std::string& base,
                       const std::string& path) {
  bool is_dir = e.type == EntryType::kDir;
  IdPair owner{e.uid, e.gid};
  if (is_dir && o_.chown_dirs) owner = *o_.chown_dirs;
  if (!is_dir && o_.chown_files) owner = *o_.chown_files;
  struct timespec ts[2];
  fixTimes(ts, e);
  // Replaces whatever is at `base` (unless it is a directory we must keep) and retries `make`.
  auto replace = [&](const char* op, auto make) -> Status {
    if (make() == 0) return {};
    int err = errno;
    if (err != EEXIST) return goSysError(err, op, path);
    if (o_.no_overwrite_dir_nondir && isDirAt(pfd, base)) return goSysError(EEXIST, op, path);
    forget(path);
    TRY(removeAllAt(pfd, base, path));
    if (make() == 0) return {};
    return goSysError(errno, op, path);
  };
  switch (e.type) {
    case EntryType::kFile: {
      int fd = -1;
      TRY(replace("open", [&] {
        fd = ::openat(pfd, base.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        return fd < 0 ? -1 : 0;
      }));
      UniqueFd out(fd);
      if (content) TRY(copyContent(*content, e.size, out.get()));
      if (::fchown(out.get(), owner.uid, owner.gid) < 0) return goSysError(errno, "chown", path);
      if (::fchmod(out.get(), e.mode & 07777) < 0) return goSysError(errno, "chmod", path);
      if (o_.xattrs) setXattrs(out.get(), e);
      (void)::futimens(out.get(), ts);
      return {};
    }
    case EntryType::kDir: {
      if (::mkdirat(pfd, base.c_str(), 0700) < 0) {
        int err = errno;
        if (err != EEXIST) return goSysError(err, "mkdir", path);
        if (!isDirAt(pfd, base)) {
          if (o_.no_overwrite_nondir_dir) return goSysError(EEXIST, "mkdir", path);
          forget(path);
          if (::unlinkat(pfd, base.c_str(), 0) < 0) return goSysError(errno, "remove", path);
          if (::mkdirat(pfd, base.c_str(), 0700) < 0) return goSysError(errno, "mkdir", path);
        }
      }
      if (::fchownat(pfd, base.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) < 0)
        return goSysError(errno, "chown", path);
      if (o_.xattrs && !e.xattrs.empty()) {
        int dfd = ::openat(pfd, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0) {
          setXattrs(dfd, e);
          ::close(dfd);
        }
      }
      auto it = std::find_if(dirs_.begin(), dirs_.end(), [&](auto& d) { return d.path == path; });
      DirFix f{path, e.mode & 07777, ts[0], ts[1], true};
      if (it != dirs_.end()) *it = f;
      else dirs_.push_back(f);
      return {};
    }
    case EntryType::kSymlink:
      TRY(replace("symlink", [&] { return ::symlinkat(e.link.c_str(), pfd, base.c_str()); }));
      break;
    case EntryType::kHardlink: {
      std::string target_name = cleanRelative(applyRename(o_.rename, e.link));
      if (std::find(ignored_.begin(), ignored_.end(), target_name) != ignored_.end()) {
        ignored_.push_back(cleanRelative(applyRename(o_.rename, e.name)));
        return {};
      }
      std::string src = (target_ == "/" ? "" : target_) + "/" + target_name;
      UniqueFd sfd = TRY(openIn(root_, src, O_PATH | O_NOFOLLOW));
      struct stat sst;
      if (::fstat(sfd.get(), &sst) < 0 || S_ISDIR(sst.st_mode))
        return makeError(Code::kInvalidArgument, "hardlink target \"{}\" is a directory", src);
      TRY(replace("link", [&] { return ::linkat(sfd.get(), "", pfd, base.c_str(), AT_EMPTY_PATH); }));
      return {};  // a hardlink shares its target's owner, mode and times
    }
    case EntryType::kChar:
    case EntryType::kBlock: {
      if (o_.ignore_devices) {
        ignored_.push_back(cleanRelative(applyRename(o_.rename, e.name)));
        return {};
      }
      mode_t m = (e.type == EntryType::kChar ? S_IFCHR : S_IFBLK) | 0600;
      dev_t dev = makedev(e.dev_major, e.dev_minor);
      TRY(replace("mknod", [&] { return ::mknodat(pfd, base.c_str(), m, dev); }));
      break;
    }
    case EntryType::kFifo:
      TRY(replace("mkfifo", [&] { return ::mkfifoat(pfd, base.c_str(), 0600); }));
      break;
  }
  if (::fchownat(pfd, base.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) < 0)
    return goSysError(errno, "chown", path);
  if (e.type != EntryType::kSymlink) {
    // fchmodat follows links: chmod the very inode made above through its O_PATH fd,
    // so a running container swapping it for a link cannot redirect the chmod.
    int fd = ::openat(pfd, base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return goSysError(errno, "open", path);
    UniqueFd owned(fd);
    struct stat st;
    if (::fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))
      return makeError(Code::kInvalidArgument, "{}: changed while being created", path);
    if (::chmod(fmt::format("/proc/self/fd/{}", fd).c_str(), e.mode & 07777) < 0)
      return goSysError(errno, "chmod", path);
  }
  (void)::utimensat(pfd, base.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  return {};
}

Status PutSink::finish() {
  dropCache();
  // Deepest first: setting a child's times must not disturb its parent's afterwards.
  for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
    auto fd = openIn(root_, it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
    if (!fd.ok()) continue;  // replaced meanwhile
    (void)::fchmod(fd->get(), it->mode);
    if (it->times) {
      struct timespec ts[2] = {it->atime, it->mtime};
      (void)::futimens(fd->get(), ts);
    }
  }
  return {};
}

}  // namespace berth::copy
