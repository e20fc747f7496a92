// Registry access flags shared by pull, push, search, login and manifest:
// --authfile, --creds, --cert-dir, --tls-verify.
#pragma once

#include <string>

#include "berth/api/images.h"
#include "cli/command.h"

namespace berth::cli {

struct AccessFlags {
  std::string authfile, creds, cert_dir;
  bool tls_verify = true;
};

// Registers the flags on `c`; --creds only when `with_creds`.
void addAccessFlags(Command& c, AccessFlags& a, bool with_creds = true);
// The request's access settings: REGISTRY_AUTH_FILE when --authfile is not
// given, and --tls-verify only when set on the command line (else registries.conf decides).
api::RegistryAccess access(const AccessFlags& a, const Command& c);

}  // namespace berth::cli
