// Container lifecycle: init (mount, bundle, monitor), start, stop, kill, pause, exit sync, cleanup, wait.
#include <algorithm>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sys/mount.h>
#include <thread>

#include "base/fs.h"
#include "base/json_access.h"
#include "engine/system_service.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/helper_binaries.h"
#include "engine/monitor_launch.h"
#include "engine/rootfs_files.h"
#include "sys/cgroup_warm.h"
#include "sys/idmap.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/select.h"
#include "specgen/specgen.h"
#include "store/layer_store.h"
#include "sys/inroot.h"
#include "sys/mounts.h"
#include "state/pods.h"

namespace berth::engine {

namespace {

// podman makes /etc/mtab a link to /proc/mounts when the image has none (mount and df
// read it); inside the rootfs only (openat2 RESOLVE_IN_ROOT), /etc created if missing.
Status ensureMtab(const std::string& rootfs) {
  UniqueFd root = TRY(sys::openRoot(rootfs));
  auto etc = sys::openInRoot(root.get(), "/etc", O_PATH | O_DIRECTORY);
  if (!etc.ok() && etc.error().code() == Code::kNotFound) {
    if (::mkdirat(root.get(), "etc", 0755) < 0 && errno != EEXIST) return errnoError("create /etc in the rootfs");
    etc = sys::openInRoot(root.get(), "/etc", O_PATH | O_DIRECTORY);
  }
  if (!etc.ok()) return std::move(etc).error().context("open /etc in the rootfs");
  if (::symlinkat("/proc/mounts", etc->get(), "mtab") < 0 && errno != EEXIST)
    return errnoError("create the /etc/mtab link");
  return {};
}


}  // namespace

int readPidFile(const std::string& path) {
  auto s = fs::readFile(path);
  if (!s.ok()) return 0;
  try {
    return std::stoi(*s);
  } catch (...) {
    return 0;
  }
}

// A zombie is dead: an orphaned container process waits for pid 1 to reap it.
bool processAlive(int pid) {
  if (pid <= 0 || (::kill(pid, 0) < 0 && errno != EPERM)) return false;
  auto stat = fs::readFile(fmt::format("/proc/{}/stat", pid));
  if (!stat.ok()) return true;
  auto rp = stat->rfind(')');
  return rp == std::string::npos || rp + 2 >= stat->size() || (*stat)[rp + 2] != 'Z';
}

namespace {

struct LiveMonitor {
  int pid = 0;
  bool starts = false;  // launched with --start: it starts the container itself
};

// The live berth-monitor of container `id` whose pid `path` holds (pid 0: none).
LiveMonitor liveMonitor(const std::string& path, const std::string& id) {
  int pid = readPidFile(path);
  if (!processAlive(pid)) return {};
  auto cmdline = fs::readFile(fmt::format("/proc/{}/cmdline", pid));
  if (!cmdline.ok() || cmdline->find("berth-monitor") == std::string::npos ||
      cmdline->find(id) == std::string::npos)
    return {};
  return {pid, cmdline->find(std::string_view("\0--start\0", 9)) != std::string::npos};
}


void sleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// The error of a failed start, with whatever also failed while undoing it:
// nothing is dropped, a half-undone container needs the user to know.
Error withUndoFailures(Error primary, std::initializer_list<std::pair<const Status*, const char*>> undo) {
  std::string text;
  for (auto& [st, step] : undo)
    if (!st->ok()) text += fmt::format("; also failed to {}: {}", step, st->error().what());
  if (text.empty()) return primary;
  LOG_ERROR("{}{}", primary.what(), text);
  return Error(primary.code(), primary.what() + text);
}

// podman's /etc/localtime for --tz: a copy of the zone file (the host's /etc/localtime for
// "local") in the run directory, bound over the image's. Adds the mount to `out`.
Status addTimezone(const api::SpecGenerator& spec, const std::string& run_dir, api::SpecGenerator& out) {
  const std::string& tz = spec.timezone;
  if (tz.empty()) return {};
  for (auto& m : spec.mounts)
    if (m.destination == "/etc/localtime") return {};
  std::string zone = "/etc/localtime";
  if (tz != "local") {
    if (tz[0] == '/' || tz.find("..") != std::string::npos)
      return makeError(Code::kInvalidArgument, "finding timezone: unknown time zone {}", tz);
    zone = "/usr/share/zoneinfo/" + tz;
  }
  auto data = fs::readFile(zone);
  if (!data.ok()) {
    if (tz == "local") return std::move(data).error().context("finding local timezone for container");
    return makeError(Code::kInvalidArgument, "finding timezone for container: unknown time zone {}", tz);
  }
  std::string copy = run_dir + "/localtime";
  TRY(fs::writeFileReplace(copy, *data));
  out.mounts.push_back(api::Mount{"/etc/localtime", "bind", copy, {"bind", "rprivate"}});
  return {};
}

// podman's isPathOnMount/isPathOnVolume: `path` is a mount's destination, beneath one, or
// one of its parents (the runtime creates those).
bool onMount(const api::SpecGenerator& spec, const std::string& path) {
  auto within = [](const std::string& a, const std::string& b) {  // a == b or a beneath b
    return a == b || b == "/" || (a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '/');
  };
  auto under = [&](const std::string& dest) {
    std::string d = dest.size() > 1 && dest.back() == '/' ? dest.substr(0, dest.size() - 1) : dest;
    return within(path, d) || within(d, path);
  };
  for (auto& m : spec.mounts)
    if (under(m.destination)) return true;
  for (auto& v : spec.volumes)
    if (under(v.dest)) return true;
  return false;
}

// podman's resolveWorkDir: a working directory the user chose (not the image's, not one to
// create, not on a mount) must exist in the root filesystem.
Status checkWorkdir(const api::SpecGenerator& spec, const std::string& rootfs, const std::string& id) {
  const std::string& wd = spec.work_dir;
  if (wd.empty() || wd == "/" || spec.create_working_dir.value_or(false) || onMount(spec, wd)) return {};
  auto root = TRY(sys::openRoot(rootfs));
  auto st = sys::statInRoot(root.get(), wd);
  if (st.ok()) {
    if (!S_ISDIR(st->st_mode))
      return makeError(Code::kFailedPrecondition, "workdir {:?} exists on container {}, but is not a directory", wd, id);
    return {};
  }
  if (st.error().code() == Code::kNotFound)
    return makeError(Code::kFailedPrecondition, "workdir {:?} does not exist on container {}", wd, id);
  return std::move(st).error().context(fmt::format("detecting workdir {:?} on container {}", wd, id));
}

}  // namespace

Status LocalContainerService::joinNamespaces(const api::SpecGenerator& spec, specgen::SpecInputs& in) {
  using api::NamespaceMode;
  for (auto [ns, type] : {std::pair{&spec.ipcns, "ipc"}, {&spec.pidns, "pid"}, {&spec.utsns, "uts"},
                          {&spec.userns, "user"}, {&spec.cgroupns, "cgroup"}}) {
    if (!ns->is(NamespaceMode::kContainer)) continue;
    auto donor = TRY(state::getContainer(e_.db(), ns->value));
    if (!donor)
      return makeError(Code::kNotFound, "container {} whose {} namespace this one joins is gone", ns->value, type);
    std::string st = donor->state.value("status", "");
    int pid = donor->state.value("pid", 0);
    if ((st != "running" && st != "paused") || pid <= 0)
      return makeError(Code::kFailedPrecondition, "cannot join the {} namespace of container {}: it is not running", type,
                       donor->name);
    in.namespace_paths[type] = fmt::format("/proc/{}/ns/{}", pid, type);
    // The donor's /dev/shm too, as podman: a host tmpfs (see mountShm) can be bound in; a
    // donor with private IPC (or one started before berth kept it on the host) has none,
    // and the joiner then gets its own /dev/shm.
    if (std::string_view(type) == "ipc")
      if (std::string shm = paths(donor->id).shm; sys::isMountPoint(shm)) in.shm_path = shm;
  }
  return {};
}

std::string shownStatus(const Json& state) {
  std::string s = state.value("status", "configured");
  if ((s == "running" || s == "paused") && processAlive(state.value("stopping_pid", 0))) return "stopping";
  return s;
}

Result<std::optional<Json>> LocalContainerService::readExitFile(const std::string& id) const {
  auto p = paths(id);
  auto raw = fs::readFile(p.exit_file);
  if (!raw.ok()) {
    if (raw.error().code() == Code::kNotFound) return std::optional<Json>();
    return std::move(raw).error();
  }
  Json j = Json::parse(*raw, nullptr, false);
  if (!j.is_object()) return std::optional<Json>();
  return std::optional<Json>(j);
}

// --- rootfs and bundle --------------------------------------------------------

namespace {

// The uid and gid maps of a container with its own (--uidmap/--gidmap) user namespace, or
// nullopt. Read from the stored spec only when it has idmappings: this is on every start.
Result<std::optional<std::pair<std::vector<sys::IdRange>, std::vector<sys::IdRange>>>> containerIdMaps(
    const state::ContainerRecord& rec) {
  using Maps = std::pair<std::vector<sys::IdRange>, std::vector<sys::IdRange>>;
  auto it = rec.config.find("spec");
  if (it == rec.config.end() || !it->is_object() || !it->contains("idmappings")) return std::optional<Maps>();
  api::SpecGenerator spec = storedSpec(rec.config);
  if (spec.userns.is(api::NamespaceMode::kHost) || !spec.idmappings || spec.idmappings->uid_map.empty() ||
      spec.idmappings->gid_map.empty())
    return std::optional<Maps>();
  Maps m;
  for (const auto& r : spec.idmappings->uid_map)
    m.first.push_back({uint32_t(r.container_id), uint32_t(r.host_id), uint32_t(r.size)});
  for (const auto& r : spec.idmappings->gid_map)
    m.second.push_back({uint32_t(r.container_id), uint32_t(r.host_id), uint32_t(r.size)});
  return std::optional<Maps>(std::move(m));
}

}  // namespace

Status LocalContainerService::mountRootfs(state::ContainerRecord& rec) {
  auto p = paths(rec.id);
  TRY(fs::mkdirAll(p.merged, 0755));
  if (sys::isMountPoint(p.merged)) return {};
  if (e_.driver() == "overlay") {  // create may have been killed before making them
    TRY(fs::mkdirAll(p.upper, 0755));
    TRY(fs::mkdirAll(p.work, 0700));
  }
  // --rootfs: the directory itself (bound), or with ":O" the lower layer of an overlay whose
  // upper layer is the container's, so the directory is never written.
  // Two fields read straight from the stored spec: this is on every start's path.
  std::string rootfs;
  bool rootfs_overlay = false, volatile_storage = false;
  if (auto it = rec.config.find("spec"); it != rec.config.end() && it->is_object()) {
    rootfs = TRY(json::optString(*it, "rootfs", "spec"));
    rootfs_overlay = TRY(json::optBool(*it, "rootfs_overlay", "spec"));
    volatile_storage = TRY(json::optBool(*it, "volatile", "spec"));
  }
  if (!rootfs.empty()) {
    if (!fs::isDir(rootfs))
      return makeError(Code::kNotFound, "rootfs {} of container {} is gone", rootfs, rec.id.substr(0, 12));
    if (rootfs_overlay) {
      TRY(fs::mkdirAll(p.upper, 0755));
      TRY(fs::mkdirAll(p.work, 0700));
      std::string opts = fmt::format("lowerdir={},upperdir={},workdir={}", rootfs, p.upper, p.work);
      TRY_CTX(sys::mount("overlay", p.merged, "overlay", 0, opts, ""), "mount rootfs of {}", rec.id.substr(0, 12));
    } else {
      TRY_CTX(sys::mount(rootfs, p.merged, "", MS_BIND | MS_REC, "", ""), "mount rootfs of {}",
              rec.id.substr(0, 12));
    }
    return {};
  }
  std::vector<std::string> layers = rec.config.value("layers_top_first", std::vector<std::string>{});
  auto idmaps = TRY(containerIdMaps(rec));
  // (Looked at only with ID maps: listing the upper layer is not for every start.)
  bool fresh_upper = idmaps && (!fs::isDir(p.upper) || TRY(fs::listDir(p.upper)).empty());
  auto spec = TRY(e_.layers().mountSpec(layers, p.upper, p.work));
  UniqueFd ns;  // with ID maps: a user namespace holding them, for ID-mapped mounts
  if (idmaps) {
    ns = TRY_CTX(sys::makeUserNamespace(idmaps->first, idmaps->second), "user namespace of {}", rec.id.substr(0, 12));
    // The runtime mounts the rootfs and the engine's files as the mapped root: the
    // directories above them must let it through (podman makes its own 0711 likewise).
    for (const std::string& d : {e_.options().runroot, e_.options().runroot + "/containers", p.run_dir})
      if (::chmod(d.c_str(), 0711) < 0) return errnoError("chmod {}", d);
  }
  if (spec.type == "overlay") {
    std::string lower_base = spec.chdir;
    if (idmaps) {
      // --uidmap/--gidmap: the layers are seen through an ID-mapped mount, so the container's
      // root owns them as it owns the image's files, with no chowned copy; its upper layer
      // is its own and belongs to the mapped root from the start.
      std::string view = p.run_dir + "/idmapped-layers";
      TRY(fs::mkdirAll(view, 0700));
      if (!sys::isMountPoint(view))
        TRY_CTX(sys::mountIdmapped(spec.chdir, view, ns.get()), "ID-mapped layers of {}", rec.id.substr(0, 12));
      lower_base = view;
      if (fresh_upper) {
        struct stat st;
        if (::stat(p.upper.c_str(), &st) < 0) return errnoError("stat {}", p.upper);
        int64_t uid = sys::hostId(idmaps->first, st.st_uid), gid = sys::hostId(idmaps->second, st.st_gid);
        if (uid >= 0 && gid >= 0 && ::chown(p.upper.c_str(), uid_t(uid), gid_t(gid)) < 0)
          return errnoError("chown {}", p.upper);
      }
    }
    if (volatile_storage) {
      // podman's volatile storage (`run --rm`): overlay skips every sync of the upper layer,
      // the one at the unmount too. Overlay refuses any later mount while a volatile one's
      // marker is left: this container's upper layer is its own, so it goes first.
      TRY(fs::removeAll(p.work + "/work/incompat/volatile"));
      Status st = sys::mount("overlay", p.merged, "overlay", 0, spec.options + ",volatile", lower_base);
      if (st.ok()) return {};
      if (st.error().sysErrno() != EINVAL)
        return std::move(st).error().context(fmt::format("mount rootfs of {}", rec.id.substr(0, 12)));
      LOG_DEBUG("overlay without \"volatile\" (before Linux 5.10) for {}", rec.id.substr(0, 12));
    }
    TRY_CTX(sys::mount("overlay", p.merged, "overlay", 0, spec.options, lower_base), "mount rootfs of {}",
            rec.id.substr(0, 12));
  } else if (idmaps) {
    // vfs: the container's own copy, seen through an ID-mapped bind (no chowned copy). What the
    // container writes is stored with the IDs it has inside, as the image's files are.
    TRY_CTX(sys::mountIdmapped(spec.source, p.merged, ns.get()), "mount rootfs of {} (ID-mapped)",
            rec.id.substr(0, 12));
  } else {
    TRY_CTX(sys::mount(spec.source, p.merged, "", MS_BIND | MS_REC, "", ""), "mount rootfs of {}", rec.id.substr(0, 12));
  }
  return {};
}

// A container whose IPC namespace others may join (podman's default "shareable") keeps
// its /dev/shm as a tmpfs on the host, <run_dir>/shm: a tmpfs inside its own mount
// namespace could not be bound into a joiner's. Unmounted with the rootfs when it stops.
Result<std::string> LocalContainerService::mountShm(const state::ContainerRecord& rec, const api::SpecGenerator& spec) {
  using api::NamespaceMode;
  if (!spec.ipcns.isDefault() && !spec.ipcns.is(NamespaceMode::kShareable)) return std::string();
  auto p = paths(rec.id);
  if (sys::isMountPoint(p.shm)) return p.shm;
  TRY(fs::mkdirAll(p.shm, 0700));
  int64_t size = spec.shm_size && *spec.shm_size > 0 ? *spec.shm_size : int64_t(64) << 20;
  TRY_CTX(sys::mount("shm", p.shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, fmt::format("mode=1777,size={}", size), ""),
          "mount /dev/shm of {}", rec.id.substr(0, 12));
  return p.shm;
}

Status LocalContainerService::unmountRootfs(state::ContainerRecord& rec) {
  auto p = paths(rec.id);
  for (int i = 0; sys::isMountPoint(p.shm); ++i) {
    if (i == 8) return makeError(Code::kUnavailable, "unmount /dev/shm of {}: {} is still mounted", rec.id.substr(0, 12), p.shm);
    TRY_CTX(sys::unmount(p.shm, i > 2), "unmount /dev/shm of {}", rec.id.substr(0, 12));
  }
  if (userMounts(rec.id) > 0) return {};  // `berth mount` keeps it mounted
  // Mounts may be stacked (a mount repeated after a crash): unmount until none is left.
  for (int i = 0; sys::isMountPoint(p.merged); ++i) {
    if (i == 8)
      return makeError(Code::kUnavailable, "unmount rootfs of {}: {} is still mounted", rec.id.substr(0, 12),
                       p.merged);
    TRY_CTX(sys::unmount(p.merged, i > 2), "unmount rootfs of {}", rec.id.substr(0, 12));
  }
  std::string view = p.run_dir + "/idmapped-layers";
  for (int i = 0; sys::isMountPoint(view); ++i) {
    if (i == 8) return makeError(Code::kUnavailable, "unmount the ID-mapped layers of {}", rec.id.substr(0, 12));
    TRY_CTX(sys::unmount(view, i > 2), "unmount the ID-mapped layers of {}", rec.id.substr(0, 12));
  }
  return {};
}

Status LocalContainerService::writeBundle(state::ContainerRecord& rec) {
  auto p = paths(rec.id);
  TRY(fs::mkdirAll(p.run_dir, 0700));
  api::SpecGenerator spec = storedSpec(rec.config);
  std::string netns_path;
  if (rec.state.contains("network_status") || rec.state.contains("slirp4netns")) netns_path = p.netns;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  // podman: a container in the host's network namespace is named like the host.
  bool host_net = spec.netns.is(api::NamespaceMode::kHost);
  bool own_uts = spec.utsns.isDefault() || spec.utsns.is(api::NamespaceMode::kPrivate);
  std::string hostname = spec.hostname;
  // A container in another's UTS namespace (a pod member) is named like that one.
  if (hostname.empty() && spec.utsns.is(api::NamespaceMode::kContainer))
    if (auto h = fs::readFile(paths(spec.utsns.value).run_dir + "/hostname"); h.ok()) {
      hostname = *h;
      while (!hostname.empty() && (hostname.back() == '\n' || hostname.back() == ' ')) hostname.pop_back();
    }
  if (hostname.empty()) hostname = host_net ? std::string(host) : rec.id.substr(0, 12);
  TRY(fs::writeFileReplace(p.run_dir + "/hostname", hostname + "\n"));
  // The files of the container whose network namespace this one joins, as podman shares them.
  std::string net_files_dir = p.run_dir;
  if (spec.netns.is(api::NamespaceMode::kContainer)) {
    auto other = TRY(state::getContainer(e_.db(), spec.netns.value));
    if (!other)
      return makeError(Code::kNotFound, "container {} whose network namespace {} joins is gone", spec.netns.value,
                       rec.id.substr(0, 12));
    std::string st = other->state.value("status", "");
    int pid = other->state.value("pid", 0);
    if ((st != "running" && st != "paused") || pid <= 0)
      return makeError(Code::kFailedPrecondition, "cannot join the network namespace of container {}: it is not running",
                       other->name);
    auto op = paths(other->id);
    net_files_dir = op.run_dir;
    if (!spec.use_image_hosts.value_or(false)) {
      TRY_CTX(editJoinedHosts(op.run_dir + "/hosts", rec.name, true), "add container {} to the /etc/hosts of {}",
              rec.id.substr(0, 12), other->name);
      rec.state["joined_hosts"] = true;
    }
    netns_path = fs::exists(op.netns) ? op.netns : fmt::format("/proc/{}/ns/net", pid);
  } else {
    TRY(writeNetworkFiles(rec, spec, hostname));
  }
  // podman's /run/.containerenv: empty, but for a privileged container (which can see
  // the host anyway), the engine, the container and its image.
  std::string containerenv;
  // engine= names the podman version berth stands in for (the API level): tools key on "podman-".
  if (spec.privileged.value_or(false))
    containerenv = fmt::format("engine=\"podman-{}\"\nname=\"{}\"\nid=\"{}\"\nimage=\"{}\"\nimageid=\"{}\"\nrootless={}\n",
                               VersionInfo::kApiVersion, rec.name, rec.id, rec.config.value("image_name", ""),
                               rec.image_id, ::geteuid() == 0 ? 0 : 1);
  TRY(fs::writeFileReplace(p.run_dir + "/.containerenv", containerenv));
  specgen::SpecInputs in;
  in.specgen = spec;
  if (own_uts) in.specgen.hostname = hostname;
  in.image_config = rec.config["image_config"];
  if (auto he = rec.config.find("host_environ"); he != rec.config.end() && he->is_array())
    for (auto& kv : *he)
      if (kv.is_string()) in.host_environ.push_back(kv.get<std::string>());
  in.rootfs = p.merged;
  in.container_id = rec.id;
  auto user_files = TRY_CTX(readUserFiles(p.merged), "resolve the user of {}", rec.id.substr(0, 12));
  {
    // The user is resolved against the image's files (as podman, which sets no HOME for a
    // uid they lack); the entries added here are for the processes in the container.
    std::string workdir = spec.work_dir;
    if (workdir.empty() && in.image_config.is_object())
      if (auto it = in.image_config.find("WorkingDir"); it != in.image_config.end() && it->is_string())
        workdir = it->get<std::string>();
    if (workdir.empty()) workdir = "/";
    TRY_CTX(addContainerUsers(p.merged, user_files, spec, workdir, p.static_dir, in.specgen.mounts),
            "add the users of {} to its /etc/passwd", rec.id.substr(0, 12));
  }
  in.passwd = std::move(user_files.passwd);
  in.group = std::move(user_files.group);
  in.cgroup_parent = "/berth";
  in.cgroup2 = runtime::detectCgroupMode() == runtime::CgroupMode::kUnified;
  in.runtime_name = rec.config.value("runtime", "");
  in.host_rlimit = [](int res) -> std::optional<specgen::HostRlimit> {
    struct rlimit rl;
    if (::getrlimit(res, &rl) < 0) return std::nullopt;
    return specgen::HostRlimit{uint64_t(rl.rlim_cur), uint64_t(rl.rlim_max)};
  };
  if (auto pm = fs::readFile("/proc/sys/kernel/pid_max"); pm.ok()) in.pid_max = std::strtoull(pm->c_str(), nullptr, 10);
  // None when the network is disabled (--network none, or joined from such a container).
  if (!spec.use_image_resolve_conf.value_or(false) && fs::exists(net_files_dir + "/resolv.conf"))
    in.resolv_conf_path = net_files_dir + "/resolv.conf";
  if (!spec.use_image_hosts.value_or(false)) in.hosts_path = net_files_dir + "/hosts";
  if (!netns_path.empty()) in.namespace_paths["network"] = netns_path;
  in.shm_path = TRY(mountShm(rec, spec));
  TRY(joinNamespaces(spec, in));
  TRY(addTimezone(spec, p.run_dir, in.specgen));
  TRY(applySecrets(rec, spec, in.specgen));
  TRY(checkWorkdir(spec, p.merged, rec.id));
  in.hostname_path = p.run_dir + "/hostname";
  in.containerenv_path = p.run_dir + "/.containerenv";
  if (fs::exists("/usr/share/containers/seccomp.json")) in.seccomp_json_path = "/usr/share/containers/seccomp.json";
  in.host_hostname = host;
  if (spec.seccomp_policy == "image") {
    // --seccomp-policy=image: the profile the image carries in its label, over any other.
    const Json* profile = nullptr;
    if (auto l = in.image_config.find("Labels"); l != in.image_config.end() && l->is_object())
      if (auto it = l->find(kSeccompImageLabel); it != l->end() && it->is_string()) profile = &*it;
    if (!profile) return makeError(Code::kInvalidArgument, "no seccomp policy defined by image");
    TRY(fs::writeFileReplace(p.run_dir + "/seccomp.image.json", profile->get<std::string>(), 0600));
    in.specgen.seccomp_profile_path = p.run_dir + "/seccomp.image.json";
  }
  in.volume_paths = TRY(acquireVolumesLocked(rec, spec));
  in.image_volume_paths = TRY(acquireImageVolumesLocked(rec, spec));
  Json oci = TRY_CTX(specgen::generateSpec(in), "generate OCI spec for {}", rec.id.substr(0, 12));
  TRY(firstUseVolumes(rec, spec, oci));
  // crun compiles the seccomp profile on every create; hand it the filter compiled once per
  // profile instead (BERTH_SECCOMP_PRECOMPILE=0 leaves it to crun, for comparison).
  const char* precompile = std::getenv("BERTH_SECCOMP_PRECOMPILE");
  if (in.runtime_name == "crun" && oci.contains("linux") && oci["linux"].contains("seccomp") &&
      !(precompile && std::string_view(precompile) == "0")) {
    LOG_PHASE("seccomp filter (cached)");
    auto b64 = runtime::seccompBpfAnnotation(oci["linux"]["seccomp"], e_.options().runroot + "/seccomp");
    if (!b64.ok()) LOG_DEBUG("precompile the seccomp filter of {}: {}", rec.id.substr(0, 12), b64.error().what());
    else if (*b64) oci["annotations"][runtime::kSeccompBpfAnnotation] = std::move(**b64);
  }
  if (console_size_ && oci.contains("process") && oci["process"].value("terminal", false))
    oci["process"]["consoleSize"] = {{"height", console_size_->first}, {"width", console_size_->second}};
  TRY(fs::writeFileReplace(p.config_json, oci.dump()));  // compact, as podman writes it
  if (oci.contains("process") && oci["process"].contains("args")) rec.config["command"] = oci["process"]["args"];
  return {};
}

// --- monitor ------------------------------------------------------------------

Result<int> LocalContainerService::startMonitor(state::ContainerRecord& rec, bool start, bool hold_output,
                                                const MonitorRestore* restore) {
  auto m = TRY(spawnContainerMonitor(rec, start, hold_output, restore, false));
  return releaseContainerMonitor(rec, m);
}

Result<PendingMonitor> LocalContainerService::spawnContainerMonitor(state::ContainerRecord& rec, bool start,
                                                                    bool hold_output, const MonitorRestore* restore,
                                                                    bool early) {
  auto p = paths(rec.id);
  auto rt = TRY(runtimeFor(rec));
  std::string monitor = TRY(helperBinary("berth-monitor"));
  std::string cleanup = TRY(helperBinary("berth-cleanup"));
  TRY(fs::mkdirAll(e_.options().runroot + "/s", 0700));
  TRY(fs::mkdirAll(e_.options().runroot + "/runtime/" + rt.config().name, 0700));
  // Records of the last run: a stale exit file would end the new run at once,
  // a stale ".stopping" veto its restart policy.
  for (const std::string& f : {p.exit_file, p.pid_file, p.socket, p.ctl, p.exit_file + ".stopping",
                               p.exit_file + ".restarts"})
    if (::unlink(f.c_str()) < 0 && errno != ENOENT) return errnoError("remove {}", f);
  // Exec sessions of the last run ended with it.
  if (auto st = fs::removeAll(p.run_dir + "/exec"); !st.ok())
    LOG_WARN("remove old exec sessions of {}: {}", rec.id.substr(0, 12), st.error().what());
  rec.state["restarts"] = 0;  // a start by the user counts afresh, as podman does
  const api::SpecGenerator spec = storedSpec(rec.config);
  std::string log_driver = "k8s-file";
  int64_t max_size = 0;
  if (spec.log_configuration) {
    if (!spec.log_configuration->driver.empty()) log_driver = spec.log_configuration->driver;
    // podman writes json-file (an alias kept for scripts) and journald (not built here) as k8s-file,
    // the one format `logs` reads.
    if (log_driver == "journald" || log_driver == "json-file") log_driver = "k8s-file";
    max_size = spec.log_configuration->size;
  }
  std::vector<std::string> argv = {monitor, "--id", rec.id, "--bundle", p.run_dir, "--runtime", rt.config().path};
  for (auto& a : rt.config().global_args) argv.insert(argv.end(), {"--runtime-arg", a});
  argv.insert(argv.end(), {"--exit-file", p.exit_file, "--log-path", p.log, "--log-driver", log_driver,
                           "--socket-path", p.socket, "--ctl-path", p.ctl, "--pid-file", p.pid_file,
                           "--monitor-pid-file", p.monitor_pid_file});
  if (max_size > 0) argv.insert(argv.end(), {"--log-max-size", std::to_string(max_size)});
  if (rec.config.value("tty", false)) argv.push_back("--tty");
  if (rec.config.value("stdin", false)) argv.push_back("--stdin");
  const std::string& policy = spec.restart_policy;
  if (!policy.empty() && policy != "no") {
    argv.insert(argv.end(), {"--restart-policy", policy});
    if (spec.restart_tries.value_or(0) > 0)
      argv.insert(argv.end(), {"--restart-max", std::to_string(*spec.restart_tries)});
  }
  argv.insert(argv.end(), {"--exit-command", cleanup});
  // The exit work reports its events (died, cleanup, remove) where this command does.
  for (auto& a : std::vector<std::string>{"--root", e_.options().root, "--runroot", e_.options().runroot,
                                          "--storage-driver", e_.driver(), "--tmpdir", e_.options().tmpdir,
                                          "--events-backend", e_.options().events_backend,
                                          "--events-logfile-path", e_.options().events_logfile_path,
                                          "--events-logfile-max-size",
                                          std::to_string(e_.options().events_logfile_max_size)})
    argv.insert(argv.end(), {"--exit-command-arg", a});
  // The network teardown needs the definitions of the container's networks.
  if (!e_.options().network_config_dir.empty())
    argv.insert(argv.end(), {"--exit-command-arg", "--network-config-dir", "--exit-command-arg",
                             e_.options().network_config_dir});
  argv.insert(argv.end(), {"--exit-command-arg", rec.id});
  // Healthchecks run on the monitor's schedule: it runs the exit command with --healthcheck
  // first, `interval` after the previous check ended (podman's systemd timer,
  // --on-unit-inactive). Interval 0 ("disable") schedules none; `healthcheck run` still works.
  if (spec.healthconfig && spec.healthconfig->test.size() > 1 && spec.healthconfig->test[0] != "NONE" &&
      spec.healthconfig->interval.count() > 0)
    argv.insert(argv.end(), {"--health-interval-ms",
                             std::to_string(std::max<int64_t>(1, spec.healthconfig->interval.count() / 1000000))});
  if (start) argv.push_back("--start");
  if (restore) {
    argv.insert(argv.end(), {"--restore", restore->image_path});
    if (restore->tcp_established) argv.push_back("--restore-tcp-established");
    if (restore->file_locks) argv.push_back("--restore-file-locks");
  }
  // An attached run: the monitor starts the container itself and keeps its output unread
  // until this process's attach connection comes (10 s at most, should it never come).
  if (start && hold_output) argv.insert(argv.end(), {"--hold-output-ms", "10000"});
  if (spec.timeout > 0) argv.insert(argv.end(), {"--timeout", std::to_string(spec.timeout)});
  // --preserve-fds: only the process that created the container (`run`) has them.
  auto kept = preserve_fds_.find(rec.id);
  int preserve = kept == preserve_fds_.end() ? 0 : kept->second;

  // The published host ports, reserved for as long as the monitor lives.
  auto held = TRY(reserveHostPorts(spec));
  std::vector<int> hold_fds;
  for (auto& f : held) hold_fds.push_back(f.get());
  return spawnMonitor(std::move(argv), "container " + rec.id.substr(0, 12), preserve, hold_fds, early);
}

Result<int> LocalContainerService::releaseContainerMonitor(state::ContainerRecord& rec, PendingMonitor& monitor) {
  LOG_PHASE("berth-monitor start (incl. runtime create)");
  int pid = TRY(monitor.go());
  auto p = paths(rec.id);
  const api::SpecGenerator spec = storedSpec(rec.config);
  if (!spec.conmon_pid_file.empty())
    TRY_CTX(fs::writeFileReplace(spec.conmon_pid_file, std::to_string(readPidFile(p.monitor_pid_file))),
            "write --conmon-pidfile");
  if (auto pf = rec.config.find("pid_file"); pf != rec.config.end() && pf->is_string() && pid > 0)
    TRY_CTX(fs::writeFileReplace(pf->get<std::string>(), std::to_string(pid)), "write --pidfile {}",
            pf->get<std::string>());
  return pid;
}

Status LocalContainerService::initLocked(state::ContainerRecord& rec, bool overlap_network) {
  std::string status = rec.state.value("status", "configured");
  if (status == "created" || status == "running" || status == "paused") return {};
  auto rt = TRY(runtimeFor(rec));
  // A leftover from a crashed run: only then is a runtime call worth its cost
  // (runc and crun keep each container's state in <runtime root>/<id>).
  if (fs::exists(e_.options().runroot + "/runtime/" + rt.config().name + "/" + rec.id)) {
    // If it stays, the runtime's create reports the clash itself.
    if (auto rm = rt.remove(rec.id, true); !rm.ok() && rm.error().code() != Code::kNotFound)
      LOG_WARN("delete the leftover runtime container {}: {}", rec.id.substr(0, 12), rm.error().what());
  }
  const api::SpecGenerator spec = storedSpec(rec.config);
  // netavark first, on its own thread, when the caller finishes it after the runtime's create.
  bool overlapped = overlap_network && overlapsNetworkSetup(spec);
  if (overlapped) {
    LOG_PHASE("network setup started");
    TRY(beginNetworkSetupLocked(rec, spec));
  }
  // On a failure below: netavark's setup waited for, then undone.
  auto untearNetwork = [&] {
    (void)finishNetworkSetupLocked(rec);
    if (auto t = teardownNetworkLocked(rec, spec); !t.ok())
      LOG_WARN("tear down the network of container {} after a failed start: {}", rec.id.substr(0, 12), t.error().what());
  };
  Status s;
  {
    LOG_PHASE("mount rootfs");
    s = mountRootfs(rec);
  }
  if (!s.ok()) {
    if (overlapped) untearNetwork();
    return s;
  }
  if (!spec.annotations.count(kBuildStepAnnotation)) {
    if (auto m = ensureMtab(paths(rec.id).merged); !m.ok())
      LOG_WARN("container {}: {}", rec.id.substr(0, 12), m.error().what());
  }
  if (!overlapped) {
    LOG_PHASE("network setup");
    s = setupNetworkLocked(rec, spec);
  }
  if (s.ok()) {
    LOG_PHASE("write bundle (config.json)");
    s = writeBundle(rec);
    if (!s.ok()) untearNetwork();
  }
  if (!s.ok()) {
    releaseVolumesLocked(rec);
    Status unmounted = unmountRootfs(rec);
    return withUndoFailures(std::move(s).error(), {{&unmounted, "unmount the rootfs"}});
  }
  return {};
}

Status LocalContainerService::finishOverlappedNetworkLocked(state::ContainerRecord& rec) {
  LOG_PHASE("network setup (rest, after the runtime's create)");
  TRY(finishNetworkSetupLocked(rec));
  // The bundle's hosts and resolv.conf were written before netavark gave the addresses: now
  // in place, as the runtime has bind-mounted them.
  const api::SpecGenerator spec = storedSpec(rec.config);
  auto p = paths(rec.id);
  std::string hostname = TRY(fs::readFile(p.run_dir + "/hostname"));
  while (!hostname.empty() && hostname.back() == '\n') hostname.pop_back();
  return writeNetworkFiles(rec, spec, hostname, true);
}

Status LocalContainerService::init(const std::string& name) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto rec = TRY(state::getContainer(e_.db(), found.id));
  if (!rec) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  std::string status = rec->state.value("status", "configured");
  if (status != "configured" && status != "exited" && status != "stopped")
    return makeError(Code::kFailedPrecondition, "container {} has already been created in runtime: container state improper", rec->id);
  TRY(initLocked(*rec));
  int pid = TRY(startMonitor(*rec, false, false));
  rec->state["status"] = "created";
  rec->state["pid"] = pid;
  rec->state["monitor_pid"] = readPidFile(paths(rec->id).monitor_pid_file);
  TRY(saveState(*rec));
  emitContainerEvent(*rec, "init");
  return {};
}

