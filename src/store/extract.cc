// Layer extraction: libarchive parses the tar, every write is done here relative to directory fds.
#include "store/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <unordered_set>
#include <vector>

#include "base/digest.h"
#include "base/fd.h"
#include "base/scope_exit.h"

namespace berth::store {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kWhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";
constexpr size_t kReadBufSize = 128 * 1024;

std::string joinComponents(const std::vector<std::string>& comps, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += comps[i];
  }
  return out;
}

// openat2 beneath `root`: symlinks (and magic links) anywhere in `path` fail
// with ELOOP instead of being followed; ".." cannot climb above `root`.
// Returns the fd or -errno.
int openInRoot(int root, const std::string& path, int flags) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = uint64_t(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const char* p = path.empty() ? "." : path.c_str();
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, root, p, &how, sizeof how);
    if (fd >= 0) return int(fd);
    // EAGAIN: a concurrent rename raced the lookup (openat2(2)); retry a few times.
    if ((errno == EAGAIN && attempt < 16) || errno == EINTR) continue;
    return -errno;
  }
}

Error resolveError(int e, const std::string& path) {
  switch (e) {
    case ELOOP:
      return Error(Code::kInvalidArgument,
                   fmt::format("\"{}\" passes through a symlink, refusing to follow it", path));
    case ENOTDIR:
      return Error(Code::kInvalidArgument,
                   fmt::format("\"{}\" passes through a non-directory", path));
    case EXDEV:
      return Error(Code::kInvalidArgument, fmt::format("\"{}\" escapes the layer root", path));
    default:
      return sysError(e, fmt::format("open \"{}\" in the layer", path));
  }
}

// rm -rf of `name` in `dirfd`, never following symlinks. A missing name is fine.
Status removeTreeAt(int dirfd, const std::string& name) {
  if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return errnoError("remove \"{}\"", name);
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errnoError("open \"{}\"", name);
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return errnoError("opendir \"{}\"", name);
  }
  Status st;
  while (struct dirent* de = ::readdir(d)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    st = removeTreeAt(::dirfd(d), de->d_name);
    if (!st) break;
  }
  ::closedir(d);
  TRY(std::move(st));
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errnoError("rmdir \"{}\"", name);
  return {};
}

Result<std::vector<std::string>> listAt(int dirfd) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoError("open directory");
  DIR* d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return errnoError("opendir");
  }
  std::vector<std::string> out;
  while (struct dirent* de = ::readdir(d)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    out.emplace_back(de->d_name);
  }
  ::closedir(d);
  return out;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

class Extractor {
 public:
  Extractor(WhiteoutMode mode) : mode_(mode), buf_(kReadBufSize) {}

  Result<LayerDigests> run(const Reader& blob, const std::string& target_dir);

 private:
  struct DirTimes {
    std::string path;
    struct timespec times[2];
  };

  static la_ssize_t readCallback(struct archive* a, void* self, const void** buf);
  Error archiveError(std::string_view what);

  Status apply(struct archive_entry* e);
  Status applyRoot(struct archive_entry* e);
  Status whiteout(const std::vector<std::string>& comps, struct archive_entry* e);
  Status hardlink(int parent, const std::string& name, const std::string& target);
  Status writeFile(int parent, const std::string& name, struct archive_entry* e);
  Status makeDir(int parent, const std::string& name, const std::string& path,
                 struct archive_entry* e);
  Status makeSymlink(int parent, const std::string& name, struct archive_entry* e);
  Status makeNode(int parent, const std::string& name, struct archive_entry* e);
  // chown, chmod (after chown: chown clears setuid), xattrs for an open file or dir.
  Status applyFdMeta(int fd, struct archive_entry* e);
  Status applyXattrs(struct archive_entry* e, int fd, int parent, const std::string& name);
  Status applyDirTimes();
  Status pruneOpaque(int dirfd, const std::string& path);

  // Resolves the first `n` components as a directory (O_PATH), creating
  // missing ones (0755) when `create`; kNotFound if missing otherwise.
  Result<UniqueFd> resolveDir(const std::vector<std::string>& comps, size_t n, bool create);
  // Removes whatever is at `name` unless it is a directory and `keep_dir`.
  // Returns true if a directory was kept.
  Result<bool> clearName(int parent, const std::string& name, bool keep_dir);

