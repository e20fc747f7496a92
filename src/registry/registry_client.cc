// The registry client: request loop with auth and retries, manifests, uploads, tags, catalog.
#include "registry/registry_client.h"

#include <chrono>
#include <thread>

#include "base/digest.h"
#include "base/json.h"
#include "base/json_access.h"
#include "image/manifest.h"
#include "registry/blob_stream.h"
#include "registry/client_impl.h"
#include "registry/errors.h"

namespace berth::registry {

namespace {

constexpr std::string_view kSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
constexpr std::string_view kSchema1 = "application/vnd.docker.distribution.manifest.v1+json";

std::string acceptManifests() {
  return fmt::format("Accept: {}, {}, {}, {}", image::media::kOciManifest, image::media::kOciIndex,
                     image::media::kDockerManifest, image::media::kDockerManifestList);
}

bool isDigestRef(std::string_view ref) { return ref.find(':') != std::string_view::npos; }

std::string joinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

// The URL of a Link header's rel="next" entry, resolved against `base`.
std::optional<std::string> nextLink(const HttpResponse& resp, const std::string& base) {
  for (const std::string& link : resp.headerAll("link")) {
    size_t lt = link.find('<'), gt = link.find('>');
    if (lt == std::string::npos || gt == std::string::npos || gt < lt) continue;
    if (link.find("rel=\"next\"", gt) == std::string::npos &&
        link.find("rel=next", gt) == std::string::npos)
      continue;
    return resolveUrl(base, link.substr(lt + 1, gt - lt - 1));
  }
  return std::nullopt;
}

}  // namespace

std::string registryEndpoint(std::string_view registry) {
  if (registry == "docker.io" || registry == "index.docker.io") return "registry-1.docker.io";
  return std::string(registry);
}

// ---- Impl ----

RegistryClient::Impl::Impl(std::string reg, ClientOptions options)
    : registry(std::move(reg)),
      host(registryEndpoint(registry)),
      opts(std::move(options)),
      http(TlsOptions{opts.tls_verify && !opts.insecure_http, opts.cert_dir}, opts.user_agent) {}

Result<std::string> RegistryClient::Impl::baseUrl() {
  std::lock_guard lock(mu_);
  if (!base_url_.empty()) return base_url_;
  if (!opts.insecure_http) {
    base_url_ = "https://" + host;
    return base_url_;
  }
  // Insecure: probe https without verification; fall back to http when the
  // endpoint does not speak TLS (or refuses https) but answers plain http.
  // When neither answers nothing is cached, so a later call probes again.
  HttpRequest probe;
  probe.url = "https://" + host + "/v2/";
  TransportFailure failure;
  if (http.perform(probe, &failure).ok()) {
    base_url_ = "https://" + host;
    return base_url_;
  }
  if (failure.tls_handshake_failed || failure.connect_failed) {
    probe.url = "http://" + host + "/v2/";
    if (http.perform(probe).ok()) {
      base_url_ = "http://" + host;
      return base_url_;
    }
  }
  return "https://" + host;
}

void RegistryClient::Impl::backoff(int attempt) const {
  int ms = opts.retry_delay_ms << std::min(attempt, 6);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

Result<HttpResponse> RegistryClient::Impl::performWithRetries(const HttpRequest& req) {
  bool replayable = req.body_reader == nullptr;
  for (int attempt = 0;; ++attempt) {
    TransportFailure failure;
    Result<HttpResponse> r = [&] {
      std::lock_guard lock(mu_);
      return http.perform(req, &failure);
    }();
    bool can_retry = replayable && attempt < opts.retries;
    if (!r.ok()) {
      if (!can_retry || !failure.transient) return r;
      backoff(attempt);
      continue;
    }
    if (isTransientStatus(r->status) && can_retry) {
      backoff(attempt);
      continue;
    }
    return r;
  }
}

Result<std::string> RegistryClient::Impl::fetchToken(const Challenge& c,
                                                     const std::vector<std::string>& scopes) {
  std::string realm = c.param("realm");
  if (realm.empty())
    return makeError(Code::kPermissionDenied, "{}: bearer challenge without a realm", registry);
  const Credentials* creds = opts.creds ? &*opts.creds : nullptr;
  HttpRequest req;
  if (creds && !creds->identity_token.empty()) {
    // OAuth2 refresh-token grant, as docker does for identity tokens.
    req.method = "POST";
    req.url = realm;
    req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=berth&refresh_token=" +
               urlEscape(creds->identity_token);
    if (!c.param("service").empty()) req.body += "&service=" + urlEscape(c.param("service"));
    if (!scopes.empty()) req.body += "&scope=" + urlEscape(joinScopes(scopes));
  } else {
    req.url = realm;
    char sep = realm.find('?') == std::string::npos ? '?' : '&';
    if (!c.param("service").empty()) {
      req.url += sep + std::string("service=") + urlEscape(c.param("service"));
      sep = '&';
    }
    for (const std::string& s : scopes) {
      req.url += sep + std::string("scope=") + urlEscape(s);
      sep = '&';
    }
    if (creds && !creds->username.empty())
      req.headers.push_back("Authorization: " + basicAuthorization(*creds));
  }
  HttpResponse resp = TRY_CTX(performWithRetries(req), "fetching auth token for {}", registry);
  if (resp.status == 401 || resp.status == 403) {
    std::string why = registryError(resp.status, resp.body).message();
    if (creds)
      return makeError(Code::kPermissionDenied,
                       "unable to retrieve auth token: invalid username/password: {}", why);
    return makeError(Code::kPermissionDenied, "unable to retrieve auth token: {}", why);
  }
  if (resp.status != 200)
    return std::move(registryError(resp.status, resp.body))
        .context(fmt::format("fetching auth token from {}", realm));
  return parseTokenResponse(resp.body);
}

Result<std::string> RegistryClient::Impl::authorization(const std::vector<std::string>& scopes) {
  std::lock_guard lock(mu_);
  if (!challenge_) return std::string();
  if (challenge_->scheme == "basic") {
    if (!opts.creds || opts.creds->username.empty()) return std::string();
    return basicAuthorization(*opts.creds);
  }
  std::string key = joinScopes(scopes);
  auto it = tokens_.find(key);
  if (it != tokens_.end()) return it->second;
  std::string token = TRY(fetchToken(*challenge_, scopes));
  std::string value = "Bearer " + token;
  tokens_[key] = value;
  return value;
}

Error RegistryClient::Impl::deniedError(std::string_view body, bool basic) const {
  std::string why = registryError(401, body).message();
  bool have_creds =
      opts.creds && (!opts.creds->username.empty() || !opts.creds->identity_token.empty());
  if (!have_creds)
    return makeError(Code::kPermissionDenied,
                     "authentication required: {}: log in with berth login {}", registry, registry);
  if (basic)
    return makeError(Code::kPermissionDenied,
                     "unable to retrieve auth token: invalid username/password: {}", why);
  return makeError(Code::kPermissionDenied, "requested access to the resource is denied: {}", why);
}

Status RegistryClient::Impl::onUnauthorized(const std::vector<std::string>& www_authenticate,
                                            std::string_view body,
                                            const std::vector<std::string>& scopes,
                                            bool sent_auth) {
  std::lock_guard lock(mu_);
  std::optional<Challenge> c = chooseChallenge(www_authenticate);
  if (!c) return std::move(registryError(401, body)).context(registry);
  bool basic = c->scheme == "basic";
  if (sent_auth && basic) return deniedError(body, true);
  if (basic && (!opts.creds || opts.creds->username.empty())) return deniedError(body, true);
  tokens_.erase(joinScopes(scopes));
  challenge_ = std::move(*c);
  return okStatus();
}

Result<HttpResponse> RegistryClient::Impl::send(HttpRequest req,
                                                const std::vector<std::string>& scopes) {
  std::string base = TRY(baseUrl());
  if (req.url.starts_with("/")) req.url = base + req.url;
  for (int round = 0;; ++round) {
    HttpRequest r = req;
    std::string auth = TRY(authorization(scopes));
    if (!auth.empty()) r.headers.push_back("Authorization: " + auth);
    HttpResponse resp = TRY(performWithRetries(r));
    if (resp.status != 401) return resp;
    if (round > 0 || req.body_reader) {
      std::lock_guard lock(mu_);
      return deniedError(resp.body, challenge_ && challenge_->scheme == "basic");
    }
    TRY(onUnauthorized(resp.headerAll("www-authenticate"), resp.body, scopes, !auth.empty()));
  }
}

// ---- RegistryClient ----

RegistryClient::RegistryClient(std::string registry, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(registry), std::move(options))) {}
RegistryClient::~RegistryClient() = default;
RegistryClient::RegistryClient(RegistryClient&&) noexcept = default;
RegistryClient& RegistryClient::operator=(RegistryClient&&) noexcept = default;

const std::string& RegistryClient::registry() const { return impl_->registry; }

Status RegistryClient::ping() {
  auto ctx = fmt::format("pinging container registry {}", impl_->registry);
  HttpRequest req;
  req.url = "/v2/";
  HttpResponse resp = TRY_CTX(impl_->send(req, {}), "{}", ctx);
  if (resp.status == 200) return okStatus();
  return std::move(registryError(resp.status, resp.body)).context(ctx);
}

Result<RegistryClient::Manifest> RegistryClient::getManifest(const std::string& repo,
                                                             const std::string& ref) {
  std::string name =
      fmt::format("{}/{}{}{}", impl_->registry, repo, isDigestRef(ref) ? "@" : ":", ref);
  HttpRequest req;
  req.url = fmt::format("/v2/{}/manifests/{}", repo, ref);
  req.headers.push_back(acceptManifests());
  // containers/image's wording: "reading manifest REF in REGISTRY/REPO: CAUSE".
  std::string reading = fmt::format("reading manifest {} in {}/{}", ref, impl_->registry, repo);
  HttpResponse resp = TRY_CTX(impl_->send(req, {repositoryScope(repo, false)}), "{}", reading);
  if (resp.status != 200) return std::move(registryError(resp.status, resp.body)).context(reading);

  std::string type = resp.header("content-type").value_or("");
  type = type.substr(0, type.find(';'));
  Json doc = Json::parse(resp.body, nullptr, false);
  if (type == kSchema1Signed || type == kSchema1 ||
      (doc.is_object() && json::optInt(doc, "schemaVersion", "").valueOr(0) == 1))
    return makeError(
        Code::kUnimplemented, "{}: unsupported manifest type {}", name,
        type.empty() || (type != kSchema1 && type != kSchema1Signed) ? kSchema1Signed : type);
  if (!image::isManifestMediaType(type) && !image::isIndexMediaType(type)) {
    if (doc.is_object() && doc.contains("mediaType") && doc["mediaType"].is_string())
      type = doc["mediaType"].get<std::string>();
    else if (doc.is_object() && doc.contains("manifests"))
      type = image::media::kOciIndex;
    else
      type = image::media::kOciManifest;
  }
  Manifest m{std::move(resp.body), std::move(type), ""};
  m.digest = sha256Digest(m.bytes);
  if (isDigestRef(ref) && m.digest != ref)
    return makeError(Code::kDataLoss, "{}: digest mismatch for {}: got {}", name, ref, m.digest);
  return m;
}

Result<std::optional<std::string>> RegistryClient::headManifest(const std::string& repo,
                                                                const std::string& ref) {
  std::string name =
      fmt::format("{}/{}{}{}", impl_->registry, repo, isDigestRef(ref) ? "@" : ":", ref);
  HttpRequest req;
  req.method = "HEAD";
  req.url = fmt::format("/v2/{}/manifests/{}", repo, ref);
  req.headers.push_back(acceptManifests());
  HttpResponse resp =
      TRY_CTX(impl_->send(req, {repositoryScope(repo, false)}), "checking manifest {}", name);
  if (resp.status == 404) return std::optional<std::string>();
  if (resp.status != 200) return std::move(registryError(resp.status, resp.body)).context(name);
  if (auto d = resp.header("docker-content-digest"); d && validateDigest(*d).ok())
    return std::optional<std::string>(*d);
  Manifest m = TRY(getManifest(repo, ref));
  return std::optional<std::string>(m.digest);
}

Result<store::Reader> RegistryClient::openBlob(const std::string& repo, const std::string& digest,
                                               int64_t expected_size,
                                               std::function<void(uint64_t)> progress) {
  std::shared_ptr<BlobStream> stream =
      TRY(BlobStream::open(impl_, repo, digest, expected_size, std::move(progress)));
  return store::Reader([stream](char* buf, size_t n) { return stream->read(buf, n); });
}

Result<bool> RegistryClient::blobExists(const std::string& repo, const std::string& digest) {
  TRY(validateDigest(digest));
  HttpRequest req;
  req.method = "HEAD";
  req.url = fmt::format("/v2/{}/blobs/{}", repo, digest);
  HttpResponse resp = TRY_CTX(impl_->send(req, {repositoryScope(repo, false)}),
                              "checking blob {} in {}/{}", digest, impl_->registry, repo);
  if (resp.status == 200 || resp.status == 307 || resp.status == 302) return true;
  if (resp.status == 404) return false;
  return std::move(registryError(resp.status, resp.body))
      .context(fmt::format("checking blob {} in {}/{}", digest, impl_->registry, repo));
}

Result<bool> RegistryClient::mountBlob(const std::string& repo, const std::string& digest,
                                       const std::string& from_repo) {
  TRY(validateDigest(digest));
  std::string ctx =
      fmt::format("mounting blob {} from {} into {}/{}", digest, from_repo, impl_->registry, repo);
  HttpRequest req;
  req.method = "POST";
  req.url = fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", repo, urlEscape(digest),
                        urlEscape(from_repo));
  std::vector<std::string> scopes = {repositoryScope(repo, true),
                                     repositoryScope(from_repo, false)};
  HttpResponse resp = TRY_CTX(impl_->send(req, scopes), "{}", ctx);
  if (resp.status == 201) return true;
  if (resp.status != 202) return std::move(registryError(resp.status, resp.body)).context(ctx);
  // The registry opened an upload session instead: cancel it (best effort).
  if (auto loc = resp.header("location")) {
    HttpRequest cancel;
    cancel.method = "DELETE";
    cancel.url = resolveUrl(TRY(impl_->baseUrl()) + req.url, *loc);
    (void)impl_->send(cancel, {repositoryScope(repo, true)});
  }
  return false;
}

