// validateSpec: podman's semantic checks of a SpecGenerator, with podman's messages.
#include <algorithm>
#include <array>
#include <set>

#include "build/words.h"
#include "specgen/flags.h"
#include "specgen/internal.h"
#include "specgen/specgen.h"

namespace berth::specgen {

using api::NamespaceMode;

api::NamespaceMode effectiveMode(const api::Namespace& ns, NsKind kind, bool cgroup2) {
  if (!ns.isDefault()) return ns.nsmode;
  switch (kind) {
    case NsKind::kIpc:
      return NamespaceMode::kShareable;
    case NsKind::kNet:
      return NamespaceMode::kBridge;
    case NsKind::kCgroup:
      return cgroup2 ? NamespaceMode::kPrivate : NamespaceMode::kHost;
    case NsKind::kUser:
      return NamespaceMode::kHost;
    case NsKind::kPid:
    case NsKind::kUts:
      return NamespaceMode::kPrivate;
  }
  return NamespaceMode::kPrivate;
}

bool hasDotDot(std::string_view p) {
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    if (p.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

Result<DeviceSpec> parseDeviceSpec(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t c = path.find(':', start);
    parts.push_back(path.substr(start, c == std::string::npos ? c : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  auto bad = [&] { return makeError(Code::kInvalidArgument, "invalid device {:?}", path); };
  if (parts.size() > 3) return bad();
  DeviceSpec d{parts[0], parts[0], "rwm"};
  if (parts.size() >= 2) {
    if (!parts[1].empty() && parts[1][0] == '/')
      d.dst = parts[1];
    else
      d.perms = parts[1];
  }
  if (parts.size() == 3) d.perms = parts[2];
  if (d.src.empty() || d.src[0] != '/' || d.dst.empty() || d.dst[0] != '/' || d.perms.empty() ||
      d.perms.find_first_not_of("rwm") != std::string::npos)
    return bad();
  return d;
}

namespace {

Error invalid(std::string message) { return Error(Code::kInvalidArgument, std::move(message)); }

// Messages of podman's specgen Validate() ("invalid config provided: ..."), of libpod's create
// options ("running container create option: ...: invalid argument") and of libpod's
// container validation ("...: invalid argument").
Error specInvalid(std::string_view what) {
  return invalid(fmt::format("invalid config provided: {}: invalid configuration", what));
}
Error specError(std::string_view what) {
  return invalid(fmt::format("invalid config provided: {}", what));
}
Error optionInvalid(std::string_view what) {
  return invalid(fmt::format("running container create option: {}: invalid argument", what));
}
Error ctrInvalid(std::string_view what) {
  return invalid(fmt::format("{}: invalid argument", what));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool oneOf(std::string_view v, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), v) != set.end();
}

// podman's Namespace.validate and its variants for ipc, user and network namespaces.
Status checkNamespace(const api::Namespace& ns, NsKind kind) {
  const NamespaceMode m = ns.nsmode;
  const std::string_view name = api::namespaceModeName(m);
  auto isAny = [&](std::initializer_list<NamespaceMode> set) {
    return std::find(set.begin(), set.end(), m) != set.end();
  };
  if (kind == NsKind::kNet) {
    if (isAny({NamespaceMode::kShareable, NamespaceMode::kKeepId, NamespaceMode::kNoMap,
               NamespaceMode::kAuto}))
      return specError(fmt::format("invalid network {:?}", name));
  } else {
    if (kind == NsKind::kIpc && isAny({NamespaceMode::kShareable, NamespaceMode::kNone}))
      return okStatus();
    if (kind == NsKind::kUser &&
        isAny({NamespaceMode::kAuto, NamespaceMode::kKeepId, NamespaceMode::kNoMap}))
      return okStatus();  // their value carries options (auto:size=...)
    if (isAny({NamespaceMode::kNone, NamespaceMode::kBridge, NamespaceMode::kSlirp4netns,
               NamespaceMode::kPasta}))
      return specError("cannot use network modes with non-network namespace");
    if (isAny({NamespaceMode::kShareable, NamespaceMode::kKeepId, NamespaceMode::kNoMap,
               NamespaceMode::kAuto}))
      return specError(fmt::format("invalid namespace type {} specified", name));
  }
  bool needs_value = isAny({NamespaceMode::kPath, NamespaceMode::kContainer});
  if (needs_value && ns.value.empty())
    return specError(fmt::format("namespace mode {} requires a value", name));
  bool may_have_value =
      needs_value ||
      (kind == NsKind::kNet && isAny({NamespaceMode::kSlirp4netns, NamespaceMode::kPasta}));
  if (!may_have_value && !ns.value.empty())
    return specError(fmt::format("namespace value {} cannot be provided with namespace mode {}",
                                 ns.value, name));
  if (m == NamespaceMode::kPath && ns.value[0] != '/')
    return invalid(fmt::format("namespace path {:?} must be absolute", ns.value));
  return okStatus();
}

Status checkNamespaces(const api::SpecGenerator& s) {
  TRY(checkNamespace(s.utsns, NsKind::kUts));
  TRY(checkNamespace(s.ipcns, NsKind::kIpc));
  TRY(checkNamespace(s.pidns, NsKind::kPid));
  TRY(checkNamespace(s.cgroupns, NsKind::kCgroup));
  TRY(checkNamespace(s.userns, NsKind::kUser));
  TRY(checkNamespace(s.netns, NsKind::kNet));
  return okStatus();
}

// The container-level rules of podman's specgen Validate().
Status checkCombinations(const api::SpecGenerator& s) {
  NamespaceMode net = effectiveMode(s.netns, NsKind::kNet, true);
  if (!s.pod.empty() && net == NamespaceMode::kPod) {
    if (!s.networks.empty())
      return specError(
          "networks must be defined when the pod is created: network cannot be configured when "
          "it is shared with a pod");
    if (!s.portmappings.empty() || s.publish_image_ports.value_or(false))
      return specError(
          "published or exposed ports must be defined when the pod is created: network cannot "
          "be configured when it is shared with a pod");
    if (!s.hostadd.empty())
      return specError(
          "extra host entries must be specified on the pod: network cannot be configured when "
          "it is shared with a pod");
  }
  if (net == NamespaceMode::kContainer && !s.hostadd.empty())
    return specInvalid(
        "cannot set extra host entries when the container is joined to another containers "
        "network namespace");
  if (!s.image.empty() && !s.rootfs.empty())
    return specInvalid("both image and rootfs cannot be simultaneously");
  NamespaceMode uts = effectiveMode(s.utsns, NsKind::kUts, true);
  if (!s.hostname.empty() && uts != NamespaceMode::kPrivate) {
    if (uts == NamespaceMode::kPod)
      return specInvalid("cannot set hostname when joining the pod UTS namespace");
    return specInvalid("cannot set hostname when running in the host UTS namespace");
  }
  if (!s.systemd.empty() && !oneOf(lower(s.systemd), {"true", "false", "always"}))
    return specInvalid("--systemd values must be one of \"true, false, always\"");
  if (!oneOf(s.sdnotify_mode, {"", "container", "conmon", "ignore"}))
    return specError(fmt::format(
        "invalid argument: invalid sdnotify value {:?}: must be container, conmon or ignore",
        s.sdnotify_mode));
  for (const auto& e : s.env_merge) {
    if (e.find('=') == std::string::npos)
      return specInvalid(fmt::format("invalid --env-merge {:?}: must be KEY=VALUE", e));
    auto word = build::processWord(e, nullptr);
    if (!word.ok())
      return specInvalid(fmt::format("unable to process variables for --env-merge {}: {}", e, word.error().message()));
  }
  if (!oneOf(s.seccomp_policy, {"", "default", "image"}))
    return specInvalid(fmt::format("invalid seccomp policy {:?}: valid policies are [default image]", s.seccomp_policy));
  if (s.personality && !oneOf(s.personality->domain, {"LINUX", "LINUX32"}))
    return specInvalid(fmt::format("invalid personality {:?}: must be LINUX or LINUX32", s.personality->domain));
  if (!s.image_volume_mode.empty() &&
      !oneOf(lower(s.image_volume_mode), {"ignore", "tmpfs", "anonymous"}))
    return specError(
        fmt::format("invalid ImageVolumeMode {:?}, value must be one of ignore,tmpfs,anonymous",
                    s.image_volume_mode));
  NamespaceMode ipc = effectiveMode(s.ipcns, NsKind::kIpc, true);
  if (s.shm_size && (ipc == NamespaceMode::kHost || ipc == NamespaceMode::kNone))
    return specError(fmt::format("cannot set shmsize when running in the {} IPC Namespace",
                                 api::namespaceModeName(ipc)));
  if (s.userns.is(NamespaceMode::kPrivate) && !s.idmappings)
    return specInvalid("IDMappings are required when not creating a User namespace");
  if (s.use_image_resolve_conf.value_or(false)) {
    if (!s.dns_server.empty())
      return specError("UseImageResolvConf and DNSServer are mutually exclusive options");
    if (!s.dns_search.empty())
      return specError("UseImageResolvConf and DNSSearch are mutually exclusive options");
    if (!s.dns_option.empty())
      return specError("UseImageResolvConf and DNSOption are mutually exclusive options");
  }
  if (s.groups.size() > 1 &&
      std::find(s.groups.begin(), s.groups.end(), "keep-groups") != s.groups.end())
    return invalid(
        "the '--group-add keep-groups' option is not allowed with any other --group-add options");
  if (s.use_image_hosts.value_or(false) && !s.hostadd.empty())
    return specError("UseImageHosts and HostAdd are mutually exclusive options");
  TRY(checkNamespaces(s));
  if (net != NamespaceMode::kBridge && !s.networks.empty())
    return specError(
        "networks and static ip/mac address can only be used with Bridge mode networking");
  return okStatus();
}

// The --rm/--restart rules of podman's CLI.
Status checkRestart(const api::SpecGenerator& s) {
  if (s.remove.value_or(false) && !oneOf(s.restart_policy, {"", "no", "on-failure"}))
    return invalid(
        "the --rm option conflicts with --restart, when the restartPolicy is not \"\" and "
        "\"no\"");
  if (s.restart_tries && s.restart_policy != "on-failure")
    return invalid("restart policy retries can only be specified with on-failure restart policy");
  return okStatus();
}

// The restart, log and umask options libpod checks when it creates the container.
Status checkOptions(const api::SpecGenerator& s) {
  if (!oneOf(s.restart_policy, {"", "no", "always", "on-failure", "unless-stopped"}))
    return optionInvalid(fmt::format("{:?} is not a valid restart policy", s.restart_policy));
  if (s.log_configuration && !s.log_configuration->driver.empty() &&
      !oneOf(s.log_configuration->driver,
             {"k8s-file", "json-file", "journald", "none", "passthrough"}))
    return optionInvalid("invalid log driver");
  if (!s.umask.empty() &&
      (s.umask.size() > 4 || s.umask.find_first_not_of("01234567") != std::string::npos))
    return optionInvalid(fmt::format("invalid umask string {}", s.umask));
  if (s.stop_signal && (*s.stop_signal < 1 || *s.stop_signal > 64))
    return invalid(fmt::format("stop_signal: invalid signal number {}", *s.stop_signal));
  return okStatus();
}

// libpod's container validation.
Status checkContainer(const api::SpecGenerator& s) {
  if (s.cgroups_mode == "split" && !s.cgroup_parent.empty())
    return ctrInvalid("cannot specify --cgroup-mode=split with a cgroup-parent");
  if (!oneOf(s.cgroups_mode, {"", "enabled", "disabled", "no-conmon", "split"}))
    return invalid(fmt::format(
        "invalid cgroup mode {:?}: must be enabled, disabled, no-conmon or split", s.cgroups_mode));
  if (s.cgroups_mode == "disabled") {
    NamespaceMode pid = effectiveMode(s.pidns, NsKind::kPid, true);
    if (pid == NamespaceMode::kContainer)
      return ctrInvalid("cannot join another container's PID namespace if not creating cgroups");
    if (!s.cgroup_parent.empty())
      return ctrInvalid("cannot set cgroup parent if not creating cgroups");
    if (pid != NamespaceMode::kPrivate)
      return ctrInvalid("containers not creating Cgroups must create a private PID namespace");
  }
  if (!s.init_container_type.empty()) {
    if (!oneOf(s.init_container_type, {"always", "once"}))
      return invalid(
          fmt::format("init_container_type {:?} must be always or once", s.init_container_type));
    if (s.pod.empty()) return ctrInvalid("init containers must be created in a pod");
  }
  if (s.health_check_on_failure_action != api::HealthCheckOnFailureAction::kNone && !s.healthconfig)
    return invalid(fmt::format("cannot set on-failure action to {} without a health check",
                               api::healthOnFailureName(s.health_check_on_failure_action)));
  if (s.healthconfig) {
    const auto& h = *s.healthconfig;
    if (!h.test.empty() && !oneOf(h.test[0], {"CMD", "CMD-SHELL", "NONE"}))
      return invalid(fmt::format(
          "healthconfig.Test: the first element must be CMD, CMD-SHELL or NONE, not {:?}",
          h.test[0]));
    if (h.test.size() == 1 && h.test[0] != "NONE")
      return invalid(fmt::format("healthconfig.Test: {} needs a command", h.test[0]));
    for (auto [d, key] : {std::pair{h.interval, "Interval"},
                          {h.timeout, "Timeout"},
                          {h.start_period, "StartPeriod"},
                          {h.start_interval, "StartInterval"}})
      if (d.count() < 0) return invalid(fmt::format("healthconfig.{} must not be negative", key));
    if (h.retries < 0) return invalid("healthconfig.Retries must not be negative");
  }
  return okStatus();
}

std::string cleanDest(const std::string& d) {
  return d.size() > 1 && d.back() == '/' ? d.substr(0, d.size() - 1) : d;
}

// Mounts, volumes, devices and paths that generateSpec relies on.
Status checkStorage(const api::SpecGenerator& s) {
  std::set<std::string> dests;
  auto addDest = [&](const std::string& d) -> Status {
    if (d.empty() || d[0] != '/')
      return invalid(fmt::format("invalid container path {:?}, must be an absolute path", d));
    if (!dests.insert(cleanDest(d)).second)
      return invalid(fmt::format("{}: duplicate mount destination", cleanDest(d)));
    return okStatus();
  };
  for (const auto& m : s.mounts) {
    TRY(addDest(m.destination));
    std::string type = m.type.empty() ? "bind" : m.type;
    if (type == "bind" && (m.source.empty() || m.source[0] != '/'))
      return invalid(fmt::format("bind mount {}: source {:?} must be an absolute path",
                                 m.destination, m.source));
    TRY(processOptions(m.options, type, false, m.destination));
  }
  for (const auto& v : s.volumes) {
    TRY(addDest(v.dest));
    if (hasDotDot(v.sub_path))
      return invalid(fmt::format("volume {} subpath {:?} must not contain ..", v.name, v.sub_path));
    TRY(processOptions(v.options, "bind", true, v.dest));
  }
  for (const auto& v : s.overlay_volumes) TRY(addDest(v.destination));
  for (const auto& v : s.image_volumes) TRY(addDest(v.destination));
  for (const auto& d : s.devices) TRY(parseDeviceSpec(d.path));
  for (const auto& p : s.mask)
    if (p.empty() || p[0] != '/') return invalid(fmt::format("mask path {:?} must be absolute", p));
  if (!s.work_dir.empty() && s.work_dir[0] != '/')
    return invalid(fmt::format("workdir {:?} must be an absolute path", s.work_dir));
  if (!s.rootfs_propagation.empty() &&
      !oneOf(s.rootfs_propagation, {"private", "rprivate", "shared", "rshared", "slave", "rslave",
                                    "unbindable", "runbindable"}))
    return invalid(fmt::format("invalid rootfs_propagation {:?}", s.rootfs_propagation));
  return okStatus();
}

// rlimits, sysctls, init and ports.
Status checkProcess(const api::SpecGenerator& s) {
  for (const auto& r : s.r_limits) {
    std::string type = TRY_CTX(normalizeRlimitName(r.type), "r_limits");
    if (r.soft > r.hard)
      return invalid(
          fmt::format("r_limits {}: soft limit {} is above hard limit {}", type, r.soft, r.hard));
  }
  NamespaceMode pid = effectiveMode(s.pidns, NsKind::kPid, true);
  if (s.init.value_or(false) && pid != NamespaceMode::kPrivate)
    return invalid("cannot add init binary as PID 1 (PID namespace isn't private)");
  NamespaceMode ipc = effectiveMode(s.ipcns, NsKind::kIpc, true);
  NamespaceMode net = effectiveMode(s.netns, NsKind::kNet, true);
  NamespaceMode uts = effectiveMode(s.utsns, NsKind::kUts, true);
  for (const auto& [k, v] : s.sysctl) {
    if (ipc == NamespaceMode::kHost && k.rfind("fs.mqueue.", 0) == 0)
      return ctrInvalid(
          fmt::format("sysctl {}={} can't be set since IPC Namespace set to host", k, v));
    if (net == NamespaceMode::kHost && k.rfind("net.", 0) == 0)
      return ctrInvalid(
          fmt::format("sysctl {}={} can't be set since Network Namespace set to host", k, v));
    if (uts == NamespaceMode::kHost &&
        (k.rfind("kernel.domainname", 0) == 0 || k.rfind("kernel.hostname", 0) == 0))
      return ctrInvalid(
          fmt::format("sysctl {}={} can't be set since UTS Namespace set to host", k, v));
  }
  auto checkProtocols = [](const std::string& protocol, bool sctp) -> Status {
    size_t start = 0;
    while (start <= protocol.size()) {
      size_t end = protocol.find(',', start);
      if (end == std::string::npos) end = protocol.size();
      std::string p = lower(protocol.substr(start, end - start));
      if (p == "sctp" && !sctp) return invalid("protocol SCTP is not allowed for exposed ports");
      if (!oneOf(p, {"", "tcp", "udp", "sctp"}))
        return invalid(fmt::format("unrecognized protocol {:?} in port mapping", p));
      start = end + 1;
    }
    return okStatus();
  };
  for (const auto& pm : s.portmappings) {
    TRY(checkProtocols(pm.protocol, true));
    uint32_t range = pm.range == 0 ? 1 : pm.range;
    if (pm.container_port == 0) return invalid("container port number must be non-0");
    if (range - 1 + uint32_t(pm.container_port) > 65535)
      return invalid("container port range exceeds maximum allowable port number");
    if (range - 1 + uint32_t(pm.host_port) > 65535)
      return invalid("host port range exceeds maximum allowable port number");
  }
  for (const auto& [port, proto] : s.expose) {
    if (port == 0) return invalid("cannot expose 0 as it is not a valid port number");
    auto st = checkProtocols(proto, false);
    if (!st.ok())
      return invalid(
          fmt::format("validating protocols for exposed port {}: {}", port, st.error().message()));
  }
  return okStatus();
}

}  // namespace

Status validateSpec(const api::SpecGenerator& s) {
  TRY(checkRestart(s));
  TRY(checkCombinations(s));
  TRY(checkStorage(s));
  TRY(checkOptions(s));
  TRY(checkProcess(s));
  TRY(checkContainer(s));
  return okStatus();
}

}  // namespace berth::specgen