// --- start ----------------------------------------------------------------------

void LocalContainerService::recordRunning(state::ContainerRecord& rec, int pid) {
  rec.state["status"] = "running";
  rec.state.erase("stopping_pid");
  rec.state["pid"] = pid;
  rec.state["monitor_pid"] = readPidFile(paths(rec.id).monitor_pid_file);
  rec.state["started_at"] = nowNanos();
  rec.state["finished_at"] = 0;
  rec.state["exit_code"] = 0;
  rec.state["error"] = "";
}

Result<std::vector<api::NameResult>> LocalContainerService::eachLocked(
    const std::vector<std::string>& names, bool all, const std::function<Result<bool>(state::ContainerRecord&)>& op) {
  std::vector<api::NameResult> results;
  auto recs = TRY(select(names, all, results));
  std::vector<api::NameResult> reported;
  for (size_t i = 0; i < recs.size(); ++i) {
    if (!results[i].error) {
      auto lock = ContainerLock::take(e_.options().runroot, recs[i].id);
      if (!lock.ok()) {
        results[i].error = std::move(lock).error();
      } else if (auto cur = state::getContainer(e_.db(), recs[i].id); !cur.ok()) {
        results[i].error = std::move(cur).error();
      } else if (*cur) {
        auto kept = op(**cur);
        if (!kept.ok()) results[i].error = std::move(kept).error();
        else if (!*kept) continue;
      }
    }
    reported.push_back(std::move(results[i]));
  }
  return reported;
}

