// SpecGenerator: podman's container-create document (pkg/specgen) as a typed struct, with an
// exact JSON codec (the body of POST /libpod/containers/create).
//
// The types live in berth::api because they are part of the public request surface: the CLI,
// the REST server, the remote client (the C++ bindings, which never link the engine) and the
// engine all take the same struct. src/specgen (berth::specgen) is the engine-side library that
// checks a SpecGenerator and turns it into an OCI config; it is not public.
//
// Field names are podman's JSON keys in snake_case ("sdnotifyMode" -> sdnotify_mode,
// "Networks" -> networks). Where podman has a pointer (nil = "not given, use the default"),
// the member is a std::optional. Go's plain omitempty scalars are plain values whose zero
// value means "not given", as in podman. Fields marked [>4.3.1] appeared after podman 4.3.1,
// fields marked [4.3.1 only] were removed later; both are carried so bodies from either
// generation decode without loss.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::api {

// ---- namespaces --------------------------------------------------------------------------

// pkg/specgen NamespaceMode. JSON strings: "", "default", "host", "path", "container", "pod",
// "private", "shareable", "none", "bridge", "slirp4netns", "pasta", "keep-id", "no-map", "auto".
enum class NamespaceMode {
  kUnset,  // "" (key absent): same meaning as kDefault
  kDefault,
  kHost,
  kPath,       // value: path of a namespace file
  kContainer,  // value: container name or ID
  kPod,
  kPrivate,
  kShareable,    // IPC only
  kNone,         // network and IPC only
  kBridge,       // network only
  kSlirp4netns,  // network only
  kPasta,        // network only [>4.3.1]
  kKeepId,       // user only
  kNoMap,        // user only
  kAuto,         // user only
};
std::string_view namespaceModeName(NamespaceMode m);
std::optional<NamespaceMode> parseNamespaceMode(std::string_view s);

struct Namespace {
  NamespaceMode nsmode = NamespaceMode::kUnset;  // "nsmode"
  std::string value;                             // "value"

  bool isDefault() const {
    return nsmode == NamespaceMode::kUnset || nsmode == NamespaceMode::kDefault;
  }
  bool is(NamespaceMode m) const { return nsmode == m; }
  // podman's Namespace.String(): "mode" or "mode:value".
  std::string str() const;
  bool operator==(const Namespace&) const = default;
};

// ---- OCI runtime-spec shapes (specs-go) ---------------------------------------------------

struct LinuxIDMapping {
  uint32_t container_id = 0;  // "containerID"
  uint32_t host_id = 0;       // "hostID"
  uint32_t size = 0;          // "size"
  bool operator==(const LinuxIDMapping&) const = default;
};

// spec.Mount: mounts[].
struct Mount {
  std::string destination;                   // "destination"
  std::string type;                          // "type"
  std::string source;                        // "source"
  std::vector<std::string> options;          // "options"
  std::vector<LinuxIDMapping> uid_mappings;  // "uidMappings" [>4.3.1]
  std::vector<LinuxIDMapping> gid_mappings;  // "gidMappings" [>4.3.1]
  bool operator==(const Mount&) const = default;
};

// spec.LinuxDevice: devices[] and host_device_list[]. podman's CLI puts "SRC[:DST][:PERMS]"
// in path and leaves the rest zero; the engine stats the host device.
struct LinuxDevice {
  std::string path;                   // "path"
  std::string type;                   // "type": "c", "b", "u", "p" or ""
  int64_t major = 0;                  // "major"
  int64_t minor = 0;                  // "minor"
  std::optional<uint32_t> file_mode;  // "fileMode" (os.FileMode)
  std::optional<uint32_t> uid;        // "uid"
  std::optional<uint32_t> gid;        // "gid"
  bool operator==(const LinuxDevice&) const = default;
};

