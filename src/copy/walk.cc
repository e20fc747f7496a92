// Tree walks beneath a root fd: never following links below the top item, names relative to it.
#include "copy/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "copy/resolve.h"

namespace berth::copy {

Error goSysError(int e, std::string_view op, std::string_view path) {
  std::string text = std::strerror(e);
  if (!text.empty()) text[0] = char(std::tolower(static_cast<unsigned char>(text[0])));
  return Error(codeFromErrno(e), fmt::format("{} {}: {}", op, path, text));
}

namespace {

struct DevIno {
  dev_t dev;
  ino_t ino;
  bool operator==(const DevIno& o) const { return dev == o.dev && ino == o.ino; }
};
struct DevInoHash {
  size_t operator()(const DevIno& d) const { return std::hash<uint64_t>()(uint64_t(d.dev) * 1000003u ^ d.ino); }
};

Result<std::vector<std::string>> readNames(int dirfd, const std::string& where) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return goSysError(errno, "open", where);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return goSysError(errno, "opendir", where);
  }
  std::vector<std::string> out;
  errno = 0;
  while (struct dirent* de = ::readdir(d)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    out.emplace_back(de->d_name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

void readXattrs(int fd, Entry& e, bool keep_overlay) {
  char names[16384];
  ssize_t n = ::flistxattr(fd, names, sizeof names);
  if (n <= 0) return;
  for (ssize_t i = 0; i < n;) {
    std::string name(names + i);
    i += ssize_t(name.size()) + 1;
    // overlay's own attributes describe the layer, not the file.
    if (!keep_overlay && name.rfind("trusted.overlay.", 0) == 0) continue;
    char val[65536];
    ssize_t vn = ::fgetxattr(fd, name.c_str(), val, sizeof val);
    if (vn >= 0) e.xattrs.emplace_back(name, std::string(val, size_t(vn)));
  }
}

class Walker {
 public:
  Walker(const GetOptions& o, Sink& s) : o_(o), sink_(s) {}

  bool excluded(const std::string& inroot) const {
    std::string rel = inroot.size() > 1 ? inroot.substr(1) : "";
    for (auto& ex : o_.excludes)
      if (rel == ex || (rel.size() > ex.size() && rel.compare(0, ex.size(), ex) == 0 && rel[ex.size()] == '/'))
        return true;
    return false;
  }

  Entry fromStat(const struct stat& st, std::string name) {
    Entry e;
    e.name = applyRename(o_.rename, name);
    e.mode = st.st_mode & 07777;
    e.uid = o_.chown ? o_.chown->uid : st.st_uid;
    e.gid = o_.chown ? o_.chown->gid : st.st_gid;
    e.atime = st.st_atim;
    e.mtime = st.st_mtim;
    return e;
  }

  // One non-directory member: `fd_at`/`name_at` locate it (no links followed).
  Status emitOne(int dirfd, const std::string& name_at, const struct stat& st, const std::string& member,
                 const std::string& inroot) {
    Entry e = fromStat(st, member);
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {
        DevIno key{st.st_dev, st.st_ino};
        auto it = links_.find(key);
        if (it != links_.end()) {
          e.type = EntryType::kHardlink;
          e.link = it->second;
          return sink_.add(e, nullptr);
        }
        links_.emplace(key, e.name);
      }
      int fd = ::openat(dirfd, name_at.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT) return {};  // gone meanwhile, as copier tolerates
        return goSysError(errno, "open", inroot);
      }
      UniqueFd owned(fd);
      struct stat now;
      if (::fstat(fd, &now) < 0 || !S_ISREG(now.st_mode))
        return makeError(Code::kInvalidArgument, "{}: changed while being copied", inroot);
      e.type = EntryType::kFile;
      e.size = now.st_size;
      if (o_.xattrs) readXattrs(fd, e, o_.keep_overlay_xattrs);
      Content c{fd, nullptr};
      return sink_.add(e, &c);
    }
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(dirfd, name_at.c_str(), buf, sizeof buf);
      if (n < 0) return goSysError(errno, "readlink", inroot);
      e.type = EntryType::kSymlink;
      e.link.assign(buf, size_t(n));
      return sink_.add(e, nullptr);
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      e.type = S_ISCHR(st.st_mode) ? EntryType::kChar : EntryType::kBlock;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
      return sink_.add(e, nullptr);
    }
    if (S_ISFIFO(st.st_mode)) {
      e.type = EntryType::kFifo;
      return sink_.add(e, nullptr);
    }
    return {};  // sockets are skipped, as copier does
  }