Error LocalContainerService::undoFailedStartLocked(state::ContainerRecord& rec, Error e) {
  // What the failed start may have left in the runtime, then the network (a setup still
  // running is waited for first) and the mounts.
  (void)finishNetworkSetupLocked(rec);
  Status deleted;
  if (auto rt = runtimeFor(rec); rt.ok()) {
    deleted = rt->remove(rec.id, true);
    if (!deleted.ok() && deleted.error().code() == Code::kNotFound) deleted = {};
  }
  Status untorn = teardownNetworkLocked(rec, storedSpec(rec.config));
  releaseVolumesLocked(rec);
  Status unmounted = unmountRootfs(rec);
  rec.state["status"] = "exited";
  rec.state["finished_at"] = nowNanos();
  rec.state["error"] = e.what();
  Status saved = saveState(rec);
  return withUndoFailures(std::move(e), {{&deleted, "delete the container in the runtime"},
                                         {&untorn, "tear down the network"},
                                         {&unmounted, "unmount the rootfs"},
                                         {&saved, "record the failed start"}});
}

Result<int> LocalContainerService::start(const std::string& name, const api::AttachStreams* attach) {
  sys::warmCgroupAttach();  // the runtime's cgroup move comes in a few ms (sys/cgroup_warm.h)
  auto found = TRY(state::findContainer(e_.db(), name));
  // --requires: those containers first (each with its own requirements).
  for (const auto& dep : storedSpec(found.config).dependency_containers) {
    auto dc = TRY_CTX(loadSynced(dep), "container {} requires {}", found.name, dep.substr(0, 12));
    std::string st = dc.state.value("status", "");
    if (st != "running" && st != "paused")
      TRY_CTX(start(dep, nullptr), "starting container {}, which {} requires", dc.name, found.name);
  }
  // A pod member needs its infra container running: it holds the namespaces the member joins.
  if (std::string pod_id = storedSpec(found.config).pod; !pod_id.empty()) {
    auto pod = TRY(state::getPod(e_.db(), pod_id));
    std::string infra = pod ? pod->config.value("infra_id", std::string()) : std::string();
    if (!infra.empty() && infra != found.id) {
      auto ic = TRY(loadSynced(infra));
      std::string st = ic.state.value("status", "");
      if (st != "running" && st != "paused")
        TRY_CTX(start(infra, nullptr), "starting the infra container of pod {}", pod->name);
    }
  }
  UniqueFd sock;
  state::ContainerRecord rec;
  {
    auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
    auto cur = TRY(state::getContainer(e_.db(), found.id));
    if (!cur) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
    rec = std::move(*cur);
    TRY(syncLocked(rec));
    std::string status = rec.state.value("status", "configured");
    if (status == "running" || status == "paused") {
      if (!attach) return 0;
    } else {
      bool was_created = status == "created";
      bool overlapped = false;
      std::optional<PendingMonitor> monitor;
      if (!was_created) {
        struct winsize ws = {};
        if (attach && attach->tty && attach->in >= 0 && ::ioctl(attach->in, TIOCGWINSZ, &ws) == 0 && ws.ws_row)
          console_size_ = std::make_pair(unsigned(ws.ws_row), unsigned(ws.ws_col));
        // On a netavark network the runtime creates the container while netavark sets up its
        // namespace; it is started once both are done.
        overlapped = overlapsNetworkSetup(storedSpec(rec.config));
        // The monitor execs and gets ready while the rootfs is mounted and the bundle written.
        // Should it not spawn, the monitor is started afterwards, as before, and reports why.
        // (BERTH_EARLY_MONITOR=0 spawns it afterwards, to compare.)
        const char* early = std::getenv("BERTH_EARLY_MONITOR");
        if (!(early && std::string_view(early) == "0"))
          if (auto m = spawnContainerMonitor(rec, !overlapped, attach != nullptr && !overlapped, nullptr, true); m.ok())
            monitor = std::move(*m);
        Status init = initLocked(rec, overlapped);
        console_size_.reset();
        TRY(std::move(init));  // a monitor still waiting is cancelled
      }
      auto p = paths(rec.id);
      Result<int> pid = was_created ? Result<int>(rec.state.value("pid", 0))
                        : monitor   ? releaseContainerMonitor(rec, *monitor)
                                    : startMonitor(rec, !overlapped, attach != nullptr && !overlapped);
      if (!pid.ok()) {
        // The monitor reported the failure and is on its way out: its pid file goes first, so
        // no later sync adopts it as a live run.
        ::unlink(p.monitor_pid_file.c_str());
        Code c = pid.error().code();
        rec.state["exit_code"] = c == Code::kCommandNotFound ? 127 : c == Code::kCannotInvoke ? 126 : 125;
        return undoFailedStartLocked(rec, std::move(pid).error());
      }
      if (overlapped)
        if (Status net = finishOverlappedNetworkLocked(rec); !net.ok()) return undoFailedStartLocked(rec, std::move(net).error());
      auto rt = TRY(runtimeFor(rec));
      if (attach) {
        auto s = connectAttach(p.socket);
        if (!s.ok()) return std::move(s).error();
        sock = std::move(*s);
      }
      if (was_created || overlapped) {
        Status st;
        {
          LOG_PHASE("runtime start");
          st = rt.start(rec.id);
        }
        // A killed CLI's own start may have finished meanwhile: the container runs, as asked.
        if (!st.ok() && was_created) {
          auto now = rt.state(rec.id);
          if (now.ok() && now->status == "running") st = {};
        }
        if (!st.ok()) return undoFailedStartLocked(rec, classifyRuntimeError(std::move(st).error()));
      }
      recordRunning(rec, *pid);
      resetHealth(storedSpec(rec.config), rec.state);
      TRY(saveState(rec));
      if (!was_created) emitContainerEvent(rec, "init");
      emitContainerEvent(rec, "start");
    }
  }
  if (attach) emitContainerEvent(rec, "attach");
  if (!attach) return 0;
  if (!sock) {
    auto s = connectAttach(paths(rec.id).socket);
    if (!s.ok()) return std::move(s).error();
    sock = std::move(*s);
  }
  return attachStreams(rec, std::move(sock), *attach);
}