// spec.LinuxDeviceCgroup: device_cgroup_rule[] and resource_limits.devices[].
struct LinuxDeviceCgroup {
  bool allow = false;            // "allow"
  std::string type;              // "type": "a", "c" or "b"
  std::optional<int64_t> major;  // "major"; absent = any
  std::optional<int64_t> minor;  // "minor"; absent = any
  std::string access;            // "access": subset of "rwm"
  bool operator==(const LinuxDeviceCgroup&) const = default;
};

struct LinuxMemory {
  std::optional<int64_t> limit;             // "limit"
  std::optional<int64_t> reservation;       // "reservation"
  std::optional<int64_t> swap;              // "swap"
  std::optional<int64_t> kernel;            // "kernel"
  std::optional<int64_t> kernel_tcp;        // "kernelTCP"
  std::optional<uint64_t> swappiness;       // "swappiness"
  std::optional<bool> disable_oom_killer;   // "disableOOMKiller"
  std::optional<bool> use_hierarchy;        // "useHierarchy"
  std::optional<bool> check_before_update;  // "checkBeforeUpdate" [>4.3.1]
  bool operator==(const LinuxMemory&) const = default;
};

struct LinuxCPU {
  std::optional<uint64_t> shares;           // "shares"
  std::optional<int64_t> quota;             // "quota"
  std::optional<uint64_t> burst;            // "burst" [>4.3.1]
  std::optional<uint64_t> period;           // "period"
  std::optional<int64_t> realtime_runtime;  // "realtimeRuntime"
  std::optional<uint64_t> realtime_period;  // "realtimePeriod"
  std::string cpus;                         // "cpus"
  std::string mems;                         // "mems"
  std::optional<int64_t> idle;              // "idle" [>4.3.1]
  bool operator==(const LinuxCPU&) const = default;
};

struct LinuxPids {
  // "limit": podman 4.3.1 has a plain int64 (always sent), later a pointer; 0 or absent is
  // the default, a negative value is unlimited.
  std::optional<int64_t> limit;
  bool operator==(const LinuxPids&) const = default;
};

struct LinuxWeightDevice {
  int64_t major = 0;                    // "major"
  int64_t minor = 0;                    // "minor"
  std::optional<uint16_t> weight;       // "weight"
  std::optional<uint16_t> leaf_weight;  // "leafWeight"
  bool operator==(const LinuxWeightDevice&) const = default;
};

struct LinuxThrottleDevice {
  int64_t major = 0;  // "major"
  int64_t minor = 0;  // "minor"
  uint64_t rate = 0;  // "rate"
  bool operator==(const LinuxThrottleDevice&) const = default;
};

struct LinuxBlockIO {
  std::optional<uint16_t> weight;                               // "weight"
  std::optional<uint16_t> leaf_weight;                          // "leafWeight"
  std::vector<LinuxWeightDevice> weight_device;                 // "weightDevice"
  std::vector<LinuxThrottleDevice> throttle_read_bps_device;    // "throttleReadBpsDevice"
  std::vector<LinuxThrottleDevice> throttle_write_bps_device;   // "throttleWriteBpsDevice"
  std::vector<LinuxThrottleDevice> throttle_read_iops_device;   // "throttleReadIOPSDevice"
  std::vector<LinuxThrottleDevice> throttle_write_iops_device;  // "throttleWriteIOPSDevice"
  bool operator==(const LinuxBlockIO&) const = default;
};

struct LinuxHugepageLimit {
  std::string page_size;  // "pageSize"
  uint64_t limit = 0;     // "limit"
  bool operator==(const LinuxHugepageLimit&) const = default;
};

struct LinuxInterfacePriority {
  std::string name;       // "name"
  uint32_t priority = 0;  // "priority"
  bool operator==(const LinuxInterfacePriority&) const = default;
};

struct LinuxNetwork {
  std::optional<uint32_t> class_id;                // "classID"
  std::vector<LinuxInterfacePriority> priorities;  // "priorities"
  bool operator==(const LinuxNetwork&) const = default;
};

struct LinuxRdma {
  std::optional<uint32_t> hca_handles;  // "hcaHandles"
  std::optional<uint32_t> hca_objects;  // "hcaObjects"
  bool operator==(const LinuxRdma&) const = default;
};

