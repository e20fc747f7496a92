// SpecGenerator (podman's create document) -> OCI runtime-spec config.json, with podman's defaults.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/specgen.h"

namespace berth::specgen {

// A process resource limit of the host (getrlimit).
struct HostRlimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};
// Returns the current limits of RLIMIT_* `resource`, or nullopt when unknown.
using RlimitLookup = std::function<std::optional<HostRlimit>(int resource)>;

// A device node of the host, as the OCI spec's linux.devices entry needs it.
struct HostDevice {
  std::string path;
  char type = 'c';  // 'c', 'b', 'u' or 'p'
  int64_t major = 0;
  int64_t minor = 0;
  uint32_t file_mode = 0;  // st_mode (type bits and permissions)
  uint32_t uid = 0;
  uint32_t gid = 0;
};
// Describes the host device at `path` (stat, following symlinks).
using DeviceLookup = std::function<Result<HostDevice>(const std::string& path)>;
// Lists every device node of the host (for privileged containers).
using DeviceLister = std::function<Result<std::vector<HostDevice>>()>;

// Everything generateSpec needs besides the SpecGenerator. The engine prepares
// the files named here; generateSpec reads only the seccomp JSON (a host file),
// never a file of the rootfs.
struct SpecInputs {
  api::SpecGenerator specgen;  // checked by validateSpec before anything is generated
  Json image_config;           // the image config's "config" object (Env, Cmd, Entrypoint,
                               // WorkingDir, User, StopSignal, Volumes, ...); null if none
  std::string rootfs;          // absolute host path of the mounted root filesystem
  std::string container_id;    // 64 hex
  // Contents of the rootfs's /etc/passwd and /etc/group, read by the engine
  // inside the rootfs (sys::readFileInRoot: regular files, size-capped).
  // Empty means "no entries".
  std::string passwd;
  std::string group;
  // Default cgroup parent when the SpecGenerator has none; "" means
  // "/berth_parent" (cgroupfs) or "machine.slice" (systemd).
  std::string cgroup_parent;
  bool systemd_cgroup = false;  // cgroupsPath as "slice:berth:id" instead of a path
  bool cgroup2 = false;         // unified hierarchy: cgroupns defaults to private
  std::string runtime_name;     // "crun", "runc": recorded nowhere in the spec yet
  // Current limits of this host; empty means getrlimit(2). podman's default
  // RLIMIT_NOFILE/RLIMIT_NPROC are clamped to the hard limits given here.
  RlimitLookup host_rlimit;
  uint64_t pid_max = 0;  // /proc/sys/kernel/pid_max; 0 = unknown (no clamp)
  // The capabilities a container may hold at most ("all" for privileged and
  // cap_add ALL), as podman's BoundingSet(): empty means this process's
  // bounding set (CapBnd in /proc/self/status).
  std::vector<std::string> bounding_set;
  // Bind mount sources prepared by the engine; empty means "no such mount".
  std::string resolv_conf_path;
  std::string hosts_path;
  std::string hostname_path;
  std::string containerenv_path;  // -> /run/.containerenv
  // Host directory (a tmpfs) for /dev/shm; empty means a tmpfs of shm_size.
  std::string shm_path;
  // containers-common's seccomp.json (/usr/share/containers/seccomp.json);
  // missing file means no default profile.
  std::string seccomp_json_path;
  std::string init_path = "/usr/libexec/podman/catatonit";  // for "init": true
  std::string host_hostname;                                // HOSTNAME when utsns is host
  // The host environment (KEY=VAL), used for env_host and httpproxy.
  std::vector<std::string> host_environ;
  // Namespace paths the engine resolved, keyed by OCI type ("network", "ipc",
  // "pid", "uts", "cgroup", "user", "mount"): netns created by the network
  // setup, or /proc/<pid>/ns/<x> for container:/pod: modes.
  std::map<std::string, std::string> namespace_paths;
  // Named volume -> host directory (anonymous volumes: the engine names them
  // and fills this map before calling).
  std::map<std::string, std::string> volume_paths;
  // Image mount destination -> host directory of the image's file system as the
  // engine mounted it (read-only, or an overlay with an upper dir for rw).
  std::map<std::string, std::string> image_volume_paths;
  DeviceLookup device_lookup;      // empty: stat(2)
  DeviceLister list_host_devices;  // empty: walk /dev
  std::string arch;                // Go arch name for seccomp ("amd64"); empty: this build's
};