Result<int> LocalContainerService::attach(const std::string& name, const api::AttachStreams& streams) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto rec = TRY(loadSynced(found.id));
  std::string status = rec.state.value("status", "configured");
  if (status != "running" && !(streams.allow_created && status == "created"))
    return makeError(Code::kFailedPrecondition, "you can only attach to running containers: container state improper");
  UniqueFd sock = TRY(connectAttach(paths(rec.id).socket));
  if (streams.on_connected) TRY(streams.on_connected());
  emitContainerEvent(rec, "attach");
  return attachStreams(rec, std::move(sock), streams);
}

// --- exit sync and cleanup --------------------------------------------------------

Result<state::ContainerRecord> LocalContainerService::loadSynced(const std::string& id) {
  auto cur = TRY(state::getContainer(e_.db(), id));
  if (!cur) return makeError(Code::kNotFound, "no container with ID {:?} found: no such container", id);
  std::string status = cur->state.value("status", "configured");
  if (status != "running" && status != "paused" && status != "created" &&
      !fs::exists(paths(id).monitor_pid_file))
    return std::move(*cur);
  auto lock = TRY(ContainerLock::take(e_.options().runroot, id));
  cur = TRY(state::getContainer(e_.db(), id));
  if (!cur) return makeError(Code::kNotFound, "no container with ID {:?} found: no such container", id);
  TRY(syncLocked(*cur));
  return std::move(*cur);
}