// spec.LinuxResources: resource_limits.
struct LinuxResources {
  std::vector<LinuxDeviceCgroup> devices;           // "devices"
  std::optional<LinuxMemory> memory;                // "memory"
  std::optional<LinuxCPU> cpu;                      // "cpu"
  std::optional<LinuxPids> pids;                    // "pids"
  std::optional<LinuxBlockIO> block_io;             // "blockIO"
  std::vector<LinuxHugepageLimit> hugepage_limits;  // "hugepageLimits"
  std::optional<LinuxNetwork> network;              // "network"
  std::map<std::string, LinuxRdma> rdma;            // "rdma"
  std::map<std::string, std::string> unified;       // "unified"
  bool operator==(const LinuxResources&) const = default;
};

// spec.POSIXRlimit: r_limits[]. podman's CLI sends the short lower-case name ("nofile").
struct POSIXRlimit {
  std::string type;   // "type"
  uint64_t hard = 0;  // "hard"
  uint64_t soft = 0;  // "soft"
  bool operator==(const POSIXRlimit&) const = default;
};

struct LinuxPersonality {
  std::string domain;              // "domain": "LINUX" or "LINUX32"
  std::vector<std::string> flags;  // "flags"
  bool operator==(const LinuxPersonality&) const = default;
};

// spec.LinuxIntelRdt: intelRdt [>4.3.1]. Both the 1.0 and the 1.2 runtime-spec keys.
struct LinuxIntelRdt {
  std::string clos_id;                // "closID"
  std::vector<std::string> schemata;  // "schemata"
  std::string l3_cache_schema;        // "l3CacheSchema"
  std::string mem_bw_schema;          // "memBwSchema"
  bool enable_cmt = false;            // "enableCMT"
  bool enable_mbm = false;            // "enableMBM"
  bool enable_monitoring = false;     // "enableMonitoring"
  bool operator==(const LinuxIntelRdt&) const = default;
};

// ---- containers/storage and containers/image shapes ---------------------------------------

// idtools.IDMap (Go ints).
struct IDMap {
  int64_t container_id = 0;  // "container_id"
  int64_t host_id = 0;       // "host_id"
  int64_t size = 0;          // "size"
  bool operator==(const IDMap&) const = default;
};

struct AutoUserNsOptions {
  uint32_t size = 0;                           // "Size"
  uint32_t initial_size = 0;                   // "InitialSize"
  std::string passwd_file;                     // "PasswdFile"
  std::string group_file;                      // "GroupFile"
  std::vector<IDMap> additional_uid_mappings;  // "AdditionalUIDMappings"
  std::vector<IDMap> additional_gid_mappings;  // "AdditionalGIDMappings"
  bool operator==(const AutoUserNsOptions&) const = default;
};

// types.IDMappingOptions: idmappings (Go field names as keys).
struct IDMappingOptions {
  bool host_uid_mapping = false;       // "HostUIDMapping"
  bool host_gid_mapping = false;       // "HostGIDMapping"
  std::vector<IDMap> uid_map;          // "UIDMap"
  std::vector<IDMap> gid_map;          // "GIDMap"
  bool auto_userns = false;            // "AutoUserNs"
  AutoUserNsOptions auto_userns_opts;  // "AutoUserNsOpts"
  bool operator==(const IDMappingOptions&) const = default;
};

// manifest.Schema2HealthConfig: healthconfig. Durations are Go time.Duration: integer
// nanoseconds on the wire; zero means "inherit/default".
struct Schema2HealthConfig {
  // "Test": {} inherit, {"NONE"} disable, {"CMD", args...}, {"CMD-SHELL", command}.
  std::vector<std::string> test;
  std::chrono::nanoseconds start_period{0};    // "StartPeriod"
  std::chrono::nanoseconds start_interval{0};  // "StartInterval" [>4.3.1]
  std::chrono::nanoseconds interval{0};        // "Interval"
  std::chrono::nanoseconds timeout{0};         // "Timeout"
  int64_t retries = 0;                         // "Retries"
  bool operator==(const Schema2HealthConfig&) const = default;
};

