// cp and the archive routes: podman's cp semantics over in-root tree copies (src/copy).
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/mman.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>

#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"
#include "copy/put.h"
#include "copy/resolve.h"
#include "copy/tar.h"
#include "copy/walk.h"
#include "engine/container_service.h"
#include "engine/copy_archives.h"
#include "engine/engine.h"
#include "engine/volume_service.h"
#include "specgen/user.h"
#include "sys/inroot.h"
#include "sys/mounts.h"

namespace berth::engine {

namespace {

Error noSuchFile() { return Error(Code::kNotFound, "no such file or directory"); }

bool endsWith(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

// podman's copy.PreserveBasePath: keeps the "/" or "/." a user typed, which
// path cleaning drops but which decides how directories are copied.
std::string preserveBasePath(std::string_view original, std::string resolved) {
  if (endsWith(original, "/")) {
    if (!endsWith(resolved, "/")) resolved += "/";
    return resolved;
  }
  if (endsWith(original, "/.")) {
    if (endsWith(resolved, "/")) resolved += ".";
    else if (!endsWith(resolved, "/.")) resolved += "/.";
  }
  return resolved;
}

// podman's parseUserInput: "[ctr:]path"; a path starting with "." or "/" names no container.
std::pair<std::string, std::string> parseCopyArg(const std::string& in) {
  if (in.empty() || in[0] == '.' || in[0] == '/') return {"", in};
  auto colon = in.find(':');
  if (colon == std::string::npos) return {"", in};
  return {in.substr(0, colon), in.substr(colon + 1)};
}

// Go's os.FileMode for a stat mode.
uint32_t goFileMode(mode_t m) {
  uint32_t g = m & 0777;
  if (m & S_ISUID) g |= 1u << 23;
  if (m & S_ISGID) g |= 1u << 22;
  if (m & S_ISVTX) g |= 1u << 20;
  switch (m & S_IFMT) {
    case S_IFDIR: g |= 1u << 31; break;
    case S_IFLNK: g |= 1u << 27; break;
    case S_IFIFO: g |= 1u << 25; break;
    case S_IFSOCK: g |= 1u << 24; break;
    case S_IFBLK: g |= 1u << 26; break;
    case S_IFCHR: g |= (1u << 26) | (1u << 21); break;
    default: break;
  }
  return g;
}

// A host path as podman's copy.ResolveHostPath sees it: made absolute (not
// resolved), the typed "/" or "/." kept, stat'ed through links.
struct HostPath {
  std::string link_target;
  struct stat st {};
  bool is_dir() const { return S_ISDIR(st.st_mode); }
};

Result<HostPath> resolveHostPath(const std::string& path) {
  HostPath h;
  std::string abs = path;
  if (abs.empty() || abs[0] != '/') {
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return errnoError("getcwd");
    abs = std::string(cwd) + "/" + abs;
  }
  h.link_target = preserveBasePath(path, copy::cleanAbs(abs));
  if (::stat(h.link_target.c_str(), &h.st) < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return noSuchFile();
    return copy::goSysError(errno, "stat", h.link_target);
  }
  return h;
}

// The host's file system as a trusted root: links (and /proc magic links)
// are resolved by realpath before in-root resolution sees the path.
Result<std::string> hostReal(const std::string& path) {
  bool dot = endsWith(path, "/.");
  char buf[PATH_MAX];
  if (!::realpath(path.c_str(), buf)) return copy::goSysError(errno, "lstat", path);
  std::string r = buf;
  return dot ? (r == "/" ? "/." : r + "/.") : r;
}

Result<UniqueFd> openDirPath(const std::string& p) {
  int fd = ::open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return copy::goSysError(errno, "open", p);
  return UniqueFd(fd);
}

// Where a copy out of a container lands on the host (podman's cp, container to host): the
// resolved destination, or its parent when it does not exist yet (then `base` renames the item).
struct HostDest {
  HostPath host;
  std::string base;
  bool to_parent = false;
};

Result<HostDest> hostDestination(const std::string& host_path, bool to_stdout) {
  HostDest d;
  auto host = resolveHostPath(host_path);
  if (!host.ok()) {
    if (endsWith(host_path, "/"))
      return makeError(Code::kNotFound, "{:?} could not be found on the host: {}", host_path, host.error().what());
    auto parent = resolveHostPath(copy::goDir(host_path));
    if (!parent.ok())
      return makeError(Code::kNotFound, "{:?} could not be found on the host: {}", host_path, host.error().what());
    d.host = std::move(*parent);
    d.base = copy::baseName(host_path);
    d.to_parent = true;
  } else {
    d.host = std::move(*host);
    d.base = copy::baseName(d.host.link_target);
  }
  if (!to_stdout && !d.host.is_dir() && !S_ISREG(d.host.st.st_mode))
    return makeError(Code::kInvalidArgument, "invalid destination: {:?} must be a directory or a regular file",
                     d.host.link_target);
  return d;
}

// The sink that writes a container's item (`src_target`, a directory or not) into the host
// destination. The destination directory is the root of the put (held open here): nothing
// in the stream (links included) can place a file outside it.
struct HostPut {
  UniqueFd root;
  std::unique_ptr<copy::PutSink> sink;
};

Result<HostPut> hostPutSink(const HostDest& d, bool src_is_dir, const std::string& src_target,
                                                   bool overwrite) {
  copy::PutOptions po;
  po.chown_dirs = po.chown_files = copy::IdPair{uint32_t(::getuid()), uint32_t(::getgid())};
  po.ignore_devices = true;
  po.no_overwrite_dir_nondir = po.no_overwrite_nondir_dir = !overwrite;
  if ((!src_is_dir && !d.host.is_dir()) || d.to_parent) po.rename[copy::baseName(src_target)] = d.base;
  std::string dir = d.host.link_target;
  if (!d.host.is_dir()) dir = copy::goDir(dir);
  std::string real = TRY(hostReal(dir));
  HostPut hp;
  hp.root = TRY(openDirPath(real));
  hp.sink = TRY(copy::PutSink::open(hp.root.get(), "/", std::move(po)));
  return hp;
}

}  // namespace

// A container's file system opened for cp: a running container's root as its
// processes see it (/proc/PID/root: tmpfs and volume mounts included), else
// its mounted rootfs plus its bind mounts on the host, with the container
// lock held so nobody starts, stops or removes it meanwhile.
class ContainerFs {
 public:
  struct Located {
    int fd;
    std::string prefix;  // container path of that root ("/" for the rootfs)
    std::string path;    // absolute path inside that root
  };
  struct Stat {
    copy::PathStat ps;
    std::string link_target;  // container path, links resolved, typed "/" or "/." kept
    Located loc;              // where the entry itself is (final link not followed)
  };

