// Parsers for the run/create flags that become SpecGenerator fields.
#include "specgen/flags.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include "base/fs.h"

extern char** environ;

namespace berth::specgen {
namespace {

std::vector<std::string> splitOn(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error invalid(std::string_view what, std::string_view value) {
  return makeError(Code::kInvalidArgument, "{} {:?}", what, value);
}

bool isPropagation(std::string_view o) {
  static constexpr std::array<std::string_view, 8> kProp = {
      "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"};
  return std::find(kProp.begin(), kProp.end(), o) != kProp.end();
}

// Options accepted after -v (podman's pkg/util ProcessOptions vocabulary).
Status checkVolumeOptions(const std::vector<std::string>& opts, std::string_view arg) {
  bool rw_seen = false;
  bool prop_seen = false;
  static constexpr std::array<std::string_view, 19> kOther = {
      "z",     "Z",           "O",         "U",        "nosuid",    "suid", "nodev",
      "dev",   "noexec",      "exec",      "bind",     "rbind",     "copy", "nocopy",
      "idmap", "notmpcopyup", "tmpcopyup", "relatime", "norelatime"};
  for (const auto& o : opts) {
    if (o == "ro" || o == "rw") {
      if (rw_seen) return invalid("cannot set ro or rw options more than once in", arg);
      rw_seen = true;
    } else if (isPropagation(o)) {
      if (prop_seen) return invalid("cannot set multiple propagation options in", arg);
      prop_seen = true;
    } else if (o.rfind("idmap=", 0) == 0 || o.rfind("upperdir=", 0) == 0 ||
               o.rfind("workdir=", 0) == 0) {
    } else if (std::find(kOther.begin(), kOther.end(), o) == kOther.end()) {
      return makeError(Code::kInvalidArgument, "invalid option {:?} in volume {:?}", o, arg);
    }
  }
  return okStatus();
}

Result<std::string> hostPath(std::string_view src, std::string_view cwd, std::string_view arg) {
  if (src.empty()) return invalid("empty host path in", arg);
  if (src[0] == '/') return std::string(src);
  if (cwd.empty() || cwd[0] != '/')
    return makeError(Code::kInvalidArgument, "relative host path {:?} needs a working directory",
                     src);
  std::string out(cwd);
  std::string_view rest = src;
  if (rest == ".") return out;
  if (rest.rfind("./", 0) == 0) rest.remove_prefix(2);
  return fs::joinPath(out, rest);
}

Status checkDest(std::string_view dst, std::string_view arg) {
  if (dst.empty() || dst[0] != '/')
    return makeError(Code::kInvalidArgument,
                     "invalid container path {:?}, must be an absolute path (in {:?})", dst, arg);
  return okStatus();
}

Result<uint64_t> parseLimitValue(std::string_view v, std::string_view arg) {
  if (v == "-1" || v == "unlimited") return std::numeric_limits<uint64_t>::max();
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size())
    return makeError(Code::kInvalidArgument, "invalid ulimit value {:?} in {:?}", v, arg);
  return n;
}

// Parses a size like "64m", "1g", "1024" (bytes) for tmpfs-size checks.
bool isSize(std::string_view v) {
  if (v.empty()) return false;
  size_t i = 0;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.')) ++i;
  if (i == 0) return false;
  std::string unit = lower(v.substr(i));
  static constexpr std::array<std::string_view, 10> kUnits = {"",   "b", "k",  "kb", "m",
                                                              "mb", "g", "gb", "t",  "tb"};
  return std::find(kUnits.begin(), kUnits.end(), unit) != kUnits.end();
}

bool parseBoolValue(std::string_view v, bool& out) {
  std::string l = lower(v);
  if (l.empty() || l == "true" || l == "1") {
    out = true;
    return true;
  }
  if (l == "false" || l == "0") {
    out = false;
    return true;
  }
  return false;
}

std::string cleanDest(std::string_view d) {
  std::string out(d);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// podman's unified mounts (-v, --mount, --tmpfs): a destination given twice is one mount
// when both are the same (source, type and options); true then, and the second is dropped.
// Two different mounts on one destination: kInvalidArgument "DEST: duplicate mount destination".
Result<bool> sameMountAgain(const api::SpecGenerator& s, std::string_view dest, std::string_view type,
                            std::string_view source, const std::vector<std::string>& opts) {
  std::string d = cleanDest(dest);
  auto dup = [&]() { return makeError(Code::kInvalidArgument, "{}: duplicate mount destination", d); };
  for (const auto& m : s.mounts)
    if (cleanDest(m.destination) == d) {
      if (type != "volume" && m.type == type && m.source == source && m.options == opts) return true;
      return dup();
    }
  for (const auto& v : s.volumes)
    if (cleanDest(v.dest) == d) {
      if (type == "volume" && !source.empty() && v.name == source && v.options == opts) return true;
      return dup();
    }
  return false;
}

}  // namespace

Result<std::string> parseUserFlag(std::string_view arg) {
  if (arg.empty()) return makeError(Code::kInvalidArgument, "invalid user \"\": empty");
  auto parts = splitOn(arg, ':');
  if (parts.size() > 2 || parts[0].empty() || (parts.size() == 2 && parts[1].empty()))
    return makeError(Code::kInvalidArgument, "invalid user {:?}: expected USER[:GROUP]", arg);
  return std::string(arg);
}

Result<std::string> normalizeRlimitName(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "AS",   "CORE",   "CPU",   "DATA", "FSIZE",  "LOCKS",  "MEMLOCK",    "MSGQUEUE",
      "NICE", "NOFILE", "NPROC", "RSS",  "RTPRIO", "RTTIME", "SIGPENDING", "STACK"};
  std::string up;
  for (char c : name) up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up.rfind("RLIMIT_", 0) == 0) up = up.substr(7);
  if (std::find(kNames.begin(), kNames.end(), up) == kNames.end())
    return makeError(Code::kInvalidArgument, "invalid ulimit type {:?}", name);
  return "RLIMIT_" + up;
}