// define.StartupHealthCheck: startupHealthConfig [>4.3.1] (Go embeds the health config, so
// its keys sit beside "Successes").
struct StartupHealthCheck : Schema2HealthConfig {
  int64_t successes = 0;  // "Successes"
  bool operator==(const StartupHealthCheck&) const = default;
};

// define.HealthCheckOnFailureAction: an integer on the wire. 1 ("invalid") is refused.
enum class HealthCheckOnFailureAction : int64_t {
  kNone = 0,
  kKill = 2,
  kRestart = 3,
  kStop = 4,
};
std::string_view healthOnFailureName(HealthCheckOnFailureAction a);  // "none", "kill", ...
std::optional<HealthCheckOnFailureAction> parseHealthOnFailure(std::string_view s);

// ---- network shapes (containers/common libnetwork/types) ----------------------------------

struct PortMapping {
  std::string host_ip;          // "host_ip"
  uint16_t container_port = 0;  // "container_port"
  uint16_t host_port = 0;       // "host_port" (0: pick one)
  uint16_t range = 0;           // "range" (0 and 1 mean one port)
  std::string protocol;         // "protocol": "tcp", "udp", "sctp" or a comma list; "" = tcp
  bool operator==(const PortMapping&) const = default;
};

struct PerNetworkOptions {
  // "static_ips": IP addresses, checked and written in Go's canonical form.
  std::vector<std::string> static_ips;
  std::vector<std::string> aliases;            // "aliases"
  std::string static_mac;                      // "static_mac": "aa:bb:cc:dd:ee:ff" (checked)
  std::string interface_name;                  // "interface_name"
  std::map<std::string, std::string> options;  // "options" [>4.3.1]
  bool operator==(const PerNetworkOptions&) const = default;
};

// ---- pkg/specgen's own nested types --------------------------------------------------------

struct LogConfig {
  std::string driver;                          // "driver"
  std::string path;                            // "path"
  int64_t size = 0;                            // "size": max log size in bytes
  std::map<std::string, std::string> labels;   // "labels" [>4.3.1]
  std::map<std::string, std::string> options;  // "options"
  bool operator==(const LogConfig&) const = default;
};

// volumes[] (no JSON tags in podman: Go field names are the keys).
struct NamedVolume {
  std::string name;                  // "Name": "" creates an anonymous volume
  std::string dest;                  // "Dest"
  std::vector<std::string> options;  // "Options"
  bool is_anonymous = false;         // "IsAnonymous"
  std::string sub_path;              // "SubPath" [>4.3.1]
  bool operator==(const NamedVolume&) const = default;
};

struct OverlayVolume {
  std::string destination;           // "destination"
  std::string source;                // "source"
  std::vector<std::string> options;  // "options"
  bool operator==(const OverlayVolume&) const = default;
};

struct ImageVolume {
  std::string source;       // "Source": image name or ID
  std::string destination;  // "Destination"
  bool read_write = false;  // "ReadWrite"
  std::string sub_path;     // "subPath" [>4.3.1]
  bool operator==(const ImageVolume&) const = default;
};

struct ArtifactVolume {     // [>4.3.1]
  std::string source;       // "source"
  std::string destination;  // "destination"
  std::string title;        // "title"
  std::string digest;       // "digest"
  std::string name;         // "name"
  bool operator==(const ArtifactVolume&) const = default;
};

struct Secret {
  std::string source;  // "Source": secret name or ID
  std::string target;  // "Target"
  uint32_t uid = 0;    // "UID"
  uint32_t gid = 0;    // "GID"
  uint32_t mode = 0;   // "Mode"
  bool operator==(const Secret&) const = default;
};

// ---- the groups ----------------------------------------------------------------------------

