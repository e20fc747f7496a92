// Test fixtures: docker-registry on 127.0.0.1 and a JWT token server.
#include "registry/test_registry.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <vector>

#include "base/fs.h"
#include "base/json.h"
#include "registry/http.h"

namespace berth::registry::testing {

namespace {

std::string base64Url(std::string_view data) {
  std::string s = base64Encode(data);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

// name=value pairs of a query string or form body, decoded.
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view kv = q.substr(0, amp);
    size_t eq = kv.find('=');
    out.emplace_back(percentDecode(kv.substr(0, eq)),
                     eq == std::string_view::npos ? "" : percentDecode(kv.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

void sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(n);
  }
}

}  // namespace

ScratchDir::ScratchDir() {
  const char* tmp = getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/berth-reg-XXXXXX";
  char* p = ::mkdtemp(tmpl.data());
  path_ = p ? p : "";
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) (void)fs::removeAll(path_);
}

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool waitForPort(int port, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Result<CertPair> makeSelfSignedCert(const std::string& dir, const std::string& name) {
  CertPair p{fs::joinPath(dir, name + ".crt"), fs::joinPath(dir, name + ".key")};
  std::string cmd = fmt::format(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout '{}' -out '{}' "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
      p.key, p.cert);
  if (std::system(cmd.c_str()) != 0)
    return makeError(Code::kInternal, "openssl req failed: {}", cmd);
  return p;
}

Result<std::string> htpasswdLine(const std::string& user, const std::string& password) {
  // Cost 5 keeps the registry's per-request bcrypt check cheap.
  const char* salt = crypt_gensalt("$2b$", 5, nullptr, 0);
  if (!salt) return makeError(Code::kInternal, "crypt_gensalt failed");
  std::string setting = salt;
  const char* hash = crypt(password.c_str(), setting.c_str());
  if (!hash || hash[0] == '*') return makeError(Code::kInternal, "crypt failed");
  return user + ":" + hash;
}

// ---- TestRegistry ----

Result<std::unique_ptr<TestRegistry>> TestRegistry::start(const std::string& dir,
                                                          RegistryOptions o) {
  std::unique_ptr<TestRegistry> r(new TestRegistry());
  r->dir_ = dir;
  r->storage_ = fs::joinPath(dir, "storage");
  r->config_ = fs::joinPath(dir, "config.yml");
  r->log_ = fs::joinPath(dir, "registry.log");
  r->port_ = freePort();
  TRY(fs::mkdirAll(r->storage_));
  std::string yml = fmt::format(
      "version: 0.1\n"
      "log:\n  level: error\n  accesslog:\n    disabled: true\n"
      "storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n"
      "http:\n  addr: 127.0.0.1:{}\n  secret: berth-test-secret\n",
      r->storage_, r->port_);
  if (o.tls)
    yml += fmt::format("  tls:\n    certificate: {}\n    key: {}\n", o.tls->cert, o.tls->key);
  if (!o.htpasswd_file.empty())
    yml +=
        fmt::format("auth:\n  htpasswd:\n    realm: basic-realm\n    path: {}\n", o.htpasswd_file);
  else if (!o.token_realm.empty())
    yml += fmt::format(
        "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
        o.token_realm, o.token_service, o.token_issuer, o.token_rootcert);
  TRY(fs::writeFileAtomic(r->config_, yml));
  TRY(r->spawn());
  return r;
}

Status TestRegistry::spawn() {
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) _exit(1);
    int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl("/usr/bin/docker-registry", "docker-registry", "serve", config_.c_str(), nullptr);
    _exit(127);
  }
  pid_ = pid;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return makeError(Code::kInternal, "docker-registry exited: {}",
                       fs::readFile(log_).valueOr(""));
    }
    if (waitForPort(port_, 50)) return okStatus();
  }
  kill();
  return makeError(Code::kDeadlineExceeded, "docker-registry did not listen on {}", port_);
}

void TestRegistry::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  ::waitpid(pid_, &st, 0);
  pid_ = -1;
}

Status TestRegistry::restart() {
  kill();
  return spawn();
}

TestRegistry::~TestRegistry() { kill(); }

std::string TestRegistry::blobDataPath(const std::string& digest) const {
  std::string hex = digest.substr(digest.find(':') + 1);
  return fmt::format("{}/docker/registry/v2/blobs/sha256/{}/{}/data", storage_, hex.substr(0, 2),
                     hex);
}

// ---- MiniHttpServer ----

std::string MiniHttpServer::Request::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

Result<std::unique_ptr<MiniHttpServer>> MiniHttpServer::start(Handler handler) {
  std::unique_ptr<MiniHttpServer> s(new MiniHttpServer());
  s->handler_ = std::move(handler);
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof(a);
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::listen(s->listen_fd_, 16) != 0 ||
      ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&a), &alen) != 0)
    return errnoError("mini http server listen");
  s->port_ = ntohs(a.sin_port);
  s->thread_ = std::thread([p = s.get()] { p->serve(); });
  return s;
}

MiniHttpServer::~MiniHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void MiniHttpServer::serve() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    handle(fd);
    ::close(fd);
  }
}