Status LocalContainerService::syncLocked(state::ContainerRecord& rec) {
  std::string status = rec.state.value("status", "configured");
  auto p = paths(rec.id);
  if (status != "running" && status != "paused" && status != "created") {
    // A CLI killed between starting the monitor and saving the state leaves a live
    // monitor behind a record that is not active: adopt it (finalizeLocked removes
    // the pid file, so an inactive record with one means exactly that).
    if (!fs::exists(p.monitor_pid_file)) return {};
    auto monitor = liveMonitor(p.monitor_pid_file, rec.id);
    if (monitor.pid == 0) {
      // That monitor is gone too: record how the run ended, if it said so.
      if (fs::exists(p.exit_file)) return finalizeLocked(rec, true);
      ::unlink(p.monitor_pid_file.c_str());
      auto rt = TRY(runtimeFor(rec));
      if (auto rm = rt.remove(rec.id, true); !rm.ok() && rm.error().code() != Code::kNotFound)
        LOG_WARN("delete container {} in the runtime: {}", rec.id.substr(0, 12), rm.error().what());
      return unmountRootfs(rec);
    }
    auto rt = TRY(runtimeFor(rec));
    auto st = rt.state(rec.id);
    // A monitor launched without --start leaves the start to the CLI that died: until the
    // runtime says otherwise (its create may still be under way), that container is created.
    std::string rs = st.ok() ? st->status : std::string();
    rec.state["status"] = rs == "paused" ? "paused" : rs == "running" || monitor.starts ? "running" : "created";
    rec.state["pid"] = st.ok() && st->pid > 0 ? st->pid : readPidFile(p.pid_file);
    rec.state["monitor_pid"] = monitor.pid;
    if (rec.state.value("started_at", int64_t(0)) == 0) rec.state["started_at"] = nowNanos();
    rec.state["finished_at"] = 0;
    rec.state["exit_code"] = 0;
    TRY(saveState(rec));
    status = rec.state.value("status", "");
  } else if (status == "created" && fs::exists(p.monitor_pid_file)) {
    // A CLI killed while its runtime `start` ran leaves that start to finish on its own:
    // the record says created, the runtime says running. Only a created container with a
    // monitor (init, or that window) pays for asking the runtime.
    auto rt = TRY(runtimeFor(rec));
    if (auto st = rt.state(rec.id); st.ok() && (st->status == "running" || st->status == "paused")) {
      rec.state["status"] = st->status;
      if (st->pid > 0) rec.state["pid"] = st->pid;
      if (rec.state.value("started_at", int64_t(0)) == 0) rec.state["started_at"] = nowNanos();
      TRY(saveState(rec));
      status = st->status;
    }
  }
  auto exit = TRY(readExitFile(rec.id));
  int monitor_pid = rec.state.value("monitor_pid", 0);
  if (exit) {
    // A "restarting" record is not final while its monitor lives: the monitor is
    // running the container again.
    if (exit->value("restarting", false) && processAlive(monitor_pid)) return {};
    return finalizeLocked(rec, true);
  }
  // A restart policy may have run the container again: the monitor counts the runs
  // in "<exit>.restarts" once the new run is up.
  if (std::string policy = storedSpec(rec.config).restart_policy; !policy.empty() && policy != "no") {
    int restarts = readPidFile(p.exit_file + ".restarts");
    if (restarts > rec.state.value("restarts", 0)) {
      rec.state["restarts"] = restarts;
      rec.state["pid"] = readPidFile(p.pid_file);
      rec.state["started_at"] = nowNanos();
      resetHealth(storedSpec(rec.config), rec.state);
      TRY(saveState(rec));
    }
  }
  if (monitor_pid > 0 && !processAlive(monitor_pid) && !processAlive(rec.state.value("pid", 0))) {
    // The monitor died without an exit record: the exit code is unknown.
    rec.state["error"] = "container monitor exited without recording the exit code";
    rec.state["exit_code"] = 137;
    return finalizeLocked(rec, true);
  }
  return {};
}

