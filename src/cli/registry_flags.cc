// Registry access flags.
#include "cli/registry_flags.h"

#include <cstdlib>

namespace berth::cli {

void addAccessFlags(Command& c, AccessFlags& a, bool with_creds) {
  c.flag("authfile", 0, &a.authfile,
         "Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override");
  if (with_creds)
    c.flag("creds", 0, &a.creds, "`Credentials` (USERNAME:PASSWORD) to use for authenticating to a registry");
  c.flag("cert-dir", 0, &a.cert_dir, "`Pathname` of a directory containing TLS certificates and keys");
  c.flag("tls-verify", 0, &a.tls_verify, "Require HTTPS and verify certificates when contacting registries");
}

api::RegistryAccess access(const AccessFlags& a, const Command& c) {
  api::RegistryAccess r;
  r.authfile = a.authfile;
  if (r.authfile.empty())
    if (const char* e = std::getenv("REGISTRY_AUTH_FILE")) r.authfile = e;
  r.creds = a.creds;
  r.cert_dir = a.cert_dir;
  if (c.changed("tls-verify")) r.tls_verify = a.tls_verify;
  return r;
}

}  // namespace berth::cli