void MiniHttpServer::handle(int fd) {
  std::string raw;
  char buf[4096];
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  Request req;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    raw.append(buf, n);
    if (raw[0] == 0x16) {  // a TLS ClientHello: answer as Go's http server does
      sendAll(fd,
              "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n");
      return;
    }
    if (header_end == std::string::npos &&
        (header_end = raw.find("\r\n\r\n")) != std::string::npos) {
      std::vector<std::pair<std::string, std::string>> hs;
      size_t pos = raw.find("\r\n") + 2;
      while (pos < header_end) {
        size_t eol = raw.find("\r\n", pos);
        parseHeaderLine(std::string_view(raw).substr(pos, eol - pos), req.headers);
        pos = eol + 2;
      }
      std::string cl = req.header("content-length");
      if (!cl.empty()) content_length = std::stoul(cl);
    }
    if (header_end != std::string::npos && raw.size() >= header_end + 4 + content_length) break;
  }
  if (header_end == std::string::npos) return;
  std::string request_line = raw.substr(0, raw.find("\r\n"));
  req.method = request_line.substr(0, request_line.find(' '));
  req.target = request_line.substr(req.method.size() + 1);
  req.target = req.target.substr(0, req.target.find(' '));
  req.body = raw.substr(header_end + 4);
  Response resp = handler_(req);
  std::string out = fmt::format("HTTP/1.1 {} Status\r\nContent-Length: {}\r\nConnection: close\r\n",
                                resp.status, resp.body.size());
  for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (req.method != "HEAD") out += resp.body;
  sendAll(fd, out);
}

// ---- TokenServer ----

Result<std::unique_ptr<TokenServer>> TokenServer::start(Options o) {
  std::unique_ptr<TokenServer> s(new TokenServer());
  s->opts_ = std::move(o);
  s->key_pem_ = TRY(fs::readFile(s->opts_.signer.key));
  std::string cert_pem = TRY(fs::readFile(s->opts_.signer.cert));
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!x) return makeError(Code::kInternal, "cannot parse signer certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(x, &der);
  X509_free(x);
  if (len <= 0) return makeError(Code::kInternal, "i2d_X509 failed");
  s->cert_der_b64_ = base64Encode(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  s->server_ = TRY(MiniHttpServer::start(
      [p = s.get()](const MiniHttpServer::Request& r) { return p->handle(r); }));
  return s;
}

TokenServer::~TokenServer() { server_.reset(); }

MiniHttpServer::Response TokenServer::handle(const MiniHttpServer::Request& req) {
  ++requests_;
  auto json = [](int status, std::string body) {
    return MiniHttpServer::Response{
        status, {{"Content-Type", "application/json"}}, std::move(body)};
  };
  std::string query =
      req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  if (req.method == "POST") {
    std::string refresh, scope;
    for (auto& [k, v] : parseQuery(req.body)) {
      if (k == "refresh_token") refresh = v;
      if (k == "scope") scope = v;
    }
    if (opts_.refresh_token.empty() || refresh != opts_.refresh_token)
      return json(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"invalid refresh token"}]})");
    // The form's scope is space separated; hand it on as query scopes.
    std::string scope_query;
    size_t start = 0;
    while (start < scope.size()) {
      size_t sp = scope.find(' ', start);
      scope_query += "&scope=" + urlEscape(scope.substr(start, sp - start));
      if (sp == std::string::npos) break;
      start = sp + 1;
    }
    return json(
        200, Json{{"access_token", makeJwt(opts_.user, scope_query)}, {"expires_in", 300}}.dump());
  }
  std::string subject = "anonymous";
  if (!opts_.user.empty()) {
    if (req.header("authorization") != "Basic " + base64Encode(opts_.user + ":" + opts_.password))
      return json(401,
                  R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
    subject = opts_.user;
  }
  return json(200, Json{{"token", makeJwt(subject, query)}, {"expires_in", 300}}.dump());
}

std::string TokenServer::makeJwt(const std::string& subject, const std::string& query) {
  Json access = Json::array();
  for (auto& [k, v] : parseQuery(query)) {
    if (k != "scope") continue;
    // type:name:actions, where name may contain ':' (host:port) but actions do not.
    size_t first = v.find(':'), last = v.rfind(':');
    if (first == std::string::npos || first == last) continue;
    Json actions = Json::array();
    std::string acts = v.substr(last + 1);
    for (size_t s = 0; s <= acts.size();) {
      size_t c = acts.find(',', s);
      actions.push_back(acts.substr(s, c - s));
      if (c == std::string::npos) break;
      s = c + 1;
    }
    access.push_back({{"type", v.substr(0, first)},
                      {"name", v.substr(first + 1, last - first - 1)},
                      {"actions", actions}});
  }
  long now = static_cast<long>(std::time(nullptr));
  Json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"x5c", Json::array({cert_der_b64_})}};
  Json claims = {{"iss", opts_.issuer},
                 {"sub", subject},
                 {"aud", opts_.service},
                 {"exp", now + 300},
                 {"nbf", now - 10},
                 {"iat", now},
                 {"jti", std::to_string(now) + "-" + std::to_string(requests_.load())},
                 {"access", access}};
  std::string signing_input = base64Url(header.dump()) + "." + base64Url(claims.dump());
  BIO* bio = BIO_new_mem_buf(key_pem_.data(), static_cast<int>(key_pem_.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::string sig;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t siglen = 0;
  if (key && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &siglen,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) == 1) {
    sig.resize(siglen);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &siglen,
                       reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size()) == 1)
      sig.resize(siglen);
    else
      sig.clear();
  }
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return signing_input + "." + base64Url(sig);
}

}  // namespace berth::registry::testing