  static Result<std::unique_ptr<ContainerFs>> open(LocalContainerService& svc, const std::string& name) {
    auto found = TRY(state::findContainer(svc.e_.db(), name));
    std::unique_ptr<ContainerFs> fs(new ContainerFs(svc));
    fs->rec_ = TRY(svc.loadSynced(found.id));
    if (TRY(fs->tryProcRoot())) return fs;
    fs->lock_.emplace(TRY(ContainerLock::take(svc.e_.options().runroot, found.id)));
    auto cur = TRY(state::getContainer(svc.e_.db(), found.id));
    if (!cur) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
    fs->rec_ = std::move(*cur);
    TRY(svc.syncLocked(fs->rec_));
    auto p = svc.paths(fs->rec_.id);
    if (!sys::isMountPoint(p.merged)) {
      TRY(svc.mountRootfs(fs->rec_));
      fs->temp_mount_ = true;
    }
    fs->root_ = TRY(openDirPath(p.merged));
    TRY(fs->openBinds());
    TRY(fs->openVolumes());
    return fs;
  }

  ~ContainerFs() {
    binds_.clear();
    for (auto& v : acquired_volumes_)
      if (auto s = volumes().release(v); !s.ok()) LOG_WARN("release volume {}: {}", v, s.error().what());
    if (temp_mount_) {
      root_.reset();
      if (auto s = svc_.unmountRootfs(rec_); !s.ok()) LOG_WARN("unmount {}: {}", rec_.id.substr(0, 12), s.error().what());
    }
  }

  const std::string& name() const { return rec_.name; }
  bool running() const { return running_; }

  // podman's pathAbs: a relative path is taken from the working directory.
  std::string pathAbs(const std::string& p) const {
    if (!p.empty() && p[0] == '/') return copy::cleanAbs(p);
    return copy::cleanAbs(workdir() + "/" + p);
  }