struct ContainerBasicConfig {
  std::string name;                                   // "name"
  std::string pod;                                    // "pod"
  std::vector<std::string> entrypoint;                // "entrypoint"; [""] clears the image's
  std::vector<std::string> command;                   // "command"
  std::optional<bool> env_host;                       // "env_host"
  std::optional<bool> http_proxy;                     // "httpproxy"
  std::map<std::string, std::string> env;             // "env"
  std::optional<bool> terminal;                       // "terminal"
  std::optional<bool> stdin;                          // "stdin"
  std::map<std::string, std::string> labels;          // "labels"
  std::map<std::string, std::string> annotations;     // "annotations"
  std::optional<int64_t> stop_signal;                 // "stop_signal": a signal number
  std::optional<uint64_t> stop_timeout;               // "stop_timeout": seconds
  uint64_t timeout = 0;                               // "timeout": seconds, 0 = none
  std::optional<LogConfig> log_configuration;         // "log_configuration"
  std::string conmon_pid_file;                        // "conmon_pid_file"
  std::string restart_policy;                         // "restart_policy"
  std::optional<uint64_t> restart_tries;              // "restart_tries"
  std::string oci_runtime;                            // "oci_runtime"
  std::string systemd;                                // "systemd": "true", "false", "always"
  std::string sdnotify_mode;                          // "sdnotifyMode"
  std::string libpod_namespace;                       // "namespace" [4.3.1 only]
  Namespace pidns;                                    // "pidns"
  Namespace utsns;                                    // "utsns"
  std::string hostname;                               // "hostname"
  std::vector<std::string> host_users;                // "hostusers"
  std::map<std::string, std::string> sysctl;          // "sysctl"
  std::optional<bool> remove;                         // "remove"
  std::optional<bool> remove_image;                   // "removeImage" [>4.3.1]
  std::vector<std::string> container_create_command;  // "containerCreateCommand"
  std::string timezone;                               // "timezone"
  std::vector<std::string> dependency_containers;     // "dependencyContainers"
  std::map<std::string, std::string> secret_env;      // "secret_env": env var -> secret
  std::string init_container_type;                    // "init_container_type": "", "always", "once"
  std::optional<LinuxPersonality> personality;        // "personality"
  std::vector<std::string> env_merge;                 // "envmerge"
  std::vector<std::string> unset_env;                 // "unsetenv"
  std::optional<bool> unset_env_all;                  // "unsetenvall"
  std::optional<bool> manage_password;                // "manage_password"
  std::string passwd_entry;                           // "passwd_entry"
  std::string group_entry;                            // "group_entry" [>4.3.1]
  // Not part of the JSON (podman's json:"-"): only the local engine sees them.
  uint64_t preserve_fds = 0;
  std::vector<uint64_t> preserve_fd;
  std::string pid_file;
  bool operator==(const ContainerBasicConfig&) const = default;
};

struct ContainerStorageConfig {
  std::string image;                                  // "image" (always written)
  std::string raw_image_name;                         // "raw_image_name"
  std::string image_os;                               // "image_os"
  std::string image_arch;                             // "image_arch"
  std::string image_variant;                          // "image_variant"
  std::string rootfs;                                 // "rootfs"
  std::optional<bool> rootfs_overlay;                 // "rootfs_overlay"
  std::optional<std::string> rootfs_mapping;          // "rootfs_mapping" [>4.3.1]
  std::string image_volume_mode;                      // "image_volume_mode"
  std::vector<std::string> volumes_from;              // "volumes_from"
  std::optional<bool> init;                           // "init"
  std::string init_path;                              // "init_path"
  std::vector<Mount> mounts;                          // "mounts"
  std::vector<NamedVolume> volumes;                   // "volumes"
  std::vector<OverlayVolume> overlay_volumes;         // "overlay_volumes"
  std::vector<ImageVolume> image_volumes;             // "image_volumes"
  std::vector<ArtifactVolume> artifact_volumes;       // "artifact_volumes" [>4.3.1]
  std::vector<LinuxDevice> devices;                   // "devices"
  std::vector<LinuxDeviceCgroup> device_cgroup_rule;  // "device_cgroup_rule"
  std::vector<std::string> devices_from;              // "devices_from"
  std::vector<LinuxDevice> host_device_list;          // "host_device_list"
  std::vector<std::string> gpus;                      // "gpus" [>4.3.1]
  Namespace ipcns;                                    // "ipcns"
  std::optional<int64_t> shm_size;                    // "shm_size": bytes
  std::optional<int64_t> shm_size_systemd;            // "shm_size_systemd" [>4.3.1]
  std::string work_dir;                               // "work_dir"
  std::optional<bool> create_working_dir;             // "create_working_dir"
  std::map<std::string, std::string> storage_opts;    // "storage_opts"
  std::string rootfs_propagation;                     // "rootfs_propagation"
  std::vector<Secret> secrets;                        // "secrets"
  std::optional<bool> volatile_storage;               // "volatile"
  std::vector<std::string> chroot_directories;        // "chroot_directories"
  bool operator==(const ContainerStorageConfig&) const = default;
};

