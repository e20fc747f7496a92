// Loading and merging registries.conf, its drop-ins and the short-name alias cache.
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

#include "base/fs.h"
#include "config/registries.h"
#include "config/registries_internal.h"
#include "config/toml_json.h"

namespace berth::config {

namespace {

constexpr std::string_view kSystemConf = "/etc/containers/registries.conf";
constexpr std::string_view kSystemConfDir = "/etc/containers/registries.conf.d";
constexpr std::string_view kUserConf = ".config/containers/registries.conf";
constexpr std::string_view kUserConfDir = ".config/containers/registries.conf.d";
constexpr std::string_view kAliasFile = "containers/short-name-aliases.conf";

// One file's contents before merging; `has_*` mark keys present in the file.
struct ParsedFile {
  std::vector<Registry> registries;
  bool has_search = false;
  std::vector<std::string> search;
  bool has_mode = false;
  ShortNameMode mode = ShortNameMode::kPermissive;
  std::map<std::string, Alias, std::less<>> aliases;
};

Error invalid(const std::string& path, std::string msg) {
  return Error(Code::kInvalidArgument, fmt::format("{}: {}", path, msg));
}

Result<std::string> getString(const Json& obj, std::string_view key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::string();
  if (!it->is_string()) return invalid(path, fmt::format("\"{}\" must be a string", key));
  return it->get<std::string>();
}

Result<bool> getBool(const Json& obj, std::string_view key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_boolean()) return invalid(path, fmt::format("\"{}\" must be a boolean", key));
  return it->get<bool>();
}

Result<std::vector<std::string>> getStrings(const Json& obj, std::string_view key,
                                            const std::string& path) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end()) return out;
  if (!it->is_array()) return invalid(path, fmt::format("\"{}\" must be an array of strings", key));
  for (const Json& v : *it) {
    if (!v.is_string())
      return invalid(path, fmt::format("\"{}\" must be an array of strings", key));
    out.push_back(v.get<std::string>());
  }
  return out;
}

// containers/image parseLocation: trailing '/' trimmed, no URI scheme.
Result<std::string> parseLocation(std::string_view input, const std::string& path) {
  std::string s(input);
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (s.starts_with("http://") || s.starts_with("https://"))
    return invalid(path,
                   fmt::format("invalid location '{}': URI schemes are not supported", input));
  return s;
}