Result<api::POSIXRlimit> parseUlimit(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return makeError(Code::kInvalidArgument, "invalid ulimit {:?}: expected NAME=SOFT[:HARD]", arg);
  std::string type = TRY_CTX(normalizeRlimitName(arg.substr(0, eq)), "ulimit {:?}", arg);
  auto values = splitOn(arg.substr(eq + 1), ':');
  if (values.size() > 2)
    return makeError(Code::kInvalidArgument, "invalid ulimit {:?}: too many values", arg);
  uint64_t soft = TRY(parseLimitValue(values[0], arg));
  uint64_t hard = values.size() == 2 ? TRY(parseLimitValue(values[1], arg)) : soft;
  if (soft > hard)
    return makeError(Code::kInvalidArgument,
                     "ulimit soft limit must be less than or equal to hard limit: {:?}", arg);
  return api::POSIXRlimit{type, hard, soft};
}

std::vector<std::string> currentEnviron() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) out.emplace_back(*e);
  return out;
}

Result<EnvList> parseEnvArg(std::string_view arg, const std::vector<std::string>& host_environ) {
  EnvList out;
  if (arg.empty() || arg[0] == '=')
    return makeError(Code::kInvalidArgument, "invalid environment variable {:?}", arg);
  auto eq = arg.find('=');
  if (eq != std::string_view::npos) {
    out.emplace_back(std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1)));
    return out;
  }
  if (arg.find_first_of(" \t\n") != std::string_view::npos)
    return makeError(Code::kInvalidArgument, "invalid environment variable {:?}", arg);
  bool wildcard = arg.back() == '*';
  std::string_view prefix = wildcard ? arg.substr(0, arg.size() - 1) : arg;
  for (const auto& kv : host_environ) {
    auto e = kv.find('=');
    if (e == std::string::npos) continue;
    std::string_view key(kv.data(), e);
    if (wildcard ? key.substr(0, prefix.size()) == prefix : key == arg)
      out.emplace_back(std::string(key), kv.substr(e + 1));
  }
  return out;
}

