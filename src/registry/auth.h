// Registry authentication: credentials, WWW-Authenticate challenges, token responses, scopes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::registry {

struct Credentials {
  std::string username, password;
  std::string identity_token;  // an OAuth2 refresh token (docker's "identitytoken")
};

// One challenge of a WWW-Authenticate header: scheme lowercased ("basic",
// "bearer"), parameter names lowercased, quoted values unquoted.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
  std::string param(const std::string& name) const;
};

// Parses a WWW-Authenticate value, which may hold several challenges
// ("Bearer realm=\"https://a/token\",service=\"a\",scope=\"x:y:pull\"").
std::vector<Challenge> parseChallenges(std::string_view header);

// Picks the challenge berth answers: Bearer over Basic; nullopt if neither.
std::optional<Challenge> chooseChallenge(const std::vector<std::string>& www_authenticate);

// "repository:<repo>:pull" or "repository:<repo>:pull,push".
std::string repositoryScope(std::string_view repo, bool push);
inline constexpr std::string_view kCatalogScope = "registry:catalog:*";

// "Basic base64(user:pass)".
std::string basicAuthorization(const Credentials& creds);

// The token of a token-server response ({"token":..} or {"access_token":..}).
// kPermissionDenied when neither is present.
Result<std::string> parseTokenResponse(std::string_view body);

}  // namespace berth::registry
