// In-root path resolution: openat2 RESOLVE_IN_ROOT, and copier-compatible lexical link evaluation.
#include "copy/resolve.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <vector>

namespace berth::copy {

namespace {

constexpr int kMaxLinks = 255;

std::vector<std::string> splitPath(std::string_view p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    if (!c.empty() && c != ".") out.emplace_back(c);
    i = j + 1;
  }
  return out;
}

std::string joinAbs(const std::vector<std::string>& comps) {
  if (comps.empty()) return "/";
  std::string out;
  for (auto& c : comps) out += "/" + c;
  return out;
}

}  // namespace

std::string cleanAbs(std::string_view path) {
  std::vector<std::string> out;
  for (auto& c : splitPath(path)) {
    if (c == "..") {
      if (!out.empty()) out.pop_back();
    } else {
      out.push_back(c);
    }
  }
  return joinAbs(out);
}

std::string dirName(std::string_view path) {
  bool abs = !path.empty() && path[0] == '/';
  std::string c = cleanAbs(path);
  auto slash = c.rfind('/');
  std::string d = slash == 0 ? "/" : c.substr(0, slash);
  if (!abs) {
    d = d.substr(1);
    if (d.empty()) d = ".";
  }
  return d;
}

std::string goDir(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  std::string_view dir = path.substr(0, slash + 1);
  if (dir[0] == '/') return cleanAbs(dir);
  std::string c = cleanAbs(dir).substr(1);
  return c.empty() ? "." : c;
}

std::string baseName(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Result<UniqueFd> openIn(int root_fd, std::string_view path, int flags, uint64_t extra_resolve) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = uint64_t(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
  if (flags & O_CREAT) how.mode = 0600;
  std::string p(path);
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  if (p.empty()) p = ".";
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, root_fd, p.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(int(fd));
    // EAGAIN: a concurrent rename raced the lookup (openat2(2)).
    if ((errno == EAGAIN && attempt < 16) || errno == EINTR) continue;
    return errnoError("open \"/{}\"", p == "." ? "" : p);
  }
}

Result<std::string> resolveIn(int root_fd, std::string_view path, bool follow_final) {
  std::vector<std::string> work;
  std::deque<std::string> comps;
  for (auto& c : splitPath(path)) comps.push_back(c);
  int followed = 0;
  while (!comps.empty()) {
    std::string c = std::move(comps.front());
    comps.pop_front();
    if (c == "..") {
      if (!work.empty()) work.pop_back();
      continue;
    }
    work.push_back(c);
    if (comps.empty() && !follow_final) break;
    // Every earlier component is resolved: refuse links on the way so a
    // concurrent swap cannot redirect the readlink.
    auto fd = openIn(root_fd, joinAbs(work), O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
    if (!fd.ok()) continue;  // missing (or raced): taken literally, as copier does
    struct stat st;
    if (::fstat(fd->get(), &st) < 0 || !S_ISLNK(st.st_mode)) continue;
    char buf[4096];
    ssize_t n = ::readlinkat(fd->get(), "", buf, sizeof buf - 1);
    if (n < 0) continue;
    if (++followed > kMaxLinks)
      return makeError(Code::kInvalidArgument, "resolving \"{}\": too many levels of symbolic links",
                       std::string(path));
    std::string target(buf, size_t(n));
    work.pop_back();
    // copier joins the target to where the link sits and cleans the result
    // lexically, then resolves the remaining components from the root.
    std::string next = target[0] == '/' ? cleanAbs(target) : cleanAbs(joinAbs(work) + "/" + target);
    work.clear();
    auto rest = splitPath(next);
    comps.insert(comps.begin(), rest.begin(), rest.end());
  }
  return joinAbs(work);
}

Result<PathStat> statIn(int root_fd, std::string_view path) {
  PathStat ps;
  std::string clean = cleanAbs(path);
  std::string entry = clean;
  if (clean != "/") {
    std::string parent = TRY(resolveIn(root_fd, dirName(clean), true));
    entry = (parent == "/" ? "" : parent) + "/" + baseName(clean);
  }
  auto fd = openIn(root_fd, entry, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (!fd.ok()) {
    Code c = fd.error().code();
    int e = fd.error().sysErrno();
    if (c == Code::kNotFound || e == ENOTDIR || e == ELOOP) {
      ps.resolved = entry;
      return ps;
    }
    return std::move(fd).error();
  }
  struct stat st;
  if (::fstat(fd->get(), &st) < 0) return errnoError("stat \"{}\"", entry);
  ps.exists = true;
  ps.mode = st.st_mode;
  ps.size = st.st_size;
  ps.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  ps.is_symlink = S_ISLNK(st.st_mode);
  ps.resolved = entry;
  if (!ps.is_symlink) {
    ps.target_ok = true;
    ps.is_dir = S_ISDIR(st.st_mode);
    ps.is_regular = S_ISREG(st.st_mode);
    return ps;
  }
  ps.resolved = TRY(resolveIn(root_fd, clean, true));
  auto tfd = openIn(root_fd, ps.resolved, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (!tfd.ok()) return ps;
  struct stat ts;
  if (::fstat(tfd->get(), &ts) < 0) return ps;
  ps.target_ok = true;
  ps.is_dir = S_ISDIR(ts.st_mode);
  ps.is_regular = S_ISREG(ts.st_mode);
  return ps;
}

}  // namespace berth::copy