Result<EnvList> parseEnvFile(const std::string& path,
                             const std::vector<std::string>& host_environ) {
  auto text = TRY_CTX(fs::readFile(path), "read env file {}", path);
  EnvList out;
  int lineno = 0;
  for (auto& line : splitOn(text, '\n')) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    std::string entry = line.substr(start);
    // Trailing blanks belong to a value but not to a bare name.
    if (entry.find('=') == std::string::npos) entry.erase(entry.find_last_not_of(" \t") + 1);
    auto vars = TRY_CTX(parseEnvArg(entry, host_environ), "env file {} line {}", path, lineno);
    out.insert(out.end(), vars.begin(), vars.end());
  }
  return out;
}

Status addVolumeFlag(api::SpecGenerator& specgen, std::string_view arg, std::string_view cwd) {
  if (arg.empty()) return makeError(Code::kInvalidArgument, "invalid volume \"\": empty");
  auto parts = splitOn(arg, ':');
  if (parts.size() > 3)
    return makeError(Code::kInvalidArgument, "invalid volume {:?}: expected SRC:DST[:OPTS]", arg);
  if (parts.size() == 1) {  // anonymous volume
    TRY(checkDest(parts[0], arg));
    if (TRY(sameMountAgain(specgen, parts[0], "volume", "", {}))) return okStatus();
    specgen.volumes.push_back(api::NamedVolume{"", parts[0], {}, true, ""});
    return okStatus();
  }
  std::vector<std::string> opts;
  if (parts.size() == 3) {
    if (parts[2].empty()) return invalid("empty options in volume", arg);
    opts = splitOn(parts[2], ',');
  }
  TRY(checkDest(parts[1], arg));
  TRY(checkVolumeOptions(opts, arg));
  const std::string& src = parts[0];
  if (src.empty()) return invalid("empty source in volume", arg);
  if (src[0] == '/' || src[0] == '.') {
    std::string host = TRY(hostPath(src, cwd, arg));
    if (TRY(sameMountAgain(specgen, parts[1], "bind", host, opts))) return okStatus();
    specgen.mounts.push_back(api::Mount{parts[1], "bind", host, opts});
  } else {
    if (TRY(sameMountAgain(specgen, parts[1], "volume", src, opts))) return okStatus();
    specgen.volumes.push_back(api::NamedVolume{src, parts[1], opts, false, ""});
  }
  return okStatus();
}

Status addTmpfsFlag(api::SpecGenerator& specgen, std::string_view arg) {
  auto colon = arg.find(':');
  std::string_view dst = arg.substr(0, colon);
  TRY(checkDest(dst, arg));
  std::vector<std::string> opts;
  if (colon != std::string_view::npos) {
    if (colon + 1 == arg.size()) return invalid("empty options in tmpfs", arg);
    opts = splitOn(arg.substr(colon + 1), ',');
  }
  if (TRY(sameMountAgain(specgen, dst, "tmpfs", "tmpfs", opts))) return okStatus();
  specgen.mounts.push_back(api::Mount{std::string(dst), "tmpfs", "tmpfs", opts});
  return okStatus();
}

