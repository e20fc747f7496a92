// The local volume driver's names, options and mount plans.
#include "engine/volume_options.h"

#include <string.h>
#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace berth::engine {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Status checkId(const std::string& key, const std::string& v) {
  uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size())
    return makeError(Code::kInvalidArgument, "cannot convert {} {:?} to integer: invalid argument", key, v);
  return {};
}

Error quotaError() {
  return makeError(Code::kInvalidArgument,
                   "volume options size and inodes not supported. Filesystem does not support Project Quota");
}

struct FlagDef {
  const char* name;
  unsigned long set;
  bool clear;
};

constexpr FlagDef kFlags[] = {
    {"ro", MS_RDONLY, false},         {"rw", MS_RDONLY, true},         {"nosuid", MS_NOSUID, false},
    {"suid", MS_NOSUID, true},        {"nodev", MS_NODEV, false},      {"dev", MS_NODEV, true},
    {"noexec", MS_NOEXEC, false},     {"exec", MS_NOEXEC, true},       {"sync", MS_SYNCHRONOUS, false},
    {"async", MS_SYNCHRONOUS, true},  {"dirsync", MS_DIRSYNC, false},  {"noatime", MS_NOATIME, false},
    {"atime", MS_NOATIME, true},      {"nodiratime", MS_NODIRATIME, false},
    {"diratime", MS_NODIRATIME, true}, {"relatime", MS_RELATIME, false}, {"norelatime", MS_RELATIME, true},
    {"strictatime", MS_STRICTATIME, false}, {"mand", MS_MANDLOCK, false}, {"nomand", MS_MANDLOCK, true},
    {"bind", MS_BIND, false},         {"rbind", MS_BIND | MS_REC, false},
};

}  // namespace

Status checkVolumeName(const std::string& name) {
  bool ok = !name.empty() && std::isalnum(static_cast<unsigned char>(name[0])) &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
            });
  if (!ok)
    return makeError(Code::kInvalidArgument,
                     "running volume create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  return {};
}

Result<std::map<std::string, std::string>> checkLocalOptions(const std::map<std::string, std::string>& opts,
                                                               const StatPath& stat_path) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : opts) {
    std::string k = lower(key);
    if (k == "size" || k == "inodes") return quotaError();
    if (k == "uid" || k == "gid") {
      TRY(checkId(k, value));
    } else if (k == "o") {
      for (const auto& o : splitComma(value)) {
        auto eq = o.find('=');
        std::string ok = lower(o.substr(0, eq));
        if (ok == "size" || ok == "inodes") return quotaError();
        if ((ok == "uid" || ok == "gid") && eq != std::string::npos) TRY(checkId(ok, o.substr(eq + 1)));
      }
    } else if (k == "device") {
      auto type = opts.find("type");
      if (type != opts.end() && lower(type->second) == "bind") {
        if (int e = stat_path(value); e != 0)
          return makeError(Code::kInvalidArgument, "invalid volume option device for driver 'local': stat {}: {}",
                           value, lower(::strerror(e)));
      }
    } else if (k != "type" && k != "copy" && k != "nocopy" && k != "noquota" && k != "timeout") {
      return makeError(Code::kInvalidArgument, "invalid mount option {} for driver 'local': invalid argument", key);
    }
    out[key] = value;
  }
  return out;
}

Result<std::optional<VolumeMountPlan>> planVolumeMount(const std::map<std::string, std::string>& opts) {
  auto get = [&](const char* k) -> std::string {
    for (const auto& [key, v] : opts)
      if (lower(key) == k) return v;
    return "";
  };
  std::string type = get("type"), device = get("device"), o = get("o");
  if (type.empty() && device.empty()) return std::optional<VolumeMountPlan>();
  VolumeMountPlan p;
  std::string lt = lower(type);
  if (lt == "tmpfs" || lt == "ramfs") {
    p.source = lt;
    p.type = lt;
  } else if (lt == "bind") {
    p.source = device;
    p.flags |= MS_BIND | MS_REC;
  } else {
    p.source = device;
    p.type = type;
  }
  if (p.source.empty())
    return makeError(Code::kInvalidArgument, "volume of type {:?} needs a device= option", type);
  std::vector<std::string> data;
  for (const auto& entry : splitComma(o)) {
    auto def = std::find_if(std::begin(kFlags), std::end(kFlags), [&](const FlagDef& f) { return entry == f.name; });
    if (def == std::end(kFlags)) {
      data.push_back(entry);
    } else if (def->clear) {
      p.flags &= ~def->set;
    } else {
      p.flags |= def->set;
    }
  }
  for (size_t i = 0; i < data.size(); ++i) p.data += (i ? "," : "") + data[i];
  return std::optional<VolumeMountPlan>(std::move(p));
}

}  // namespace berth::engine
