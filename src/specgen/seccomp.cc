// containers' seccomp.json profile format -> OCI linux.seccomp.
#include "specgen/seccomp.h"

#include <algorithm>
#include <map>

#include "base/fs.h"

namespace berth::specgen {
namespace {

Error bad(std::string_view what) {
  return makeError(Code::kInvalidArgument, "seccomp profile: {}", what);
}

bool inList(const Json& list, std::string_view s) {
  if (!list.is_array()) return false;
  for (const auto& v : list)
    if (v.is_string() && v.get<std::string>() == s) return true;
  return false;
}

bool hasCap(const std::vector<std::string>& caps, const std::string& c) {
  return std::find(caps.begin(), caps.end(), c) != caps.end();
}

Status checkStringList(const Json& v, std::string_view what) {
  if (v.is_null()) return okStatus();
  if (!v.is_array()) return bad(fmt::format("{} must be an array of strings", what));
  for (const auto& e : v)
    if (!e.is_string()) return bad(fmt::format("{} must be an array of strings", what));
  return okStatus();
}

// Validates an includes/excludes filter object.
Status checkFilter(const Json& f, std::string_view what) {
  if (f.is_null()) return okStatus();
  if (!f.is_object()) return bad(fmt::format("{} must be an object", what));
  if (f.contains("caps")) TRY(checkStringList(f["caps"], fmt::format("{}.caps", what)));
  if (f.contains("arches")) TRY(checkStringList(f["arches"], fmt::format("{}.arches", what)));
  return okStatus();
}

Result<Json> convertArgs(const Json& args) {
  Json out = Json::array();
  if (args.is_null()) return out;
  if (!args.is_array()) return bad("syscall args must be an array");
  for (const auto& a : args) {
    if (!a.is_object() || !a.value("index", Json()).is_number_unsigned() ||
        !a.value("value", Json()).is_number_unsigned() || !a.value("op", Json()).is_string())
      return bad("syscall arg needs index, value (unsigned) and op");
    Json arg = Json::object();
    arg["index"] = a["index"];
    arg["value"] = a["value"];
    if (a.contains("valueTwo")) {
      if (!a["valueTwo"].is_number_unsigned()) return bad("syscall arg valueTwo must be unsigned");
      if (a["valueTwo"].get<uint64_t>() != 0) arg["valueTwo"] = a["valueTwo"];
    }
    arg["op"] = a["op"];
    out.push_back(std::move(arg));
  }
  return out;
}

}  // namespace

std::string_view nativeGoArch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__arm__)
  return "arm";
#else
  return "";
#endif
}