struct ContainerSecurityConfig {
  std::optional<bool> privileged;              // "privileged"
  std::string user;                            // "user": USER[:GROUP]
  std::vector<std::string> groups;             // "groups"
  std::vector<std::string> cap_add;            // "cap_add"
  std::vector<std::string> cap_drop;           // "cap_drop"
  std::vector<std::string> selinux_opts;       // "selinux_opts"
  std::string apparmor_profile;                // "apparmor_profile"
  std::string seccomp_policy;                  // "seccomp_policy": "default" or "image"
  std::string seccomp_profile_path;            // "seccomp_profile_path" or "unconfined"
  std::optional<bool> no_new_privileges;       // "no_new_privileges"
  Namespace userns;                            // "userns"
  std::optional<IDMappingOptions> idmappings;  // "idmappings"
  std::optional<bool> read_only_filesystem;    // "read_only_filesystem"
  std::optional<bool> read_write_tmpfs;        // "read_write_tmpfs" [>4.3.1]
  std::optional<bool> label_nested;            // "label_nested" [>4.3.1]
  std::string umask;                           // "umask": octal
  std::vector<std::string> procfs_opts;        // "procfs_opts"
  std::vector<std::string> mask;               // "mask"
  std::vector<std::string> unmask;             // "unmask"
  bool operator==(const ContainerSecurityConfig&) const = default;
};

struct ContainerCgroupConfig {
  Namespace cgroupns;         // "cgroupns"
  std::string cgroups_mode;   // "cgroups_mode": "enabled", "disabled", "no-conmon", "split"
  std::string cgroup_parent;  // "cgroup_parent"
  bool operator==(const ContainerCgroupConfig&) const = default;
};

struct ContainerNetworkConfig {
  Namespace netns;                                                  // "netns"
  std::vector<PortMapping> portmappings;                            // "portmappings"
  std::optional<bool> publish_image_ports;                          // "publish_image_ports"
  std::map<uint16_t, std::string> expose;                           // "expose": port -> protocol(s)
  std::map<std::string, PerNetworkOptions> networks;                // "Networks" (always written)
  std::vector<std::string> network_order;                           // "networkOrder" [>4.3.1]
  std::vector<std::string> cni_networks;                            // "cni_networks" [4.3.1 only]
  std::optional<bool> use_image_resolve_conf;                       // "use_image_resolve_conf"
  std::vector<std::string> dns_server;                              // "dns_server": IPs (checked)
  std::vector<std::string> dns_search;                              // "dns_search"
  std::vector<std::string> dns_option;                              // "dns_option"
  std::optional<bool> use_image_hostname;                           // "use_image_hostname" [>4.3.1]
  std::optional<bool> use_image_hosts;                              // "use_image_hosts"
  std::string base_hosts_file;                                      // "base_hosts_file" [>4.3.1]
  std::vector<std::string> hostadd;                                 // "hostadd": "name:ip"
  std::map<std::string, std::vector<std::string>> network_options;  // "network_options"
  bool operator==(const ContainerNetworkConfig&) const = default;
};

