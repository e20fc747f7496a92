// The OCI distribution / Docker Registry v2 HTTP client: manifests, blobs, tags, catalog.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "registry/auth.h"
#include "store/content_store.h"

namespace berth::registry {

struct ClientOptions {
  bool tls_verify = true;  // verify TLS certificates
  // The registry is marked insecure: TLS is not verified, and when https
  // fails the client falls back to plain http (podman's behaviour).
  bool insecure_http = false;
  std::string cert_dir;  // *.crt (CA), *.cert + *.key (client cert), as containers-certs.d
  std::optional<Credentials> creds;
  std::string user_agent = "berth/0.1";
  // Retries of transient failures (connection refused/reset, 5xx, 429) with
  // exponential backoff starting at retry_delay_ms.
  int retries = 3;
  int retry_delay_ms = 250;
};

// One registry's client. Methods may be called from several threads: small
// requests are serialised on one connection, blob streams each use their own.
// Errors name the registry; codes: kNotFound (unknown manifest/blob/repo),
// kPermissionDenied (authentication), kUnavailable (network, TLS, 5xx after
// retries), kDataLoss (digest or size mismatch), kInvalidArgument (rejected
// input), kUnimplemented (schema1 manifests).
class RegistryClient {
 public:
  // `registry` is host[:port]; "docker.io" is served by registry-1.docker.io.
  RegistryClient(std::string registry, ClientOptions options);
  ~RegistryClient();
  RegistryClient(RegistryClient&&) noexcept;
  RegistryClient& operator=(RegistryClient&&) noexcept;

  const std::string& registry() const;

  // GET /v2/ with authentication: checks the registry answers and the
  // credentials are accepted (login). Wrong credentials: kPermissionDenied
  // "unable to retrieve auth token: invalid username/password: ...".
  Status ping();

  struct Manifest {
    std::string bytes, media_type, digest;
  };
  // Fetches an OCI/Docker schema2 manifest or index. By digest the bytes are
  // verified (kDataLoss naming both digests). Schema1: kUnimplemented.
  Result<Manifest> getManifest(const std::string& repo, const std::string& tag_or_digest);
  // The manifest's digest, or nullopt when the registry does not have it.
  Result<std::optional<std::string>> headManifest(const std::string& repo,
                                                  const std::string& tag_or_digest);

  // Streams a blob. The Reader pulls bytes as they arrive (no temp files),
  // follows redirects (dropping credentials for other hosts), resumes with
  // Range after a dropped connection up to `retries` times in a row, and at
  // the end checks size and digest: kDataLoss ("digest mismatch for <digest>:
  // got <digest>") instead of EOF. `expected_size` < 0 means unknown.
  // Errors known before the first byte (404, 401) are returned here. The
  // Reader keeps the client's state alive; it is not thread-safe itself.
  Result<store::Reader> openBlob(const std::string& repo, const std::string& digest,
                                 int64_t expected_size,
                                 std::function<void(uint64_t done)> progress = {});
  Result<bool> blobExists(const std::string& repo, const std::string& digest);
  // Cross-repository mount: true if mounted (201); false if the registry
  // opened an upload instead (202), which is cancelled: the caller uploads.
  Result<bool> mountBlob(const std::string& repo, const std::string& digest,
                         const std::string& from_repo);
  // Uploads `size` bytes from `data` as `digest` (POST, then one PUT).
  Status uploadBlob(const std::string& repo, const std::string& digest, uint64_t size,
                    const store::Reader& data, std::function<void(uint64_t done)> progress = {});
  // Uploads what `data` yields until its EOF, its length and digest not known beforehand (POST,
  // one chunked PATCH, then the closing PUT with the digest of what was sent). Returns that
  // digest and size. A push compressing a layer streams it so, without storing it first.
  Result<std::pair<std::string, uint64_t>> uploadBlobStream(const std::string& repo, const store::Reader& data,
                                                            std::function<void(uint64_t done)> progress = {});
  Status putManifest(const std::string& repo, const std::string& tag_or_digest,
                     const std::string& bytes, const std::string& media_type);
  // All tags, following Link pagination.
  Result<std::vector<std::string>> listTags(const std::string& repo);
  // Up to `limit` repository names from /v2/_catalog.
  Result<std::vector<std::string>> catalog(int limit);

  struct Impl;

 private:
  // Opens an upload session (POST); returns the absolute URL of its Location.
  Result<std::string> startUpload(const std::string& repo, const std::vector<std::string>& scopes,
                                  const std::string& ctx);

  std::shared_ptr<Impl> impl_;
};

// The host serving a registry name: "docker.io" and "index.docker.io" ->
// "registry-1.docker.io"; others unchanged.
std::string registryEndpoint(std::string_view registry);

}  // namespace berth::registry
