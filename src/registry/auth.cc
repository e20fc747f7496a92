// Registry authentication helpers.
#include "registry/auth.h"

#include <cctype>

#include "base/json.h"
#include "registry/http.h"

namespace berth::registry {

std::string Challenge::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void skipSpace(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string token(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '=' && s[i] != ',') ++i;
  return std::string(s.substr(start, i - start));
}

}  // namespace

std::vector<Challenge> parseChallenges(std::string_view s) {
  std::vector<Challenge> out;
  size_t i = 0;
  while (i < s.size()) {
    skipSpace(s, i);
    while (i < s.size() && s[i] == ',') ++i, skipSpace(s, i);
    if (i >= s.size()) break;
    Challenge c;
    c.scheme = lower(token(s, i));
    if (c.scheme.empty()) break;
    // auth-params: name=value or name="quoted", comma separated. A bare
    // token without '=' starts the next challenge.
    while (i < s.size()) {
      skipSpace(s, i);
      size_t save = i;
      std::string name = lower(token(s, i));
      skipSpace(s, i);
      if (name.empty() || i >= s.size() || s[i] != '=') {
        i = save;
        break;
      }
      ++i;
      skipSpace(s, i);
      std::string value;
      if (i < s.size() && s[i] == '"') {
        ++i;
        while (i < s.size() && s[i] != '"') {
          if (s[i] == '\\' && i + 1 < s.size()) ++i;
          value += s[i++];
        }
        if (i < s.size()) ++i;
      } else {
        while (i < s.size() && s[i] != ',' && s[i] != ' ') value += s[i++];
      }
      c.params[name] = value;
      skipSpace(s, i);
      if (i < s.size() && s[i] == ',') ++i;
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<Challenge> chooseChallenge(const std::vector<std::string>& headers) {
  std::optional<Challenge> basic;
  for (const std::string& h : headers) {
    for (Challenge& c : parseChallenges(h)) {
      if (c.scheme == "bearer") return c;
      if (c.scheme == "basic" && !basic) basic = c;
    }
  }
  return basic;
}

std::string repositoryScope(std::string_view repo, bool push) {
  return fmt::format("repository:{}:{}", repo, push ? "pull,push" : "pull");
}

std::string basicAuthorization(const Credentials& creds) {
  return "Basic " + base64Encode(creds.username + ":" + creds.password);
}

Result<std::string> parseTokenResponse(std::string_view body) {
  Json doc = Json::parse(body, nullptr, false);
  if (doc.is_object()) {
    for (const char* key : {"token", "access_token"}) {
      if (doc.contains(key) && doc[key].is_string() && !doc[key].get<std::string>().empty())
        return doc[key].get<std::string>();
    }
  }
  return makeError(Code::kPermissionDenied,
                   "unable to retrieve auth token: malformed token response");
}

}  // namespace berth::registry