  std::string workdir() const {
    const Json& spec = rec_.config["spec"];
    std::string wd = spec.value("work_dir", std::string());
    if (wd.empty() && rec_.config.contains("image_config") && rec_.config["image_config"].is_object())
      wd = json::optString(rec_.config["image_config"], "WorkingDir", "image_config").valueOr("");
    return wd.empty() ? "/" : wd;
  }

  // The root holding the (clean, absolute) container path: a bind mount's
  // source when the container is not running and one covers it, else the rootfs.
  Located locate(const std::string& abs) const {
    const Bind* best = nullptr;
    for (auto& b : binds_) {
      bool covers = abs == b.dest || (b.dest == "/" ? true : abs.rfind(b.dest + "/", 0) == 0);
      if (covers && (!best || b.dest.size() > best->dest.size())) best = &b;
    }
    if (!best) return {root_.get(), "/", abs};
    std::string rest = abs.substr(best->dest.size());
    std::string in = best->file.empty() ? (rest.empty() ? "/" : rest) : "/" + best->file + rest;
    return {best->fd.get(), best->dest, copy::cleanAbs(in)};
  }

  std::string toContainerPath(const Located& l, const std::string& inroot) const {
    if (l.prefix == "/") return inroot;
    const Bind* b = nullptr;
    for (auto& x : binds_)
      if (x.dest == l.prefix) b = &x;
    std::string in = inroot;
    if (b && !b->file.empty()) {
      std::string top = "/" + b->file;
      in = in.rfind(top, 0) == 0 ? in.substr(top.size()) : in;
    }
    return copy::cleanAbs(l.prefix + "/" + in);
  }

  // podman's Container.stat. kNotFound (nothing returned) for a missing path;
  // a link to a missing target returns the Stat with `err` set.
  Result<Stat> stat(const std::string& container_path, std::optional<Error>& err) const {
    std::string cp = container_path == "/" ? "/." : container_path;
    if (cp.find('*') != std::string::npos) return noSuchFile();  // podman does no globbing
    std::string abs = pathAbs(cp);
    Stat s;
    s.loc = locate(abs);
    s.ps = TRY(copy::statIn(s.loc.fd, s.loc.path));
    if (!s.ps.exists) return noSuchFile();
    std::string target = s.ps.is_symlink ? toContainerPath(s.loc, s.ps.resolved) : abs;
    s.link_target = preserveBasePath(cp, target);
    s.loc.path = preserveBasePath(cp, s.loc.path);
    if (!s.ps.target_ok) err = noSuchFile();
    return s;
  }

  // The container user's uid and gid, looked up in its own passwd and group files.
  Result<copy::IdPair> user() const {
    std::string spec_user = rec_.config["spec"].value("user", std::string());
    if (spec_user.empty() && rec_.config.contains("image_config") && rec_.config["image_config"].is_object())
      spec_user = json::optString(rec_.config["image_config"], "User", "image_config").valueOr("");
    Located l = locate("/etc");
    auto read_etc = [&](const char* f) -> Result<std::string> {
      auto r = sys::readFileInRoot(l.fd, copy::cleanAbs(l.path + "/" + f), sys::kMaxRootConfigFile);
      if (!r.ok() && r.error().code() == Code::kNotFound) return std::string();
      return r;
    };
    std::string pw = TRY(read_etc("passwd")), gr = TRY(read_etc("group"));
    auto u = TRY(specgen::resolveUser(spec_user, pw, gr));
    return copy::IdPair{u.uid, u.gid};
  }

 private:
  struct Bind {
    std::string dest;  // clean container path
    UniqueFd fd;       // the source directory (or, for a file, its parent)
    std::string file;  // a file bind mount: the source's name in `fd`
  };

  explicit ContainerFs(LocalContainerService& svc) : svc_(svc) {}