Status LocalContainerService::finalizeLocked(state::ContainerRecord& rec, bool allow_rm) {
  auto p = paths(rec.id);
  auto exit = TRY(readExitFile(rec.id));
  if (exit) {
    rec.state["exit_code"] = exit->value("exit_code", rec.state.value("exit_code", 0));
    rec.state["finished_at"] = exit->value("exited_at", nowNanos());
    rec.state["oom_killed"] = exit->value("oom_killed", false);
    rec.state["restarts"] = exit->value("restarts", rec.state.value("restarts", 0));
  } else if (rec.state.value("finished_at", int64_t(0)) == 0) {
    rec.state["finished_at"] = nowNanos();
  }
  bool was_active = rec.state.value("status", "") != "exited";
  if (was_active) emitContainerEvent(rec, "died", rec.state.value("exit_code", 0));
  auto rt = TRY(runtimeFor(rec));
  // The runtime's delete (a process of its own: its state, the cgroups) runs beside the rest of
  // the teardown and the removal, which touch neither; it is waited for before this returns,
  // and on every early return (PendingCall never abandons it). Except in a one-shot process
  // (the CLI) that removes the container next: there it is left to finish on its own, as
  // nothing in that process uses the ID again, and `run --rm` returns its exit code that much
  // sooner (the delete, cgroups across every v1 hierarchy, took longer than the rest).
  bool removing = allow_rm && rec.config.value("remove", false);
  std::optional<Result<runtime::PendingCall>> pending;
  std::optional<log::PhaseTimer> phase_delete;
  if (removing && e_.options().one_shot) {
    LOG_PHASE("runtime delete (started, not waited for)");
    if (auto bg = rt.removeInBackground(rec.id, true); !bg.ok())
      LOG_WARN("delete {} in the runtime: {}", rec.id.substr(0, 12), bg.error().what());
  } else {
    phase_delete.emplace("runtime delete (beside the teardown)");
    pending.emplace(rt.removeAsync(rec.id, true));
  }
  auto finishDelete = [&] {
    if (!pending) return;
    Status rm = pending->ok() ? (*pending)->finish() : Status(std::move(*pending).error());
    if (!rm.ok() && rm.error().code() != Code::kNotFound)
      LOG_DEBUG("delete {} in the runtime: {}", rec.id, rm.error().what());
    pending.reset();
    phase_delete.reset();
  };
  {
    LOG_PHASE("network teardown");
    TRY(teardownNetworkLocked(rec, storedSpec(rec.config)));
  }
  releaseVolumesLocked(rec);
  {
    LOG_PHASE("unmount rootfs");
    TRY(unmountRootfs(rec));
  }
  if (was_active) emitContainerEvent(rec, "cleanup");
  ::unlink(p.socket.c_str());
  ::unlink(p.monitor_pid_file.c_str());
  rec.state["status"] = "exited";
  rec.state["pid"] = 0;
  rec.state["monitor_pid"] = 0;
  rec.state.erase("stopping_pid");
  TRY(saveState(rec));
  Status removed;
  if (removing) removed = removeLocked(rec, true, 0, true);
  finishDelete();
  return removed;
}