// host[:port] as distribution's DomainRegexp accepts it.
bool isDomain(std::string_view s) {
  if (s.empty()) return false;
  std::string_view host = s;
  std::string_view port;
  if (s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    for (char c : s.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':') return false;
    host = {};
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return false;
      port = s.substr(close + 2);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = s.find(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
      if (port.empty()) return false;
    }
    size_t start = 0;
    while (true) {
      size_t dot = host.find('.', start);
      std::string_view comp = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (comp.empty() || comp.front() == '-' || comp.back() == '-') return false;
      for (char c : comp)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  for (char c : port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Result<MirrorUse> parseMirrorUse(std::string_view v, const std::string& mirror,
                                 const std::string& path) {
  if (v.empty() || v == "all") return MirrorUse::kAll;
  if (v == "digest-only") return MirrorUse::kDigestOnly;
  if (v == "tag-only") return MirrorUse::kTagOnly;
  return invalid(
      path, fmt::format("unsupported pull-from-mirror value \"{}\" for mirror \"{}\"", v, mirror));
}

Result<Registry> parseRegistry(const Json& t, const std::string& path) {
  if (!t.is_object()) return invalid(path, "[[registry]] entries must be tables");
  Registry reg;
  reg.endpoint.location = TRY(parseLocation(TRY(getString(t, "location", path)), path));
  reg.endpoint.insecure = TRY(getBool(t, "insecure", path));
  reg.blocked = TRY(getBool(t, "blocked", path));
  reg.mirror_by_digest_only = TRY(getBool(t, "mirror-by-digest-only", path));
  std::string prefix = TRY(getString(t, "prefix", path));
  if (prefix.empty()) {
    if (reg.endpoint.location.empty())
      return invalid(path, "invalid condition: both location and prefix are unset");
    reg.prefix = reg.endpoint.location;
  } else {
    reg.prefix = TRY(parseLocation(prefix, path));
    if (!reg.prefix.starts_with("*.") && reg.endpoint.location.empty())
      return invalid(path,
                     "invalid condition: location is unset and prefix is not in the format: "
                     "*.example.com");
  }
  if (reg.prefix.starts_with("*.") && reg.prefix.find_first_of("/@:") != std::string::npos)
    return invalid(path, fmt::format("Wildcarded prefix should be in the format: *.example.com. "
                                     "Current prefix \"{}\" is incorrectly formatted",
                                     reg.prefix));
  if (!TRY(getString(t, "pull-from-mirror", path)).empty())
    return invalid(path, fmt::format("pull-from-mirror must not be set for a non-mirror registry "
                                     "\"{}\"",
                                     reg.prefix));
  if (auto it = t.find("mirror"); it != t.end()) {
    if (!it->is_array()) return invalid(path, "\"mirror\" must be an array of tables");
    for (const Json& m : *it) {
      if (!m.is_object()) return invalid(path, "\"mirror\" must be an array of tables");
      Endpoint ep;
      ep.location = TRY(parseLocation(TRY(getString(m, "location", path)), path));
      if (ep.location.empty()) return invalid(path, "invalid condition: mirror location is unset");
      ep.insecure = TRY(getBool(m, "insecure", path));
      std::string use = TRY(getString(m, "pull-from-mirror", path));
      if (reg.mirror_by_digest_only && !use.empty())
        return invalid(path, fmt::format("cannot set mirror usage mirror-by-digest-only for the "
                                         "registry (\"{}\") and pull-from-mirror for per-mirror "
                                         "(\"{}\") at the same time",
                                         reg.prefix, ep.location));
      ep.pull_from_mirror = TRY(parseMirrorUse(use, ep.location, path));
      reg.mirrors.push_back(std::move(ep));
    }
  }
  return reg;
}

// True when `doc` holds v1 keys: [registries.search|insecure|block].
bool hasV1(const Json& doc) {
  auto it = doc.find("registries");
  if (it == doc.end() || !it->is_object()) return false;
  return it->contains("search") || it->contains("insecure") || it->contains("block");
}

bool hasV2(const Json& doc) {
  for (std::string_view k : {"registry", "unqualified-search-registries", "credential-helpers",
                             "short-name-mode", "additional-layer-store-auth-helper", "aliases"})
    if (doc.contains(k)) return true;
  return false;
}

Result<std::vector<std::string>> v1List(const Json& doc, std::string_view table,
                                        const std::string& path) {
  const Json& regs = doc["registries"];
  auto it = regs.find(table);
  if (it == regs.end()) return std::vector<std::string>{};
  if (!it->is_object()) return invalid(path, fmt::format("[registries.{}] must be a table", table));
  return getStrings(*it, "registries", path);
}

// containers/image ConvertToV2: block and insecure lists become registries.
Status convertV1(const Json& doc, const std::string& path, ParsedFile& out) {
  std::vector<std::string> order;
  std::map<std::string, Registry> regs;
  auto get = [&](std::string_view loc) -> Result<Registry*> {
    std::string l = TRY(parseLocation(loc, path));
    auto [it, inserted] = regs.try_emplace(l);
    if (inserted) {
      it->second.prefix = l;
      it->second.endpoint.location = l;
      order.push_back(l);
    }
    return &it->second;
  };
  for (const std::string& r : TRY(v1List(doc, "block", path))) TRY(get(r))->blocked = true;
  for (const std::string& r : TRY(v1List(doc, "insecure", path)))
    TRY(get(r))->endpoint.insecure = true;
  for (const std::string& l : order) out.registries.push_back(regs[l]);
  if (doc["registries"].contains("search")) {
    out.has_search = true;
    out.search = TRY(v1List(doc, "search", path));
  }
  return okStatus();
}

// containers/image postProcessRegistries: conflicts, search entries, dedupe, sort.
Status postProcess(const std::string& path, ParsedFile& f) {
  for (const Registry& a : f.registries) {
    const std::string& ka = a.endpoint.location.empty() ? a.prefix : a.endpoint.location;
    for (const Registry& b : f.registries) {
      const std::string& kb = b.endpoint.location.empty() ? b.prefix : b.endpoint.location;
      if (ka != kb) continue;
      if (a.endpoint.insecure != b.endpoint.insecure)
        return invalid(path, fmt::format("registry '{}' is defined multiple times with "
                                         "conflicting 'insecure' setting",
                                         a.endpoint.location));
      if (a.blocked != b.blocked)
        return invalid(path, fmt::format("registry '{}' is defined multiple times with "
                                         "conflicting 'blocked' setting",
                                         a.endpoint.location));
    }
  }
  for (std::string& r : f.search) {
    r = TRY(parseLocation(r, path));
    if (!isDomain(r))
      return invalid(path, fmt::format("Invalid unqualified-search-registries entry \"{}\"", r));
  }
  // The first entry for a prefix wins; later duplicates are ignored.
  std::vector<Registry> unique;
  for (Registry& r : f.registries) {
    bool seen = std::any_of(unique.begin(), unique.end(),
                            [&](const Registry& u) { return u.prefix == r.prefix; });
    if (!seen) unique.push_back(std::move(r));
  }
  std::stable_sort(unique.begin(), unique.end(),
                   [](const Registry& a, const Registry& b) { return a.prefix < b.prefix; });
  f.registries = std::move(unique);
  return okStatus();
}

Result<ShortNameMode> parseMode(std::string_view s, const std::string& path) {
  if (s == "disabled") return ShortNameMode::kDisabled;
  if (s == "permissive") return ShortNameMode::kPermissive;
  if (s == "enforcing") return ShortNameMode::kEnforcing;
  return invalid(path, fmt::format("invalid short-name mode: \"{}\"", s));
}

Result<ParsedFile> parseConfText(std::string_view text, const std::string& path, bool drop_in) {
  Json doc = TRY(parseToml(text, path));
  ParsedFile f;
  if (hasV1(doc)) {
    if (drop_in) return invalid(path, "registry must be in v2 format but is in v1");
    if (hasV2(doc))
      return invalid(path,
                     "mixing sysregistry v1/v2 is not supported: [registries.search], "
                     "[registries.insecure] and [registries.block] cannot be combined with v2 "
                     "keys ([[registry]], unqualified-search-registries, short-name-mode, "
                     "[aliases]); convert the file to the v2 format");
    TRY(convertV1(doc, path, f));
  } else {
    if (auto it = doc.find("registry"); it != doc.end()) {
      if (!it->is_array()) return invalid(path, "\"registry\" must be an array of tables");
      for (const Json& t : *it) f.registries.push_back(TRY(parseRegistry(t, path)));
    }
    if (doc.contains("unqualified-search-registries")) {
      f.has_search = true;
      f.search = TRY(getStrings(doc, "unqualified-search-registries", path));
    }
    std::string mode = TRY(getString(doc, "short-name-mode", path));
    if (!mode.empty()) {
      f.has_mode = true;
      f.mode = TRY(parseMode(mode, path));
    }
    TRY(internal::mergeAliases(doc, path, f.aliases));
  }
  TRY(postProcess(path, f));
  return f;
}

// Reads a file; a missing file yields nullopt.
Result<std::optional<std::string>> readOptional(const std::string& path) {
  auto r = fs::readFile(path);
  if (!r.ok()) {
    if (r.error().sysErrno() == ENOENT || r.error().code() == Code::kNotFound)
      return std::optional<std::string>();
    return std::move(r).error();
  }
  return std::optional<std::string>(std::move(r).value());
}

Result<std::vector<std::string>> dropIns(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const std::string& dir : dirs) {
    if (!fs::isDir(dir)) continue;
    std::vector<std::string> names = TRY_CTX(fs::listDir(dir), "reading registries.conf.d");
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      std::string p = fs::joinPath(dir, n);
      if (n.ends_with(".conf") && !fs::isDir(p)) out.push_back(std::move(p));
    }
  }
  return out;
}

void merge(RegistriesConf& conf, ParsedFile&& f, const std::string& path) {
  std::map<std::string, Registry> by_prefix;
  for (Registry& r : conf.registries) by_prefix[r.prefix] = std::move(r);
  for (Registry& r : f.registries) by_prefix[r.prefix] = std::move(r);
  conf.registries.clear();
  for (auto& [prefix, r] : by_prefix) conf.registries.push_back(std::move(r));
  if (f.has_search) {
    conf.unqualified_search_registries = std::move(f.search);
    conf.search_registries_origin = path;
  }
  if (f.has_mode) conf.short_name_mode = f.mode;
  for (auto& [name, alias] : f.aliases) conf.aliases[name] = std::move(alias);
}

}  // namespace

std::string_view shortNameModeName(ShortNameMode mode) {
  switch (mode) {
    case ShortNameMode::kDisabled:
      return "disabled";
    case ShortNameMode::kPermissive:
      return "permissive";
    case ShortNameMode::kEnforcing:
      return "enforcing";
  }
  return "invalid";
}

ConfPaths defaultConfPaths(const HostEnv& env) {
  ConfPaths p;
  std::string user_conf = fs::joinPath(env.home, kUserConf);
  std::string user_dir = fs::joinPath(env.home, kUserConfDir);
  if (std::string explicit_conf = env.get("CONTAINERS_REGISTRIES_CONF"); !explicit_conf.empty()) {
    p.conf_file = explicit_conf;
    p.conf_file_required = true;
    p.drop_in_dirs = {std::string(kSystemConfDir), user_dir};
  } else if (!env.home.empty() && fs::exists(user_conf)) {
    p.conf_file = user_conf;
    p.drop_in_dirs = {user_dir};
  } else {
    p.conf_file = std::string(kSystemConf);
    p.drop_in_dirs = {std::string(kSystemConfDir)};
    if (!env.home.empty()) p.drop_in_dirs.push_back(user_dir);
  }
  if (env.euid == 0) {
    p.alias_file = fs::joinPath("/var/cache", kAliasFile);
  } else {
    std::string cache = env.get("XDG_CACHE_HOME");
    if (cache.empty()) cache = fs::joinPath(env.home, ".cache");
    p.alias_file = fs::joinPath(cache, kAliasFile);
  }
  return p;
}

Result<RegistriesConf> loadRegistriesConf(const ConfPaths& paths) {
  RegistriesConf conf;
  conf.alias_file = paths.alias_file;
  conf.sources_description = paths.conf_file;
  if (!paths.drop_in_dirs.empty()) conf.sources_description += " or " + paths.drop_in_dirs.back();

  auto main_text = TRY_CTX(readOptional(paths.conf_file), "loading registries configuration \"{}\"",
                           paths.conf_file);
  if (main_text) {
    ParsedFile f = TRY_CTX(parseConfText(*main_text, paths.conf_file, false),
                           "loading registries configuration");
    merge(conf, std::move(f), paths.conf_file);
    conf.search_registries_origin = paths.conf_file;
  } else if (paths.conf_file_required) {
    return makeError(Code::kNotFound, "loading registries configuration \"{}\": no such file",
                     paths.conf_file);
  }

  for (const std::string& path : TRY(dropIns(paths.drop_in_dirs))) {
    auto text =
        TRY_CTX(readOptional(path), "loading drop-in registries configuration \"{}\"", path);
    if (!text) continue;  // removed since the listing
    ParsedFile f =
        TRY_CTX(parseConfText(*text, path, true), "loading drop-in registries configuration");
    merge(conf, std::move(f), path);
  }

  if (!paths.alias_file.empty()) {
    auto text = TRY_CTX(readOptional(paths.alias_file),
                        "loading short-name aliases config file \"{}\"", paths.alias_file);
    if (text) {
      Json doc =
          TRY_CTX(parseToml(*text, paths.alias_file), "loading short-name aliases config file");
      std::map<std::string, Alias, std::less<>> aliases;
      TRY_CTX(internal::mergeAliases(doc, paths.alias_file, aliases),
              "loading short-name aliases config file");
      for (auto& [name, alias] : aliases) conf.aliases[name] = std::move(alias);
    }
  }
  return conf;
}

namespace internal {

long refMatchingPrefix(std::string_view ref, std::string_view prefix) {
  if (prefix.starts_with("*.")) {
    std::string_view suffix = prefix.substr(1);  // ".example.com"
    size_t index = ref.find(suffix);
    if (index == std::string_view::npos) return -1;
    if (ref.substr(0, index).find('/') != std::string_view::npos) return -1;
    index += suffix.size();
    if (index == ref.size()) return static_cast<long>(index);
    char c = ref[index];
    return (c == ':' || c == '/' || c == '@') ? static_cast<long>(index) : -1;
  }
  if (ref.size() < prefix.size() || !ref.starts_with(prefix)) return -1;
  if (ref.size() == prefix.size()) return static_cast<long>(prefix.size());
  char c = ref[prefix.size()];
  return (c == ':' || c == '/' || c == '@') ? static_cast<long>(prefix.size()) : -1;
}

Status validateShortName(std::string_view name) {
  auto ref = image::parseNamed(name);
  if (!ref.ok())
    return makeError(Code::kInvalidArgument, "cannot parse short name: \"{}\": {}", name,
                     ref.error().message());
  if (!ref->digest.empty())
    return makeError(Code::kInvalidArgument, "invalid short name \"{}\": must not contain digest",
                     name);
  if (!ref->tag.empty())
    return makeError(Code::kInvalidArgument, "invalid short name \"{}\": must not contain tag",
                     name);
  if (!ref->domain.empty())
    return makeError(Code::kInvalidArgument, "invalid short name \"{}\": must not contain registry",
                     name);
  return okStatus();
}

Result<std::string> parseAliasValue(std::string_view value) {
  auto ref = image::parseNamed(value);
  if (!ref.ok())
    return makeError(Code::kInvalidArgument, "parsing alias \"{}\": {}", value,
                     ref.error().message());
  if (!ref->digest.empty())
    return makeError(Code::kInvalidArgument, "invalid alias \"{}\": must not contain digest",
                     value);
  if (!ref->tag.empty())
    return makeError(Code::kInvalidArgument, "invalid alias \"{}\": must not contain tag", value);
  if (ref->domain.empty())
    return makeError(Code::kInvalidArgument,
                     "invalid alias \"{}\": must contain registry and repository", value);
  return ref->name();
}

Status mergeAliases(const Json& doc, const std::string& path,
                    std::map<std::string, Alias, std::less<>>& out) {
  auto it = doc.find("aliases");
  if (it == doc.end()) return okStatus();
  if (!it->is_object()) return invalid(path, "[aliases] must be a table");
  std::vector<std::string> errors;  // all malformed entries at once, as containers/image
  for (auto& [name, value] : it->items()) {
    if (Status s = validateShortName(name); !s.ok()) {
      errors.push_back(s.error().message());
      continue;
    }
    if (!value.is_string()) {
      errors.push_back(fmt::format("alias \"{}\" must be a string", name));
      continue;
    }
    std::string v = value.get<std::string>();
    if (v.empty()) {
      out[name] = Alias{"", path};  // resets an alias set by an earlier file
      continue;
    }
    auto parsed = parseAliasValue(v);
    if (!parsed.ok()) {
      errors.push_back(parsed.error().message());
      continue;
    }
    out[name] = Alias{std::move(parsed).value(), path};
  }
  if (!errors.empty()) return invalid(path, fmt::format("{}", fmt::join(errors, "; ")));
  return okStatus();
}

}  // namespace internal

const Registry* findRegistry(const RegistriesConf& conf, std::string_view ref) {
  const Registry* best = nullptr;
  size_t best_len = 0;
  for (const Registry& r : conf.registries) {
    if (internal::refMatchingPrefix(ref, r.prefix) != -1 && r.prefix.size() > best_len) {
      best = &r;
      best_len = r.prefix.size();
    }
  }
  return best;
}

bool isInsecure(const RegistriesConf& conf, std::string_view registry) {
  const Registry* r = findRegistry(conf, registry);
  return r != nullptr && r->endpoint.insecure;
}

bool isBlocked(const RegistriesConf& conf, std::string_view registry) {
  const Registry* r = findRegistry(conf, registry);
  return r != nullptr && r->blocked;
}

}  // namespace berth::config