Result<Json> translateSeccompProfile(const Json& profile,
                                     const std::vector<std::string>& bounding_caps,
                                     std::string_view go_arch) {
  // containers/common pkg/seccomp nativeToSeccomp.
  static const std::map<std::string, std::string, std::less<>> kNativeToSeccomp = {
      {"amd64", "SCMP_ARCH_X86_64"},      {"arm64", "SCMP_ARCH_AARCH64"},
      {"mips64", "SCMP_ARCH_MIPS64"},     {"mips64n32", "SCMP_ARCH_MIPS64N32"},
      {"mipsel64", "SCMP_ARCH_MIPSEL64"}, {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"},
      {"s390x", "SCMP_ARCH_S390X"},       {"riscv64", "SCMP_ARCH_RISCV64"},
  };
  if (!profile.is_object()) return bad("not a JSON object");
  const Json& default_action = profile.value("defaultAction", Json());
  const Json& syscalls = profile.value("syscalls", Json());
  if (!default_action.is_null() && !default_action.is_string())
    return bad("defaultAction must be a string");
  if (!syscalls.is_null() && !syscalls.is_array()) return bad("syscalls must be an array");
  if ((default_action.is_null() || default_action.get<std::string>().empty()) &&
      (syscalls.is_null() || syscalls.empty()))
    return Json();  // seccomp disabled by the profile

  Json out = Json::object();
  out["defaultAction"] = default_action;
  if (profile.contains("defaultErrnoRet") && !profile["defaultErrnoRet"].is_null()) {
    if (!profile["defaultErrnoRet"].is_number_unsigned())
      return bad("defaultErrnoRet must be unsigned");
    out["defaultErrnoRet"] = profile["defaultErrnoRet"];
  }

  Json arches = Json::array();
  const Json& architectures = profile.value("architectures", Json());
  const Json& arch_map = profile.value("archMap", Json());
  TRY(checkStringList(architectures, "architectures"));
  if (!arch_map.is_null() && !arch_map.is_array()) return bad("archMap must be an array");
  if (!architectures.is_null() && !architectures.empty() && !arch_map.is_null() &&
      !arch_map.empty())
    return bad("'architectures' and 'archMap' were both specified, use either");
  if (architectures.is_array())
    for (const auto& a : architectures) arches.push_back(a);
  if (arch_map.is_array()) {
    auto native = kNativeToSeccomp.find(go_arch);
    for (const auto& entry : arch_map) {
      if (!entry.is_object() || !entry.value("architecture", Json()).is_string())
        return bad("archMap entries need an architecture");
      TRY(checkStringList(entry.value("subArchitectures", Json()), "subArchitectures"));
      if (native == kNativeToSeccomp.end() || entry["architecture"] != native->second) continue;
      arches.push_back(entry["architecture"]);
      if (entry.contains("subArchitectures") && entry["subArchitectures"].is_array())
        for (const auto& s : entry["subArchitectures"]) arches.push_back(s);
      break;
    }
  }
  if (!arches.empty()) out["architectures"] = std::move(arches);
  for (const char* key : {"flags", "listenerPath", "listenerMetadata"})
    if (profile.contains(key) && !profile[key].is_null()) out[key] = profile[key];

  Json rules = Json::array();
  if (syscalls.is_array()) {
    for (const auto& call : syscalls) {
      if (!call.is_object()) return bad("syscalls entries must be objects");
      const Json& inc = call.value("includes", Json());
      const Json& exc = call.value("excludes", Json());
      TRY(checkFilter(inc, "includes"));
      TRY(checkFilter(exc, "excludes"));
      bool keep = true;
      if (exc.is_object()) {
        if (inList(exc.value("arches", Json()), go_arch)) keep = false;
        if (exc.contains("caps") && exc["caps"].is_array())
          for (const auto& c : exc["caps"])
            if (hasCap(bounding_caps, c.get<std::string>())) keep = false;
      }
      if (inc.is_object()) {
        const Json& inc_arches = inc.value("arches", Json());
        if (inc_arches.is_array() && !inc_arches.empty() && !inList(inc_arches, go_arch))
          keep = false;
        if (inc.contains("caps") && inc["caps"].is_array())
          for (const auto& c : inc["caps"])
            if (!hasCap(bounding_caps, c.get<std::string>())) keep = false;
      }

      const Json& name = call.value("name", Json());
      const Json& names = call.value("names", Json());
      if (!name.is_null() && !name.is_string()) return bad("syscall name must be a string");
      TRY(checkStringList(names, "syscall names"));
      if (!call.value("action", Json()).is_string()) return bad("syscall action must be a string");
      const Json& errno_ret = call.value("errnoRet", Json());
      if (!errno_ret.is_null() && !errno_ret.is_number_unsigned())
        return bad("syscall errnoRet must be unsigned");
      bool has_name = name.is_string() && !name.get<std::string>().empty();
      bool has_names = names.is_array() && !names.empty();
      if (has_name && has_names)
        return bad("'name' and 'names' were both specified in a syscall, use either");
      Json args = TRY(convertArgs(call.value("args", Json())));
      if (!keep || (!has_name && !has_names)) continue;

      Json rule = Json::object();
      rule["names"] = has_name ? Json::array({name}) : names;
      rule["action"] = call["action"];
      if (!errno_ret.is_null()) rule["errnoRet"] = errno_ret;
      if (!args.empty()) rule["args"] = std::move(args);
      rules.push_back(std::move(rule));
    }
  }
  out["syscalls"] = std::move(rules);
  return out;
}

Result<Json> loadSeccompProfile(const std::string& path,
                                const std::vector<std::string>& bounding_caps,
                                std::string_view go_arch) {
  auto text = TRY_CTX(fs::readFile(path), "read seccomp profile {}", path);
  auto profile = TRY(parseJson(text, path));
  return std::move(translateSeccompProfile(profile, bounding_caps, go_arch))
      .context(fmt::format("load {}", path));
}

}  // namespace berth::specgen