Status LocalContainerService::cleanup(const std::string& name, bool rm) {
  auto found = state::findContainer(e_.db(), name);
  if (!found.ok()) {
    if (found.error().code() == Code::kNotFound) return {};  // already removed
    return std::move(found).error();
  }
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found->id));
  auto cur = TRY(state::getContainer(e_.db(), found->id));
  if (!cur) return {};
  TRY(syncLocked(*cur));
  std::string status = cur->state.value("status", "");
  if (status == "running" || status == "paused") return {};
  if (status != "created") {
    TRY(teardownNetworkLocked(*cur, storedSpec(cur->config)));
    if (cur->state.contains("mounted_volumes")) {
      releaseVolumesLocked(*cur);
      TRY(saveState(*cur));
    }
    TRY(unmountRootfs(*cur));
  }
  if (rm && fs::exists(paths(cur->id).static_dir)) return removeLocked(*cur, true, 0, true);
  return {};
}

// --- stop / kill / pause ------------------------------------------------------------

Status LocalContainerService::stopLocked(state::ContainerRecord& rec, int timeout, bool kill_only,
                                         ContainerLock* lock) {
  TRY(syncLocked(rec));
  std::string status = rec.state.value("status", "configured");
  if (status != "running" && status != "paused" && status != "created") return {};
  auto p = paths(rec.id);
  auto rt = TRY(runtimeFor(rec));
  // Tell the monitor this exit is wanted, so no restart policy applies.
  TRY(fs::writeFileReplace(p.exit_file + ".stopping", ""));
  // The monitor's last record; a "restarting" one is not (the monitor kills the new run
  // itself when it sees the stop request after restarting).
  auto finalExit = [&] {
    auto e = readExitFile(rec.id);
    return e.ok() && *e && !(**e).value("restarting", false);
  };
  if (status == "paused") {
    // A frozen process cannot act on the stop signal: the SIGKILL below still ends it.
    if (auto r = rt.resume(rec.id); !r.ok())
      LOG_WARN("resume paused container {} to stop it: {}", rec.id.substr(0, 12), r.error().what());
  }
  int sig = rec.config.value("stop_signal", 15);
  if (timeout > 0 && !kill_only) {
    auto k = rt.kill(rec.id, sig, false);
    if (!k.ok() && k.error().code() != Code::kNotFound && k.error().code() != Code::kFailedPrecondition)
      return std::move(k).error();
    bool released = false;
    if (lock && !finalExit()) {
      rec.state["stopping_pid"] = ::getpid();
      TRY(saveState(rec));
      lock->release();
      released = true;
    }
    for (int waited = 0; waited < timeout * 1000; waited += 25) {
      if (finalExit()) break;
      sleepMs(25);
    }
    if (released) {
      *lock = TRY(ContainerLock::take(e_.options().runroot, rec.id));
      auto cur = TRY(state::getContainer(e_.db(), rec.id));
      if (!cur) return {};  // removed meanwhile (rm -f): nothing is left to stop
      rec = std::move(*cur);
      TRY(syncLocked(rec));  // the exit may have been recorded meanwhile (by cleanup, ps, ...)
      std::string now = rec.state.value("status", "");
      if (now != "running" && now != "paused" && now != "created") return {};
    }
  }
  if (!finalExit()) {
    if (timeout > 0 && !kill_only)
    {
      // podman names the signal as Go's unix.SignalName does: "SIGTERM".
      const char* abbrev = ::sigabbrev_np(sig);
      std::string signame = abbrev ? std::string("SIG") + abbrev : std::to_string(sig);
      LOG_WARN("StopSignal {} failed to stop container {} in {} seconds, resorting to SIGKILL", signame, rec.name, timeout);
    }
    auto k = rt.kill(rec.id, SIGKILL, true);
    // "not running" / "does not exist": it is ending or gone, which is what is wanted.
    bool kill_failed =
        !k.ok() && k.error().code() != Code::kNotFound && k.error().code() != Code::kFailedPrecondition;
    for (int waited = 0; !kill_failed && waited < 10000 && !finalExit(); waited += 10) {
      if (!processAlive(rec.state.value("monitor_pid", 0)) && !processAlive(rec.state.value("pid", 0))) break;
      sleepMs(10);
    }
    // Never record a container as exited while its process runs on.
    if (kill_failed && !finalExit() && processAlive(rec.state.value("pid", 0)))
      return std::move(k).error().context(
          fmt::format("container {} could not be stopped", rec.id));
  }
  return finalizeLocked(rec, false);
}

Result<std::vector<api::NameResult>> LocalContainerService::stop(const api::ContainerStopRequest& req) {
  std::vector<api::NameResult> results;
  auto recs = TRY(select(req.names, req.all, results));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (results[i].error) {
      if (req.ignore && results[i].error->code() == Code::kNotFound) results[i].error.reset();
      continue;
    }
    auto lock = ContainerLock::take(e_.options().runroot, recs[i].id);
    if (!lock.ok()) {
      results[i].error = std::move(lock).error();
      continue;
    }
    auto cur = state::getContainer(e_.db(), recs[i].id);
    if (!cur.ok() || !*cur) continue;
    int timeout = req.timeout.value_or((**cur).config.value("stop_timeout", 10));
    bool was_running = (**cur).state.value("status", "") == "running" || (**cur).state.value("status", "") == "paused";
    auto s = stopLocked(**cur, timeout, false, &*lock);
    if (!s.ok()) results[i].error = std::move(s).error();
    else if (was_running) emitContainerEvent(**cur, "stop");
    bool still_there = false;
    if (s.ok()) {
      auto again = state::getContainer(e_.db(), recs[i].id);
      still_there = again.ok() && *again;
    }
    if (still_there && (**cur).config.value("remove", false)) {
      if (auto r = removeLocked(**cur, true, 0, true); !r.ok()) results[i].error = std::move(r).error();
    }
  }
  return results;
}

Result<std::vector<api::NameResult>> LocalContainerService::kill(const std::vector<std::string>& names, bool all,
                                                                 const std::string& signal) {
  int sig = TRY(specgen::parseSignal(signal.empty() ? "SIGKILL" : signal));
  std::vector<api::NameResult> results;
  auto recs = TRY(select(names, all, results));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (results[i].error) continue;
    auto rec = loadSynced(recs[i].id);
    if (!rec.ok()) {
      results[i].error = std::move(rec).error();
      continue;
    }
    std::string status = rec->state.value("status", "");
    if (status != "running" && status != "paused") {
      if (all) continue;
      results[i].error = makeError(Code::kFailedPrecondition,
                                   "can only kill running containers. {} is in state {}: container state improper",
                                   rec->id, status == "configured" ? "created" : status);
      continue;
    }
    auto rt = runtimeFor(*rec);
    if (!rt.ok()) {
      results[i].error = std::move(rt).error();
      continue;
    }
    // As podman: a container killed by the user is not restarted by its policy.
    // Without the marker the policy would revive it: then do not kill.
    if (auto m = fs::writeFileReplace(paths(rec->id).exit_file + ".stopping", ""); !m.ok()) {
      results[i].error = std::move(m).error().context(
          fmt::format("record that container {} is being killed", rec->id.substr(0, 12)));
      continue;
    }
    auto s = rt->kill(rec->id, sig, false);
    if (!s.ok()) results[i].error = std::move(s).error();
    else emitContainerEvent(*rec, "kill");
  }
  return results;
}

