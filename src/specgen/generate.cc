// generateSpec: SpecGenerator + image config -> OCI config.json, as a linear recipe.
#include <fnmatch.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <set>

#include "base/fs.h"
#include "build/words.h"
#include "specgen/caps.h"
#include "specgen/devices.h"
#include "specgen/flags.h"
#include "specgen/internal.h"
#include "specgen/seccomp.h"
#include "specgen/specgen.h"
#include "specgen/user.h"

namespace berth::specgen {
namespace {

// podman 4 (containers.conf and pkg/specgen/generate) defaults.
constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr uint64_t kDefaultNofile = 1048576;  // libpod define.RLimitDefaultValue
constexpr uint64_t kDefaultNproc = 4194304;
constexpr int64_t kDefaultPidsLimit = 2048;            // containers.conf pids_limit
constexpr int64_t kDefaultShmSize = 64 * 1024 * 1024;  // containers.conf shm_size
constexpr uint32_t kDefaultUmask = 022;

// podman 4.3 BlockAccessToKernelFilesystems.
const std::vector<std::string>& defaultMaskedPaths() {
  static const std::vector<std::string> k = {
      "/proc/acpi",       "/proc/kcore",       "/proc/keys",        "/proc/latency_stats",
      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
      "/sys/firmware",    "/sys/fs/selinux",   "/sys/dev/block",
  };
  return k;
}
const std::vector<std::string>& defaultReadonlyPaths() {
  static const std::vector<std::string> k = {
      "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
  };
  return k;
}

// ---- helpers ------------------------------------------------------------------

using api::NamespaceMode;

const Json& field(const Json& obj, std::string_view key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Json toJson(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

// ---- image config ----------------------------------------------------------

struct ImageConfig {
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::string workdir;
  std::string user;
  std::string stop_signal;
};

Result<ImageConfig> readImageConfig(const Json& cfg) {
  ImageConfig out;
  if (cfg.is_null()) return out;
  if (!cfg.is_object())
    return makeError(Code::kInvalidArgument, "image config must be a JSON object");
  auto strs = [&](const char* key, std::vector<std::string>& dst) -> Status {
    const Json& v = field(cfg, key);
    if (v.is_null()) return okStatus();
    if (!v.is_array())
      return makeError(Code::kInvalidArgument, "image config field {}: must be an array", key);
    for (const auto& e : v) {
      if (!e.is_string())
        return makeError(Code::kInvalidArgument, "image config field {}: must hold strings", key);
      dst.push_back(e.get<std::string>());
    }
    return okStatus();
  };
  auto one = [&](const char* key, std::string& dst) -> Status {
    const Json& v = field(cfg, key);
    if (v.is_null()) return okStatus();
    if (!v.is_string())
      return makeError(Code::kInvalidArgument, "image config field {}: must be a string", key);
    dst = v.get<std::string>();
    return okStatus();
  };
  TRY(strs("Env", out.env));
  TRY(strs("Cmd", out.cmd));
  TRY(strs("Entrypoint", out.entrypoint));
  TRY(one("WorkingDir", out.workdir));
  TRY(one("User", out.user));
  TRY(one("StopSignal", out.stop_signal));
  return out;
}

// ---- environment -------------------------------------------------------------

// An ordered KEY=VAL list where setting an existing key replaces it in place.
class EnvBuilder {
 public:
  void set(const std::string& k, const std::string& v) {
    for (auto& [key, val] : vars_)
      if (key == k) {
        val = v;
        return;
      }
    vars_.emplace_back(k, v);
  }
  void setEntry(std::string_view kv) {
    auto eq = kv.find('=');
    if (eq == 0) return;
    if (eq == std::string_view::npos)
      set(std::string(kv), "");
    else
      set(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  void unset(std::string_view k) {
    vars_.erase(
        std::remove_if(vars_.begin(), vars_.end(), [&](const auto& p) { return p.first == k; }),
        vars_.end());
  }
  std::optional<std::string> get(std::string_view k) const {
    for (const auto& [key, val] : vars_)
      if (key == k) return val;
    return std::nullopt;
  }
  bool has(std::string_view k) const {
    return std::any_of(vars_.begin(), vars_.end(), [&](const auto& p) { return p.first == k; });
  }
  Json toJson() const {
    Json a = Json::array();
    for (const auto& [k, v] : vars_) a.push_back(k + "=" + v);
    return a;
  }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

bool isProxyVar(std::string_view k) {
  static constexpr std::array<std::string_view, 8> kProxy = {
      "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
      "ftp_proxy",  "FTP_PROXY",  "no_proxy",    "NO_PROXY"};
  return std::find(kProxy.begin(), kProxy.end(), k) != kProxy.end();
}

// podman's CompleteSpec env order: containers.conf defaults (PATH, TERM) and
// container=podman, the image's Env, the host's (env_host) or proxy
// variables (httpproxy, default on), then the SpecGenerator's env.
EnvBuilder baseEnv(const api::SpecGenerator& s, const std::vector<std::string>& image_env,
                   const std::vector<std::string>& host_environ) {
  EnvBuilder env;
  bool unset_all = s.unset_env_all.value_or(false);
  if (!unset_all) {
    env.set("PATH", std::string(kDefaultPath));
    env.set("TERM", "xterm");
    env.set("container", "podman");
    for (const auto& e : image_env) env.setEntry(e);
  }
  // --env-merge: KEY=WORD, with $VARS of the defaults and the image's Env expanded; it only
  // replaces a variable they already have (podman's CompleteSpec). validateSpec checked
  // the words, so a failure here keeps the variable as it was.
  for (const auto& e : s.env_merge) {
    auto word = build::processWord(e, [&](std::string_view k) { return env.get(k); });
    if (!word.ok()) continue;
    auto eq = word->find('=');
    std::string key = word->substr(0, eq);
    if (eq != std::string::npos && env.has(key)) env.set(key, word->substr(eq + 1));
  }
  for (const auto& k : s.unset_env) env.unset(k);
  bool env_host = s.env_host.value_or(false);
  for (const auto& kv : host_environ) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    if (env_host || (s.http_proxy.value_or(true) && isProxyVar(kv.substr(0, eq)))) env.setEntry(kv);
  }
  for (const auto& [k, v] : s.env) env.set(k, v);
  return env;
}

Json buildEnv(const api::SpecGenerator& s, const ImageConfig& img, const SpecInputs& in,
              const ExecUser& user, const std::string& hostname) {
  EnvBuilder env = baseEnv(s, img.env, in.host_environ);
  if (!env.has("HOME") && !user.home.empty()) env.set("HOME", user.home);
  if (!env.has("HOSTNAME") && !hostname.empty()) env.set("HOSTNAME", hostname);
  return env.toJson();
}

// ---- namespaces ----------------------------------------------------------------

struct NsChoice {
  NamespaceMode mode;  // never kUnset or kDefault: see effectiveMode
  std::string value;
  bool isHost() const { return mode == NamespaceMode::kHost; }
  bool joinsOther() const {
    return mode == NamespaceMode::kContainer || mode == NamespaceMode::kPod;
  }
};

struct NamespacePlan {
  NsChoice pid, net, ipc, uts, cgroup, user;
  Json list = Json::array();
  bool new_userns = false;
};

NsChoice choose(const api::Namespace& ns, NsKind kind, const SpecInputs& in) {
  return NsChoice{effectiveMode(ns, kind, in.cgroup2), ns.value};
}

// Adds the OCI namespace `type` for `ns` unless it is the host's.
Status addNamespace(NamespacePlan& plan, const char* type, const char* key, const NsChoice& ns,
                    const SpecInputs& in) {
  if (ns.isHost()) return okStatus();
  Json entry = Json::object();
  entry["type"] = type;
  auto given = in.namespace_paths.find(type);
  if (ns.mode == NamespaceMode::kPath) {
    entry["path"] = ns.value;
  } else if (given != in.namespace_paths.end() && !given->second.empty()) {
    entry["path"] = given->second;
  } else if (ns.joinsOther()) {
    return makeError(Code::kFailedPrecondition, "{}: {} namespace of {} {:?} has no path", key,
                     type, api::namespaceModeName(ns.mode), ns.value);
  }
  plan.list.push_back(std::move(entry));
  return okStatus();
}

Result<NamespacePlan> planNamespaces(const api::SpecGenerator& s, const SpecInputs& in) {
  NamespacePlan p;
  p.pid = choose(s.pidns, NsKind::kPid, in);
  p.net = choose(s.netns, NsKind::kNet, in);
  p.ipc = choose(s.ipcns, NsKind::kIpc, in);
  p.uts = choose(s.utsns, NsKind::kUts, in);
  p.cgroup = choose(s.cgroupns, NsKind::kCgroup, in);
  p.user = choose(s.userns, NsKind::kUser, in);
  TRY(addNamespace(p, "pid", "pidns", p.pid, in));
  TRY(addNamespace(p, "network", "netns", p.net, in));
  TRY(addNamespace(p, "ipc", "ipcns", p.ipc, in));
  TRY(addNamespace(p, "uts", "utsns", p.uts, in));
  p.list.push_back(Json{{"type", "mount"}});
  TRY(addNamespace(p, "cgroup", "cgroupns", p.cgroup, in));
  TRY(addNamespace(p, "user", "userns", p.user, in));
  p.new_userns = !p.user.isHost();
  return p;
}

// linux.uidMappings/gidMappings from specgen idmappings.{UIDMap,GIDMap}.
Result<Json> idMappings(const std::vector<api::IDMap>& maps, const char* key) {
  Json out = Json::array();
  for (const auto& m : maps) {
    if (m.container_id < 0 || m.host_id < 0 || m.size < 0 || m.container_id > UINT32_MAX ||
        m.host_id > UINT32_MAX || m.size > UINT32_MAX)
      return makeError(Code::kInvalidArgument,
                       "idmappings.{}: {}:{}:{} is out of the range of 32-bit IDs", key,
                       m.container_id, m.host_id, m.size);
    out.push_back(Json{{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}});
  }
  return out;
}

// ---- rlimits ---------------------------------------------------------------

std::optional<HostRlimit> getHostRlimit(int resource) {
  struct rlimit r {};
  if (::getrlimit(resource, &r) != 0) return std::nullopt;
  return HostRlimit{r.rlim_cur, r.rlim_max};
}

Result<Json> buildRlimits(const api::SpecGenerator& s, const SpecInputs& in) {
  Json out = Json::array();
  bool nofile = false;
  bool nproc = false;
  for (const auto& r : s.r_limits) {
    std::string type = TRY_CTX(normalizeRlimitName(r.type), "r_limits");
    nofile |= type == "RLIMIT_NOFILE";
    nproc |= type == "RLIMIT_NPROC";
    if (r.soft > r.hard)
      return makeError(Code::kInvalidArgument, "r_limits {}: soft limit {} is above hard limit {}",
                       type, r.soft, r.hard);
    out.push_back(Json{{"type", type}, {"hard", r.hard}, {"soft", r.soft}});
  }
  // podman raises both to its defaults; a container cannot exceed the hard
  // limit of its creator, so clamp to it (this host: nofile 20000).
  auto dflt = [&](const char* type, int resource, uint64_t value, uint64_t extra_cap) {
    auto host = in.host_rlimit ? in.host_rlimit(resource) : getHostRlimit(resource);
    if (host && host->hard != RLIM_INFINITY) value = std::min(value, host->hard);
    if (extra_cap) value = std::min(value, extra_cap);
    out.push_back(Json{{"type", type}, {"hard", value}, {"soft", value}});
  };
  if (!nofile) dflt("RLIMIT_NOFILE", RLIMIT_NOFILE, kDefaultNofile, 0);
  if (!nproc) dflt("RLIMIT_NPROC", RLIMIT_NPROC, kDefaultNproc, in.pid_max);
  return out;
}

// ---- mounts ------------------------------------------------------------------

Json mount(std::string dest, std::string type, std::string source,
           std::vector<std::string> options) {
  Json m = Json::object();
  m["destination"] = std::move(dest);
  m["type"] = std::move(type);
  m["source"] = std::move(source);
  m["options"] = toJson(options);
  return m;
}

bool isPropagation(std::string_view o) {
  static constexpr std::array<std::string_view, 8> kProp = {
      "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"};
  return std::find(kProp.begin(), kProp.end(), o) != kProp.end();
}

}  // namespace

Result<std::vector<std::string>> processOptions(const std::vector<std::string>& in,
                                                const std::string& type, bool is_volume,
                                                const std::string& dest) {
  std::vector<std::string> out;
  bool rw = false, prop = false, suid = false, dev = false, bind = false, copyup = false;
  for (const auto& o : in) {
    if (o == "z" || o == "Z" || o == "U" || o == "copy" || o == "nocopy" || o.empty()) continue;
    if (o == "O")
      return makeError(Code::kUnimplemented, "mount {}: overlay volumes (:O) are not supported",
                       dest);
    if (o == "ro" || o == "rw") {
      if (rw)
        return makeError(Code::kInvalidArgument, "mount {}: cannot set ro or rw more than once",
                         dest);
      rw = true;
    } else if (isPropagation(o)) {
      if (prop)
        return makeError(Code::kInvalidArgument, "mount {}: more than one propagation option",
                         dest);
      prop = true;
    } else if (o == "suid" || o == "nosuid") {
      suid = true;
    } else if (o == "dev" || o == "nodev") {
      dev = true;
    } else if (o == "bind" || o == "rbind") {
      bind = true;
    } else if (o == "tmpcopyup" || o == "notmpcopyup") {
      copyup = true;
      if (o == "notmpcopyup") continue;
    }
    out.push_back(o);
  }
  if (type == "bind") {
    if (!rw) out.push_back("rw");
    if (!prop) out.push_back("rprivate");
    if (is_volume && !suid) out.push_back("nosuid");
    if (is_volume && !dev) out.push_back("nodev");
    if (!bind) out.push_back("rbind");
  } else if (type == "tmpfs") {
    if (!rw) out.push_back("rw");
    if (!prop) out.push_back("rprivate");
    if (!suid) out.push_back("nosuid");
    if (!dev) out.push_back("nodev");
    if (!copyup) out.push_back("tmpcopyup");
  }
  return out;
}

namespace {

// The caller's mounts and volumes, normalized, parents first.
Result<std::vector<Json>> userMounts(const api::SpecGenerator& s, const SpecInputs& in) {
  std::vector<Json> out;
  for (const auto& m : s.mounts) {
    std::string type = m.type.empty() ? "bind" : m.type;
    std::string source = m.source.empty() ? type : m.source;
    auto opts = TRY(processOptions(m.options, type, false, m.destination));
    out.push_back(mount(m.destination, type, source, opts));
  }
  for (const auto& v : s.volumes) {
    if (v.name.empty())
      return makeError(Code::kInvalidArgument,
                       "anonymous volume at {} has no name: create it before generating", v.dest);
    auto it = in.volume_paths.find(v.name);
    if (it == in.volume_paths.end()) return makeError(Code::kNotFound, "no such volume {}", v.name);
    std::string source = it->second;
    if (!v.sub_path.empty()) {
      if (hasDotDot(v.sub_path))  // validateSpec refuses it too; this guards the join
        return makeError(Code::kInvalidArgument, "volume {} subpath {:?} must not contain ..",
                         v.name, v.sub_path);
      source = fs::joinPath(source, v.sub_path);
    }
    auto opts = TRY(processOptions(v.options, "bind", true, v.dest));
    out.push_back(mount(v.dest, "bind", source, opts));
  }
  for (const auto& iv : s.image_volumes) {
    auto it = in.image_volume_paths.find(iv.destination);
    if (it == in.image_volume_paths.end())
      return makeError(Code::kNotFound, "image {} for {} is not mounted", iv.source, iv.destination);
    out.push_back(mount(iv.destination, "bind", it->second,
                        {"rbind", iv.read_write ? "rw" : "ro", "nosuid", "nodev"}));
  }
  auto depth = [](const Json& m) {
    const auto& d = m["destination"].get_ref<const std::string&>();
    return std::count(d.begin(), d.end(), '/') - (d.size() > 1 && d.back() == '/' ? 1 : 0);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Json& a, const Json& b) { return depth(a) < depth(b); });
  return out;
}

std::string shmSizeOption(int64_t bytes) {
  if (bytes % 1024 == 0) return fmt::format("size={}k", bytes / 1024);
  return fmt::format("size={}", bytes);
}

bool unmasked(const std::string& path, const std::vector<std::string>& unmask) {
  for (const auto& u : unmask) {
    std::string l = u;
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (l == "all") return true;
    size_t start = 0;
    while (start <= u.size()) {
      size_t end = u.find(':', start);
      if (end == std::string::npos) end = u.size();
      std::string pat = u.substr(start, end - start);
      if (!pat.empty() && ::fnmatch(pat.c_str(), path.c_str(), FNM_PATHNAME) == 0) return true;
      start = end + 1;
    }
  }
  return false;
}

struct MountPlan {
  const api::SpecGenerator& s;
  const SpecInputs& in;
  const NamespacePlan& ns;
  bool privileged;
};

Result<Json> buildMounts(const MountPlan& p) {
  const api::SpecGenerator& s = p.s;
  const SpecInputs& in = p.in;
  std::vector<Json> sys;
  std::vector<std::string> proc_opts = {"nosuid", "noexec", "nodev"};
  if (!s.procfs_opts.empty()) proc_opts = s.procfs_opts;
  if (p.ns.new_userns && p.ns.pid.isHost())
    sys.push_back(mount("/proc", "bind", "/proc", {"rbind", "nosuid", "noexec", "nodev"}));
  else
    sys.push_back(mount("/proc", "proc", "proc", proc_opts));
  sys.push_back(mount("/dev", "tmpfs", "tmpfs",
                      {"nosuid", "noexec", "strictatime", "mode=755", "size=65536k"}));

  // podman's canMountSys: a new sysfs needs a netns the container's user namespace owns. Its
  // own does; the host's does not, nor does one made before the container (berth sets up
  // bridge and slirp4netns networks in a netns it binds in; podman makes that one inside).
  bool foreign_netns = p.ns.net.isHost() || p.ns.net.joinsOther() || p.ns.net.mode == NamespaceMode::kPath ||
                       in.namespace_paths.count("network");
  bool can_mount_sys = !(foreign_netns && p.ns.new_userns);
  bool cgroup_rw = p.privileged;
  if (in.cgroup2) {
    const auto& unmask = s.unmask;
    if ((!unmask.empty() && unmask[0] == "ALL") || contains(unmask, "/sys/fs/cgroup"))
      cgroup_rw = true;
  }
  std::string rw = p.privileged ? "rw" : "ro";
  if (can_mount_sys) {
    if (p.privileged)
      sys.push_back(
          mount("/sys", "sysfs", "sysfs", {"rprivate", "nosuid", "noexec", "nodev", "rw"}));
    else
      sys.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  } else {
    sys.push_back(
        mount("/sys", "bind", "/sys", {"rprivate", "nosuid", "noexec", "nodev", rw, "rbind"}));
  }

  // gid=5 (tty) only if gid 5 exists in the container's user namespace.
  bool gid5 = true;
  if (p.ns.new_userns && s.idmappings && !s.idmappings->gid_map.empty()) {
    gid5 = false;
    for (const auto& r : s.idmappings->gid_map)
      if (r.container_id <= 5 && 5 < r.container_id + r.size) gid5 = true;
  }
  std::vector<std::string> pts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (gid5) pts.push_back("gid=5");
  sys.push_back(mount("/dev/pts", "devpts", "devpts", pts));

  if (p.ns.new_userns && p.ns.ipc.isHost())
    sys.push_back(
        mount("/dev/mqueue", "bind", "/dev/mqueue", {"bind", "nosuid", "noexec", "nodev"}));
  else
    sys.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));

  const std::vector<std::string> shm_bind = {"bind", "rprivate", "nosuid", "noexec", "nodev"};
  if (!in.shm_path.empty()) {
    sys.push_back(mount("/dev/shm", "bind", in.shm_path, shm_bind));
  } else if (p.ns.ipc.isHost()) {
    sys.push_back(mount("/dev/shm", "bind", "/dev/shm", shm_bind));
  } else if (p.ns.ipc.mode != NamespaceMode::kNone) {
    int64_t size = kDefaultShmSize;
    if (s.shm_size && *s.shm_size > 0) size = *s.shm_size;
    sys.push_back(mount("/dev/shm", "tmpfs", "shm",
                        {"nosuid", "noexec", "nodev", "mode=1777", shmSizeOption(size)}));
  }
  if (can_mount_sys) {
    sys.push_back(
        mount("/sys/fs/cgroup", "cgroup", "cgroup",
              {"rprivate", "nosuid", "noexec", "nodev", "relatime", cgroup_rw ? "rw" : "ro"}));
  } else {
    sys.push_back(mount("/sys/fs/cgroup", "bind", "/sys/fs/cgroup",
                        {"rprivate", "nosuid", "noexec", "nodev", rw, "rbind"}));
  }

  auto user = TRY(userMounts(s, in));
  if (s.read_only_filesystem.value_or(false) && s.read_write_tmpfs.value_or(true)) {
    for (const char* d : {"/tmp", "/var/tmp", "/run"}) {
      bool taken = std::any_of(user.begin(), user.end(),
                               [&](const Json& m) { return m["destination"] == d; });
      if (!taken)
        user.push_back(
            mount(d, "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}));
    }
  }

  // As podman: the engine's files follow a read-only root (ro, and nosuid/noexec/nodev).
  std::vector<std::string> bind = {"bind", "rprivate"};
  if (s.read_only_filesystem.value_or(false)) bind.insert(bind.end(), {"ro", "nosuid", "noexec", "nodev"});
  if (!in.resolv_conf_path.empty())
    sys.push_back(mount("/etc/resolv.conf", "bind", in.resolv_conf_path, bind));
  if (!in.hosts_path.empty()) sys.push_back(mount("/etc/hosts", "bind", in.hosts_path, bind));
  if (!in.hostname_path.empty())
    sys.push_back(mount("/etc/hostname", "bind", in.hostname_path, bind));
  // None when the caller mounts /run (a read-only root's tmpfs included), as podman.
  bool run_taken = std::any_of(user.begin(), user.end(), [](const Json& m) {
    return m["destination"] == "/run" || m["destination"] == "/run/.containerenv";
  });
  if (!in.containerenv_path.empty() && !run_taken)
    sys.push_back(mount("/run/.containerenv", "bind", in.containerenv_path, bind));
  // --chrootdirs: the engine's files again under each directory (podman's mountIntoRootDirs).
  size_t engine_files = sys.size();
  for (const auto& dir : s.chroot_directories) {
    for (size_t i = 0; i < engine_files; ++i) {
      std::string dest = sys[i]["destination"].get<std::string>();
      if (dest != "/etc/resolv.conf" && dest != "/etc/hosts") continue;
      Json copy = sys[i];
      copy["destination"] = fs::joinPath(dir, dest);
      sys.push_back(std::move(copy));
    }
  }
  if (s.init.value_or(false)) {
    std::string init = s.init_path;
    if (init.empty()) init = in.init_path;
    sys.push_back(mount(std::string(kInitPath), "bind", init, {"bind", "ro", "rprivate"}));
  }


  // The caller's mounts supersede ours at the same destination.
  Json out = Json::array();
  for (auto& m : sys) {
    bool superseded = std::any_of(user.begin(), user.end(), [&](const Json& u) {
      return u["destination"] == m["destination"];
    });
    if (!superseded) out.push_back(std::move(m));
  }
  for (auto& m : user) out.push_back(std::move(m));
  return out;
}

// ---- devices and resources -------------------------------------------------------

Json deviceRule(bool allow, std::string type, std::optional<int64_t> major,
                std::optional<int64_t> minor, std::string access) {
  Json r = Json::object();
  r["allow"] = allow;
  if (!type.empty()) r["type"] = std::move(type);
  if (major) r["major"] = *major;
  if (minor) r["minor"] = *minor;
  r["access"] = std::move(access);
  return r;
}

// The device cgroup allow list every runtime grants (runc's AllowedDevices):
// mknod of anything, then null, zero, full, random, urandom, tty, console,
// ptmx and the pty slaves.
void addDefaultDeviceRules(Json& rules) {
  rules.push_back(deviceRule(true, "c", std::nullopt, std::nullopt, "m"));
  rules.push_back(deviceRule(true, "b", std::nullopt, std::nullopt, "m"));
  const std::array<std::pair<int64_t, int64_t>, 8> kChar = {
      {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}}};
  for (auto [ma, mi] : kChar) rules.push_back(deviceRule(true, "c", ma, mi, "rwm"));
  rules.push_back(deviceRule(true, "c", 136, std::nullopt, "rwm"));
}

Json linuxDevice(const HostDevice& d, const std::string& path) {
  Json j = Json::object();
  j["path"] = path;
  j["type"] = std::string(1, d.type);
  j["major"] = d.major;
  j["minor"] = d.minor;
  j["fileMode"] = d.file_mode;
  j["uid"] = d.uid;
  j["gid"] = d.gid;
  return j;
}

struct DevicePlan {
  Json devices = Json::array();  // linux.devices
  Json rules = Json::array();    // linux.resources.devices
};

Result<DevicePlan> planDevices(const api::SpecGenerator& s, const SpecInputs& in, bool privileged,
                               bool in_userns, bool systemd) {
  DevicePlan p;
  DeviceLookup lookup = in.device_lookup ? in.device_lookup : DeviceLookup(statDevice);
  if (privileged) {
    auto all = TRY(in.list_host_devices ? in.list_host_devices() : listHostDevices());
    // podman's AddPrivilegedDevices: systemd in the container must not take the host's ttys.
    for (const auto& d : all)
      if (!(systemd && d.path.rfind("/dev/tty", 0) == 0)) p.devices.push_back(linuxDevice(d, d.path));
    p.rules.push_back(deviceRule(true, "", std::nullopt, std::nullopt, "rwm"));
    return p;
  }
  if (!in_userns) {
    p.rules.push_back(deviceRule(false, "", std::nullopt, std::nullopt, "rwm"));
    addDefaultDeviceRules(p.rules);
  }
  for (const auto& d : s.devices) {
    // podman's CLI puts "SRC[:DST][:PERMS]" in path and leaves the rest zero.
    auto spec = TRY(parseDeviceSpec(d.path));
    HostDevice hd;
    if (d.type.size() == 1) {
      hd.type = d.type[0];
      hd.major = d.major;
      hd.minor = d.minor;
      hd.file_mode = d.file_mode.value_or(0666);
      hd.uid = d.uid.value_or(0);
      hd.gid = d.gid.value_or(0);
    } else {
      hd = TRY_CTX(lookup(spec.src), "device {}", d.path);
    }
    p.devices.push_back(linuxDevice(hd, spec.dst));
    if (!in_userns)
      p.rules.push_back(deviceRule(true, std::string(1, hd.type), hd.major, hd.minor, spec.perms));
  }
  if (!in_userns)
    for (const auto& r : s.device_cgroup_rule)
      p.rules.push_back(
          deviceRule(r.allow, r.type, r.major, r.minor, r.access.empty() ? "rwm" : r.access));
  return p;
}

// resource_limits + blkio device maps + unified -> linux.resources.
Result<Json> buildResources(const api::SpecGenerator& s, const SpecInputs& in,
                            DevicePlan& devices) {
  Json limits = s.resource_limits ? api::toJson(*s.resource_limits) : Json::object();
  Json out = Json::object();
  Json rules = std::move(devices.rules);
  if (limits.contains("devices"))
    for (const auto& r : limits["devices"]) rules.push_back(r);
  if (!rules.empty()) out["devices"] = std::move(rules);
  for (const char* k : {"memory", "cpu"})
    if (limits.contains(k)) out[k] = limits[k];
  // --memory=0 and friends mean "no limit" (runc skips a 0; crun would write it and the
  // container could not start): a 0 is not passed on.
  if (out.contains("memory") && out["memory"].is_object()) {
    for (const char* k : {"limit", "reservation", "swap", "kernel", "kernelTCP"})
      if (out["memory"].contains(k) && out["memory"][k].is_number() && out["memory"][k] == 0) out["memory"].erase(k);
    if (out["memory"].empty()) out.erase("memory");
  }
  // podman 4.3.1's top-level cpu_period/cpu_quota, when resource_limits has none.
  if (s.cpu_period && !field(field(out, "cpu"), "period").is_number())
    out["cpu"]["period"] = s.cpu_period;
  if (s.cpu_quota && !field(field(out, "cpu"), "quota").is_number())
    out["cpu"]["quota"] = s.cpu_quota;
  int64_t pids_limit = kDefaultPidsLimit;
  if (s.resource_limits && s.resource_limits->pids && s.resource_limits->pids->limit)
    pids_limit = *s.resource_limits->pids->limit;
  if (pids_limit != 0) out["pids"] = Json{{"limit", pids_limit}};
  Json blkio = limits.contains("blockIO") ? limits["blockIO"] : Json::object();
  DeviceLookup lookup = in.device_lookup ? in.device_lookup : DeviceLookup(statDevice);
  auto deviceMap = [&](const auto& m, const char* key, auto fill) -> Status {
    if (m.empty()) return okStatus();
    Json list = Json::array();
    for (const auto& [path, v] : m) {
      auto d = TRY_CTX(lookup(path), "{} {}", key, path);
      Json e = Json::object();
      e["major"] = d.major;
      e["minor"] = d.minor;
      fill(e, v);
      list.push_back(std::move(e));
    }
    blkio[key] = std::move(list);
    return okStatus();
  };
  auto weight = [](Json& e, const api::LinuxWeightDevice& v) {
    if (v.weight) e["weight"] = *v.weight;
    if (v.leaf_weight) e["leafWeight"] = *v.leaf_weight;
  };
  auto rate = [](Json& e, const api::LinuxThrottleDevice& v) { e["rate"] = v.rate; };
  TRY(deviceMap(s.weight_device, "weightDevice", weight));
  TRY(deviceMap(s.throttle_read_bps_device, "throttleReadBpsDevice", rate));
  TRY(deviceMap(s.throttle_write_bps_device, "throttleWriteBpsDevice", rate));
  TRY(deviceMap(s.throttle_read_iops_device, "throttleReadIOPSDevice", rate));
  TRY(deviceMap(s.throttle_write_iops_device, "throttleWriteIOPSDevice", rate));
  if (!blkio.empty()) out["blockIO"] = std::move(blkio);
  for (const char* k : {"hugepageLimits", "network", "rdma"})
    if (limits.contains(k)) out[k] = limits[k];
  Json unified = limits.contains("unified") ? limits["unified"] : Json::object();
  for (const auto& [k, v] : s.unified) unified[k] = v;
  if (!unified.empty()) out["unified"] = std::move(unified);
  return out;
}

// ---- sysctls, capabilities, annotations ------------------------------------------------

// containers.conf's default_sysctls plus the caller's (validateSpec refused the ones a host
// namespace owns).
Json buildSysctl(const api::SpecGenerator& s, const NamespacePlan& ns, const SpecInputs& in) {
  std::map<std::string, std::string> out;
  // Not in a netns made before the container when it has its own user namespace: that
  // namespace does not own the netns, and the runtime could not write the value.
  bool no_net = ns.net.isHost() || ns.net.joinsOther() || (ns.new_userns && in.namespace_paths.count("network"));
  if (!no_net) out["net.ipv4.ping_group_range"] = "0 0";
  for (const auto& [k, v] : s.sysctl) out[k] = v;
  Json j = Json::object();
  for (auto& [k, v] : out) j[k] = v;
  return j;
}

struct CapSets {
  std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
};

Result<CapSets> buildCaps(const api::SpecGenerator& s, const SpecInputs& in, bool privileged,
                          uint32_t uid) {
  CapSets c;
  auto all = in.bounding_set;
  if (all.empty()) all = TRY(currentBoundingSet());
  const auto& adds = s.cap_add;
  const auto& drops = s.cap_drop;
  if (privileged) {
    c.bounding = all;
  } else {
    auto merged = TRY(mergeCapabilities(defaultCapabilities(), adds, drops, all));
    for (const auto& cap : merged)
      if (contains(all, cap)) c.bounding.push_back(cap);
  }
  if (uid == 0) {
    c.effective = c.permitted = c.bounding;
  } else {
    // podman 4: a non-root user gets only the added capabilities, also as
    // ambient and inheritable so they survive exec.
    auto added = TRY(mergeCapabilities({}, adds, {}, all));
    for (const auto& cap : added)
      if (contains(all, cap)) c.effective.push_back(cap);
    c.permitted = c.inheritable = c.ambient = c.effective;
  }
  return c;
}

Json capsJson(const CapSets& c, bool root) {
  Json j = Json::object();
  j["bounding"] = toJson(c.bounding);
  j["effective"] = toJson(c.effective);
  if (!root) j["inheritable"] = toJson(c.inheritable);
  j["permitted"] = toJson(c.permitted);
  if (!root) j["ambient"] = toJson(c.ambient);
  return j;
}

Result<int> stopSignal(const api::SpecGenerator& s, const ImageConfig& img) {
  if (s.stop_signal && *s.stop_signal > 0) return static_cast<int>(*s.stop_signal);
  if (!img.stop_signal.empty()) return TRY_CTX(parseSignal(img.stop_signal), "image StopSignal");
  return 15;
}

Result<uint32_t> umask(const api::SpecGenerator& s) {
  const std::string& u = s.umask;
  if (u.empty()) return kDefaultUmask;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(u.data(), u.data() + u.size(), v, 8);
  if (ec != std::errc() || p != u.data() + u.size() || v > 0777)
    return makeError(Code::kInvalidArgument, "invalid umask {:?}", u);
  return v;
}

// The seccomp profile to apply, or null.
Result<Json> buildSeccomp(const api::SpecGenerator& s, const SpecInputs& in, bool privileged,
                          const std::vector<std::string>& bounding) {
  const std::string& path = s.seccomp_profile_path;
  std::string arch = in.arch.empty() ? std::string(nativeGoArch()) : in.arch;
  if (path == "unconfined") return Json();
  if (path.empty() || path == in.seccomp_json_path) {
    if (privileged || in.seccomp_json_path.empty() || !fs::exists(in.seccomp_json_path))
      return Json();
    return loadSeccompProfile(in.seccomp_json_path, bounding, arch);
  }
  return loadSeccompProfile(path, bounding, arch);
}

std::string cgroupsPath(const api::SpecGenerator& s, const SpecInputs& in) {
  std::string parent = s.cgroup_parent;
  if (parent.empty()) parent = in.cgroup_parent;
  if (in.systemd_cgroup) {
    if (parent.empty()) parent = "machine.slice";
    return fmt::format("{}:berth:{}", parent, in.container_id);
  }
  if (parent.empty()) parent = "/berth_parent";
  if (parent[0] != '/') parent = "/" + parent;
  if (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  return fmt::format("{}/berth-{}", parent, in.container_id);
}

}  // namespace

Result<Json> resourcesForUpdate(const api::SpecGenerator& s, const DeviceLookup& lookup) {
  SpecInputs in;
  in.device_lookup = lookup;
  DevicePlan none;
  Json r = TRY(buildResources(s, in, none));
  r.erase("devices");  // the device allow-list is set at create and not updated
  return r;
}

bool systemdMode(const api::SpecGenerator& s, const std::vector<std::string>& command) {
  std::string mode = s.systemd;
  std::transform(mode.begin(), mode.end(), mode.begin(), ::tolower);
  if (mode == "always") return true;
  if (mode == "false" || command.empty()) return false;
  // podman's createContainerOptions: the last command of "/bin/sh -c ..." counts.
  size_t first = command.size() > 2 && command[0] == "/bin/sh" && command[1] == "-c" ? 2 : 0;
  const std::string& cmd = command[first];
  std::string base = cmd.substr(cmd.rfind('/') + 1);
  return cmd == "/sbin/init" || cmd == "/usr/sbin/init" || cmd == "/usr/local/sbin/init" || base == "systemd";
}

Result<int> parseSignal(std::string_view sig) {
  static const std::map<std::string, int, std::less<>> kSignals = {
      {"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},     {"TRAP", 5},    {"ABRT", 6},
      {"IOT", 6},   {"BUS", 7},   {"FPE", 8},   {"KILL", 9},    {"USR1", 10},   {"SEGV", 11},
      {"USR2", 12}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15},   {"STKFLT", 16}, {"CHLD", 17},
      {"CLD", 17},  {"CONT", 18}, {"STOP", 19}, {"TSTP", 20},   {"TTIN", 21},   {"TTOU", 22},
      {"URG", 23},  {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27},   {"WINCH", 28},
      {"IO", 29},   {"POLL", 29}, {"PWR", 30},  {"SYS", 31},    {"RTMIN", 34},  {"RTMAX", 64},
  };
  // podman's util.ParseSignal: one leading dash is dropped ("-HUP", "-1"); a number
  // out of range and a bad name have their own texts.
  if (!sig.empty() && sig[0] == '-') sig.remove_prefix(1);
  auto bad = [&] { return makeError(Code::kInvalidArgument, "invalid signal: {}", sig); };
  if (sig.empty()) return bad();
  if (std::all_of(sig.begin(), sig.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int n = 0;
    auto [p, ec] = std::from_chars(sig.data(), sig.data() + sig.size(), n);
    if (ec == std::errc() && n == 0) return bad();
    if (ec != std::errc() || n > 64) return makeError(Code::kInvalidArgument, "valid signals are 1 through 64");
    return n;
  }
  std::string up;
  for (char c : sig) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up.rfind("SIG", 0) == 0) up = up.substr(3);
  int offset = 0;
  if (auto plus = up.find_first_of("+-"); plus != std::string::npos && up.rfind("RT", 0) == 0) {
    auto [q, ec2] = std::from_chars(up.data() + plus + 1, up.data() + up.size(), offset);
    if (ec2 != std::errc() || q != up.data() + up.size()) return bad();
    if (up[plus] == '-') offset = -offset;
    up = up.substr(0, plus);
  }
  auto it = kSignals.find(up);
  if (it == kSignals.end()) return bad();
  int v = it->second + offset;
  if (v < 1 || v > 64 || (offset != 0 && (v < 34))) return bad();
  return v;
}

Result<std::vector<std::string>> makeCommand(const api::SpecGenerator& s,
                                             const Json& image_config) {
  auto img = TRY(readImageConfig(image_config));
  const std::vector<std::string>& entrypoint = s.entrypoint.empty() ? img.entrypoint : s.entrypoint;
  std::vector<std::string> out;
  // podman's makeCommand: [""] clears the entrypoint.
  if (!(entrypoint.size() == 1 && entrypoint[0].empty()))
    out.insert(out.end(), entrypoint.begin(), entrypoint.end());
  // The image's Cmd only goes with the image's entrypoint.
  const std::vector<std::string>& command =
      s.command.empty() && s.entrypoint.empty() ? img.cmd : s.command;
  out.insert(out.end(), command.begin(), command.end());
  if (out.empty())
    return makeError(Code::kInvalidArgument,
                     "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  return out;
}

std::vector<std::string> imageVolumeDestinations(const api::SpecGenerator& s,
                                                 const Json& image_config) {
  std::vector<std::string> out;
  const Json& vols = field(image_config, "Volumes");
  if (!vols.is_object()) return out;
  std::set<std::string> taken;
  for (const auto& m : s.mounts) taken.insert(m.destination);
  for (const auto& v : s.volumes) taken.insert(v.dest);
  for (const auto& [dest, _] : vols.items()) {
    std::string d = dest;
    if (d.size() > 1 && d.back() == '/') d.pop_back();
    if (!d.empty() && d[0] == '/' && !taken.count(d)) out.push_back(d);
  }
  return out;
}

Result<Json> generateSpec(const SpecInputs& in) {
  const api::SpecGenerator& s = in.specgen;
  TRY(validateSpec(s));
  if (in.rootfs.empty() || in.rootfs[0] != '/')
    return makeError(Code::kInvalidArgument, "rootfs {:?} must be an absolute path", in.rootfs);
  if (in.container_id.empty())
    return makeError(Code::kInvalidArgument, "container id must not be empty");
  auto img = TRY(readImageConfig(in.image_config));
  bool privileged = s.privileged.value_or(false);

  // Namespaces and hostname.
  auto ns = TRY(planNamespaces(s, in));
  if (ns.new_userns && ns.user.mode != NamespaceMode::kPath && !in.namespace_paths.count("user") &&
      !(s.idmappings && !s.idmappings->uid_map.empty()))
    return makeError(Code::kInvalidArgument, "userns mode {:?} needs idmappings",
                     api::namespaceModeName(ns.user.mode));
  std::string hostname = s.hostname;
  bool set_hostname =
      !ns.uts.isHost() && !ns.uts.joinsOther() && ns.uts.mode != NamespaceMode::kPath;
  if (set_hostname && hostname.empty()) hostname = in.container_id.substr(0, 12);
  std::string env_hostname = ns.uts.isHost() ? in.host_hostname : hostname;

  // Process.
  auto args = TRY(makeCommand(s, in.image_config));
  const bool systemd = systemdMode(s, args);
  if (s.init.value_or(false)) args.insert(args.begin(), {std::string(kInitPath), "--"});
  std::string user_spec = s.user;
  if (user_spec.empty()) user_spec = img.user;
  auto user = TRY(resolveUser(user_spec, in.passwd, in.group));
  auto groups = s.groups;
  bool keep_groups = contains(groups, "keep-groups");
  groups.erase(std::remove(groups.begin(), groups.end(), "keep-groups"), groups.end());
  for (auto gid : TRY_CTX(resolveGroups(groups, in.group), "looking up supplemental groups"))
    if (std::find(user.additional_gids.begin(), user.additional_gids.end(), gid) ==
        user.additional_gids.end())
      user.additional_gids.push_back(gid);
  std::string cwd = s.work_dir;
  if (cwd.empty()) cwd = img.workdir;
  if (cwd.empty()) cwd = "/";
  if (cwd[0] != '/')
    return makeError(Code::kInvalidArgument, "workdir {:?} must be an absolute path", cwd);
  auto caps = TRY(buildCaps(s, in, privileged, user.uid));

  bool terminal = s.terminal.value_or(false);
  Json process = Json::object();
  if (terminal) process["terminal"] = true;
  Json juser = Json::object();
  juser["uid"] = user.uid;
  juser["gid"] = user.gid;
  juser["umask"] = TRY(umask(s));
  if (!user.additional_gids.empty()) juser["additionalGids"] = user.additional_gids;
  process["user"] = std::move(juser);
  process["args"] = toJson(args);
  process["env"] = buildEnv(s, img, in, user, env_hostname);
  process["cwd"] = cwd;
  process["capabilities"] = capsJson(caps, user.uid == 0);
  process["rlimits"] = TRY(buildRlimits(s, in));
  if (s.no_new_privileges.value_or(false)) process["noNewPrivileges"] = true;
  if (s.oom_score_adj) process["oomScoreAdj"] = *s.oom_score_adj;

  // Root, mounts, annotations.
  Json root = Json::object();
  root["path"] = in.rootfs;
  if (s.read_only_filesystem.value_or(false)) root["readonly"] = true;
  Json mounts = TRY(buildMounts(MountPlan{s, in, ns, privileged}));

  std::map<std::string, std::string> ann(s.annotations.begin(), s.annotations.end());
  auto tf = [](bool b) { return b ? std::string("TRUE") : std::string("FALSE"); };
  ann["io.container.manager"] = "libpod";  // what podman-aware tools look for
  ann["io.kubernetes.cri-o.TTY"] = terminal ? "true" : "false";
  ann["io.podman.annotations.autoremove"] = tf(s.remove.value_or(false));
  ann["io.podman.annotations.init"] = tf(s.init.value_or(false));
  ann["io.podman.annotations.privileged"] = tf(privileged);
  ann["io.podman.annotations.publish-all"] = tf(s.publish_image_ports.value_or(false));
  ann["org.opencontainers.image.stopSignal"] = std::to_string(TRY(stopSignal(s, img)));
  if (keep_groups) ann["run.oci.keep_original_groups"] = "1";
  Json annotations = Json::object();
  for (auto& [k, v] : ann) annotations[k] = v;

  // Linux.
  Json linux = Json::object();
  if (ns.new_userns && s.idmappings) {
    auto uids = TRY(idMappings(s.idmappings->uid_map, "UIDMap"));
    auto gids = TRY(idMappings(s.idmappings->gid_map, "GIDMap"));
    if (!uids.empty()) linux["uidMappings"] = std::move(uids);
    if (!gids.empty()) linux["gidMappings"] = std::move(gids);
  }
  auto sysctl = buildSysctl(s, ns, in);
  if (!sysctl.empty()) linux["sysctl"] = std::move(sysctl);
  bool cgroups = s.cgroups_mode != "disabled";
  auto devices = TRY(planDevices(s, in, privileged, ns.new_userns, systemd));
  if (cgroups) {
    linux["resources"] = TRY(buildResources(s, in, devices));
    linux["cgroupsPath"] = cgroupsPath(s, in);
  }
  linux["namespaces"] = std::move(ns.list);
  if (!devices.devices.empty()) linux["devices"] = std::move(devices.devices);
  auto seccomp = TRY(buildSeccomp(s, in, privileged, caps.bounding));
  if (!seccomp.is_null()) linux["seccomp"] = std::move(seccomp);
  if (!s.rootfs_propagation.empty()) linux["rootfsPropagation"] = s.rootfs_propagation;
  std::vector<std::string> masked, readonly;
  if (!privileged) {
    for (const auto& p : defaultMaskedPaths())
      if (!unmasked(p, s.unmask)) masked.push_back(p);
    for (const auto& p : defaultReadonlyPaths())
      if (!unmasked(p, s.unmask)) readonly.push_back(p);
  }
  for (const auto& p : s.mask)
    if (!contains(masked, p)) masked.push_back(p);
  if (!masked.empty()) linux["maskedPaths"] = toJson(masked);
  if (!readonly.empty()) linux["readonlyPaths"] = toJson(readonly);
  if (s.personality) linux["personality"] = api::toJson(*s.personality);

  Json spec = Json::object();
  spec["ociVersion"] = "1.0.2-dev";
  spec["process"] = std::move(process);
  spec["root"] = std::move(root);
  if (set_hostname) spec["hostname"] = hostname;
  spec["mounts"] = std::move(mounts);
  spec["annotations"] = std::move(annotations);
  spec["linux"] = std::move(linux);
  return spec;
}

Json processEnvPreview(const api::SpecGenerator& s, const std::vector<std::string>& image_env,
                       const std::vector<std::string>& host_environ) {
  return baseEnv(s, image_env, host_environ).toJson();
}

}  // namespace berth::specgen