  WhiteoutMode mode_;
  UniqueFd root_;
  Reader tar_;
  std::unique_ptr<struct archive, ArchiveDeleter> archive_;
  std::vector<char> buf_;
  std::optional<Error> read_error_;
  // Paths ("a/b") this layer created or replaced: an opaque dir keeps only these (kVfs).
  std::unordered_set<std::string> added_;
  std::vector<DirTimes> dir_times_;
  bool root_seen_ = false;
};

la_ssize_t Extractor::readCallback(struct archive* a, void* self, const void** buf) {
  auto* x = static_cast<Extractor*>(self);
  auto r = x->tar_(x->buf_.data(), x->buf_.size());
  if (!r.ok()) {
    x->read_error_ = r.error();
    archive_set_error(a, EIO, "%s", r.error().what().c_str());
    return -1;
  }
  *buf = x->buf_.data();
  return la_ssize_t(*r);
}

Error Extractor::archiveError(std::string_view what) {
  if (read_error_) return *read_error_;
  const char* msg = archive_error_string(archive_.get());
  return makeError(Code::kDataLoss, "{}: {}", what, msg ? msg : "unknown libarchive error");
}

Result<LayerDigests> Extractor::run(const Reader& blob, const std::string& target_dir) {
  int fd = ::open(target_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoError("open layer directory {}", target_dir);
  root_.reset(fd);

  LayerDigests out;
  Sha256 compressed_hash;
  Sha256 tar_hash;
  Reader counted = [&](char* b, size_t n) -> Result<size_t> {
    size_t r = TRY(blob(b, n));
    out.compressed_size += r;
    return r;
  };
  Compression compression = Compression::kNone;
  Reader plain = TRY(decompressingReader(counted, &compressed_hash, &compression));
  tar_ = [&](char* b, size_t n) -> Result<size_t> {
    size_t r = TRY(plain(b, n));
    tar_hash.update(b, r);
    out.diff_size += r;
    return r;
  };

  // The Readers above live in this frame: drop everything that refers to them on return.
  ScopeExit release([&] {
    archive_.reset();
    tar_ = nullptr;
  });
  archive_.reset(archive_read_new());
  if (!archive_) return makeError(Code::kInternal, "archive_read_new failed");
  // Tar formats only (ustar, pax, GNU): no libarchive filters, decompression is ours.
  archive_read_support_format_tar(archive_.get());
  archive_read_support_format_empty(archive_.get());
  if (archive_read_open(archive_.get(), this, nullptr, &Extractor::readCallback, nullptr) !=
      ARCHIVE_OK)
    return archiveError("open layer tar");

  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(archive_.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return archiveError("read layer tar");
    const char* name = archive_entry_pathname(e);
    TRY_CTX(apply(e), "layer entry \"{}\"", name ? name : "");
  }
  // Drain what follows the end-of-archive blocks so the digests cover the whole blob.
  for (;;) {
    size_t r = TRY(tar_(buf_.data(), buf_.size()));
    if (r == 0) break;
  }
  TRY(applyDirTimes());

  out.diff_id = tar_hash.digest();
  // An uncompressed blob is its own diff: hashed once.
  out.compressed_digest = compression == Compression::kNone ? out.diff_id : compressed_hash.digest();
  out.has_root = root_seen_;
  return out;
}

Result<UniqueFd> Extractor::resolveDir(const std::vector<std::string>& comps, size_t n,
                                       bool create) {
  std::string path = joinComponents(comps, n);
  int fd = openInRoot(root_.get(), path, O_PATH | O_DIRECTORY);
  if (fd >= 0) return UniqueFd(fd);
  if (fd != -ENOENT) return resolveError(-fd, path);
  if (!create)
    return Error(Code::kNotFound, fmt::format("\"{}\" does not exist in the layer", path));
  // Walk down creating what is missing; each step is again confined to the root.
  UniqueFd cur(openInRoot(root_.get(), "", O_PATH | O_DIRECTORY));
  if (!cur) return errnoError("open layer root");
  for (size_t i = 0; i < n; ++i) {
    const std::string& c = comps[i];
    int next = openInRoot(cur.get(), c, O_PATH | O_DIRECTORY);
    if (next == -ENOENT) {
      if (::mkdirat(cur.get(), c.c_str(), 0755) < 0 && errno != EEXIST)
        return errnoError("mkdir \"{}\"", joinComponents(comps, i + 1));
      next = openInRoot(cur.get(), c, O_PATH | O_DIRECTORY);
      if (next >= 0) {
        // Not subject to the umask; a plain directory like tar's implicit parents.
        if (::fchmodat(next, ".", 0755, 0) < 0)
          return errnoError("chmod \"{}\"", joinComponents(comps, i + 1));
        added_.insert(joinComponents(comps, i + 1));
      }
    }
    if (next < 0) return resolveError(-next, joinComponents(comps, i + 1));
    cur.reset(next);
  }
  return cur;
}

Result<bool> Extractor::clearName(int parent, const std::string& name, bool keep_dir) {
  struct stat st;
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return false;
    return errnoError("stat \"{}\"", name);
  }
  if (keep_dir && S_ISDIR(st.st_mode)) return true;
  TRY(removeTreeAt(parent, name));
  return false;
}

