// registries.d (containers-registries.d(5)): where signatures of a registry's images are kept.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/host_env.h"

namespace berth::config {

// One namespace's signature storage.
struct LookasideLocation {
  std::string lookaside, lookaside_staging, sigstore, sigstore_staging;
};

// All *.yaml files of a registries.d directory merged.
struct RegistriesD {
  std::optional<LookasideLocation> default_docker;
  // Scope ("registry[/namespace...]") -> its storage.
  std::map<std::string, LookasideLocation, std::less<>> docker;
};

// ~/.config/containers/registries.d when it exists, else /etc/containers/registries.d.
std::string registriesDirPath(const HostEnv& env);

// Reads and merges `dir`'s *.yaml files; a missing directory is empty. Errors
// (kInvalidArgument, naming the file): malformed YAML, a wrong type, "default-docker" or
// a "docker" namespace defined in two files.
Result<RegistriesD> loadRegistriesD(const std::string& dir);

// The storage configured for `scope`: the namespace itself, else its parents, else
// default-docker; nullptr when none. `scope` "" asks for default-docker.
const LookasideLocation* lookasideFor(const RegistriesD& config, std::string_view scope);

// The location signatures are read from: lookaside, else sigstore.
std::string readLocation(const LookasideLocation& loc);

}  // namespace berth::config