  // Running (or paused) containers are reached through their init's root:
  // the path is what the container's own processes see.
  Result<bool> tryProcRoot() {
    std::string status = rec_.state.value("status", "configured");
    int pid = rec_.state.value("pid", 0);
    if ((status != "running" && status != "paused") || pid <= 0) return false;
    auto cg = fs::readFile(fmt::format("/proc/{}/cgroup", pid));
    // The pid must still be this container's (its cgroup names the ID).
    if (!cg.ok() || cg->find(rec_.id) == std::string::npos) return false;
    int fd = ::open(fmt::format("/proc/{}/root", pid).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    root_.reset(fd);
    running_ = true;
    return true;
  }

  Status openBinds() {
    Json mounts = Json::array();
    if (auto cfg = fs::readFile(svc_.paths(rec_.id).config_json); cfg.ok()) {
      Json oci = Json::parse(*cfg, nullptr, false);
      if (oci.is_object() && oci.contains("mounts") && oci["mounts"].is_array()) mounts = oci["mounts"];
    }
    if (mounts.empty() && rec_.config["spec"].contains("mounts") && rec_.config["spec"]["mounts"].is_array())
      mounts = rec_.config["spec"]["mounts"];
    for (auto& m : mounts) {
      if (!m.is_object() || m.value("type", "") != "bind") continue;
      std::string src = m.value("source", ""), dst = m.value("destination", "");
      if (src.empty() || src[0] != '/' || dst.empty()) continue;
      struct stat st;
      if (::stat(src.c_str(), &st) < 0) continue;
      Bind b;
      b.dest = copy::cleanAbs(dst);
      std::string dir = S_ISDIR(st.st_mode) ? src : copy::dirName(src);
      if (!S_ISDIR(st.st_mode)) b.file = copy::baseName(src);
      auto fd = openDirPath(dir);
      if (!fd.ok()) continue;
      b.fd = std::move(*fd);
      binds_.push_back(std::move(b));
    }
    return {};
  }

  // Named and anonymous volumes of a container that is not running: each is
  // made ready (an options volume mounted) as for a run, and its directory
  // stands for the destination, as a bind mount's source does.
  Status openVolumes() {
    for (auto& v : storedSpec(rec_.config).volumes) {
      if (v.name.empty() || v.dest.empty()) continue;
      std::string dir = TRY_CTX(volumes().acquire(v.name), "volume {} of container {}", v.name, rec_.name);
      acquired_volumes_.push_back(v.name);
      Bind b;
      b.dest = copy::cleanAbs(v.dest);
      b.fd = TRY(openDirPath(dir));
      binds_.push_back(std::move(b));
    }
    return {};
  }

  LocalVolumeService& volumes() const { return static_cast<LocalVolumeService&>(svc_.e_.volumes()); }

  LocalContainerService& svc_;
  state::ContainerRecord rec_;
  std::vector<std::string> acquired_volumes_;
  std::optional<ContainerLock> lock_;
  bool temp_mount_ = false;
  bool running_ = false;
  UniqueFd root_;
  std::vector<Bind> binds_;
};

namespace {

// podman's copyToArchive: the item at `path` into `sink`, owned by the container user.
Status getFromContainer(const ContainerFs& fs, const std::string& path, copy::Sink& sink,
                        const std::map<std::string, std::string>& rename = {}) {
  std::optional<Error> err;
  auto st = TRY(fs.stat(path, err));
  copy::GetOptions g;
  g.keep_directory_names = st.ps.is_dir && copy::baseName(path) != ".";
  g.chown = TRY(fs.user());
  g.excludes = {"dev", "proc", "sys"};
  g.rename = rename;
  return copy::getTree(st.loc.fd, st.loc.path, g, sink);
}

// podman's copyFromArchive: a sink writing into the directory `path` of the container.
Result<std::unique_ptr<copy::PutSink>> putIntoContainer(const ContainerFs& fs, const std::string& path,
                                                        bool chown, bool overwrite,
                                                        std::map<std::string, std::string> rename) {
  std::string p = path == "/" ? "/." : path;
  auto loc = fs.locate(fs.pathAbs(p));
  copy::PutOptions o;
  if (chown) {
    auto u = TRY(fs.user());
    o.chown_dirs = o.chown_files = u;
  }
  o.no_overwrite_dir_nondir = o.no_overwrite_nondir_dir = !overwrite;
  o.rename = std::move(rename);
  return copy::PutSink::open(loc.fd, loc.path, std::move(o));
}

struct DestInfo {
  std::string base_name;
  ContainerFs::Stat stat;
  bool resolved_to_parent = false;
};

// podman's resolvePathOnDestinationContainer.
Result<DestInfo> resolveDestination(const ContainerFs& fs, const std::string& path, bool is_stdin) {
  DestInfo d;
  std::optional<Error> err;
  auto st = fs.stat(path, err);
  if (st.ok() && !err) {
    d.stat = std::move(*st);
    d.base_name = copy::baseName(d.stat.link_target);
    return d;
  }
  Error cause = st.ok() ? *err : st.error();
  if (endsWith(path, "/"))
    return makeError(cause.code(), "{:?} could not be found on container {}: {}", path, fs.name(), cause.what());
  if (is_stdin) return makeError(Code::kInvalidArgument, "destination must be a directory when copying from stdin");
  std::string where = path;
  if (st.ok()) {  // a link to nowhere: copy to where it points
    d.base_name = copy::baseName(st->link_target);
    where = st->link_target;
  } else {
    d.base_name = copy::baseName(path);
  }
  std::string parent = copy::dirName(fs.pathAbs(where));
  std::optional<Error> perr;
  auto pst = fs.stat(parent, perr);
  if (!pst.ok() || perr)
    return makeError(Code::kNotFound, "{:?} could not be found on container {}: {}", path, fs.name(),
                     (pst.ok() ? *perr : pst.error()).what());
  d.stat = std::move(*pst);
  d.resolved_to_parent = true;
  return d;
}

// The source of a copy: missing paths (and links to nowhere) are errors naming the container as typed.
Result<ContainerFs::Stat> fs_statOrError(const ContainerFs& fs, const std::string& path, const std::string& ctr) {
  std::optional<Error> err;
  auto st = fs.stat(path, err);
  if (!st.ok() || err) {
    Error cause = st.ok() ? *err : st.error();
    return Error(cause.code(), fmt::format("{:?} could not be found on container {}: {}", path, ctr, cause.what()));
  }
  return st;
}

Result<std::unique_ptr<ContainerFs>> openContainer(LocalContainerService& svc, const std::string& name) {
  auto fs = ContainerFs::open(svc, name);
  if (!fs.ok() && fs.error().code() == Code::kNotFound && fs.error().message().find("no container") != std::string::npos)
    return makeError(Code::kNotFound, "container {:?} does not exist", name);
  return fs;
}

Error wrap(Error e, std::string_view what) { return std::move(e).context(what); }

}  // namespace

Result<api::ContainerPathStat> LocalContainerService::statPath(const std::string& name, const std::string& path) {
  auto fs = TRY(ContainerFs::open(*this, name));
  std::optional<Error> err;
  auto st = TRY(fs->stat(path, err));
  if (err) return *err;
  api::ContainerPathStat out;
  out.name = copy::baseName(st.link_target);
  out.size = st.ps.size;
  out.mode = goFileMode(st.ps.mode);
  out.mtime_ns = st.ps.mtime_ns;
  out.is_dir = st.ps.is_dir;
  out.link_target = st.link_target;
  return out;
}

Status LocalContainerService::copyToArchive(const std::string& name, const std::string& path, int out_fd) {
  auto fs = TRY(ContainerFs::open(*this, name));
  auto sink = copy::tarSink(out_fd);
  return getFromContainer(*fs, path, *sink);
}

Status LocalContainerService::copyFromArchive(const std::string& name, const std::string& path, int in_fd,
                                              const api::ArchivePutOptions& opts) {
  auto fs = TRY(ContainerFs::open(*this, name));
  auto put = TRY(putIntoContainer(*fs, path, opts.chown, !opts.no_overwrite_dir_nondir, opts.rename));
  return copy::readTar(in_fd, *put);
}

Status LocalContainerService::copy(const api::CopyRequest& req) {
  auto [src_ctr, src_path] = parseCopyArg(req.source);
  auto [dst_ctr, dst_path] = parseCopyArg(req.destination);
  if (src_path.empty() || dst_path.empty())
    return makeError(Code::kInvalidArgument, "invalid arguments {:?}, {:?}: you must specify paths", req.source,
                     req.destination);

  if (!src_ctr.empty() && !dst_ctr.empty()) {
    // --- container to container ---
    // Both are opened (and, when not running, locked) in ID order: two cp runs
    // in opposite directions must not wait for each other.
    auto a = TRY(resolveId(src_ctr).context(fmt::format("container {:?} does not exist", src_ctr)));
    auto b = TRY(resolveId(dst_ctr).context(fmt::format("container {:?} does not exist", dst_ctr)));
    std::unique_ptr<ContainerFs> src, dst;
    if (a == b) {
      src = TRY(openContainer(*this, a));
    } else if (a < b) {
      src = TRY(openContainer(*this, a));
      dst = TRY(openContainer(*this, b));
    } else {
      dst = TRY(openContainer(*this, b));
      src = TRY(openContainer(*this, a));
    }
    ContainerFs& dfs = dst ? *dst : *src;
    auto sst = fs_statOrError(*src, src_path, src_ctr);
    if (!sst.ok()) return std::move(sst).error();
    auto dinfo = TRY(resolveDestination(dfs, dst_path, false));
    if (sst->ps.is_dir && !dinfo.stat.ps.is_dir)
      return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
    std::string src_target = sst->link_target;
    std::string dst_target = dinfo.stat.link_target;
    if (!dinfo.stat.ps.is_dir) dst_target = copy::goDir(dst_path);
    if (dinfo.resolved_to_parent && sst->ps.is_dir && endsWith(src_path, "."))
      src_target = copy::goDir(src_target);
    std::map<std::string, std::string> rename;
    if ((!sst->ps.is_dir && !dinfo.stat.ps.is_dir) || dinfo.resolved_to_parent)
      rename[copy::baseName(src_target)] = dinfo.base_name;
    auto put = putIntoContainer(dfs, dst_target, req.archive, req.overwrite, rename);
    if (!put.ok()) return wrap(std::move(put).error(), "copying to container");
    Status s = getFromContainer(*src, src_target, **put);
    if (!s.ok()) return wrap(std::move(s).error(), "copying to container");
    return {};
  }

  if (!src_ctr.empty()) {
    // --- container to host (or stdout) ---
    auto fs = TRY(openContainer(*this, src_ctr));
    bool to_stdout = dst_path == "-";
    std::string host_path = to_stdout ? "/dev/stdout" : dst_path;
    auto cst = fs_statOrError(*fs, src_path, src_ctr);
    if (!cst.ok()) return std::move(cst).error();
    auto hd = TRY(hostDestination(host_path, to_stdout));
    auto& host = hd.host;
    bool to_parent = hd.to_parent;
    std::string ctr_target = cst->link_target;
    if (to_parent && cst->ps.is_dir && endsWith(ctr_target, ".")) ctr_target = copy::goDir(ctr_target);
    if (!to_stdout && cst->ps.is_dir && !host.is_dir())
      return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
    if (to_stdout) {
      auto sink = copy::tarSink(req.stdout_fd);
      Status s = getFromContainer(*fs, ctr_target, *sink);
      if (!s.ok()) return wrap(std::move(s).error(), "copying from container");
      return {};
    }
    auto put = hostPutSink(hd, cst->ps.is_dir, ctr_target, req.overwrite);
    if (!put.ok()) return wrap(std::move(put).error(), "copying to host");
    Status s = getFromContainer(*fs, ctr_target, *put->sink);
    if (!s.ok()) return wrap(std::move(s).error(), "copying to host");
    return {};
  }

  // --- host (or stdin) to container ---
  if (dst_ctr.empty()) return makeError(Code::kNotFound, "container {:?} does not exist", dst_ctr);
  auto fs = TRY(openContainer(*this, dst_ctr));
  bool from_stdin = src_path == "-";
  std::string host_path = from_stdin ? "/dev/stdin" : src_path;
  auto host = resolveHostPath(host_path);
  if (!host.ok())
    return makeError(host.error().code(), "{:?} could not be found on the host: {}", host_path, host.error().what());
  auto dinfo = TRY(resolveDestination(*fs, dst_path, from_stdin));
  std::string host_target = host->link_target;
  if (dinfo.resolved_to_parent && host->is_dir() && endsWith(host_target, "."))
    host_target = copy::goDir(host_target);
  if (from_stdin && !dinfo.stat.ps.is_dir)
    return makeError(Code::kInvalidArgument, "destination must be a directory when copying from stdin");
  if (!from_stdin && host->is_dir() && !dinfo.stat.ps.is_dir)
    return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
  std::string target = dinfo.stat.link_target;
  if (!dinfo.stat.ps.is_dir) target = copy::goDir(target);
  if (from_stdin) {
    auto put = putIntoContainer(*fs, target, req.archive, req.overwrite, {});
    if (!put.ok()) return wrap(std::move(put).error(), "copying to container");
    Status s = copy::readTar(req.stdin_fd, **put);
    if (!s.ok() && s.error().code() == Code::kInvalidArgument &&
        s.error().message().rfind("not a (compressed) tar archive", 0) == 0)
      return makeError(Code::kInvalidArgument, "source must be a (compressed) tar archive when copying from stdin");
    if (!s.ok()) return wrap(std::move(s).error(), "copying to container");
    return {};
  }
  copy::GetOptions g;
  g.keep_directory_names = host->is_dir() && copy::baseName(host_target) != ".";
  if ((!host->is_dir() && !dinfo.stat.ps.is_dir) || dinfo.resolved_to_parent)
    g.rename[copy::baseName(host_target)] = dinfo.base_name;
  auto put = putIntoContainer(*fs, target, req.archive, req.overwrite, {});
  if (!put.ok()) return wrap(std::move(put).error(), "copying to container");
  // The host side is trusted: links (even /proc magic ones such as
  // /dev/stdin) are resolved by the kernel, then walked from "/".
  std::string real = TRY(hostReal(host_target));
  g.top_name = copy::baseName(host_target);
  UniqueFd hostroot = TRY(openDirPath("/"));
  Status s = copy::getTree(hostroot.get(), real, g, **put);
  if (!s.ok()) return wrap(std::move(s).error(), "copying from host");
  return {};
}


namespace {

// Runs `produce` on a thread writing into a pipe while `consume` reads the other end in
// this thread. The read end is closed once `consume` returns, so a producer still writing
// (the consumer failed early) gets EPIPE instead of blocking. The consumer's error wins.
Status throughPipe(const std::function<Status(int)>& produce, const std::function<Status(int)>& consume) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return errnoError("create pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  Status produced;
  std::thread t([&] {
    produced = produce(wr.get());
    wr.reset();
  });
  Status consumed = consume(rd.get());
  rd.reset();
  t.join();
  if (!consumed.ok()) return consumed;
  return produced;
}

Result<api::ContainerPathStat> archiveStat(api::ContainerService& svc, const std::string& ctr, const std::string& path) {
  auto st = svc.statPath(ctr, path);
  if (!st.ok())
    return Error(st.error().code(),
                 fmt::format("{:?} could not be found on container {}: {}", path, ctr, st.error().what()));
  return st;
}

// resolveDestination through statPath: the destination, or its parent when it is missing.
Result<std::pair<api::ContainerPathStat, std::string>> archiveDestination(api::ContainerService& svc,
                                                                          const std::string& ctr,
                                                                          const std::string& path, bool is_stdin,
                                                                          bool& to_parent) {
  to_parent = false;
  auto st = svc.statPath(ctr, path);
  if (st.ok()) return std::make_pair(*st, copy::baseName(st->link_target));
  if (st.error().code() != Code::kNotFound) return std::move(st).error();
  if (endsWith(path, "/"))
    return makeError(Code::kNotFound, "{:?} could not be found on container {}: {}", path, ctr, st.error().what());
  if (is_stdin) return makeError(Code::kInvalidArgument, "destination must be a directory when copying from stdin");
  auto parent = svc.statPath(ctr, copy::goDir(path));
  if (!parent.ok())
    return makeError(Code::kNotFound, "{:?} could not be found on container {}: {}", path, ctr,
                     parent.error().what());
  to_parent = true;
  return std::make_pair(*parent, copy::baseName(path));
}

}  // namespace

Status copyThroughArchives(api::ContainerService& svc, const api::CopyRequest& req) {
  auto [src_ctr, src_path] = parseCopyArg(req.source);
  auto [dst_ctr, dst_path] = parseCopyArg(req.destination);
  if (src_path.empty() || dst_path.empty())
    return makeError(Code::kInvalidArgument, "invalid arguments {:?}, {:?}: you must specify paths", req.source,
                     req.destination);
  for (auto* ctr : {&src_ctr, &dst_ctr})
    if (!ctr->empty()) TRY(svc.resolveId(*ctr).context(fmt::format("container {:?} does not exist", *ctr)));
  api::ArchivePutOptions put;
  put.chown = req.archive;
  put.no_overwrite_dir_nondir = !req.overwrite;

  if (!src_ctr.empty() && !dst_ctr.empty()) {
    // --- container to container: the source's tar into the destination, renamed there ---
    auto sst = TRY(archiveStat(svc, src_ctr, src_path));
    bool to_parent = false;
    auto [dst, base] = TRY(archiveDestination(svc, dst_ctr, dst_path, false, to_parent));
    if (sst.is_dir && !dst.is_dir)
      return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
    std::string src_target = sst.link_target;
    std::string dst_target = dst.is_dir ? dst.link_target : copy::goDir(dst_path);
    if (to_parent && sst.is_dir && endsWith(src_path, ".")) src_target = copy::goDir(src_target);
    if ((!sst.is_dir && !dst.is_dir) || to_parent) put.rename[copy::baseName(src_target)] = base;
    // Both ends are requests to the same service: spool the tar instead of holding two at once.
    int fd = ::memfd_create("cp", MFD_CLOEXEC);
    if (fd < 0) return errnoError("memfd_create");
    UniqueFd spool(fd);
    TRY(svc.copyToArchive(src_ctr, src_target, fd).context("copying from container"));
    if (::lseek(fd, 0, SEEK_SET) < 0) return errnoError("rewind the copy");
    return svc.copyFromArchive(dst_ctr, dst_target, fd, put).context("copying to container");
  }

  if (!src_ctr.empty()) {
    // --- container to host (or stdout) ---
    bool to_stdout = dst_path == "-";
    auto cst = TRY(archiveStat(svc, src_ctr, src_path));
    auto hd = TRY(hostDestination(to_stdout ? "/dev/stdout" : dst_path, to_stdout));
    std::string ctr_target = cst.link_target;
    if (hd.to_parent && cst.is_dir && endsWith(ctr_target, ".")) ctr_target = copy::goDir(ctr_target);
    if (!to_stdout && cst.is_dir && !hd.host.is_dir())
      return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
    if (to_stdout) return svc.copyToArchive(src_ctr, ctr_target, req.stdout_fd).context("copying from container");
    auto sink = TRY(hostPutSink(hd, cst.is_dir, ctr_target, req.overwrite).context("copying to host"));
    return throughPipe([&](int fd) { return svc.copyToArchive(src_ctr, ctr_target, fd); },
                       [&](int fd) { return copy::readTar(fd, *sink.sink); })
        .context("copying to host");
  }

  // --- host (or stdin) to container ---
  if (dst_ctr.empty()) return makeError(Code::kNotFound, "container {:?} does not exist", dst_ctr);
  bool from_stdin = src_path == "-";
  std::string host_path = from_stdin ? "/dev/stdin" : src_path;
  auto host = resolveHostPath(host_path);
  if (!host.ok())
    return makeError(host.error().code(), "{:?} could not be found on the host: {}", host_path, host.error().what());
  bool to_parent = false;
  auto [dst, base] = TRY(archiveDestination(svc, dst_ctr, dst_path, from_stdin, to_parent));
  std::string host_target = host->link_target;
  if (to_parent && host->is_dir() && endsWith(host_target, ".")) host_target = copy::goDir(host_target);
  if (from_stdin && !dst.is_dir)
    return makeError(Code::kInvalidArgument, "destination must be a directory when copying from stdin");
  if (!from_stdin && host->is_dir() && !dst.is_dir)
    return makeError(Code::kInvalidArgument, "destination must be a directory when copying a directory");
  std::string target = dst.is_dir ? dst.link_target : copy::goDir(dst.link_target);
  if (from_stdin) return svc.copyFromArchive(dst_ctr, target, req.stdin_fd, put).context("copying to container");
  copy::GetOptions g;
  g.keep_directory_names = host->is_dir() && copy::baseName(host_target) != ".";
  if ((!host->is_dir() && !dst.is_dir) || to_parent) g.rename[copy::baseName(host_target)] = base;
  std::string real = TRY(hostReal(host_target));
  g.top_name = copy::baseName(host_target);
  UniqueFd hostroot = TRY(openDirPath("/"));
  return throughPipe(
             [&](int fd) {
               auto tar = copy::tarSink(fd);
               return copy::getTree(hostroot.get(), real, g, *tar);
             },
             [&](int fd) { return svc.copyFromArchive(dst_ctr, target, fd, put); })
      .context("copying to container");
}

}  // namespace berth::engine