Status Extractor::apply(struct archive_entry* e) {
  const char* raw = archive_entry_pathname(e);
  if (!raw) return makeError(Code::kInvalidArgument, "entry has no name");
  std::vector<std::string> comps = TRY(splitEntryName(raw));
  if (comps.empty()) return applyRoot(e);
  const std::string& name = comps.back();
  if (name.starts_with(kWhiteoutPrefix)) return whiteout(comps, e);

  UniqueFd parent = TRY(resolveDir(comps, comps.size() - 1, true));
  std::string path = joinComponents(comps, comps.size());
  added_.insert(path);
  if (const char* target = archive_entry_hardlink(e)) {
    return hardlink(parent.get(), name, target);
  }
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return writeFile(parent.get(), name, e);
    case AE_IFDIR:
      return makeDir(parent.get(), name, path, e);
    case AE_IFLNK:
      return makeSymlink(parent.get(), name, e);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return makeNode(parent.get(), name, e);
    default:
      // Sockets and unknown types carry nothing a layer needs (tar skips sockets too).
      return {};
  }
}

Status Extractor::applyRoot(struct archive_entry* e) {
  if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e))
    return makeError(Code::kInvalidArgument, "the layer root can only be a directory");
  UniqueFd fd(openInRoot(root_.get(), "", O_RDONLY | O_DIRECTORY));
  if (!fd) return errnoError("open layer root");
  TRY(applyFdMeta(fd.get(), e));
  root_seen_ = true;
  dir_times_.push_back({"",
                        {{archive_entry_atime(e), archive_entry_atime_nsec(e)},
                         {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}}});
  return {};
}

struct timespec entryTime(time_t s, long ns) {
  return {s, ns};
}

void entryTimes(struct archive_entry* e, struct timespec out[2]) {
  out[1] = entryTime(archive_entry_mtime(e), archive_entry_mtime_nsec(e));
  out[0] = archive_entry_atime_is_set(e)
               ? entryTime(archive_entry_atime(e), archive_entry_atime_nsec(e))
               : out[1];
}

Status Extractor::writeFile(int parent, const std::string& name, struct archive_entry* e) {
  TRY(clearName(parent, name, false));
  UniqueFd fd(
      ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return errnoError("create file");
  for (;;) {
    const void* data = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(archive_.get(), &data, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) return archiveError("read file data");
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t w = ::pwrite(fd.get(), p, size, offset);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errnoError("write file");
      }
      p += w;
      offset += w;
      size -= size_t(w);
    }
  }
  // Sparse files may end in a hole.
  if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) < 0)
    return errnoError("truncate file");
  TRY(applyFdMeta(fd.get(), e));
  struct timespec ts[2];
  entryTimes(e, ts);
  if (::futimens(fd.get(), ts) < 0) return errnoError("set times");
  return {};
}

