// RegistryClient's shared state: endpoint, TLS, authentication cache and request loop.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "registry/auth.h"
#include "registry/http.h"
#include "registry/registry_client.h"

namespace berth::registry {

struct RegistryClient::Impl {
  Impl(std::string registry, ClientOptions options);

  std::string registry;  // as given; used in messages
  std::string host;      // endpoint host[:port]
  ClientOptions opts;

  // "scheme://host" once decided (https, or http for an insecure registry
  // that does not speak TLS).
  Result<std::string> baseUrl();

  // The Authorization header value for `scopes`, fetching a token when the
  // registry asked for Bearer auth; empty when no auth is known to be needed.
  Result<std::string> authorization(const std::vector<std::string>& scopes);
  // Handles a 401: records the challenge and drops stale tokens. OK means
  // "retry with authorization()"; otherwise the kPermissionDenied to report.
  Status onUnauthorized(const std::vector<std::string>& www_authenticate, std::string_view body,
                        const std::vector<std::string>& scopes, bool sent_auth);
  // The error for a 401 that persisted after authenticating.
  Error deniedError(std::string_view body, bool basic) const;

  // One request to the registry with authentication and retries of
  // transient failures (only when the body is replayable).
  Result<HttpResponse> send(HttpRequest req, const std::vector<std::string>& scopes);

  void backoff(int attempt) const;
  Status configure(CURL* easy) const { return http.configure(easy); }

 private:
  Result<std::string> fetchToken(const Challenge& c, const std::vector<std::string>& scopes);
  Result<HttpResponse> performWithRetries(const HttpRequest& req);

  std::recursive_mutex mu_;  // guards everything below and serialises `http` use
  HttpClient http;
  std::string base_url_;
  std::optional<Challenge> challenge_;
  std::map<std::string, std::string> tokens_;  // scopes joined by ' ' -> "Bearer ..."
};

}  // namespace berth::registry
