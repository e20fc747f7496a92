// Registry credentials in auth.json / Docker config files (containers-auth.json(5)).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "config/host_env.h"

namespace berth::config {

struct AuthPath {
  std::string path;
  // ~/.dockercfg: the top level is the "auths" map and keys are registry URLs.
  bool legacy_format = false;
};

// The files to read credentials from, in lookup order (containers/image
// getAuthFilePaths). `authfile` (--authfile), else $REGISTRY_AUTH_FILE, is the
// only file when set. Otherwise: ${XDG_RUNTIME_DIR}/containers/auth.json
// (/run/containers/<euid>/auth.json when XDG_RUNTIME_DIR is unset; left out
// when it names a missing directory), ${XDG_CONFIG_HOME:-~/.config}/containers/
// auth.json, ${DOCKER_CONFIG:-~/.docker}/config.json, ~/.dockercfg (legacy).
std::vector<AuthPath> authFilePaths(const HostEnv& env, std::string_view authfile = {});
// The file login and logout edit: `authfile`, $REGISTRY_AUTH_FILE, or the first default.
std::string authWritePath(const HostEnv& env, std::string_view authfile = {});

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;
  std::string source;  // the file they came from
};

// The parsed files, in lookup order; missing files are left out.
struct AuthFile {
  struct Source {
    std::string path;
    bool legacy_format = false;
    Json auths = Json::object();  // key -> {"auth": base64(user:pass), "identitytoken": ...}
  };
  std::vector<Source> sources;
};

// Reads `paths`. Errors: kInvalidArgument for malformed JSON (naming the file
// and position) or an "auths" that is not an object; I/O errors by errno.
// "credHelpers" and "credsStore" are ignored.
Result<AuthFile> loadAuth(const std::vector<AuthPath>& paths);

// Checks a lookup/store key: registry[/namespace[/repo]] with no scheme, '@'
// or ':' after the host (kInvalidArgument). Returns true when namespaced.
Result<bool> validateAuthKey(std::string_view key);
// podman login/logout's argument normalisation: a URL means its host;
// index.docker.io and registry-1.docker.io mean docker.io.
std::string normalizeAuthKey(std::string_view input);

// Credentials for `key` (registry[/namespace[/repo]]): per file in order, the
// most specific of key, its parent namespaces and the registry; then entries
// whose normalised key names the same registry ("https://index.docker.io/v1/"
// matches "docker.io"). A file's entry without "user:pass" is skipped.
// nullopt when nothing matches. Errors: kInvalidArgument for a bad key or an
// undecodable "auth" field.
Result<std::optional<Credentials>> lookupCredentials(const AuthFile& auth, std::string_view key);

// Sets auths[key] = {"auth": base64(user:pass)} in `path`, keeping other
// entries and unknown fields; the file is replaced atomically with mode 0600,
// its directory created 0700. Errors: kInvalidArgument for a bad key or
// malformed existing file; I/O by errno.
Status storeCredentials(const std::string& path, std::string_view key, std::string_view username,
                        std::string_view password);
// Removes auths[key]; kNotFound "not logged into <key>" when absent.
Status removeCredentials(const std::string& path, std::string_view key);
// Empties "auths" (a missing file is fine); other fields are kept.
Status removeAllCredentials(const std::string& path);

}  // namespace berth::config
