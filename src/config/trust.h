// `image trust`: policy.json as podman's pkg/trust shows and edits it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/host_env.h"
#include "config/registries_d.h"

namespace berth::config {

// Cap on a policy.json or key file read by the trust commands.
inline constexpr size_t kMaxTrustFileBytes = 4 << 20;

// The policy.json the trust commands use without --policypath (podman's engine
// signature_policy_path): /etc/containers/policy.json for root; for other users
// ${XDG_CONFIG_HOME:-~/.config}/containers/policy.json unless only the system file exists.
std::string trustPolicyPath(const HostEnv& env);

// A regular file of at most kMaxTrustFileBytes (a FIFO or device is refused, not read).
// kNotFound when missing, kInvalidArgument for a wrong kind or size, errno errors else.
Result<std::string> readTrustFile(const std::string& path);

// ---- trust set ---------------------------------------------------------------------

struct TrustSetRequest {
  std::string scope;  // "default", or a registry[/repository] of the docker transport
  std::string type;   // accept (= insecureAcceptAnything), reject, signedBy, sigstoreSigned
  std::vector<std::string> pubkey_files;
};

// podman's check of the REGISTRY argument (isValidImageURI): "http://<scope>" must parse
// as a URL whose host is [A-Za-z0-9-_.]+ then [a-z0-9-:]* and whose fragment is
// [a-z0-9-:./]*. kInvalidArgument "invalid image uri: <scope>".
Status checkTrustScope(std::string_view scope);

// The CLI's check of --type: kInvalidArgument "invalid choice: <t> (choose from 'accept',
// 'reject', 'signedBy', 'sigstoreSigned')".
Status checkTrustType(std::string_view type);

// The new policy.json text after applying `req` to `existing` (nullopt: no file yet), as
// podman writes it (4-space indent, transports and scopes sorted, no final newline). The
// requirement lists it does not replace are kept as they are, and so are unknown
// top-level keys. The scope replaces its entry in whichever transport holds it ("docker"
// first), else goes under "docker". Errors (kInvalidArgument): keys given for
// accept/reject or missing for signedBy/sigstoreSigned, an unknown type, `existing` not
// JSON or with a wrong type at the top level or in "transports" (naming `what`), no
// default policy when setting a registry's.
Result<std::string> applyTrustSet(const std::optional<std::string>& existing, std::string_view what,
                                  const TrustSetRequest& req);

// Reads `path` (missing is fine), applies `req` and replaces the file atomically (temp
// file beside it, fsync, rename; a symlink's target is replaced, its mode kept). On any
// error the file is unchanged.
Status setTrust(const std::string& path, const TrustSetRequest& req);

// ---- trust show --------------------------------------------------------------------

// One line of `trust show`: podman's pkg/trust.Policy.
struct TrustPolicyEntry {
  std::string transport;  // "all" for the default, "repository" for docker, else the name
  std::string name;       // "* (default)" or the scope
  std::string repo_name;  // "default" or the scope
  std::string sigstore;   // registries.d lookaside (or sigstore) for the scope
  std::string type;       // accept, reject, signed, sigstoreSigned ("" for an unknown type)
  std::string gpg_id;     // signedBy: the keys' identities, ", "-joined; sigstoreSigned: N/A
};

// The identities in the key file at `path` (errors are logged, not returned, as podman).
using KeyIdReader = std::function<std::vector<std::string>(const std::string& path)>;
// The default reader: User ID packets of the key file, each shown as trustIdentity().
std::vector<std::string> keyFileIdentities(const std::string& path);

// The entries of policy.json `text`: the default's requirements, then each transport
// (sorted) and each of its scopes (sorted). Errors (kInvalidArgument, naming `what`): not
// JSON, or a value of the wrong type where podman's policyContent expects another.
Result<std::vector<TrustPolicyEntry>> describeTrustPolicy(std::string_view text,
                                                          std::string_view what,
                                                          const RegistriesD& registries,
                                                          const KeyIdReader& read_ids);

}  // namespace berth::config
