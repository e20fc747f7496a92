// Test fixtures: docker-registry on 127.0.0.1 (plain, TLS, htpasswd, token auth) and a JWT token
// server.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/result.h"

namespace berth::registry::testing {

// A fresh directory under $TMPDIR (or /tmp), removed by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A self-signed certificate for CN/SAN 127.0.0.1, made with the openssl CLI.
struct CertPair {
  std::string cert, key;
};
Result<CertPair> makeSelfSignedCert(const std::string& dir, const std::string& name);

// A bcrypt htpasswd line ("user:$2b$05$...") made with libcrypt.
Result<std::string> htpasswdLine(const std::string& user, const std::string& password);

struct RegistryOptions {
  std::optional<CertPair> tls;                              // serve https with this certificate
  std::string htpasswd_file;                                // enable htpasswd auth
  std::string token_realm;                                  // enable token auth with this realm...
  std::string token_service, token_issuer, token_rootcert;  // ...and these settings
};

// docker-registry serving a scratch storage dir on a free 127.0.0.1 port.
class TestRegistry {
 public:
  static Result<std::unique_ptr<TestRegistry>> start(const std::string& dir, RegistryOptions opts);
  ~TestRegistry();

  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  const std::string& storage() const { return storage_; }
  // The data file of a blob in the registry's filesystem storage.
  std::string blobDataPath(const std::string& digest) const;
  // SIGKILLs the registry and reaps it.
  void kill();
  // Starts it again on the same port and storage.
  Status restart();

 private:
  TestRegistry() = default;
  Status spawn();
  std::string dir_, config_, storage_, log_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A one-thread HTTP/1.1 server on 127.0.0.1 for scripted responses: each
// connection carries one request and is closed after the handler's answer.
class MiniHttpServer {
 public:
  struct Request {
    std::string method, target, body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
    std::string header(const std::string& name) const;
  };
  struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  using Handler = std::function<Response(const Request&)>;
  static Result<std::unique_ptr<MiniHttpServer>> start(Handler handler);
  ~MiniHttpServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  MiniHttpServer() = default;
  void serve();
  void handle(int fd);
  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A minimal Docker token server: GET /token?service=&scope= (Basic auth
// checked when a user is set) and POST /token (OAuth2 refresh_token grant).
// Issues RS256 JWTs with an x5c header the registry verifies against `cert`.
class TokenServer {
 public:
  struct Options {
    std::string issuer, service;
    CertPair signer;
    std::string user, password;  // empty user: anonymous requests get tokens
    std::string refresh_token;   // accepted by the refresh_token grant
  };
  static Result<std::unique_ptr<TokenServer>> start(Options opts);
  ~TokenServer();
  std::string realm() const { return server_->url() + "/token"; }
  int requests() const { return requests_.load(); }

 private:
  TokenServer() = default;
  MiniHttpServer::Response handle(const MiniHttpServer::Request& req);
  std::string makeJwt(const std::string& subject, const std::string& scopes_query);
  Options opts_;
  std::atomic<int> requests_{0};
  std::string key_pem_, cert_der_b64_;
  std::unique_ptr<MiniHttpServer> server_;
};

// A free TCP port on 127.0.0.1 (bound then released).
int freePort();
// Waits until 127.0.0.1:port accepts connections.
bool waitForPort(int port, int timeout_ms);

}  // namespace berth::registry::testing
