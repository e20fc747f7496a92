// auth.json lookup and editing.
#include "config/auth.h"

#include "base/fs.h"
#include "base/base64.h"

namespace berth::config {

namespace {

constexpr std::string_view kAuthJson = "containers/auth.json";

Result<std::optional<std::string>> readOptional(const std::string& path) {
  auto r = fs::readFile(path);
  if (!r.ok()) {
    if (r.error().sysErrno() == ENOENT) return std::optional<std::string>();
    return std::move(r).error();
  }
  return std::optional<std::string>(std::move(r).value());
}

// The whole document of a non-legacy file; {} when it does not exist.
Result<Json> readDocument(const std::string& path) {
  auto text = TRY(readOptional(path));
  if (!text) return Json::object();
  Json doc = TRY(parseJson(*text, path));
  if (!doc.is_object())
    return makeError(Code::kInvalidArgument, "{}: the top level must be a JSON object", path);
  if (auto it = doc.find("auths"); it != doc.end() && !it->is_object() && !it->is_null())
    return makeError(Code::kInvalidArgument, "{}: \"auths\" must be a JSON object", path);
  return doc;
}

Status writeDocument(const std::string& path, const Json& doc) {
  size_t slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) TRY(fs::mkdirAll(path.substr(0, slash), 0700));
  return fs::writeFileAtomic(path, doc.dump(1, '\t'), 0600);
}

std::string normalizeRegistry(std::string_view registry) {
  if (registry == "registry-1.docker.io" || registry == "docker.io") return "index.docker.io";
  return std::string(registry);
}

// containers/image normalizeAuthFileKey.
std::string normalizeFileKey(std::string_view key, bool legacy) {
  std::string_view stripped = key;
  if (stripped.starts_with("http://"))
    stripped.remove_prefix(7);
  else if (stripped.starts_with("https://"))
    stripped.remove_prefix(8);
  if (legacy || stripped.size() != key.size()) stripped = stripped.substr(0, stripped.find('/'));
  return normalizeRegistry(stripped);
}

// containers/image decodeDockerAuth: nullopt for an entry without "user:pass".
Result<std::optional<Credentials>> decode(const AuthFile::Source& src, const std::string& key,
                                          const Json& entry) {
  if (!entry.is_object())
    return makeError(Code::kInvalidArgument, "{}: entry \"{}\" must be a JSON object", src.path,
                     key);
  std::string auth, token;
  if (auto it = entry.find("auth"); it != entry.end() && it->is_string())
    auth = it->get<std::string>();
  if (auto it = entry.find("identitytoken"); it != entry.end() && it->is_string())
    token = it->get<std::string>();
  std::string decoded = TRY_CTX(base64Decode(auth), "{}: entry \"{}\"", src.path, key);
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::optional<Credentials>();
  Credentials c;
  c.username = decoded.substr(0, colon);
  c.password = decoded.substr(colon + 1);
  while (!c.password.empty() && c.password.back() == '\0') c.password.pop_back();
  while (!c.password.empty() && c.password.front() == '\0') c.password.erase(0, 1);
  c.identity_token = std::move(token);
  c.source = src.path;
  return std::optional<Credentials>(std::move(c));
}

Result<std::optional<Credentials>> findInSource(const AuthFile::Source& src, std::string_view key,
                                                std::string_view registry) {
  if (src.legacy_format) {
    if (auto it = src.auths.find(registry); it != src.auths.end())
      return decode(src, std::string(registry), *it);
  } else {
    std::string_view k = key;
    while (true) {
      if (auto it = src.auths.find(k); it != src.auths.end())
        return decode(src, std::string(k), *it);
      size_t slash = k.rfind('/');
      if (slash == std::string_view::npos) break;
      k = k.substr(0, slash);
    }
  }
  std::string want = normalizeRegistry(registry);
  for (auto& [k, v] : src.auths.items()) {
    if (normalizeFileKey(k, src.legacy_format) == want) return decode(src, k, v);
  }
  return std::optional<Credentials>();
}

}  // namespace

std::vector<AuthPath> authFilePaths(const HostEnv& env, std::string_view authfile) {
  std::string chosen(authfile);
  if (chosen.empty()) chosen = env.get("REGISTRY_AUTH_FILE");
  if (!chosen.empty()) return {AuthPath{chosen, false}};

  std::vector<AuthPath> out;
  std::string runtime = env.get("XDG_RUNTIME_DIR");
  if (runtime.empty())
    out.push_back({fmt::format("/run/containers/{}/auth.json", env.euid), false});
  else if (fs::exists(runtime))  // containers/image warns and goes on when it is missing
    out.push_back({fs::joinPath(runtime, kAuthJson), false});
  std::string config_home = env.get("XDG_CONFIG_HOME");
  if (config_home.empty()) config_home = fs::joinPath(env.home, ".config");
  out.push_back({fs::joinPath(config_home, kAuthJson), false});
  std::string docker_config = env.get("DOCKER_CONFIG");
  if (docker_config.empty()) docker_config = fs::joinPath(env.home, ".docker");
  out.push_back({fs::joinPath(docker_config, "config.json"), false});
  out.push_back({fs::joinPath(env.home, ".dockercfg"), true});
  return out;
}

