// Type checks of a SpecGenerator document against podman's JSON field types.
#include <map>

#include "specgen/specgen.h"

namespace berth::specgen {
namespace {

enum class T {
  kString,
  kBool,
  kInt,
  kUint,
  kStrings,    // []string
  kStringMap,  // map[string]string
  kObject,
  kNamespace,   // {nsmode, value}
  kObjects,     // []object
  kStringsMap,  // map[string][]string
};

// podman pkg/specgen field -> JSON type. Fields not listed are accepted as-is.
const std::map<std::string, T, std::less<>>& fieldTypes() {
  static const std::map<std::string, T, std::less<>> kFields = {
      // ContainerBasicConfig
      {"name", T::kString},
      {"pod", T::kString},
      {"entrypoint", T::kStrings},
      {"command", T::kStrings},
      {"env_host", T::kBool},
      {"httpproxy", T::kBool},
      {"env", T::kStringMap},
      {"terminal", T::kBool},
      {"stdin", T::kBool},
      {"labels", T::kStringMap},
      {"annotations", T::kStringMap},
      {"stop_signal", T::kInt},
      {"stop_timeout", T::kUint},
      {"timeout", T::kUint},
      {"log_configuration", T::kObject},
      {"conmon_pid_file", T::kString},
      {"restart_policy", T::kString},
      {"restart_tries", T::kUint},
      {"oci_runtime", T::kString},
      {"systemd", T::kString},
      {"sdnotifyMode", T::kString},
      {"pidns", T::kNamespace},
      {"utsns", T::kNamespace},
      {"hostname", T::kString},
      {"hostusers", T::kStrings},
      {"sysctl", T::kStringMap},
      {"remove", T::kBool},
      {"removeImage", T::kBool},
      {"containerCreateCommand", T::kStrings},
      {"timezone", T::kString},
      {"dependencyContainers", T::kStrings},
      {"secret_env", T::kStringMap},
      {"init_container_type", T::kString},
      {"personality", T::kObject},
      {"envmerge", T::kStrings},
      {"unsetenv", T::kStrings},
      {"unsetenvall", T::kBool},
      {"manage_password", T::kBool},
      {"passwd_entry", T::kString},
      {"group_entry", T::kString},
      // ContainerStorageConfig
      {"image", T::kString},
      {"raw_image_name", T::kString},
      {"image_os", T::kString},
      {"image_arch", T::kString},
      {"image_variant", T::kString},
      {"rootfs", T::kString},
      {"rootfs_overlay", T::kBool},
      {"image_volume_mode", T::kString},
      {"volumes_from", T::kStrings},
      {"init", T::kBool},
      {"init_path", T::kString},
      {"mounts", T::kObjects},
      {"volumes", T::kObjects},
      {"overlay_volumes", T::kObjects},
      {"image_volumes", T::kObjects},
      {"artifact_volumes", T::kObjects},
      {"devices", T::kObjects},
      {"device_cgroup_rule", T::kObjects},
      {"devices_from", T::kStrings},
      {"host_device_list", T::kObjects},
      {"ipcns", T::kNamespace},
      {"shm_size", T::kInt},
      {"shm_size_systemd", T::kInt},
      {"work_dir", T::kString},
      {"create_working_dir", T::kBool},
      {"storage_opts", T::kStringMap},
      {"rootfs_propagation", T::kString},
      {"secrets", T::kObjects},
      {"volatile", T::kBool},
      {"chroot_directories", T::kStrings},
      // ContainerSecurityConfig
      {"privileged", T::kBool},
      {"user", T::kString},
      {"groups", T::kStrings},
      {"cap_add", T::kStrings},
      {"cap_drop", T::kStrings},
      {"selinux_opts", T::kStrings},
      {"apparmor_profile", T::kString},
      {"seccomp_policy", T::kString},
      {"seccomp_profile_path", T::kString},
      {"no_new_privileges", T::kBool},
      {"userns", T::kNamespace},
      {"idmappings", T::kObject},
      {"read_only_filesystem", T::kBool},
      {"read_write_tmpfs", T::kBool},
      {"label_nested", T::kBool},
      {"umask", T::kString},
      {"procfs_opts", T::kStrings},
      {"mask", T::kStrings},
      {"unmask", T::kStrings},
      // ContainerCgroupConfig
      {"cgroupns", T::kNamespace},
      {"cgroups_mode", T::kString},
      {"cgroup_parent", T::kString},
      // ContainerNetworkConfig
      {"netns", T::kNamespace},
      {"portmappings", T::kObjects},
      {"publish_image_ports", T::kBool},
      {"expose", T::kObject},
      {"Networks", T::kObject},
      {"networkOrder", T::kStrings},
      {"use_image_resolve_conf", T::kBool},
      {"dns_server", T::kStrings},
      {"dns_search", T::kStrings},
      {"dns_option", T::kStrings},
      {"use_image_hostname", T::kBool},
      {"use_image_hosts", T::kBool},
      {"base_hosts_file", T::kString},
      {"hostadd", T::kStrings},
      {"network_options", T::kStringsMap},
      // ContainerResourceConfig
      {"intelRdt", T::kObject},
      {"resource_limits", T::kObject},
      {"r_limits", T::kObjects},
      {"oom_score_adj", T::kInt},
      {"weightDevice", T::kObject},
      {"throttleReadBpsDevice", T::kObject},
      {"throttleWriteBpsDevice", T::kObject},
      {"throttleReadIOPSDevice", T::kObject},
      {"throttleWriteIOPSDevice", T::kObject},
      {"unified", T::kStringMap},
      // ContainerHealthCheckConfig
      {"healthconfig", T::kObject},
      {"health_check_on_failure_action", T::kInt},
      {"startupHealthConfig", T::kObject},
      {"healthLogDestination", T::kString},
      {"healthMaxLogCount", T::kUint},
      {"healthMaxLogSize", T::kUint},
  };
  return kFields;
}

const char* typeName(T t) {
  switch (t) {
    case T::kString:
      return "a string";
    case T::kBool:
      return "a boolean";
    case T::kInt:
      return "an integer";
    case T::kUint:
      return "a non-negative integer";
    case T::kStrings:
      return "an array of strings";
    case T::kStringMap:
      return "an object of strings";
    case T::kObject:
      return "an object";
    case T::kNamespace:
      return "a namespace object {nsmode, value}";
    case T::kObjects:
      return "an array of objects";
    case T::kStringsMap:
      return "an object of string arrays";
  }
  return "?";
}

bool isStrings(const Json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v)
    if (!e.is_string()) return false;
  return true;
}

bool matches(const Json& v, T t) {
  switch (t) {
    case T::kString:
      return v.is_string();
    case T::kBool:
      return v.is_boolean();
    case T::kInt:
      return v.is_number_integer();
    case T::kUint:
      return v.is_number_unsigned();
    case T::kStrings:
      return isStrings(v);
    case T::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& [k, e] : v.items())
        if (!e.is_string()) return false;
      return true;
    case T::kObject:
      return v.is_object();
    case T::kNamespace:
      return v.is_object() && v.value("nsmode", Json("")).is_string() &&
             v.value("value", Json("")).is_string();
    case T::kObjects:
      if (!v.is_array()) return false;
      for (const auto& e : v)
        if (!e.is_object()) return false;
      return true;
    case T::kStringsMap:
      if (!v.is_object()) return false;
      for (const auto& [k, e] : v.items())
        if (!isStrings(e)) return false;
      return true;
  }
  return false;
}