Result<std::vector<api::NameResult>> LocalContainerService::restart(const std::vector<std::string>& names, bool all,
                                                                    std::optional<int> timeout) {
  std::vector<api::NameResult> results;
  auto recs = TRY(select(names, all, results));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (results[i].error) continue;
    {
      auto lock = ContainerLock::take(e_.options().runroot, recs[i].id);
      if (!lock.ok()) {
        results[i].error = std::move(lock).error();
        continue;
      }
      auto cur = state::getContainer(e_.db(), recs[i].id);
      if (!cur.ok() || !*cur) continue;
      if (all && (**cur).state.value("status", "") != "running") continue;
      auto s = stopLocked(**cur, timeout.value_or((**cur).config.value("stop_timeout", 10)), false, &*lock);
      if (!s.ok()) {
        results[i].error = std::move(s).error();
        continue;
      }
    }
    if (auto cur = state::getContainer(e_.db(), recs[i].id); cur.ok() && *cur) emitContainerEvent(**cur, "restart");
    auto st = start(recs[i].id, nullptr);
    if (!st.ok()) results[i].error = std::move(st).error();
  }
  return results;
}

Result<std::vector<api::NameResult>> LocalContainerService::setPaused(const std::vector<std::string>& names,
                                                                      bool all, bool pause) {
  const char* from = pause ? "running" : "paused";
  std::vector<api::NameResult> results;
  auto recs = TRY(select(names, all, results));
  // With --all only the containers in the `from` state are acted on and reported (podman
  // filters them first): the others are dropped from the results.
  std::vector<bool> skipped(recs.size(), false);
  for (size_t i = 0; i < recs.size(); ++i) {
    if (results[i].error) continue;
    auto lock = TRY(ContainerLock::take(e_.options().runroot, recs[i].id));
    auto cur = TRY(state::getContainer(e_.db(), recs[i].id));
    if (!cur) {
      skipped[i] = all;
      continue;
    }
    if (pause) TRY(syncLocked(*cur));
    if (cur->state.value("status", "") != from) {
      if (!all)
        // podman's words: pause quotes the state, unpause the ID.
        results[i].error =
            pause ? makeError(Code::kFailedPrecondition, "\"{}\" is not running, can't pause: container state improper",
                              cur->state.value("status", "configured"))
                  : makeError(Code::kFailedPrecondition, "\"{}\" is not paused, can't unpause: container state improper",
                              cur->id);
      skipped[i] = all;
      continue;
    }
    auto rt = TRY(runtimeFor(*cur));
    auto s = pause ? rt.pause(cur->id) : rt.resume(cur->id);
    if (!s.ok()) {
      results[i].error = std::move(s).error();
      continue;
    }
    cur->state["status"] = pause ? "paused" : "running";
    TRY(saveState(*cur));
    emitContainerEvent(*cur, pause ? "pause" : "unpause");
  }
  std::vector<api::NameResult> reported;
  for (size_t i = 0; i < results.size(); ++i)
    if (i >= skipped.size() || !skipped[i]) reported.push_back(std::move(results[i]));
  return reported;
}

// --- remove -----------------------------------------------------------------------

Status LocalContainerService::removeLocked(state::ContainerRecord& rec, bool force, std::optional<int> timeout,
                                           bool volumes) {
  TRY(syncLocked(rec));
  std::string status = rec.state.value("status", "configured");
  if (status == "running" || status == "paused" || status == "created") {
    if (!force)
      return makeError(Code::kConflict,
                       "cannot remove container {} as it is {} - running or paused containers cannot be removed "
                       "without force: container state improper",
                       rec.id, status);
    TRY(stopLocked(rec, timeout.value_or(0), !timeout.has_value() || *timeout == 0));
  }
  auto p = paths(rec.id);
  TRY(setUserMounts(rec.id, 0));  // removal ends every mount
  TRY(teardownNetworkLocked(rec, storedSpec(rec.config)));
  releaseVolumesLocked(rec);
  TRY(unmountRootfs(rec));
  // `wait --condition removed` (docker run --rm) learns the exit code after the record is gone.
  // The status is read again: `rm -f` has just stopped a running one (its foreground
  // `run` then exits 137, as podman's).
  if (std::string now = rec.state.value("status", ""); now == "exited" || now == "stopped")
    retainExitCode(rec.id, rec.state.value("exit_code", 0));
  TRY(e_.db().transaction([&]() -> Status { return state::deleteContainer(e_.db(), rec.id); }));
  emitContainerEvent(rec, "remove");
  // The record is gone, so the container is: its directories are garbage from now on.
  // They are removed without ever deleting through a mount; what cannot be removed is
  // reported and left to sweepOrphans.
  for (const std::string* dir : {&p.static_dir, &p.run_dir})
    if (auto s = sys::removeAllOnOneMount(*dir); !s.ok())
      LOG_WARN("removed container {}, but not its files: {}", rec.id, s.error().what());
  ::unlink(p.socket.c_str());
  ::unlink((e_.options().runroot + "/locks/" + rec.id).c_str());
  if (volumes) removeAnonymousVolumes(storedSpec(rec.config));
  return {};
}

// --- wait ---------------------------------------------------------------------------

Result<int> LocalContainerService::wait(const std::string& name, const std::vector<std::string>& conditions,
                                        int64_t interval_ms) {
  auto lookup = state::findContainer(e_.db(), name);
  if (!lookup.ok()) {
    // As podman, the exit codes of removed containers are kept a while: a waiter that comes
    // after an --rm container is gone (a remote `run --rm`) still learns how it ended.
    if (lookup.error().code() == Code::kNotFound && name.size() == 64)
      if (auto code = retainedExitCode(name)) return *code;
    return std::move(lookup).error();
  }
  auto found = std::move(*lookup);
  std::vector<std::string> want;
  // Docker's conditions: "next-exit" (an exit after this call) and "removed" (the
  // record is gone; the exit code is the retained one).
  bool next_exit = false, removed = false;
  for (auto& c : conditions) {
    if (c == "next-exit") next_exit = true;
    else if (c == "removed") removed = true;
    else want.push_back(c);
  }
  if (want.empty() && !next_exit && !removed) want = {"stopped", "exited"};
  for (auto& c : want) {
    static const std::set<std::string> kValid = {"configured", "created", "running", "stopped", "paused", "exited", "removing", "stopping"};
    if (!kValid.count(c)) return makeError(Code::kInvalidArgument, "{:?} is not a valid container state", c);
  }
  if (interval_ms <= 0) interval_ms = 250;
  int64_t fast = std::min<int64_t>(interval_ms, 20);
  std::optional<int64_t> first_finished;
  std::optional<int> last_code;
  // Waiting for the exit: the monitor's exit file has the code the moment the container ends,
  // while the record turns "exited" only once the exit work (network teardown, unmount) is
  // done under the container's lock. As podman's wait, answer then, not after that work
  // (docker-compose's attached `up` drops a container's "exited with code" line when the
  // answer comes over 100 ms after the "died" event).
  const bool exit_only = !next_exit && !removed &&
                         std::all_of(want.begin(), want.end(), [](const std::string& c) { return c == "exited" || c == "stopped"; });
  for (;;) {
    if (exit_only) {
      if (auto ef = readExitFile(found.id); ef.ok() && *ef && !(**ef).value("restarting", false))
        if (auto c = (**ef).find("exit_code"); c != (**ef).end() && c->is_number_integer()) return c->get<int>();
      // A live container whose lock is taken (its exit work, a stop): looked at again soon,
      // rather than waited for behind that lock.
      if (ContainerLock::busy(e_.options().runroot, found.id)) {
        sleepMs(int(fast));
        fast = std::min<int64_t>(fast * 2, interval_ms);
        continue;
      }
    }
    auto rec = loadSynced(found.id);
    if (!rec.ok()) {
      if (rec.error().code() == Code::kNotFound) {
        bool wants_exit = std::find(want.begin(), want.end(), "exited") != want.end() ||
                          std::find(want.begin(), want.end(), "stopped") != want.end();
        if (removed || next_exit || wants_exit) {
          if (auto code = retainedExitCode(found.id)) return *code;
          if (last_code) return *last_code;
        }
        return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
      }
      return std::move(rec).error();
    }
    std::string st = rec->state.value("status", "configured");
    int64_t finished = rec->state.value("finished_at", int64_t(0));
    bool down = st == "exited" || st == "stopped";
    if (down) last_code = rec->state.value("exit_code", 0);
    if (next_exit) {
      if (!first_finished) first_finished = down ? finished : -1;
      else if (down && finished != *first_finished) return rec->state.value("exit_code", 0);
    }
    // As podman's isStopped(): "stopped"/"exited" hold for every state but a live one, so
    // waiting on a container that never ran returns at once (exit code 0).
    bool not_live = st != "running" && st != "paused" && st != "stopping" && st != "removing";
    for (auto& c : want)
      if (c == st || ((c == "stopped" || c == "exited") && not_live) || (c == "created" && st == "configured"))
        return rec->state.value("exit_code", 0);
    sleepMs(int(fast));
    fast = std::min<int64_t>(fast * 2, interval_ms);
  }
}

}  // namespace berth::engine