Status addMountFlag(api::SpecGenerator& specgen, std::string_view arg, std::string_view cwd) {
  std::string type, src, dst;
  std::vector<std::string> opts;
  bool readonly_set = false;
  for (const auto& field : splitOn(arg, ',')) {
    auto eq = field.find('=');
    std::string key = lower(field.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : field.substr(eq + 1);
    bool has_value = eq != std::string::npos;
    auto needValue = [&]() -> Status {
      if (!has_value || value.empty())
        return makeError(Code::kInvalidArgument, "option {:?} needs a value in --mount {:?}", key,
                         arg);
      return okStatus();
    };
    if (key == "type") {
      TRY(needValue());
      type = value;
    } else if (key == "src" || key == "source") {
      TRY(needValue());
      src = value;
    } else if (key == "dst" || key == "destination" || key == "target") {
      TRY(needValue());
      dst = value;
    } else if (key == "ro" || key == "readonly" || key == "rw" || key == "readwrite") {
      bool b = true;
      if (!parseBoolValue(value, b))
        return makeError(Code::kInvalidArgument, "invalid value {:?} for {} in --mount {:?}", value,
                         key, arg);
      if (readonly_set)
        return makeError(Code::kInvalidArgument, "cannot pass ro/rw more than once in --mount {:?}",
                         arg);
      readonly_set = true;
      opts.push_back((key == "rw" || key == "readwrite") == b ? "rw" : "ro");
    } else if (key == "bind-propagation") {
      TRY(needValue());
      if (!isPropagation(value))
        return makeError(Code::kInvalidArgument, "invalid bind-propagation {:?} in --mount {:?}",
                         value, arg);
      opts.push_back(value);
    } else if (key == "bind-nonrecursive") {
      opts.push_back("bind");
    } else if (key == "relabel") {
      TRY(needValue());
      if (value == "shared")
        opts.push_back("z");
      else if (value == "private")
        opts.push_back("Z");
      else
        return makeError(Code::kInvalidArgument, "invalid relabel {:?} in --mount {:?}", value,
                         arg);
    } else if (key == "tmpfs-size") {
      TRY(needValue());
      if (!isSize(value))
        return makeError(Code::kInvalidArgument, "invalid tmpfs-size {:?} in --mount {:?}", value,
                         arg);
      opts.push_back("size=" + value);
    } else if (key == "tmpfs-mode") {
      TRY(needValue());
      if (value.find_first_not_of("01234567") != std::string::npos)
        return makeError(Code::kInvalidArgument, "invalid tmpfs-mode {:?} in --mount {:?}", value,
                         arg);
      opts.push_back("mode=" + value);
    } else if (key == "tmpcopyup" || key == "notmpcopyup" || key == "nosuid" || key == "suid" ||
               key == "nodev" || key == "dev" || key == "noexec" || key == "exec" || key == "u" ||
               key == "idmap" || key == "copy" || key == "nocopy") {
      opts.push_back(key == "u" ? "U" : key);
    } else if (key == "consistency" || key == "volume-nocopy" || key == "volume-opt" ||
               key == "volume-label" || key == "volume-driver") {
      if (key == "volume-nocopy") opts.push_back("nocopy");
    } else {
      return makeError(Code::kInvalidArgument, "unknown mount option {:?} in --mount {:?}", key,
                       arg);
    }
  }
  if (type.empty())
    return makeError(Code::kInvalidArgument, "--mount {:?}: type must be specified", arg);
  if (dst.empty())
    return makeError(Code::kInvalidArgument, "--mount {:?}: must specify a destination", arg);
  TRY(checkDest(dst, arg));
  if (type == "bind") {
    if (src.empty())
      return makeError(Code::kInvalidArgument, "--mount {:?}: bind mounts need a source", arg);
    std::string host = TRY(hostPath(src, cwd, arg));
    if (TRY(sameMountAgain(specgen, dst, "bind", host, opts))) return okStatus();
    specgen.mounts.push_back(api::Mount{dst, "bind", host, opts});
  } else if (type == "image") {
    // podman's image mounts: the image's file system, read-only unless rw/readwrite.
    if (src.empty())
      return makeError(Code::kInvalidArgument, "--mount {:?}: image mounts need a source", arg);
    bool rw = std::find(opts.begin(), opts.end(), "rw") != opts.end();
    specgen.image_volumes.push_back(api::ImageVolume{src, dst, rw, ""});
  } else if (type == "volume") {
    if (TRY(sameMountAgain(specgen, dst, "volume", src, opts))) return okStatus();
    specgen.volumes.push_back(api::NamedVolume{src, dst, opts, src.empty(), ""});
  } else if (type == "tmpfs" || type == "ramfs" || type == "devpts") {
    if (!src.empty())
      return makeError(Code::kInvalidArgument, "--mount {:?}: {} mounts take no source", arg, type);
    if (TRY(sameMountAgain(specgen, dst, type, type, opts))) return okStatus();
    specgen.mounts.push_back(api::Mount{dst, type, type, opts});
  } else {
    return makeError(Code::kInvalidArgument, "--mount {:?}: unsupported mount type {:?}", arg,
                     type);
  }
  return okStatus();
}

}  // namespace berth::specgen