struct ContainerResourceConfig {
  std::optional<LinuxIntelRdt> intel_rdt;         // "intelRdt" [>4.3.1]
  std::optional<LinuxResources> resource_limits;  // "resource_limits"
  std::vector<POSIXRlimit> r_limits;              // "r_limits"
  std::optional<int64_t> oom_score_adj;           // "oom_score_adj"
  // Keyed by host device path; the engine fills major/minor.
  std::map<std::string, LinuxWeightDevice> weight_device;                // "weightDevice"
  std::map<std::string, LinuxThrottleDevice> throttle_read_bps_device;   // "throttleReadBpsDevice"
  std::map<std::string, LinuxThrottleDevice> throttle_write_bps_device;  // "throttleWriteBpsDevice"
  std::map<std::string, LinuxThrottleDevice> throttle_read_iops_device;  // "throttleReadIOPSDevice"
  std::map<std::string, LinuxThrottleDevice>
      throttle_write_iops_device;              // "throttleWriteIOPSDevice"
  std::map<std::string, std::string> unified;  // "unified" (cgroup v2 files)
  uint64_t cpu_period = 0;                     // "cpu_period" [4.3.1 only]
  int64_t cpu_quota = 0;                       // "cpu_quota" [4.3.1 only]
  bool operator==(const ContainerResourceConfig&) const = default;
};

struct ContainerHealthCheckConfig {
  std::optional<Schema2HealthConfig> healthconfig;             // "healthconfig"
  HealthCheckOnFailureAction health_check_on_failure_action =  // "health_check_on_failure_action"
      HealthCheckOnFailureAction::kNone;
  std::optional<StartupHealthCheck> startup_health_config;  // "startupHealthConfig" [>4.3.1]
  std::optional<std::string> health_log_destination;        // "healthLogDestination" [>4.3.1]
  std::optional<uint64_t> health_max_log_count;             // "healthMaxLogCount" [>4.3.1]
  std::optional<uint64_t> health_max_log_size;              // "healthMaxLogSize" [>4.3.1]
  bool operator==(const ContainerHealthCheckConfig&) const = default;
};

// The create document. As in Go, the groups are embedded: every key is top-level.
struct SpecGenerator : ContainerBasicConfig,
                       ContainerStorageConfig,
                       ContainerSecurityConfig,
                       ContainerCgroupConfig,
                       ContainerNetworkConfig,
                       ContainerResourceConfig,
                       ContainerHealthCheckConfig {
  bool operator==(const SpecGenerator&) const = default;
};

// ---- JSON ----------------------------------------------------------------------------------

// Decodes `doc` onto `out` with Go encoding/json semantics, so a body podman's bindings send
// decodes as podman decodes it: keys match exactly or else case-insensitively, unknown keys
// are ignored, null leaves scalars alone and clears optionals, slices and maps, a repeated
// key decodes again onto the same field. Fields already set in `out` (server defaults) stay
// unless the document sets them. kInvalidArgument, naming the field path, for a wrong JSON
// type ("healthconfig.Interval: want integer (nanoseconds), got string"), an integer out of
// the field's range, or an unknown value (namespace mode, on-failure action, IP or MAC
// address, expose port). On error `out` may be partly written.
Status decodeSpecGeneratorInto(const Json& doc, SpecGenerator& out);
Result<SpecGenerator> decodeSpecGenerator(const Json& doc);
// Parses JSON text (syntax errors are kInvalidArgument) and decodes it.
Result<SpecGenerator> parseSpecGenerator(std::string_view text);

// The runtime-spec JSON of shapes that config.json shares (same keys as in the SpecGenerator).
Json toJson(const LinuxResources& r);
Json toJson(const LinuxPersonality& p);

// Encodes with podman's keys and omitempty rules (fields added after 4.3.1 are written only
// when set, so podman 4.3.1 servers see what its own client sends).
Json encodeSpecGenerator(const SpecGenerator& spec);

}  // namespace berth::api
