// SpecGenerator field tables (podman 4.3.1 and later JSON keys) and its JSON entry points.
#include "berth/api/specgen.h"

#include "api/types/json_codec.h"

namespace berth::api {

namespace {

struct ModeName {
  NamespaceMode mode;
  std::string_view name;
};
constexpr ModeName kModes[] = {
    {NamespaceMode::kUnset, ""},
    {NamespaceMode::kDefault, "default"},
    {NamespaceMode::kHost, "host"},
    {NamespaceMode::kPath, "path"},
    {NamespaceMode::kContainer, "container"},
    {NamespaceMode::kPod, "pod"},
    {NamespaceMode::kPrivate, "private"},
    {NamespaceMode::kShareable, "shareable"},
    {NamespaceMode::kNone, "none"},
    {NamespaceMode::kBridge, "bridge"},
    {NamespaceMode::kSlirp4netns, "slirp4netns"},
    {NamespaceMode::kPasta, "pasta"},
    {NamespaceMode::kKeepId, "keep-id"},
    {NamespaceMode::kNoMap, "no-map"},
    {NamespaceMode::kAuto, "auto"},
};

}  // namespace

std::string_view namespaceModeName(NamespaceMode m) {
  for (const auto& e : kModes)
    if (e.mode == m) return e.name;
  return "";
}

std::optional<NamespaceMode> parseNamespaceMode(std::string_view s) {
  for (const auto& e : kModes)
    if (e.name == s) return e.mode;
  return std::nullopt;
}

std::string Namespace::str() const {
  std::string out(namespaceModeName(nsmode));
  if (!value.empty()) out += ":" + value;
  return out;
}

std::string_view healthOnFailureName(HealthCheckOnFailureAction a) {
  switch (a) {
    case HealthCheckOnFailureAction::kNone:
      return "none";
    case HealthCheckOnFailureAction::kKill:
      return "kill";
    case HealthCheckOnFailureAction::kRestart:
      return "restart";
    case HealthCheckOnFailureAction::kStop:
      return "stop";
  }
  return "invalid";
}

std::optional<HealthCheckOnFailureAction> parseHealthOnFailure(std::string_view s) {
  for (auto a : {HealthCheckOnFailureAction::kNone, HealthCheckOnFailureAction::kKill,
                 HealthCheckOnFailureAction::kRestart, HealthCheckOnFailureAction::kStop})
    if (healthOnFailureName(a) == s) return a;
  return std::nullopt;
}

namespace codec {

template <>
struct Codec<NamespaceMode> {
  static Status decode(const Json& v, NamespaceMode& out, Path& p) {
    if (v.is_null()) return okStatus();
    if (!v.is_string()) return typeError(p, "string", v);
    auto m = parseNamespaceMode(v.get_ref<const std::string&>());
    if (!m)
      return valueError(p, fmt::format("unknown namespace mode {:?}",
                                       v.get_ref<const std::string&>().substr(0, 64)));
    out = *m;
    return okStatus();
  }
  static bool empty(NamespaceMode m) { return m == NamespaceMode::kUnset; }
  static Json encode(NamespaceMode m) { return std::string(namespaceModeName(m)); }
};

template <>
struct Codec<HealthCheckOnFailureAction> {
  static Status decode(const Json& v, HealthCheckOnFailureAction& out, Path& p) {
    if (v.is_null()) return okStatus();
    int64_t n = 0;
    TRY(Codec<int64_t>::decode(v, n, p));
    if (n != 0 && (n < 2 || n > 4))
      return valueError(p, fmt::format("unknown on-failure action {}: want 0 (none), 2 (kill), "
                                       "3 (restart) or 4 (stop)",
                                       n));
    out = static_cast<HealthCheckOnFailureAction>(n);
    return okStatus();
  }
  static bool empty(HealthCheckOnFailureAction a) { return a == HealthCheckOnFailureAction::kNone; }
  static Json encode(HealthCheckOnFailureAction a) { return static_cast<int64_t>(a); }
};

constexpr Omit E = Omit::kEmpty;  // Go's omitempty
constexpr Omit A = Omit::kNever;  // always written

#define BERTH_SCHEMA(T, ...)                                            \
  template <>                                                           \
  struct Schema<T> {                                                    \
    static const FieldTable<T>& table() {                               \
      static const FieldTable<T> t(std::vector<Field<T>>{__VA_ARGS__}); \
      return t;                                                         \
    }                                                                   \
  };

BERTH_SCHEMA(Namespace,  //
             field<Namespace, &Namespace::nsmode>("nsmode", E),
             field<Namespace, &Namespace::value>("value", E))

BERTH_SCHEMA(LinuxIDMapping,  //
             field<LinuxIDMapping, &LinuxIDMapping::container_id>("containerID", A),
             field<LinuxIDMapping, &LinuxIDMapping::host_id>("hostID", A),
             field<LinuxIDMapping, &LinuxIDMapping::size>("size", A))

BERTH_SCHEMA(Mount,  //
             field<Mount, &Mount::destination>("destination", A),
             field<Mount, &Mount::type>("type", E),  //
             field<Mount, &Mount::source>("source", E), field<Mount, &Mount::options>("options", E),
             field<Mount, &Mount::uid_mappings>("uidMappings", E),
             field<Mount, &Mount::gid_mappings>("gidMappings", E))

BERTH_SCHEMA(LinuxDevice,  //
             field<LinuxDevice, &LinuxDevice::path>("path", A),
             field<LinuxDevice, &LinuxDevice::type>("type", A),
             field<LinuxDevice, &LinuxDevice::major>("major", A),
             field<LinuxDevice, &LinuxDevice::minor>("minor", A),
             field<LinuxDevice, &LinuxDevice::file_mode>("fileMode", E),
             field<LinuxDevice, &LinuxDevice::uid>("uid", E),
             field<LinuxDevice, &LinuxDevice::gid>("gid", E))

BERTH_SCHEMA(LinuxDeviceCgroup,  //
             field<LinuxDeviceCgroup, &LinuxDeviceCgroup::allow>("allow", A),
             field<LinuxDeviceCgroup, &LinuxDeviceCgroup::type>("type", E),
             field<LinuxDeviceCgroup, &LinuxDeviceCgroup::major>("major", E),
             field<LinuxDeviceCgroup, &LinuxDeviceCgroup::minor>("minor", E),
             field<LinuxDeviceCgroup, &LinuxDeviceCgroup::access>("access", E))

BERTH_SCHEMA(LinuxMemory,  //
             field<LinuxMemory, &LinuxMemory::limit>("limit", E),
             field<LinuxMemory, &LinuxMemory::reservation>("reservation", E),
             field<LinuxMemory, &LinuxMemory::swap>("swap", E),
             field<LinuxMemory, &LinuxMemory::kernel>("kernel", E),
             field<LinuxMemory, &LinuxMemory::kernel_tcp>("kernelTCP", E),
             field<LinuxMemory, &LinuxMemory::swappiness>("swappiness", E),
             field<LinuxMemory, &LinuxMemory::disable_oom_killer>("disableOOMKiller", E),
             field<LinuxMemory, &LinuxMemory::use_hierarchy>("useHierarchy", E),
             field<LinuxMemory, &LinuxMemory::check_before_update>("checkBeforeUpdate", E))

BERTH_SCHEMA(LinuxCPU,  //
             field<LinuxCPU, &LinuxCPU::shares>("shares", E),
             field<LinuxCPU, &LinuxCPU::quota>("quota", E),
             field<LinuxCPU, &LinuxCPU::burst>("burst", E),
             field<LinuxCPU, &LinuxCPU::period>("period", E),
             field<LinuxCPU, &LinuxCPU::realtime_runtime>("realtimeRuntime", E),
             field<LinuxCPU, &LinuxCPU::realtime_period>("realtimePeriod", E),
             field<LinuxCPU, &LinuxCPU::cpus>("cpus", E),  //
             field<LinuxCPU, &LinuxCPU::mems>("mems", E),
             field<LinuxCPU, &LinuxCPU::idle>("idle", E))

BERTH_SCHEMA(LinuxPids, field<LinuxPids, &LinuxPids::limit>("limit", E))

BERTH_SCHEMA(LinuxWeightDevice,  //
             field<LinuxWeightDevice, &LinuxWeightDevice::major>("major", A),
             field<LinuxWeightDevice, &LinuxWeightDevice::minor>("minor", A),
             field<LinuxWeightDevice, &LinuxWeightDevice::weight>("weight", E),
             field<LinuxWeightDevice, &LinuxWeightDevice::leaf_weight>("leafWeight", E))

BERTH_SCHEMA(LinuxThrottleDevice,  //
             field<LinuxThrottleDevice, &LinuxThrottleDevice::major>("major", A),
             field<LinuxThrottleDevice, &LinuxThrottleDevice::minor>("minor", A),
             field<LinuxThrottleDevice, &LinuxThrottleDevice::rate>("rate", A))

BERTH_SCHEMA(
    LinuxBlockIO,  //
    field<LinuxBlockIO, &LinuxBlockIO::weight>("weight", E),
    field<LinuxBlockIO, &LinuxBlockIO::leaf_weight>("leafWeight", E),
    field<LinuxBlockIO, &LinuxBlockIO::weight_device>("weightDevice", E),
    field<LinuxBlockIO, &LinuxBlockIO::throttle_read_bps_device>("throttleReadBpsDevice", E),
    field<LinuxBlockIO, &LinuxBlockIO::throttle_write_bps_device>("throttleWriteBpsDevice", E),
    field<LinuxBlockIO, &LinuxBlockIO::throttle_read_iops_device>("throttleReadIOPSDevice", E),
    field<LinuxBlockIO, &LinuxBlockIO::throttle_write_iops_device>("throttleWriteIOPSDevice", E))

BERTH_SCHEMA(LinuxHugepageLimit,  //
             field<LinuxHugepageLimit, &LinuxHugepageLimit::page_size>("pageSize", A),
             field<LinuxHugepageLimit, &LinuxHugepageLimit::limit>("limit", A))

BERTH_SCHEMA(LinuxInterfacePriority,  //
             field<LinuxInterfacePriority, &LinuxInterfacePriority::name>("name", A),
             field<LinuxInterfacePriority, &LinuxInterfacePriority::priority>("priority", A))

BERTH_SCHEMA(LinuxNetwork,  //
             field<LinuxNetwork, &LinuxNetwork::class_id>("classID", E),
             field<LinuxNetwork, &LinuxNetwork::priorities>("priorities", E))

BERTH_SCHEMA(LinuxRdma,  //
             field<LinuxRdma, &LinuxRdma::hca_handles>("hcaHandles", E),
             field<LinuxRdma, &LinuxRdma::hca_objects>("hcaObjects", E))

BERTH_SCHEMA(LinuxResources,  //
             field<LinuxResources, &LinuxResources::devices>("devices", E),
             field<LinuxResources, &LinuxResources::memory>("memory", E),
             field<LinuxResources, &LinuxResources::cpu>("cpu", E),
             field<LinuxResources, &LinuxResources::pids>("pids", E),
             field<LinuxResources, &LinuxResources::block_io>("blockIO", E),
             field<LinuxResources, &LinuxResources::hugepage_limits>("hugepageLimits", E),
             field<LinuxResources, &LinuxResources::network>("network", E),
             field<LinuxResources, &LinuxResources::rdma>("rdma", E),
             field<LinuxResources, &LinuxResources::unified>("unified", E))

BERTH_SCHEMA(POSIXRlimit,  //
             field<POSIXRlimit, &POSIXRlimit::type>("type", A),
             field<POSIXRlimit, &POSIXRlimit::hard>("hard", A),
             field<POSIXRlimit, &POSIXRlimit::soft>("soft", A))

BERTH_SCHEMA(LinuxPersonality,  //
             field<LinuxPersonality, &LinuxPersonality::domain>("domain", A),
             field<LinuxPersonality, &LinuxPersonality::flags>("flags", E))

BERTH_SCHEMA(LinuxIntelRdt,  //
             field<LinuxIntelRdt, &LinuxIntelRdt::clos_id>("closID", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::schemata>("schemata", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::l3_cache_schema>("l3CacheSchema", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::mem_bw_schema>("memBwSchema", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::enable_cmt>("enableCMT", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::enable_mbm>("enableMBM", E),
             field<LinuxIntelRdt, &LinuxIntelRdt::enable_monitoring>("enableMonitoring", E))

BERTH_SCHEMA(IDMap,  //
             field<IDMap, &IDMap::container_id>("container_id", A),
             field<IDMap, &IDMap::host_id>("host_id", A),  //
             field<IDMap, &IDMap::size>("size", A))

BERTH_SCHEMA(
    AutoUserNsOptions,  //
    field<AutoUserNsOptions, &AutoUserNsOptions::size>("Size", A),
    field<AutoUserNsOptions, &AutoUserNsOptions::initial_size>("InitialSize", A),
    field<AutoUserNsOptions, &AutoUserNsOptions::passwd_file>("PasswdFile", A),
    field<AutoUserNsOptions, &AutoUserNsOptions::group_file>("GroupFile", A),
    field<AutoUserNsOptions, &AutoUserNsOptions::additional_uid_mappings>("AdditionalUIDMappings",
                                                                          A),
    field<AutoUserNsOptions, &AutoUserNsOptions::additional_gid_mappings>("AdditionalGIDMappings",
                                                                          A))

BERTH_SCHEMA(IDMappingOptions,  //
             field<IDMappingOptions, &IDMappingOptions::host_uid_mapping>("HostUIDMapping", A),
             field<IDMappingOptions, &IDMappingOptions::host_gid_mapping>("HostGIDMapping", A),
             field<IDMappingOptions, &IDMappingOptions::uid_map>("UIDMap", A),
             field<IDMappingOptions, &IDMappingOptions::gid_map>("GIDMap", A),
             field<IDMappingOptions, &IDMappingOptions::auto_userns>("AutoUserNs", A),
             field<IDMappingOptions, &IDMappingOptions::auto_userns_opts>("AutoUserNsOpts", A))

BERTH_SCHEMA(Schema2HealthConfig,  //
             field<Schema2HealthConfig, &Schema2HealthConfig::test>("Test", E),
             field<Schema2HealthConfig, &Schema2HealthConfig::start_period>("StartPeriod", E),
             field<Schema2HealthConfig, &Schema2HealthConfig::start_interval>("StartInterval", E),
             field<Schema2HealthConfig, &Schema2HealthConfig::interval>("Interval", E),
             field<Schema2HealthConfig, &Schema2HealthConfig::timeout>("Timeout", E),
             field<Schema2HealthConfig, &Schema2HealthConfig::retries>("Retries", E))

BERTH_SCHEMA(StartupHealthCheck,  //
             field<StartupHealthCheck, &StartupHealthCheck::test>("Test", E),
             field<StartupHealthCheck, &StartupHealthCheck::start_period>("StartPeriod", E),
             field<StartupHealthCheck, &StartupHealthCheck::start_interval>("StartInterval", E),
             field<StartupHealthCheck, &StartupHealthCheck::interval>("Interval", E),
             field<StartupHealthCheck, &StartupHealthCheck::timeout>("Timeout", E),
             field<StartupHealthCheck, &StartupHealthCheck::retries>("Retries", E),
             field<StartupHealthCheck, &StartupHealthCheck::successes>("Successes", E))

BERTH_SCHEMA(PortMapping,  //
             field<PortMapping, &PortMapping::host_ip>("host_ip", A),
             field<PortMapping, &PortMapping::container_port>("container_port", A),
             field<PortMapping, &PortMapping::host_port>("host_port", A),
             field<PortMapping, &PortMapping::range>("range", A),
             field<PortMapping, &PortMapping::protocol>("protocol", A))

BERTH_SCHEMA(PerNetworkOptions,  //
             field<PerNetworkOptions, &PerNetworkOptions::static_ips, Check::kIP>("static_ips", E),
             field<PerNetworkOptions, &PerNetworkOptions::aliases>("aliases", E),
             field<PerNetworkOptions, &PerNetworkOptions::static_mac, Check::kMAC>("static_mac", E),
             field<PerNetworkOptions, &PerNetworkOptions::interface_name>("interface_name", A),
             field<PerNetworkOptions, &PerNetworkOptions::options>("options", E))

BERTH_SCHEMA(LogConfig,  //
             field<LogConfig, &LogConfig::driver>("driver", E),
             field<LogConfig, &LogConfig::path>("path", E),
             field<LogConfig, &LogConfig::size>("size", E),
             field<LogConfig, &LogConfig::labels>("labels", E),
             field<LogConfig, &LogConfig::options>("options", E))

BERTH_SCHEMA(NamedVolume,  //
             field<NamedVolume, &NamedVolume::name>("Name", A),
             field<NamedVolume, &NamedVolume::dest>("Dest", A),
             field<NamedVolume, &NamedVolume::options>("Options", A),
             field<NamedVolume, &NamedVolume::is_anonymous>("IsAnonymous", A),
             field<NamedVolume, &NamedVolume::sub_path>("SubPath", E))

BERTH_SCHEMA(OverlayVolume,  //
             field<OverlayVolume, &OverlayVolume::destination>("destination", A),
             field<OverlayVolume, &OverlayVolume::source>("source", E),
             field<OverlayVolume, &OverlayVolume::options>("options", E))

BERTH_SCHEMA(ImageVolume,  //
             field<ImageVolume, &ImageVolume::source>("Source", A),
             field<ImageVolume, &ImageVolume::destination>("Destination", A),
             field<ImageVolume, &ImageVolume::read_write>("ReadWrite", A),
             field<ImageVolume, &ImageVolume::sub_path>("subPath", E))

BERTH_SCHEMA(ArtifactVolume,  //
             field<ArtifactVolume, &ArtifactVolume::source>("source", A),
             field<ArtifactVolume, &ArtifactVolume::destination>("destination", A),
             field<ArtifactVolume, &ArtifactVolume::title>("title", E),
             field<ArtifactVolume, &ArtifactVolume::digest>("digest", E),
             field<ArtifactVolume, &ArtifactVolume::name>("name", E))

BERTH_SCHEMA(Secret,  //
             field<Secret, &Secret::source>("Source", A),
             field<Secret, &Secret::target>("Target", A),                                   //
             field<Secret, &Secret::uid>("UID", A), field<Secret, &Secret::gid>("GID", A),  //
             field<Secret, &Secret::mode>("Mode", A))

// Keys in podman's struct order (HEAD), group by group. Fields after 4.3.1 are written only
// when set (E even where HEAD has no omitempty) so a 4.3.1 peer sees its own client's shape.
using S = SpecGenerator;
BERTH_SCHEMA(
    SpecGenerator,
    // ContainerBasicConfig
    field<S, &S::name>("name", E), field<S, &S::pod>("pod", E),
    field<S, &S::entrypoint>("entrypoint", E), field<S, &S::command>("command", E),
    field<S, &S::env_host>("env_host", E), field<S, &S::http_proxy>("httpproxy", E),
    field<S, &S::env>("env", E), field<S, &S::terminal>("terminal", E),
    field<S, &S::stdin>("stdin", E), field<S, &S::labels>("labels", E),
    field<S, &S::annotations>("annotations", E), field<S, &S::stop_signal>("stop_signal", E),
    field<S, &S::stop_timeout>("stop_timeout", E), field<S, &S::timeout>("timeout", E),
    field<S, &S::log_configuration>("log_configuration", E),
    field<S, &S::conmon_pid_file>("conmon_pid_file", E),
    field<S, &S::restart_policy>("restart_policy", E),
    field<S, &S::restart_tries>("restart_tries", E), field<S, &S::oci_runtime>("oci_runtime", E),
    field<S, &S::systemd>("systemd", E), field<S, &S::sdnotify_mode>("sdnotifyMode", E),
    field<S, &S::libpod_namespace>("namespace", E), field<S, &S::pidns>("pidns", A),
    field<S, &S::utsns>("utsns", A), field<S, &S::hostname>("hostname", E),
    field<S, &S::host_users>("hostusers", E), field<S, &S::sysctl>("sysctl", E),
    field<S, &S::remove>("remove", E), field<S, &S::remove_image>("removeImage", E),
    field<S, &S::container_create_command>("containerCreateCommand", E),
    field<S, &S::timezone>("timezone", E),
    field<S, &S::dependency_containers>("dependencyContainers", E),
    field<S, &S::secret_env>("secret_env", E),
    field<S, &S::init_container_type>("init_container_type", A),
    field<S, &S::personality>("personality", E), field<S, &S::env_merge>("envmerge", E),
    field<S, &S::unset_env>("unsetenv", E), field<S, &S::unset_env_all>("unsetenvall", E),
    field<S, &S::manage_password>("manage_password", E),
    field<S, &S::passwd_entry>("passwd_entry", E), field<S, &S::group_entry>("group_entry", E),
    // ContainerStorageConfig
    field<S, &S::image>("image", A), field<S, &S::raw_image_name>("raw_image_name", E),
    field<S, &S::image_os>("image_os", E), field<S, &S::image_arch>("image_arch", E),
    field<S, &S::image_variant>("image_variant", E), field<S, &S::rootfs>("rootfs", E),
    field<S, &S::rootfs_overlay>("rootfs_overlay", E),
    field<S, &S::rootfs_mapping>("rootfs_mapping", E),
    field<S, &S::image_volume_mode>("image_volume_mode", E),
    field<S, &S::volumes_from>("volumes_from", E), field<S, &S::init>("init", E),
    field<S, &S::init_path>("init_path", E), field<S, &S::mounts>("mounts", E),
    field<S, &S::volumes>("volumes", E), field<S, &S::overlay_volumes>("overlay_volumes", E),
    field<S, &S::image_volumes>("image_volumes", E),
    field<S, &S::artifact_volumes>("artifact_volumes", E), field<S, &S::devices>("devices", E),
    field<S, &S::device_cgroup_rule>("device_cgroup_rule", E),
    field<S, &S::devices_from>("devices_from", E),
    field<S, &S::host_device_list>("host_device_list", E), field<S, &S::gpus>("gpus", E),
    field<S, &S::ipcns>("ipcns", A), field<S, &S::shm_size>("shm_size", E),
    field<S, &S::shm_size_systemd>("shm_size_systemd", E), field<S, &S::work_dir>("work_dir", E),
    field<S, &S::create_working_dir>("create_working_dir", E),
    field<S, &S::storage_opts>("storage_opts", E),
    field<S, &S::rootfs_propagation>("rootfs_propagation", E), field<S, &S::secrets>("secrets", E),
    field<S, &S::volatile_storage>("volatile", E),
    field<S, &S::chroot_directories>("chroot_directories", E),
    // ContainerSecurityConfig
    field<S, &S::privileged>("privileged", E), field<S, &S::user>("user", E),
    field<S, &S::groups>("groups", E), field<S, &S::cap_add>("cap_add", E),
    field<S, &S::cap_drop>("cap_drop", E), field<S, &S::selinux_opts>("selinux_opts", E),
    field<S, &S::apparmor_profile>("apparmor_profile", E),
    field<S, &S::seccomp_policy>("seccomp_policy", E),
    field<S, &S::seccomp_profile_path>("seccomp_profile_path", E),
    field<S, &S::no_new_privileges>("no_new_privileges", E), field<S, &S::userns>("userns", A),
    field<S, &S::idmappings>("idmappings", E),
    field<S, &S::read_only_filesystem>("read_only_filesystem", E),
    field<S, &S::read_write_tmpfs>("read_write_tmpfs", E),
    field<S, &S::label_nested>("label_nested", E), field<S, &S::umask>("umask", E),
    field<S, &S::procfs_opts>("procfs_opts", E), field<S, &S::mask>("mask", E),
    field<S, &S::unmask>("unmask", E),
    // ContainerCgroupConfig
    field<S, &S::cgroupns>("cgroupns", A), field<S, &S::cgroups_mode>("cgroups_mode", E),
    field<S, &S::cgroup_parent>("cgroup_parent", E),
    // ContainerNetworkConfig
    field<S, &S::netns>("netns", A), field<S, &S::portmappings>("portmappings", E),
    field<S, &S::publish_image_ports>("publish_image_ports", E), field<S, &S::expose>("expose", E),
    field<S, &S::networks>("Networks", A), field<S, &S::network_order>("networkOrder", E),
    field<S, &S::cni_networks>("cni_networks", E),
    field<S, &S::use_image_resolve_conf>("use_image_resolve_conf", E),
    field<S, &S::dns_server, Check::kIP>("dns_server", E),
    field<S, &S::dns_search>("dns_search", E), field<S, &S::dns_option>("dns_option", E),
    field<S, &S::use_image_hostname>("use_image_hostname", E),
    field<S, &S::use_image_hosts>("use_image_hosts", E),
    field<S, &S::base_hosts_file>("base_hosts_file", E), field<S, &S::hostadd>("hostadd", E),
    field<S, &S::network_options>("network_options", E),
    // ContainerResourceConfig
    field<S, &S::intel_rdt>("intelRdt", E), field<S, &S::resource_limits>("resource_limits", E),
    field<S, &S::r_limits>("r_limits", E), field<S, &S::oom_score_adj>("oom_score_adj", E),
    field<S, &S::weight_device>("weightDevice", E),
    field<S, &S::throttle_read_bps_device>("throttleReadBpsDevice", E),
    field<S, &S::throttle_write_bps_device>("throttleWriteBpsDevice", E),
    field<S, &S::throttle_read_iops_device>("throttleReadIOPSDevice", E),
    field<S, &S::throttle_write_iops_device>("throttleWriteIOPSDevice", E),
    field<S, &S::unified>("unified", E), field<S, &S::cpu_period>("cpu_period", E),
    field<S, &S::cpu_quota>("cpu_quota", E),
    // ContainerHealthCheckConfig
    field<S, &S::healthconfig>("healthconfig", E),
    field<S, &S::health_check_on_failure_action>("health_check_on_failure_action", E),
    field<S, &S::startup_health_config>("startupHealthConfig", E),
    field<S, &S::health_log_destination>("healthLogDestination", E),
    field<S, &S::health_max_log_count>("healthMaxLogCount", E),
    field<S, &S::health_max_log_size>("healthMaxLogSize", E))

#undef BERTH_SCHEMA

}  // namespace codec

Status decodeSpecGeneratorInto(const Json& doc, SpecGenerator& out) {
  codec::Path path;
  return codec::Codec<SpecGenerator>::decode(doc, out, path);
}

Result<SpecGenerator> decodeSpecGenerator(const Json& doc) {
  SpecGenerator out;
  TRY(decodeSpecGeneratorInto(doc, out));
  return out;
}

Result<SpecGenerator> parseSpecGenerator(std::string_view text) {
  Json doc = TRY(parseJson(text, "SpecGenerator"));
  return decodeSpecGenerator(doc);
}

Json toJson(const LinuxResources& r) { return codec::Codec<LinuxResources>::encode(r); }
Json toJson(const LinuxPersonality& p) { return codec::Codec<LinuxPersonality>::encode(p); }

Json encodeSpecGenerator(const SpecGenerator& spec) {
  return codec::Codec<SpecGenerator>::encode(spec);
}

}  // namespace berth::api
