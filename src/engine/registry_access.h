// Registry client settings from the user's access flags and registries.conf.
#pragma once

#include <string>

#include "berth/api/images.h"
#include "base/result.h"
#include "registry/registry_client.h"

namespace berth::engine {

// Registry transfer settings for one registry: TLS (--tls-verify, else the
// registry's `insecure` in registries.conf), certificates (--cert-dir, else
// /etc/containers/certs.d/<registry>), credentials (--creds, else the auth files).
Result<registry::ClientOptions> clientOptions(const api::RegistryAccess& a, const std::string& reg,
                                              bool insecure_by_conf);

}  // namespace berth::engine