Error fieldError(std::string_view field, std::string_view what) {
  return makeError(Code::kInvalidArgument, "invalid SpecGenerator field {:?}: {}", field, what);
}

// Checks `obj[key]` (if present and not null) with `ok`.
template <typename F>
Status checkKey(const Json& obj, const char* key, std::string_view field, const char* want, F ok) {
  if (!obj.contains(key) || obj[key].is_null()) return okStatus();
  if (!ok(obj[key])) return fieldError(field, fmt::format("{} must be {}", key, want));
  return okStatus();
}

Status checkNested(const Json& s) {
  auto isStr = [](const Json& v) { return v.is_string(); };
  auto isUint = [](const Json& v) { return v.is_number_unsigned(); };
  auto isInt = [](const Json& v) { return v.is_number_integer(); };
  auto isBool = [](const Json& v) { return v.is_boolean(); };
  if (s.contains("mounts") && s["mounts"].is_array()) {
    for (const auto& m : s["mounts"]) {
      if (!m.value("destination", Json()).is_string())
        return fieldError("mounts", "every mount needs a destination string");
      TRY(checkKey(m, "type", "mounts", "a string", isStr));
      TRY(checkKey(m, "source", "mounts", "a string", isStr));
      TRY(checkKey(m, "options", "mounts", "an array of strings", isStrings));
    }
  }
  if (s.contains("volumes") && s["volumes"].is_array()) {
    for (const auto& v : s["volumes"]) {
      if (!v.value("Dest", Json()).is_string())
        return fieldError("volumes", "every volume needs a Dest string");
      TRY(checkKey(v, "Name", "volumes", "a string", isStr));
      TRY(checkKey(v, "Options", "volumes", "an array of strings", isStrings));
      TRY(checkKey(v, "IsAnonymous", "volumes", "a boolean", isBool));
      TRY(checkKey(v, "SubPath", "volumes", "a string", isStr));
    }
  }
  for (const char* key : {"r_limits", "rlimits"}) {
    if (!s.contains(key) || !s[key].is_array()) continue;
    for (const auto& r : s[key]) {
      if (!r.is_object() || !r.value("type", Json()).is_string())
        return fieldError(key, "every rlimit needs a type string");
      TRY(checkKey(r, "soft", key, "a non-negative integer", isUint));
      TRY(checkKey(r, "hard", key, "a non-negative integer", isUint));
    }
  }
  if (s.contains("devices") && s["devices"].is_array()) {
    for (const auto& d : s["devices"]) {
      if (!d.value("path", Json()).is_string())
        return fieldError("devices", "every device needs a path string");
      TRY(checkKey(d, "type", "devices", "a string", isStr));
      TRY(checkKey(d, "major", "devices", "an integer", isInt));
      TRY(checkKey(d, "minor", "devices", "an integer", isInt));
      TRY(checkKey(d, "fileMode", "devices", "a non-negative integer", isUint));
      TRY(checkKey(d, "uid", "devices", "a non-negative integer", isUint));
      TRY(checkKey(d, "gid", "devices", "a non-negative integer", isUint));
    }
  }
  if (s.contains("device_cgroup_rule") && s["device_cgroup_rule"].is_array()) {
    for (const auto& d : s["device_cgroup_rule"]) {
      TRY(checkKey(d, "allow", "device_cgroup_rule", "a boolean", isBool));
      TRY(checkKey(d, "type", "device_cgroup_rule", "a string", isStr));
      TRY(checkKey(d, "major", "device_cgroup_rule", "an integer", isInt));
      TRY(checkKey(d, "minor", "device_cgroup_rule", "an integer", isInt));
      TRY(checkKey(d, "access", "device_cgroup_rule", "a string", isStr));
    }
  }
  if (s.contains("resource_limits") && s["resource_limits"].is_object()) {
    const Json& r = s["resource_limits"];
    for (const char* sub : {"memory", "cpu", "pids", "blockIO"})
      TRY(checkKey(r, sub, "resource_limits", "an object",
                   [](const Json& v) { return v.is_object(); }));
    TRY(checkKey(r, "devices", "resource_limits", "an array of objects", [](const Json& v) {
      if (!v.is_array()) return false;
      for (const auto& e : v)
        if (!e.is_object()) return false;
      return true;
    }));
    if (r.contains("memory") && r["memory"].is_object()) {
      for (const char* k : {"limit", "reservation", "swap", "kernel", "kernelTCP"})
        TRY(checkKey(r["memory"], k, "resource_limits.memory", "an integer", isInt));
      TRY(checkKey(r["memory"], "swappiness", "resource_limits.memory", "a non-negative integer",
                   isUint));
    }
    if (r.contains("cpu") && r["cpu"].is_object()) {
      for (const char* k : {"shares", "period", "realtimePeriod"})
        TRY(checkKey(r["cpu"], k, "resource_limits.cpu", "a non-negative integer", isUint));
      for (const char* k : {"quota", "realtimeRuntime", "burst"})
        TRY(checkKey(r["cpu"], k, "resource_limits.cpu", "an integer", isInt));
      for (const char* k : {"cpus", "mems"})
        TRY(checkKey(r["cpu"], k, "resource_limits.cpu", "a string", isStr));
    }
    if (r.contains("pids") && r["pids"].is_object())
      TRY(checkKey(r["pids"], "limit", "resource_limits.pids", "an integer", isInt));
  }
  if (s.contains("umask") && s["umask"].is_string()) {
    const std::string& u = s["umask"].get_ref<const std::string&>();
    if (u.empty() || u.size() > 4 || u.find_first_not_of("01234567") != std::string::npos)
      return fieldError("umask", fmt::format("invalid umask {:?}", u));
  }
  return okStatus();
}

}  // namespace

Status validateSpecGenerator(const Json& specgen) {
  if (!specgen.is_object())
    return makeError(Code::kInvalidArgument, "SpecGenerator must be a JSON object");
  const auto& types = fieldTypes();
  for (const auto& [key, value] : specgen.items()) {
    if (value.is_null()) continue;
    auto it = types.find(key);
    if (it == types.end()) continue;
    if (!matches(value, it->second))
      return fieldError(key, fmt::format("must be {}", typeName(it->second)));
  }
  if (specgen.contains("rlimits") && !specgen["rlimits"].is_null() &&
      !matches(specgen["rlimits"], T::kObjects))
    return fieldError("rlimits", "must be an array of objects");
  return checkNested(specgen);
}

Result<Json> parseSpecGenerator(std::string_view json) {
  Json doc = TRY(parseJson(json, "SpecGenerator"));
  TRY(validateSpecGenerator(doc));
  return doc;
}

}  // namespace berth::specgen
