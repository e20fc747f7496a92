// Registry client settings from access flags, certs.d and the auth files.
#include "engine/registry_access.h"

#include "base/fs.h"
#include "config/auth.h"
#include "config/host_env.h"

namespace berth::engine {

Result<registry::ClientOptions> clientOptions(const api::RegistryAccess& a, const std::string& reg,
                                              bool insecure_by_conf) {
  registry::ClientOptions o;
  bool insecure = a.tls_verify.has_value() ? !*a.tls_verify : insecure_by_conf;
  o.tls_verify = !insecure;
  o.insecure_http = insecure;
  o.cert_dir = a.cert_dir;
  if (o.cert_dir.empty()) {
    std::string d = "/etc/containers/certs.d/" + reg;
    if (fs::isDir(d)) o.cert_dir = d;
    else if (fs::isDir("/etc/docker/certs.d/" + reg)) o.cert_dir = "/etc/docker/certs.d/" + reg;
  }
  if (!a.creds.empty()) {
    auto colon = a.creds.find(':');
    registry::Credentials c;
    c.username = a.creds.substr(0, colon);
    if (colon != std::string::npos) c.password = a.creds.substr(colon + 1);
    if (c.username.empty())
      return makeError(Code::kInvalidArgument, "invalid --creds {:?}: the username must not be empty", a.creds);
    o.creds = c;
  } else {
    auto env = config::HostEnv::current();
    auto auth = config::loadAuth(config::authFilePaths(env, a.authfile));
    if (!auth.ok()) return std::move(auth).error();
    auto found = TRY(config::lookupCredentials(*auth, reg));
    if (found) o.creds = registry::Credentials{found->username, found->password, found->identity_token};
  }
  return o;
}

}  // namespace berth::engine