Result<std::string> RegistryClient::startUpload(const std::string& repo, const std::vector<std::string>& scopes,
                                                const std::string& ctx) {
  HttpRequest start;
  start.method = "POST";
  start.url = fmt::format("/v2/{}/blobs/uploads/", repo);
  HttpResponse resp = TRY_CTX(impl_->send(start, scopes), "{}", ctx);
  if (resp.status != 202) return std::move(registryError(resp.status, resp.body)).context(ctx);
  std::optional<std::string> loc = resp.header("location");
  if (!loc) return makeError(Code::kUnknown, "{}: upload session without a Location", ctx);
  return resolveUrl(TRY(impl_->baseUrl()) + start.url, *loc);
}

Status RegistryClient::uploadBlob(const std::string& repo, const std::string& digest, uint64_t size,
                                  const store::Reader& data,
                                  std::function<void(uint64_t)> progress) {
  TRY(validateDigest(digest));
  std::string ctx = fmt::format("uploading blob {} to {}/{}", digest, impl_->registry, repo);
  std::vector<std::string> scopes = {repositoryScope(repo, true)};
  std::string session = TRY(startUpload(repo, scopes, ctx));

  HttpRequest put;
  put.method = "PUT";
  put.url = session;
  put.url += (put.url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") +
             urlEscape(digest);
  put.headers.push_back("Content-Type: application/octet-stream");
  put.body_reader = &data;
  put.body_size = size;
  put.upload_progress = std::move(progress);
  HttpResponse resp = TRY_CTX(impl_->send(put, scopes), "{}", ctx);
  if (resp.status != 201 && resp.status != 204)
    return std::move(registryError(resp.status, resp.body)).context(ctx);
  return okStatus();
}

Result<std::pair<std::string, uint64_t>> RegistryClient::uploadBlobStream(const std::string& repo,
                                                                          const store::Reader& data,
                                                                          std::function<void(uint64_t)> progress) {
  std::string ctx = fmt::format("uploading a blob to {}/{}", impl_->registry, repo);
  std::vector<std::string> scopes = {repositoryScope(repo, true)};
  std::string session = TRY(startUpload(repo, scopes, ctx));

  Sha256 hash;
  uint64_t size = 0;
  store::Reader hashing = [&](char* buf, size_t n) -> Result<size_t> {
    size_t got = TRY(data(buf, n));
    hash.update(buf, got);
    size += got;
    return got;
  };
  HttpRequest patch;
  patch.method = "PATCH";
  patch.url = session;
  patch.headers.push_back("Content-Type: application/octet-stream");
  patch.body_reader = &hashing;
  patch.body_size_unknown = true;
  patch.upload_progress = std::move(progress);
  HttpResponse resp = TRY_CTX(impl_->send(patch, scopes), "{}", ctx);
  if (resp.status != 202) return std::move(registryError(resp.status, resp.body)).context(ctx);
  if (auto next = resp.header("location")) session = resolveUrl(session, *next);
  std::string digest = "sha256:" + hash.hexDigest();

  HttpRequest put;
  put.method = "PUT";
  put.url = session;
  put.url += (put.url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + urlEscape(digest);
  put.headers.push_back("Content-Type: application/octet-stream");
  resp = TRY_CTX(impl_->send(put, scopes), "{}", ctx);
  if (resp.status != 201 && resp.status != 204) return std::move(registryError(resp.status, resp.body)).context(ctx);
  return std::make_pair(digest, size);
}

Status RegistryClient::putManifest(const std::string& repo, const std::string& ref,
                                   const std::string& bytes, const std::string& media_type) {
  std::string ctx = fmt::format("writing manifest to {}/{}{}{}", impl_->registry, repo,
                                isDigestRef(ref) ? "@" : ":", ref);
  HttpRequest req;
  req.method = "PUT";
  req.url = fmt::format("/v2/{}/manifests/{}", repo, ref);
  req.headers.push_back("Content-Type: " + media_type);
  req.body = bytes;
  HttpResponse resp = TRY_CTX(impl_->send(req, {repositoryScope(repo, true)}), "{}", ctx);
  if (resp.status != 201 && resp.status != 200 && resp.status != 202)
    return std::move(registryError(resp.status, resp.body)).context(ctx);
  return okStatus();
}

Result<std::vector<std::string>> RegistryClient::listTags(const std::string& repo) {
  std::string ctx = fmt::format("listing tags of {}/{}", impl_->registry, repo);
  std::vector<std::string> tags;
  std::string url = TRY(impl_->baseUrl()) + fmt::format("/v2/{}/tags/list", repo);
  for (int page = 0; page < 10000; ++page) {
    HttpRequest req;
    req.url = url;
    HttpResponse resp = TRY_CTX(impl_->send(req, {repositoryScope(repo, false)}), "{}", ctx);
    if (resp.status != 200) return std::move(registryError(resp.status, resp.body)).context(ctx);
    Json doc = Json::parse(resp.body, nullptr, false);
    if (!doc.is_object()) return makeError(Code::kInvalidArgument, "{}: malformed response", ctx);
    if (doc.contains("tags") && doc["tags"].is_array())
      for (const Json& t : doc["tags"])
        if (t.is_string()) tags.push_back(t.get<std::string>());
    std::optional<std::string> next = nextLink(resp, url);
    if (!next) break;
    url = *next;
  }
  return tags;
}

Result<std::vector<std::string>> RegistryClient::catalog(int limit) {
  std::string ctx = fmt::format("listing repositories of {}", impl_->registry);
  std::vector<std::string> repos;
  if (limit <= 0) return repos;
  std::string url = TRY(impl_->baseUrl()) + fmt::format("/v2/_catalog?n={}", limit);
  while (static_cast<int>(repos.size()) < limit) {
    HttpRequest req;
    req.url = url;
    HttpResponse resp = TRY_CTX(impl_->send(req, {std::string(kCatalogScope)}), "{}", ctx);
    if (resp.status != 200) return std::move(registryError(resp.status, resp.body)).context(ctx);
    Json doc = Json::parse(resp.body, nullptr, false);
    if (!doc.is_object()) return makeError(Code::kInvalidArgument, "{}: malformed response", ctx);
    if (doc.contains("repositories") && doc["repositories"].is_array())
      for (const Json& r : doc["repositories"])
        if (r.is_string()) repos.push_back(r.get<std::string>());
    std::optional<std::string> next = nextLink(resp, url);
    if (!next) break;
    url = *next;
  }
  if (static_cast<int>(repos.size()) > limit) repos.resize(limit);
  return repos;
}

}  // namespace berth::registry