Status Extractor::makeDir(int parent, const std::string& name, const std::string& path,
                          struct archive_entry* e) {
  bool kept = TRY(clearName(parent, name, true));
  if (!kept && ::mkdirat(parent, name.c_str(), 0700) < 0) return errnoError("mkdir");
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return errnoError("open directory");
  TRY(applyFdMeta(fd.get(), e));
  // Applied at the end: creating children changes a directory's mtime.
  DirTimes t{path, {}};
  entryTimes(e, t.times);
  dir_times_.push_back(std::move(t));
  return {};
}

Status Extractor::makeSymlink(int parent, const std::string& name, struct archive_entry* e) {
  const char* target = archive_entry_symlink(e);
  if (!target || !*target) return makeError(Code::kInvalidArgument, "symlink without a target");
  TRY(clearName(parent, name, false));
  // The target is stored verbatim (absolute or with ".." is legal); it is never followed here.
  if (::symlinkat(target, parent, name.c_str()) < 0) return errnoError("symlink");
  if (::fchownat(parent, name.c_str(), archive_entry_uid(e), archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0)
    return errnoError("lchown");
  TRY(applyXattrs(e, -1, parent, name));
  struct timespec ts[2];
  entryTimes(e, ts);
  if (::utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0)
    return errnoError("set times");
  return {};
}

Status Extractor::makeNode(int parent, const std::string& name, struct archive_entry* e) {
  TRY(clearName(parent, name, false));
  mode_t type = archive_entry_filetype(e);
  dev_t dev =
      type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
  if (::mknodat(parent, name.c_str(), type | 0600, dev) < 0) return errnoError("mknod");
  if (::fchownat(parent, name.c_str(), archive_entry_uid(e), archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0)
    return errnoError("lchown");
  // The node was just created by us under a pinned parent: not a symlink, so
  // fchmodat (which follows) acts on it. Opening a device or fifo is not an option.
  if (::fchmodat(parent, name.c_str(), archive_entry_perm(e) & 07777, 0) < 0)
    return errnoError("chmod");
  TRY(applyXattrs(e, -1, parent, name));
  struct timespec ts[2];
  entryTimes(e, ts);
  if (::utimensat(parent, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0)
    return errnoError("set times");
  return {};
}

Status Extractor::hardlink(int parent, const std::string& name, const std::string& target) {
  auto tcomps = splitEntryName(target);
  if (!tcomps.ok())
    return std::move(tcomps).error().context(fmt::format("hardlink target \"{}\"", target));
  if (tcomps->empty())
    return makeError(Code::kInvalidArgument, "hardlink target \"{}\" is the layer root", target);
  auto tparent = resolveDir(*tcomps, tcomps->size() - 1, false);
  if (!tparent.ok()) {
    return std::move(tparent).error().context(
        fmt::format("hardlink target \"{}\" is not in the layer", target));
  }
  const std::string& tname = tcomps->back();
  struct stat st;
  if (::fstatat(tparent->get(), tname.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT)
      return makeError(Code::kInvalidArgument, "hardlink target \"{}\" does not exist in the layer",
                       target);
    return errnoError("hardlink target \"{}\"", target);
  }
  if (S_ISDIR(st.st_mode))
    return makeError(Code::kInvalidArgument, "hardlink target \"{}\" is a directory", target);
  struct stat self;
  if (::fstatat(parent, name.c_str(), &self, AT_SYMLINK_NOFOLLOW) == 0 &&
      self.st_dev == st.st_dev && self.st_ino == st.st_ino)
    return {};  // Already the same file (a link to itself).
  TRY(clearName(parent, name, false));
  // flags 0: a symlink target is linked itself, not followed.
  if (::linkat(tparent->get(), tname.c_str(), parent, name.c_str(), 0) < 0)
    return errnoError("link to \"{}\"", target);
  return {};
}

Status Extractor::whiteout(const std::vector<std::string>& comps, struct archive_entry* e) {
  const std::string& base = comps.back();
  bool overlay = mode_ == WhiteoutMode::kOverlay;
  if (base == kOpaqueWhiteout) {
    auto parent = resolveDir(comps, comps.size() - 1, overlay);
    if (!parent.ok() && parent.error().code() == Code::kNotFound) return {};  // nothing to hide
    UniqueFd dir = TRY(std::move(parent));
    if (overlay) {
      UniqueFd fd(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!fd) return errnoError("open directory");
      if (::fsetxattr(fd.get(), "trusted.overlay.opaque", "y", 1, 0) < 0)
        return errnoError("set trusted.overlay.opaque");
      return {};
    }
    return pruneOpaque(dir.get(), joinComponents(comps, comps.size() - 1));
  }
  if (base.starts_with(kWhiteoutMetaPrefix)) return {};  // e.g. .wh..wh.plnk: aufs bookkeeping
  std::string name = base.substr(kWhiteoutPrefix.size());
  if (name.empty() || name == "." || name == "..")
    return makeError(Code::kInvalidArgument, "invalid whiteout name");
  std::vector<std::string> target = comps;
  target.back() = name;
  auto parent = resolveDir(comps, comps.size() - 1, overlay);
  if (!parent.ok() && parent.error().code() == Code::kNotFound) return {};
  UniqueFd dir = TRY(std::move(parent));
  TRY(removeTreeAt(dir.get(), name));
  if (!overlay) return {};
  // overlayfs whiteout: a character device 0/0 (Documentation/filesystems/overlayfs.rst).
  if (::mknodat(dir.get(), name.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
    return errnoError("mknod whiteout");
  if (::fchownat(dir.get(), name.c_str(), archive_entry_uid(e), archive_entry_gid(e),
                 AT_SYMLINK_NOFOLLOW) < 0)
    return errnoError("lchown whiteout");
  added_.insert(joinComponents(target, target.size()));
  return {};
}

Status Extractor::pruneOpaque(int dirfd, const std::string& path) {
  std::vector<std::string> names = TRY(listAt(dirfd));
  for (const std::string& n : names) {
    std::string child = path.empty() ? n : path + "/" + n;
    if (!added_.count(child)) {
      TRY(removeTreeAt(dirfd, n));
      continue;
    }
    struct stat st;
    if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return errnoError("stat");
    if (!S_ISDIR(st.st_mode)) continue;
    // A directory of this layer replaces the lower one whole: prune inside too.
    UniqueFd sub(::openat(dirfd, n.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) return errnoError("open \"{}\"", child);
    TRY(pruneOpaque(sub.get(), child));
  }
  return {};
}

Status Extractor::applyFdMeta(int fd, struct archive_entry* e) {
  if (::fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0) return errnoError("chown");
  if (::fchmod(fd, archive_entry_perm(e) & 07777) < 0) return errnoError("chmod");
  return applyXattrs(e, fd, -1, {});
}

Status Extractor::applyXattrs(struct archive_entry* e, int fd, int parent,
                              const std::string& name) {
  if (archive_entry_xattr_reset(e) == 0) return {};
  const char* key = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  std::string proc_path;
  if (fd < 0) proc_path = fmt::format("/proc/self/fd/{}/{}", parent, name);
  while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
    std::string_view k(key);
    // Overlay metadata (opaque, redirect, metacopy) must only come from whiteouts.
    if (k.starts_with("trusted.overlay.")) continue;
    // lsetxattr on <pinned parent fd>/<name>: the last component is not followed.
    int rc = fd >= 0 ? ::fsetxattr(fd, key, value, size, 0)
                     : ::lsetxattr(proc_path.c_str(), key, value, size, 0);
    if (rc < 0) {
      // Not every file system supports every namespace (user.* on symlinks, no
      // xattrs at all); containers/storage skips these too.
      if (errno == ENOTSUP || errno == EPERM) continue;
      return errnoError("set xattr {}", key);
    }
  }
  return {};
}

Status Extractor::applyDirTimes() {
  for (const DirTimes& t : dir_times_) {
    int fd = openInRoot(root_.get(), t.path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) continue;  // replaced or whited out by a later entry
    UniqueFd dir(fd);
    if (::futimens(dir.get(), t.times) < 0) return errnoError("set times of \"{}\"", t.path);
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> splitEntryName(std::string_view name) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view c = name.substr(i, j - i);
    if (c == "..") return makeError(Code::kInvalidArgument, "path escapes the layer root");
    if (!c.empty() && c != ".") out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

Result<LayerDigests> extractLayer(const Reader& blob, const std::string& target_dir,
                                  WhiteoutMode mode) {
  Extractor x(mode);
  return x.run(blob, target_dir);
}

}  // namespace berth::store
