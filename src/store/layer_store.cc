// Layer store: build in tmp-*, verify, fsync, rename into <chain-hex>; short l/ links for overlay.
#include "store/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <utility>

#include "base/digest.h"
#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/scope_exit.h"
#include "base/timefmt.h"
#include "store/extract.h"

namespace berth::store {

namespace {

constexpr size_t kMountDataMax = 4096 - 1;  // one page, NUL included (mount(2))
constexpr int kLinkLength = 26;             // containers/storage's l/ names

std::string randomName(int n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // base32
  unsigned char bytes[64];
  size_t got = 0;
  while (got < size_t(n)) {
    ssize_t r = ::getrandom(bytes + got, size_t(n) - got, 0);
    if (r > 0) got += size_t(r);
  }
  std::string out;
  for (int i = 0; i < n; ++i) out += kAlphabet[bytes[i] % 32];
  return out;
}

// A directory under construction, locked with flock so that cleanup() in
// another process leaves it alone; the lock dies with the process.
struct LockedDir {
  std::string path;
  UniqueFd fd;
};

Result<LockedDir> makeLockedTmp(const std::string& root, const std::string& prefix) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string tmpl = fmt::format("{}/{}XXXXXX", root, prefix);
    if (!::mkdtemp(tmpl.data())) return errnoError("mkdtemp {}", tmpl);
    UniqueFd fd(::open(tmpl.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == ENOENT) continue;  // another writer's cleanup() took it before we opened it
    if (!fd) return errnoError("open {}", tmpl);
    if (::flock(fd.get(), LOCK_EX) < 0) return errnoError("lock {}", tmpl);
    // cleanup() may have removed it between mkdtemp and flock.
    struct stat st;
    if (::fstat(fd.get(), &st) == 0 && st.st_nlink > 0) return LockedDir{tmpl, std::move(fd)};
  }
  return makeError(Code::kUnavailable, "cannot create a temporary directory in {}", root);
}

Json toJson(const LayerInfo& l) {
  return Json{{"chain_id", l.chain_id},
              {"diff_id", l.diff_id},
              {"parent", l.parent},
              {"diff_size", l.diff_size},
              {"compressed_digest", l.compressed_digest},
              {"compressed_size", l.compressed_size},
              {"created", l.created},
              {"link", l.link},
              {"has_root", l.has_root}};
}

Result<LayerInfo> fromJson(const Json& j) {
  try {
    LayerInfo l;
    l.chain_id = j.at("chain_id").get<std::string>();
    l.diff_id = j.at("diff_id").get<std::string>();
    l.parent = j.value("parent", "");
    l.diff_size = j.value("diff_size", uint64_t(0));
    l.compressed_digest = j.value("compressed_digest", "");
    l.compressed_size = j.value("compressed_size", uint64_t(0));
    l.created = j.value("created", "");
    l.link = j.value("link", "");
    l.has_root = j.value("has_root", false);
    return l;
  } catch (const std::exception& e) {
    return makeError(Code::kDataLoss, "malformed layer metadata: {}", e.what());
  }
}

// ---- copyTree ----

bool ignorableXattrError(int e) { return e == ENOTSUP || e == EPERM; }

// Copies the xattrs of src to dst; fds when both are >= 0, else the paths
// (never following a final symlink).
Status copyXattrs(int sfd, int dfd, const std::string& spath, const std::string& dpath) {
  bool by_fd = sfd >= 0 && dfd >= 0;
  std::string names(4096, '\0');
  for (;;) {
    ssize_t n = by_fd ? ::flistxattr(sfd, names.data(), names.size())
                      : ::llistxattr(spath.c_str(), names.data(), names.size());
    if (n >= 0) {
      names.resize(size_t(n));
      break;
    }
    if (errno == ERANGE) {
      names.resize(names.size() * 4);
      continue;
    }
    if (ignorableXattrError(errno)) return {};
    return errnoError("list xattrs");
  }
  for (size_t i = 0; i < names.size();) {
    const char* name = names.data() + i;
    i += std::strlen(name) + 1;
    std::string value(256, '\0');
    ssize_t v;
    for (;;) {
      v = by_fd ? ::fgetxattr(sfd, name, value.data(), value.size())
                : ::lgetxattr(spath.c_str(), name, value.data(), value.size());
      if (v >= 0 || errno != ERANGE) break;
      value.resize(value.size() * 4);
    }
    if (v < 0) return errnoError("get xattr {}", name);
    int rc = by_fd ? ::fsetxattr(dfd, name, value.data(), size_t(v), 0)
                   : ::lsetxattr(dpath.c_str(), name, value.data(), size_t(v), 0);
    if (rc < 0 && !ignorableXattrError(errno)) return errnoError("set xattr {}", name);
  }
  return {};
}

Status copyData(int sfd, int dfd) {
  for (;;) {
    ssize_t n = ::copy_file_range(sfd, nullptr, dfd, nullptr, 1 << 30, 0);
    if (n == 0) return {};
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return errnoError("copy_file_range");
    break;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(sfd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read");
    }
    if (n == 0) return {};
    TRY(fs::writeAll(dfd, std::string_view(buf, size_t(n))));
  }
}

class TreeCopier {
 public:
  explicit TreeCopier(int dst_root) : dst_root_(dst_root) {}

