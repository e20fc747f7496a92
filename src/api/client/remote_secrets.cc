// RemoteSecrets: berth's service has no /libpod/secrets routes yet, so each operation says so.
#include "api/client/internal.h"
#include "api/client/services.h"

namespace berth::api::client {

Result<std::string> RemoteSecrets::create(const SecretCreateRequest&) { return remoteUnsupported("secret create"); }
Result<std::vector<SecretInfo>> RemoteSecrets::list(const std::vector<std::string>&) {
  return remoteUnsupported("secret ls");
}
Result<SecretInfo> RemoteSecrets::inspect(const std::string&) { return remoteUnsupported("secret inspect"); }
Result<bool> RemoteSecrets::exists(const std::string&) { return remoteUnsupported("secret exists"); }
Result<std::vector<SecretRemoveReport>> RemoteSecrets::remove(const std::vector<std::string>&, bool) {
  return remoteUnsupported("secret rm");
}

}  // namespace berth::api::client