  Status walkDir(int dirfd, const std::string& member, const std::string& inroot) {
    auto names = TRY(readNames(dirfd, inroot));
    for (auto& n : names) {
      std::string child_inroot = (inroot == "/" ? "" : inroot) + "/" + n;
      if (excluded(child_inroot)) continue;
      std::string child_member = member.empty() ? n : member + "/" + n;
      struct stat st;
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) continue;
        return goSysError(errno, "lstat", child_inroot);
      }
      if (!S_ISDIR(st.st_mode)) {
        TRY(emitOne(dirfd, n, st, child_member, child_inroot));
        continue;
      }
      int fd = ::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        if (errno == ENOENT) continue;
        return goSysError(errno, "open", child_inroot);
      }
      UniqueFd sub(fd);
      TRY(emitDir(sub.get(), st, child_member));
      TRY(walkDir(sub.get(), child_member, child_inroot));
    }
    return {};
  }

  Status emitDir(int fd, const struct stat& st, const std::string& member) {
    Entry e = fromStat(st, member);
    e.type = EntryType::kDir;
    if (o_.xattrs) readXattrs(fd, e, o_.keep_overlay_xattrs);
    return sink_.add(e, nullptr);
  }

 private:
  const GetOptions& o_;
  Sink& sink_;
  std::unordered_map<DevIno, std::string, DevInoHash> links_;
};

}  // namespace

Status getTree(int root_fd, std::string_view path, const GetOptions& opts, Sink& sink) {
  std::string item = cleanAbs(path);
  std::string member = opts.top_name.empty() ? baseName(path) : opts.top_name;  // "." for "/x/."
  // The item itself: its parents resolved in the root, the last component
  // followed only when it is a link to chase.
  std::string entry = item;
  if (item != "/") {
    std::string parent = TRY(resolveIn(root_fd, dirName(item), true));
    entry = (parent == "/" ? "" : parent) + "/" + baseName(item);
  }
  auto fd = openIn(root_fd, entry, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (!fd.ok()) return goSysError(fd.error().sysErrno() ? fd.error().sysErrno() : ENOENT, "lstat", item);
  struct stat st;
  if (::fstat(fd->get(), &st) < 0) return goSysError(errno, "lstat", item);
  if (S_ISLNK(st.st_mode) && opts.deref_top) {
    entry = TRY(resolveIn(root_fd, item, true));
    fd = openIn(root_fd, entry, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
    if (!fd.ok()) return goSysError(fd.error().sysErrno() ? fd.error().sysErrno() : ENOENT, "lstat", entry);
    if (::fstat(fd->get(), &st) < 0) return goSysError(errno, "lstat", entry);
  }
  Walker w(opts, sink);
  if (S_ISDIR(st.st_mode)) {
    UniqueFd dir = TRY(openIn(root_fd, entry, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS));
    std::string top = opts.keep_directory_names && member != "." && member != "/" ? member : "";
    if (!top.empty()) TRY(w.emitDir(dir.get(), st, top));
    TRY(w.walkDir(dir.get(), top, entry));
  } else {
    // The parent of the (possibly chased) entry holds it under its last name.
    std::string parent = dirName(entry);
    UniqueFd pfd = TRY(openIn(root_fd, parent, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS));
    TRY(w.emitOne(pfd.get(), baseName(entry), st, member, entry));
  }
  return sink.finish();
}

}  // namespace berth::copy
