// A small synchronous HTTP client over libcurl, configured for one registry's TLS settings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/base64.h"  // base64Encode, used for Basic auth
#include "base/result.h"
#include "store/content_store.h"

typedef void CURL;

namespace berth::registry {

struct TlsOptions {
  bool verify = true;
  std::string cert_dir;  // *.crt CAs, *.cert + *.key client certificate (containers-certs.d)
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when body_reader is null and body is non-empty
  const store::Reader* body_reader = nullptr;  // streamed request body of body_size bytes
  uint64_t body_size = 0;
  bool body_size_unknown = false;  // body_reader's length is not known: chunked transfer encoding
  std::function<void(uint64_t)> upload_progress;
};

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // The first value of a header (name lowercase), if present.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> headerAll(std::string_view name) const;
};

// A failure below HTTP: the request never produced a response.
struct TransportFailure {
  int curl_code = 0;
  bool tls_verify_failed = false;
  bool tls_handshake_failed = false;
  bool connect_failed = false;
  bool transient = false;  // worth retrying: connect, reset, EOF, timeout
  std::string text;  // Go-like: `Get "https://h/v2/": dial tcp h: connect: connection refused`
};

// Parses one HTTP header line ("Name: value\r\n") into out (name lowercased).
// Returns false for status lines and the blank line. A status line clears out.
bool parseHeaderLine(std::string_view line, std::vector<std::pair<std::string, std::string>>& out);

// Resolves `ref` (absolute URL, absolute path or relative) against `base`.
std::string resolveUrl(const std::string& base, const std::string& ref);
// "scheme://host[:port]" part of a URL.
std::string urlOrigin(std::string_view url);
// Percent-encodes a query component.
std::string urlEscape(std::string_view s);

// Turns a curl error into a TransportFailure with Go-like text.
TransportFailure describeCurlError(CURL* easy, int curl_code, std::string_view method,
                                   std::string_view url, std::string_view errbuf);

class HttpClient {
 public:
  HttpClient(TlsOptions tls, std::string user_agent);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request (no redirects followed, no retries). An HTTP error
  // status is a response, not an error; a transport failure fills `failure`
  // and returns kUnavailable with failure->text.
  Result<HttpResponse> perform(const HttpRequest& req, TransportFailure* failure = nullptr);

  // GETs `url` (following up to 10 redirects) and writes the body to `fd`. A status other
  // than 2xx is an error naming the URL and the status.
  Status download(const std::string& url, int fd);

  // Applies TLS, user-agent and timeout settings to an easy handle (also used
  // for streaming blob transfers). `verify` overrides the TLS verify option.
  Status configure(CURL* easy, std::optional<bool> verify = std::nullopt) const;

  const TlsOptions& tls() const { return tls_; }

 private:
  TlsOptions tls_;
  std::string user_agent_;
  std::string ca_blob_;  // system bundle + cert_dir/*.crt, when cert_dir has CAs
  std::string client_cert_, client_key_;
  CURL* easy_ = nullptr;
};

// Initialises libcurl once per process.
void ensureCurlGlobalInit();

}  // namespace berth::registry