// The path where the init binary is mounted ("init": true), as podman does.
inline constexpr std::string_view kInitPath = "/run/podman-init";

// The semantic checks podman applies to a SpecGenerator before it creates a container
// (specgen Validate, libpod's create options and container validation, and the CLI checks
// that only look at the document), so every front end gets them: value vocabularies
// (restart policy, log driver, namespace modes, systemd, sdnotify, image volume mode, cgroups
// mode, protocols), combinations podman refuses (hostname with a non-private UTS namespace,
// --rm with a restart policy, restart_tries without on-failure, shm_size with a host IPC
// namespace, init with the host PID namespace, sysctls owned by a host namespace, ...) and
// well-formed paths, rlimits, devices, ports and umask. kInvalidArgument with podman's
// message where podman has one (its tests compare some of them), else one naming the field.
// Namespaces left at "default" are checked as the defaults generateSpec gives them.
Status validateSpec(const api::SpecGenerator& s);

// Builds the OCI config.json. Runs validateSpec first. kInvalidArgument for bad
// values (unknown capability, missing user), kNotFound for a missing named volume
// or seccomp profile, kFailedPrecondition when a container:/pod: namespace has
// no path in inputs.namespace_paths.
Result<Json> generateSpec(const SpecInputs& inputs);

// The environment generateSpec gives the process, as far as it is known before the container's
// rootfs is read (without HOME and HOSTNAME): inspect of a container not yet initialized.
Json processEnvPreview(const api::SpecGenerator& s, const std::vector<std::string>& image_env,
                       const std::vector<std::string>& host_environ);

// linux.resources as generateSpec builds them from `s`, without the device allow-list: what
// `update` hands the runtime (`runtime update --resources`). `lookup` empty: stat(2).
Result<Json> resourcesForUpdate(const api::SpecGenerator& s, const DeviceLookup& lookup = {});

// The resolved process arguments: entrypoint + command with podman's rules
// (a non-empty specgen entrypoint, even [""], replaces the image's and drops the
// image Cmd; a non-empty specgen command replaces the image Cmd). kInvalidArgument when empty.
Result<std::vector<std::string>> makeCommand(const api::SpecGenerator& specgen,
                                             const Json& image_config);

// podman's systemd mode: "always", or "true" (the default) with an init or systemd command
// (`command` is the resolved process args, before any init binary).
bool systemdMode(const api::SpecGenerator& s, const std::vector<std::string>& command);

// Signal name ("SIGTERM", "TERM", "term", "RTMIN+3") or number -> number.
Result<int> parseSignal(std::string_view s);

// podman's util.ProcessOptions for a mount at `dest` of `type`: keeps the caller's options
// (minus the ones only the engine acts on), then adds what is missing: rw, rprivate,
// nosuid/nodev (volumes, tmpfs), tmpcopyup (tmpfs), rbind (binds). kInvalidArgument for ro/rw
// or a propagation given twice, kUnimplemented for overlay (O) mounts.
Result<std::vector<std::string>> processOptions(const std::vector<std::string>& in,
                                                const std::string& type, bool is_volume,
                                                const std::string& dest);

// Destinations of the image's declared volumes (config.Volumes) not already
// covered by specgen mounts/volumes: the engine creates anonymous volumes
// for them, as podman's image_volume_mode "anonymous" does.
std::vector<std::string> imageVolumeDestinations(const api::SpecGenerator& specgen,
                                                 const Json& image_config);

}  // namespace berth::specgen