  // Copies the entries of directory sfd into directory dfd; `rel` is dfd's path below dst_root.
  Status copyDir(int sfd, int dfd, const std::string& rel) {
    UniqueFd listing(::openat(sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!listing) return errnoError("open {}", rel);
    DIR* d = ::fdopendir(listing.release());
    if (!d) return errnoError("opendir {}", rel);
    std::unique_ptr<DIR, int (*)(DIR*)> closer(d, ::closedir);
    while (struct dirent* de = ::readdir(d)) {
      if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
      std::string child = rel.empty() ? de->d_name : rel + "/" + de->d_name;
      TRY_CTX(copyEntry(sfd, dfd, de->d_name, child), "copy {}", child);
    }
    return {};
  }

  // Ownership, mode, xattrs and times of an open file or directory.
  static Status copyFdMeta(int sfd, int dfd, const struct stat& st) {
    if (::fchown(dfd, st.st_uid, st.st_gid) < 0) return errnoError("chown");
    if (::fchmod(dfd, st.st_mode & 07777) < 0) return errnoError("chmod");
    TRY(copyXattrs(sfd, dfd, {}, {}));
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (::futimens(dfd, ts) < 0) return errnoError("set times");
    return {};
  }

 private:
  Status copyEntry(int sfd, int dfd, const char* name, const std::string& rel) {
    struct stat st;
    if (::fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errnoError("stat");
    if (S_ISDIR(st.st_mode)) {
      UniqueFd s(::openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s) return errnoError("open");
      if (::mkdirat(dfd, name, 0700) < 0) return errnoError("mkdir");
      UniqueFd dd(::openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!dd) return errnoError("open copy");
      TRY(copyDir(s.get(), dd.get(), rel));
      return copyFdMeta(s.get(), dd.get(), st);  // after the children: times
    }
    if (st.st_nlink > 1) {
      auto it = links_.find({st.st_dev, st.st_ino});
      if (it != links_.end()) {
        if (::linkat(dst_root_, it->second.c_str(), dfd, name, 0) < 0) return errnoError("link");
        return {};
      }
      links_[{st.st_dev, st.st_ino}] = rel;
    }
    if (S_ISREG(st.st_mode)) {
      UniqueFd s(::openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!s) return errnoError("open");
      UniqueFd dd(::openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (!dd) return errnoError("create");
      TRY(copyData(s.get(), dd.get()));
      return copyFdMeta(s.get(), dd.get(), st);
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(size_t(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(sfd, name, target.data(), target.size());
      if (n < 0) return errnoError("readlink");
      target.resize(size_t(n));
      if (::symlinkat(target.c_str(), dfd, name) < 0) return errnoError("symlink");
    } else {
      if (::mknodat(dfd, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
        return errnoError("mknod");
    }
    if (::fchownat(dfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
      return errnoError("lchown");
    // Just created by us, not a symlink: fchmodat acts on the node itself.
    if (!S_ISLNK(st.st_mode) && ::fchmodat(dfd, name, st.st_mode & 07777, 0) < 0)
      return errnoError("chmod");
    TRY(copyXattrs(-1, -1, fmt::format("/proc/self/fd/{}/{}", sfd, name),
                   fmt::format("/proc/self/fd/{}/{}", dfd, name)));
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (::utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0) return errnoError("set times");
    return {};
  }

  int dst_root_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

Status copyTree(const std::string& src, const std::string& dst) {
  UniqueFd s = TRY(fs::openFd(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  UniqueFd d = TRY(fs::openFd(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  TreeCopier copier(d.get());
  TRY_CTX(copier.copyDir(s.get(), d.get(), ""), "copy {} to {}", src, dst);
  struct stat st;
  if (::fstat(s.get(), &st) < 0) return errnoError("stat {}", src);
  TRY_CTX(TreeCopier::copyFdMeta(s.get(), d.get(), st), "copy {} to {}", src, dst);
  return {};
}

std::string chainId(const std::string& parent_chain_id, const std::string& diff_id) {
  if (parent_chain_id.empty()) return diff_id;
  return sha256Digest(parent_chain_id + " " + diff_id);
}

LayerStore::LayerStore(std::string root, Driver driver) : root_(std::move(root)), driver_(driver) {}

std::string LayerStore::layerDir(const std::string& chain_id) const {
  return fmt::format("{}/{}", root_, digestHex(chain_id));
}

bool LayerStore::exists(const std::string& chain_id) const {
  if (!validateDigest(chain_id).ok()) return false;
  return fs::exists(layerDir(chain_id) + "/meta.json");
}

Result<LayerInfo> LayerStore::get(const std::string& chain_id) const {
  TRY(validateDigest(chain_id));
  std::string dir = layerDir(chain_id);
  auto text = fs::readFile(dir + "/meta.json");
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound)
      return makeError(Code::kNotFound, "layer {} not found", chain_id);
    return std::move(text).error().context(fmt::format("layer {}", chain_id));
  }
  Json j = TRY_CTX(parseJson(*text, "layer metadata"), "layer {}", chain_id);
  LayerInfo info = TRY_CTX(fromJson(j), "layer {}", chain_id);
  info.path = dir + "/diff";
  return info;
}

Result<std::vector<LayerInfo>> LayerStore::list() const {
  std::vector<LayerInfo> out;
  if (!fs::isDir(root_)) return out;
  for (const std::string& name : TRY(fs::listDir(root_))) {
    if (name.size() != 64 || name.find_first_not_of("0123456789abcdef") != std::string::npos)
      continue;
    auto info = get("sha256:" + name);
    if (info.ok()) out.push_back(std::move(info).value());
  }
  return out;
}

Result<std::vector<std::string>> LayerStore::chainOf(const std::string& top_chain_id) const {
  std::vector<std::string> out;
  for (std::string id = top_chain_id; !id.empty();) {
    LayerInfo info = TRY(get(id));
    out.push_back(id);
    id = info.parent;
  }
  return out;
}

Status LayerStore::ensureLink(const LayerInfo& info) {
  if (info.link.empty()) return {};
  std::string dir = root_ + "/l";
  std::string path = dir + "/" + info.link;
  std::string target = fmt::format("../{}/diff", digestHex(info.chain_id));
  TRY(fs::mkdirAll(dir, 0700));
  if (::symlink(target.c_str(), path.c_str()) == 0) return {};
  if (errno != EEXIST) return errnoError("symlink {}", path);
  char buf[256];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0 || std::string_view(buf, size_t(n)) != target)
    return makeError(Code::kInternal, "layer link {} does not point to {}", path, target);
  return {};
}

Result<LayerInfo> LayerStore::ensure(const std::string& parent_chain_id,
                                     const std::string& expected_diff_id, const Reader& blob) {
  if (!expected_diff_id.empty()) {
    TRY(validateDigest(expected_diff_id));
    std::string id = chainId(parent_chain_id, expected_diff_id);
    if (exists(id)) return get(id);
  }
  // vfs copies the parent, so it must exist. An overlay layer is independent
  // of its parent's files (the chain ID only names it), so layers of one image
  // can be unpacked in parallel, in any order.
  LayerInfo parent;
  if (!parent_chain_id.empty() && driver_ == Driver::kVfs)
    parent = TRY_CTX(get(parent_chain_id), "parent layer");

  TRY(fs::mkdirAll(root_, 0700));
  LockedDir tmp = TRY(makeLockedTmp(root_, "tmp-"));
  ScopeExit discard([&] { (void)fs::removeAll(tmp.path); });
  std::string diff = tmp.path + "/diff";
  // containers/storage's default mode of a layer root no tar entry sets (vfs: the parent's,
  // copied below).
  if (::mkdir(diff.c_str(), 0555) < 0) return errnoError("mkdir {}", diff);
  if (driver_ == Driver::kVfs && !parent_chain_id.empty()) TRY(copyTree(parent.path, diff));

  WhiteoutMode mode = driver_ == Driver::kOverlay ? WhiteoutMode::kOverlay : WhiteoutMode::kVfs;
  LayerDigests digests = TRY_CTX(extractLayer(blob, diff, mode), "unpack layer");
  if (!expected_diff_id.empty() && digests.diff_id != expected_diff_id) {
    return makeError(Code::kDataLoss, "layer diff ID mismatch: expected {}, got {}",
                     expected_diff_id, digests.diff_id);
  }
  std::string id = chainId(parent_chain_id, digests.diff_id);
  if (exists(id)) return get(id);  // made meanwhile (or an unknown diff ID we already had)

  LayerInfo info;
  info.chain_id = id;
  info.diff_id = digests.diff_id;
  info.parent = parent_chain_id;
  info.diff_size = digests.diff_size;
  info.has_root = digests.has_root;
  info.compressed_digest = digests.compressed_digest;
  info.compressed_size = digests.compressed_size;
  info.created = formatRfc3339Nano(nowNanos());
  if (driver_ == Driver::kOverlay) info.link = randomName(kLinkLength);
  TRY(fs::writeFileAtomic(tmp.path + "/meta.json", toJson(info).dump(), 0644));
  // Everything unpacked must be durable before the rename makes it a layer.
  if (::syncfs(tmp.fd.get()) < 0) return errnoError("syncfs {}", tmp.path);

  std::string dir = layerDir(id);
  if (::rename(tmp.path.c_str(), dir.c_str()) < 0) {
    if (errno == EEXIST || errno == ENOTEMPTY) return get(id);  // another process won
    return errnoError("rename {} to {}", tmp.path, dir);
  }
  discard.cancel();
  TRY(fs::fsyncDir(root_));
  TRY(ensureLink(info));
  info.path = dir + "/diff";
  return info;
}

Status LayerStore::remove(const std::string& chain_id) {
  LayerInfo info = TRY(get(chain_id));
  std::string dir = layerDir(chain_id);
  UniqueFd lock = TRY(fs::openFd(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) < 0)
    return makeError(Code::kConflict, "layer {} is being removed", chain_id);
  // Renamed first: a removal cut short leaves a tmp-* dir, never a partial layer.
  std::string doomed = fmt::format("{}/tmp-removing-{}", root_, randomName(12));
  if (::rename(dir.c_str(), doomed.c_str()) < 0) {
    if (errno == ENOENT) return makeError(Code::kNotFound, "layer {} not found", chain_id);
    return errnoError("rename {} to {}", dir, doomed);
  }
  TRY(fs::fsyncDir(root_));
  if (!info.link.empty()) ::unlink((root_ + "/l/" + info.link).c_str());
  return fs::removeAll(doomed);
}

Status LayerStore::cleanup() {
  auto names = fs::listDir(root_);
  if (!names.ok()) {
    if (names.error().code() == Code::kNotFound) return {};
    return std::move(names).error().context("clean interrupted layer builds");
  }
  for (const std::string& name : *names) {
    if (!name.starts_with("tmp-")) continue;
    std::string path = root_ + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
      if (errno == ENOENT) continue;  // finished or removed meanwhile
      if (errno != ELOOP && errno != ENOTDIR) return errnoError("clean interrupted layer build {}", path);
    } else if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
      if (errno == EWOULDBLOCK) continue;  // its owner is alive
      return errnoError("lock {}", path);
    }
    TRY_CTX(fs::removeAll(path), "clean interrupted layer build");
  }
  auto links = fs::listDir(root_ + "/l");
  if (!links.ok()) return {};
  for (const std::string& name : *links) {
    std::string path = root_ + "/l/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) < 0 && errno == ENOENT) ::unlink(path.c_str());
  }
  return {};
}

Result<MountSpec> LayerStore::mountSpec(const std::vector<std::string>& top_first,
                                        const std::string& upper, const std::string& work) {
  std::vector<LayerInfo> layers;
  for (size_t i = 0; i < top_first.size(); ++i) {
    LayerInfo info = TRY(get(top_first[i]));
    std::string below = i + 1 < top_first.size() ? top_first[i + 1] : "";
    if (info.parent != below) {
      return makeError(Code::kInvalidArgument,
                       "layer {} has parent \"{}\", not \"{}\" (layers are listed top first)",
                       info.chain_id, info.parent, below);
    }
    layers.push_back(std::move(info));
  }

  if (driver_ == Driver::kVfs) {
    // Copies cut short by a crash (the caller serialises mountSpec per container).
    std::string parent = upper.substr(0, upper.rfind('/'));
    std::string prefix = upper.substr(upper.rfind('/') + 1) + ".tmp-";
    if (auto names = fs::listDir(parent); names.ok())
      for (const std::string& n : *names)
        if (n.starts_with(prefix)) TRY_CTX(fs::removeAll(parent + "/" + n), "remove an interrupted copy");
    if (fs::isDir(upper)) {
      if (!TRY(fs::listDir(upper)).empty()) return MountSpec{"bind", upper, "bind", ""};
      if (::rmdir(upper.c_str()) < 0) return errnoError("rmdir {}", upper);
    }
    std::string tmp = fmt::format("{}.tmp-{}", upper, randomName(8));
    if (::mkdir(tmp.c_str(), 0755) < 0) return errnoError("mkdir {}", tmp);
    ScopeExit discard([&] { (void)fs::removeAll(tmp); });
    if (!layers.empty()) TRY(copyTree(layers.front().path, tmp));
    if (::rename(tmp.c_str(), upper.c_str()) < 0) return errnoError("rename {} to {}", tmp, upper);
    discard.cancel();
    return MountSpec{"bind", upper, "bind", ""};
  }

  for (const std::string& p : {upper, work}) {
    if (p.find_first_of(",:") != std::string::npos)
      return makeError(Code::kInvalidArgument, "overlay directory \"{}\" contains ',' or ':'", p);
  }
  // The overlay's root directory is the upper one. A fresh upper gets the root mode and
  // owner containers/storage would give it: those of the topmost layer whose tar set its
  // root, else 0555 root:root. A used upper keeps what the container made of it.
  if (fs::isDir(upper) && TRY(fs::listDir(upper)).empty()) {
    struct stat root {};
    root.st_mode = 0555;
    for (const LayerInfo& l : layers)
      if (l.has_root) {
        if (::stat(l.path.c_str(), &root) < 0) return errnoError("stat {}", l.path);
        break;
      }
    if (::chown(upper.c_str(), root.st_uid, root.st_gid) < 0) return errnoError("chown {}", upper);
    if (::chmod(upper.c_str(), root.st_mode & 07777) < 0) return errnoError("chmod {}", upper);
  }
  std::string lower;
  for (const LayerInfo& l : layers) {
    TRY(ensureLink(l));
    if (!lower.empty()) lower += ':';
    lower += "l/" + l.link;
  }
  if (lower.empty()) {
    // overlay needs a lower layer: an image without layers gets an empty one.
    TRY(fs::mkdirAll(root_ + "/empty", 0755));
    lower = "empty";
  }
  std::string options = fmt::format("lowerdir={},upperdir={},workdir={}", lower, upper, work);
  if (options.size() > kMountDataMax) {
    return makeError(Code::kInvalidArgument,
                     "overlay mount data for {} layers is {} bytes, over {}", layers.size(),
                     options.size(), kMountDataMax);
  }
  return MountSpec{"overlay", "overlay", options, root_};
}

}  // namespace berth::store