std::string authWritePath(const HostEnv& env, std::string_view authfile) {
  std::string chosen(authfile);
  if (chosen.empty()) chosen = env.get("REGISTRY_AUTH_FILE");
  if (!chosen.empty()) return chosen;
  std::string runtime = env.get("XDG_RUNTIME_DIR");
  if (runtime.empty()) return fmt::format("/run/containers/{}/auth.json", env.euid);
  return fs::joinPath(runtime, kAuthJson);
}

Result<AuthFile> loadAuth(const std::vector<AuthPath>& paths) {
  AuthFile out;
  for (const AuthPath& p : paths) {
    auto text = TRY_CTX(readOptional(p.path), "reading JSON file \"{}\"", p.path);
    if (!text) continue;
    Json doc = TRY(parseJson(*text, p.path));
    AuthFile::Source src{p.path, p.legacy_format, Json::object()};
    if (!doc.is_object())
      return makeError(Code::kInvalidArgument, "{}: the top level must be a JSON object", p.path);
    if (p.legacy_format) {
      src.auths = std::move(doc);
    } else if (auto it = doc.find("auths"); it != doc.end() && !it->is_null()) {
      if (!it->is_object())
        return makeError(Code::kInvalidArgument, "{}: \"auths\" must be a JSON object", p.path);
      src.auths = std::move(*it);
    }
    out.sources.push_back(std::move(src));
  }
  return out;
}

Result<bool> validateAuthKey(std::string_view key) {
  if (key.starts_with("http://") || key.starts_with("https://"))
    return makeError(Code::kInvalidArgument, "key {} contains http[s]:// prefix", key);
  if (key.find('@') != std::string_view::npos)
    return makeError(Code::kInvalidArgument, "key {} contains a '@' character", key);
  if (key.empty()) return makeError(Code::kInvalidArgument, "empty registry key");
  size_t slash = key.find('/');
  bool namespaced = slash != std::string_view::npos;
  if (namespaced && key.find(':', slash + 1) != std::string_view::npos)
    return makeError(Code::kInvalidArgument, "key {} contains a ':' character after host[:port]",
                     key);
  return namespaced;
}

std::string normalizeAuthKey(std::string_view input) {
  std::string_view stripped = input;
  if (stripped.starts_with("http://"))
    stripped.remove_prefix(7);
  else if (stripped.starts_with("https://"))
    stripped.remove_prefix(8);
  if (stripped.size() != input.size()) stripped = stripped.substr(0, stripped.find('/'));
  if (stripped == "registry-1.docker.io" || stripped == "index.docker.io") return "docker.io";
  return std::string(stripped);
}

Result<std::optional<Credentials>> lookupCredentials(const AuthFile& auth, std::string_view key) {
  TRY(validateAuthKey(key));
  std::string_view registry = key.substr(0, key.find('/'));
  for (const AuthFile::Source& src : auth.sources) {
    auto found = TRY(findInSource(src, key, registry));
    if (found) return found;
  }
  return std::optional<Credentials>();
}

Status storeCredentials(const std::string& path, std::string_view key, std::string_view username,
                        std::string_view password) {
  TRY(validateAuthKey(key));
  Json doc = TRY_CTX(readDocument(path), "reading JSON file \"{}\"", path);
  Json& auths = doc["auths"];
  if (auths.is_null()) auths = Json::object();
  auths[std::string(key)] = Json{{"auth", base64Encode(fmt::format("{}:{}", username, password))}};
  return writeDocument(path, doc).context(fmt::format("writing to file \"{}\"", path));
}

Status removeCredentials(const std::string& path, std::string_view key) {
  TRY(validateAuthKey(key));
  Json doc = TRY_CTX(readDocument(path), "reading JSON file \"{}\"", path);
  auto it = doc.find("auths");
  if (it == doc.end() || !it->is_object() || !it->contains(key))
    return makeError(Code::kNotFound, "not logged into {}", key);
  it->erase(std::string(key));
  return writeDocument(path, doc).context(fmt::format("writing to file \"{}\"", path));
}

Status removeAllCredentials(const std::string& path) {
  Json doc = TRY_CTX(readDocument(path), "reading JSON file \"{}\"", path);
  doc["auths"] = Json::object();
  return writeDocument(path, doc).context(fmt::format("writing to file \"{}\"", path));
}

}  // namespace berth::config
