// Layer changes: containers/storage's overlay and naive diff rules, and layer tars with AUFS whiteouts.
#include "copy/changes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "base/fd.h"
#include "copy/resolve.h"
#include "copy/walk.h"

namespace berth::copy {

namespace {

constexpr const char* kInitInodes[] = {"/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/run",
                                       "/run/notify", "/run/.containerenv", "/run/secrets", "/run/podman-init",
                                       "/sys", "/etc/mtab"};

bool isWhiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool isOpaque(const std::string& path) {
  char v[2];
  ssize_t n = ::lgetxattr(path.c_str(), "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

Result<std::vector<std::string>> sortedNames(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return errnoError("open directory {}", dir);
  std::vector<std::string> out;
  while (struct dirent* de = ::readdir(d)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    out.emplace_back(de->d_name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// lstat that reports a missing path (or a non-directory on the way) as false.
Result<bool> lstatIf(const std::string& p, struct stat& st) {
  if (::lstat(p.c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return errnoError("lstat {}", p);
}

bool sameFsTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && (a.tv_nsec == b.tv_nsec || a.tv_nsec == 0 || b.tv_nsec == 0);
}

// c/storage's changes(): the shared walk, parent bookkeeping and recording.
class ChangeCollector {
 public:
  void record(const std::string& path, Change::Kind kind, bool is_dir) {
    if (is_dir) changed_dirs_.insert(path);
    if (kind == Change::kAdd || kind == Change::kDelete) {
      std::vector<Change> tail;
      for (std::string parent = dirName(path); parent != "/"; parent = dirName(parent)) {
        if (changed_dirs_.count(parent)) continue;
        tail.insert(tail.begin(), Change{parent, Change::kModify});
        changed_dirs_.insert(parent);
      }
      out_.insert(out_.end(), tail.begin(), tail.end());
    }
    out_.push_back(Change{path, kind});
  }
  std::vector<Change> take() { return std::move(out_); }

 private:
  std::set<std::string> changed_dirs_;
  std::vector<Change> out_;
};

class OverlayWalk {
 public:
  OverlayWalk(const std::vector<std::string>& lowers, const std::string& upper) : lowers_(lowers), upper_(upper) {}

  Status walk(const std::string& rel) {
    auto names = TRY(sortedNames(upper_ + rel));
    for (auto& n : names) {
      std::string path = (rel.empty() ? "" : rel) + "/" + n;
      struct stat st;
      if (!TRY(lstatIf(upper_ + path, st))) continue;
      TRY(visit(path, st));
      if (S_ISDIR(st.st_mode)) TRY(walk(path));
    }
    return {};
  }

  std::vector<Change> take() { return c_.take(); }

 private:
  Result<bool> lowerWhiteout(const std::string& layer, const std::string& path) {
    struct stat st;
    return TRY(lstatIf(layer + path, st)) && isWhiteout(st);
  }

  Status visit(const std::string& path, const struct stat& st) {
    // overlayDeletedFile
    if (isWhiteout(st)) {
      c_.record(path, Change::kDelete, false);
      return {};
    }
    if (S_ISDIR(st.st_mode) && isOpaque(upper_ + path) && !lowers_.empty()) {
      for (auto& layer : lowers_) {
        struct stat ls;
        if (!TRY(lstatIf(layer + path, ls))) continue;
        if (isWhiteout(ls)) break;
        c_.record(path, Change::kDelete, true);
        return {};
      }
    }
    Change::Kind kind = Change::kAdd;
    for (auto& layer : lowers_) {
      bool hidden = TRY(lowerWhiteout(layer, path));
      for (std::string d = dirName(path); !hidden && d != "/"; d = dirName(d)) hidden = TRY(lowerWhiteout(layer, d));
      if (hidden) break;
      struct stat ls;
      if (!TRY(lstatIf(layer + path, ls))) continue;
      if (S_ISDIR(ls.st_mode) && S_ISDIR(st.st_mode) && ls.st_size == st.st_size && ls.st_mode == st.st_mode &&
          sameFsTime(ls.st_mtim, st.st_mtim))
        return {};  // a directory only copied up for a child's sake
      kind = Change::kModify;
      break;
    }
    c_.record(path, kind, S_ISDIR(st.st_mode));
    return {};
  }

  const std::vector<std::string>& lowers_;
  std::string upper_;
  ChangeCollector c_;
};

bool sameEntry(const std::string& a, const struct stat& sa, const std::string& b, const struct stat& sb) {
  if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) || sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid ||
      sa.st_gid != sb.st_gid || sa.st_rdev != sb.st_rdev)
    return false;
  if (S_ISDIR(sa.st_mode)) return sameFsTime(sa.st_mtim, sb.st_mtim);
  if (sa.st_size != sb.st_size || !sameFsTime(sa.st_mtim, sb.st_mtim)) return false;
  if (S_ISLNK(sa.st_mode)) {
    char la[4096], lb[4096];
    ssize_t na = ::readlink(a.c_str(), la, sizeof la), nb = ::readlink(b.c_str(), lb, sizeof lb);
    return na == nb && na >= 0 && std::memcmp(la, lb, size_t(na)) == 0;
  }
  return true;
}

Status naiveWalk(const std::string& base, const std::string& layer, const std::string& rel, ChangeCollector& c) {
  auto names = TRY(sortedNames(layer + rel));
  std::set<std::string> seen(names.begin(), names.end());
  std::vector<std::string> all = names;
  if (struct stat bs; ::lstat((base + rel).c_str(), &bs) == 0 && S_ISDIR(bs.st_mode)) {
    for (auto& n : TRY(sortedNames(base + rel)))
      if (!seen.count(n)) all.push_back(n);
    std::sort(all.begin(), all.end());
  }
  for (auto& n : all) {
    std::string path = rel + "/" + n;
    struct stat ls, bs;
    bool in_layer = seen.count(n) && TRY(lstatIf(layer + path, ls));
    bool in_base = TRY(lstatIf(base + path, bs));
    if (!in_layer) {
      if (in_base) c.record(path, Change::kDelete, false);
      continue;
    }
    if (!in_base) {
      c.record(path, Change::kAdd, S_ISDIR(ls.st_mode));
    } else if (!sameEntry(layer + path, ls, base + path, bs)) {
      c.record(path, Change::kModify, S_ISDIR(ls.st_mode));
    }
    if (S_ISDIR(ls.st_mode)) {
      if (in_base && !S_ISDIR(bs.st_mode)) {
        // A directory replacing a file: all of it is new.
        TRY(naiveWalk("/nonexistent-base", layer, path, c));
      } else {
        TRY(naiveWalk(base, layer, path, c));
      }
    }
  }
  return {};
}

// Rewrites overlay's whiteouts as AUFS ones and leaves out runtime mount points.
class AufsSink : public Sink {
 public:
  explicit AufsSink(Sink& out) : out_(out) {}

  Status add(const Entry& e0, Content* content) override {
    Entry e = e0;
    std::string abs = "/" + e.name;
    // A mount point the runtime made (an empty init inode) is no change.
    if (isInitInode(abs) && e.type == EntryType::kFile && e.size == 0) {
      dropPendingOutside(e.name);
      return {};
    }
    TRY(flushPendingFor(e.name));
    if (e.type == EntryType::kChar && e.dev_major == 0 && e.dev_minor == 0) {
      Entry w = whiteout(e, baseNameOf(e.name), dirOf(e.name));
      return out_.add(w, &empty_);
    }
    bool opaque = false;
    std::erase_if(e.xattrs, [&](auto& kv) {
      if (kv.first == "trusted.overlay.opaque") opaque = kv.second == "y";
      return kv.first.rfind("trusted.overlay.", 0) == 0;
    });
    if (isInitInode(abs) && e.type == EntryType::kDir) {
      // Kept only if something below it follows.
      pending_.push_back(Pending{e, opaque});
      return {};
    }
    TRY(out_.add(e, content));
    if (e.type == EntryType::kDir && opaque) {
      Entry w = whiteout(e, ".wh..opq", e.name);
      TRY(out_.add(w, &empty_));
    }
    return {};
  }

  Status finish() override { return out_.finish(); }

 private:
  struct Pending {
    Entry e;
    bool opaque;
  };
  static std::string baseNameOf(const std::string& n) {
    auto s = n.rfind('/');
    return s == std::string::npos ? n : n.substr(s + 1);
  }
  static std::string dirOf(const std::string& n) {
    auto s = n.rfind('/');
    return s == std::string::npos ? "" : n.substr(0, s);
  }
  Entry whiteout(const Entry& like, const std::string& name, const std::string& dir) {
    Entry w;
    w.name = (dir.empty() ? "" : dir + "/") + ".wh." + name;
    w.type = EntryType::kFile;
    w.mode = 0;
    w.mtime = like.mtime;
    w.atime = like.atime;
    empty_.read = [](char*, size_t) -> Result<size_t> { return size_t(0); };
    return w;
  }
  static bool inside(const std::string& path, const std::string& dir) {
    return !dir.empty() && path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/';
  }
  // Drops the pending directories `next` is not inside (it follows them in walk order).
  void dropPendingOutside(const std::string& next) {
    while (!pending_.empty() && !inside(next, pending_.back().e.name)) pending_.pop_back();
  }
  // Emits the pending init-inode directories that contain `next`, drops the others.
  Status flushPendingFor(const std::string& next) {
    dropPendingOutside(next);
    for (auto& p : pending_) {
      if (p.e.name.empty()) continue;
      TRY(out_.add(p.e, nullptr));
      if (p.opaque) {
        Entry w = whiteout(p.e, ".wh..opq", p.e.name);
        TRY(out_.add(w, &empty_));
      }
      p.e.name.clear();  // emitted; kept on the stack for its children
    }
    return {};
  }

  Sink& out_;
  Content empty_;
  std::vector<Pending> pending_;
};

}  // namespace

char changeLetter(Change::Kind k) { return k == Change::kModify ? 'C' : k == Change::kAdd ? 'A' : 'D'; }

bool isInitInode(std::string_view path) {
  for (auto* p : kInitInodes)
    if (path == p) return true;
  return false;
}

Result<std::vector<Change>> overlayChanges(const std::vector<std::string>& lowers, const std::string& upper) {
  OverlayWalk w(lowers, upper);
  TRY(w.walk(""));
  return w.take();
}

Result<std::vector<Change>> naiveChanges(const std::string& base, const std::string& layer) {
  ChangeCollector c;
  TRY(naiveWalk(base, layer, "", c));
  return c.take();
}

Status overlayLayerTar(const std::string& upper, Sink& sink) {
  UniqueFd root(::open(upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return errnoError("open {}", upper);
  AufsSink aufs(sink);
  GetOptions g;
  g.keep_overlay_xattrs = true;
  return getTree(root.get(), "/.", g, aufs);
}

Status naiveLayerTar(const std::string& layer, const std::vector<Change>& changes, Sink& sink) {
  UniqueFd root(::open(layer.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return errnoError("open {}", layer);
  Content empty;
  empty.read = [](char*, size_t) -> Result<size_t> { return size_t(0); };
  // One member per change, in path order; directories as themselves only.
  class One : public Sink {
   public:
    explicit One(Sink& s) : s_(s) {}
    Status add(const Entry& e, Content* c) override { return s_.add(e, c); }
    Status finish() override { return {}; }
    Sink& s_;
  } one(sink);
  for (auto& ch : changes) {
    std::string rel = ch.path.substr(1);
    if (ch.kind == Change::kDelete) {
      Entry w;
      auto slash = rel.rfind('/');
      w.name = slash == std::string::npos ? ".wh." + rel : rel.substr(0, slash + 1) + ".wh." + rel.substr(slash + 1);
      w.mode = 0;
      TRY(sink.add(w, &empty));
      continue;
    }
    struct stat st;
    if (::fstatat(root.get(), rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return errnoError("lstat {}", ch.path);
    if (S_ISDIR(st.st_mode)) {
      Entry d;
      d.name = rel;
      d.type = EntryType::kDir;
      d.mode = st.st_mode & 07777;
      d.uid = st.st_uid;
      d.gid = st.st_gid;
      d.mtime = st.st_mtim;
      TRY(sink.add(d, nullptr));
      continue;
    }
    GetOptions g;
    g.top_name = rel;
    g.deref_top = false;
    TRY(getTree(root.get(), ch.path, g, one));
  }
  return sink.finish();
}

}  // namespace berth::copy
