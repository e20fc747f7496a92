// registries.d: loading and merging the YAML files, and the lookup by scope.
#include "config/registries_d.h"

#include <algorithm>

#include "base/fs.h"
#include "base/json_access.h"
#include "base/yaml.h"

namespace berth::config {

namespace {

constexpr std::string_view kSystemRegistriesD = "/etc/containers/registries.d";
constexpr std::string_view kUserRegistriesD = ".config/containers/registries.d";

Result<LookasideLocation> parseLocation(const Json& v, std::string_view where) {
  TRY(json::checkObject(v, where));
  LookasideLocation loc;
  if (v.is_null()) return loc;
  loc.lookaside = TRY(json::optString(v, "lookaside", where));
  loc.lookaside_staging = TRY(json::optString(v, "lookaside-staging", where));
  loc.sigstore = TRY(json::optString(v, "sigstore", where));
  loc.sigstore_staging = TRY(json::optString(v, "sigstore-staging", where));
  return loc;
}

}  // namespace

std::string registriesDirPath(const HostEnv& env) {
  if (!env.home.empty()) {
    std::string user = fs::joinPath(env.home, kUserRegistriesD);
    if (fs::exists(user)) return user;
  }
  return std::string(kSystemRegistriesD);
}

Result<RegistriesD> loadRegistriesD(const std::string& dir) {
  RegistriesD merged;
  if (!fs::exists(dir)) return merged;
  std::vector<std::string> names = TRY(fs::listDir(dir));
  std::sort(names.begin(), names.end());
  std::string default_from;
  std::map<std::string, std::string> ns_from;
  for (const std::string& name : names) {
    if (!name.ends_with(".yaml")) continue;
    std::string path = fs::joinPath(dir, name);
    std::string text = TRY(fs::readFile(path));
    auto docs = TRY_CTX(yaml::parseDocuments(text, path), "parsing {}", path);
    if (docs.empty()) continue;
    const Json& doc = docs.front();
    TRY_CTX(json::checkObject(doc, ""), "parsing {}", path);
    if (doc.is_null()) continue;
    if (const Json* d = TRY_CTX(json::optObject(doc, "default-docker", ""), "parsing {}", path)) {
      if (merged.default_docker)
        return makeError(
            Code::kInvalidArgument,
            "error parsing signature storage configuration: \"default-docker\" defined "
            "both in \"{}\" and \"{}\"",
            default_from, path);
      merged.default_docker = TRY_CTX(parseLocation(*d, "default-docker"), "parsing {}", path);
      default_from = path;
    }
    const Json* docker = TRY_CTX(json::optObject(doc, "docker", ""), "parsing {}", path);
    if (!docker) continue;
    for (auto& [ns, v] : docker->items()) {
      if (merged.docker.contains(ns))
        return makeError(
            Code::kInvalidArgument,
            "error parsing signature storage configuration: \"docker\" namespace \"{}\" "
            "defined both in \"{}\" and \"{}\"",
            ns, ns_from[ns], path);
      merged.docker[ns] =
          TRY_CTX(parseLocation(v, json::fieldPath("docker", ns)), "parsing {}", path);
      ns_from[ns] = path;
    }
  }
  return merged;
}

const LookasideLocation* lookasideFor(const RegistriesD& config, std::string_view scope) {
  std::string_view search = scope;
  while (!search.empty()) {
    if (auto it = config.docker.find(search); it != config.docker.end()) return &it->second;
    size_t slash = search.rfind('/');
    if (slash == std::string_view::npos) break;
    search = search.substr(0, slash);
  }
  return config.default_docker ? &*config.default_docker : nullptr;
}

std::string readLocation(const LookasideLocation& loc) {
  return loc.lookaside.empty() ? loc.sigstore : loc.lookaside;
}

}  // namespace berth::config
