// registries.conf: search registries, short-name aliases, prefix rewrites, mirrors,
// blocked and insecure registries (containers-registries.conf(5), v2 format).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/host_env.h"
#include "image/reference.h"

namespace berth::config {

enum class ShortNameMode { kDisabled, kPermissive, kEnforcing };
std::string_view shortNameModeName(ShortNameMode mode);

// Which pulls may use a mirror ("pull-from-mirror").
enum class MirrorUse { kAll, kDigestOnly, kTagOnly };

// A place to pull from: the registry's own location or one of its mirrors.
struct Endpoint {
  // host[:port][/namespace...]; empty only for a "*.example.com" prefix.
  std::string location;
  bool insecure = false;
  MirrorUse pull_from_mirror = MirrorUse::kAll;  // meaningful for mirrors only
};

// One [[registry]] table, post-processed: prefix defaults to location.
struct Registry {
  std::string prefix;
  Endpoint endpoint;
  std::vector<Endpoint> mirrors;
  bool blocked = false;
  bool mirror_by_digest_only = false;
};

// A short-name alias; `value` is empty when a later file reset the alias.
struct Alias {
  std::string value;   // normalised, fully qualified name without tag/digest
  std::string origin;  // the file that set it
};

// The merged configuration: registries.conf (or the user's), the drop-ins in
// order, then the short-name alias cache.
struct RegistriesConf {
  // Unique by prefix, sorted by prefix (as containers/image keeps them).
  std::vector<Registry> registries;
  std::vector<std::string> unqualified_search_registries;
  // The file that set unqualified_search_registries; "" when no file did.
  std::string search_registries_origin;
  // containers/image's default when no file sets short-name-mode.
  ShortNameMode short_name_mode = ShortNameMode::kPermissive;
  std::map<std::string, Alias, std::less<>> aliases;
  // Where recordShortNameAlias writes (the machine-generated alias cache).
  std::string alias_file;
  // "<conf> or <drop-in dir>" for error messages.
  std::string sources_description;
};

// Where loadRegistriesConf reads from.
struct ConfPaths {
  std::string conf_file;
  // True when the path was chosen explicitly: a missing file is then an error.
  bool conf_file_required = false;
  // Drop-in directories read in order; files "*.conf" sorted by name in each.
  std::vector<std::string> drop_in_dirs;
  // short-name-aliases.conf; its [aliases] win over registries.conf's.
  std::string alias_file;
};

// containers/image's choice: $CONTAINERS_REGISTRIES_CONF (required) or
// ~/.config/containers/registries.conf when it exists (with only the user's
// registries.conf.d), else /etc/containers/registries.conf; drop-ins from
// /etc/containers/registries.conf.d then ~/.config/containers/registries.conf.d;
// aliases in /var/cache/containers/short-name-aliases.conf for euid 0, else
// ${XDG_CACHE_HOME:-~/.cache}/containers/short-name-aliases.conf.
ConfPaths defaultConfPaths(const HostEnv& env);

// Loads and merges the files. Errors: kInvalidArgument for malformed TOML
// (naming file, line and column), wrong value types, v1/v2 mixing, v1 in a
// drop-in, bad locations/prefixes/aliases and conflicting duplicate entries;
// kNotFound for a missing required conf_file; other read errors by errno.
Result<RegistriesConf> loadRegistriesConf(const ConfPaths& paths);

// The registry whose prefix is the longest match of `ref` (a registry, a
// repository namespace, a repository or a full reference, starting with a
// host), or nullptr.
const Registry* findRegistry(const RegistriesConf& conf, std::string_view ref);
bool isInsecure(const RegistriesConf& conf, std::string_view registry);
bool isBlocked(const RegistriesConf& conf, std::string_view registry);

// A rewritten reference to try when pulling, in order.
struct PullSource {
  std::string reference;  // full reference to contact: name[:tag][@digest]
  bool insecure = false;  // skip TLS verification / allow plain HTTP
  std::string registry;   // host[:port] of `reference`
  bool mirror = false;    // false for the registry's own location (always last)
};

// The endpoints to pull `full` (fully qualified) from: the matching
// registry's mirrors allowed for this pull (digest/tag rules), then its own
// location, each with the longest matching prefix rewritten to the endpoint's
// location. Mirrors that are themselves blocked are skipped. Errors:
// kPermissionDenied "registry <prefix> is blocked in <sources>" when the
// registry is blocked; kInvalidArgument for a short name or a rewrite that
// does not yield a valid canonical reference.
Result<std::vector<PullSource>> pullSources(const RegistriesConf& conf,
                                            const image::Reference& full);

// The outcome of resolving a name given by the user.
struct ShortNameResolution {
  // Fully qualified candidates to pull in order; "latest" is added when the
  // input had neither tag nor digest.
  std::vector<image::Reference> candidates;
  // True when the caller must let the user pick one of `candidates` on the
  // TTY and, after a successful pull, recordShortNameAlias(short_name, pick).
  bool needs_prompt = false;
  // The user's input without tag and digest; empty for a fully qualified name.
  std::string short_name;
  // What podman prints before pulling ("Resolved "x" as an alias (file)"),
  // or "" when nothing is to be printed.
  std::string description;
};

// containers/image's short-name resolution (pkg/shortnames.Resolve): a fully
// qualified name passes through; a short name's alias wins; otherwise every
// unqualified-search registry yields a candidate (docker.io adds library/ to
// one-component names). With more than one candidate: "disabled" uses them all;
// without a TTY "permissive" uses them all and "enforcing" fails; with a TTY the
// caller prompts. Errors (kInvalidArgument): an unparsable name; no alias and
// no search registries ("short-name "x" did not resolve to an alias and no
// unqualified-search registries are defined in "<file>""); enforcing without
// a TTY ("short-name resolution enforced but cannot prompt without a TTY").
Result<ShortNameResolution> resolveShortName(const RegistriesConf& conf, std::string_view name,
                                             bool have_tty);

// Records `name` (a short name without tag/digest) = `full` (its tag and
// digest are dropped) in the alias cache file `alias_file`, replacing the file
// atomically (0644, parent created 0700) under an flock on "<file>.lock".
// Other aliases in the file are kept. Errors: kInvalidArgument for a name
// that is not short or a value that is not fully qualified; I/O by errno.
Status recordShortNameAlias(const std::string& alias_file, std::string_view name,
                            std::string_view full);

}  // namespace berth::config
