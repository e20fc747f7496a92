// Image reference grammar (distribution/reference) and podman's normalisation rules.
#include "image/reference.h"

#include <fmt/format.h>

#include <algorithm>

namespace berth::image {
namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isWord(char c) { return isAlnum(c) || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLowerHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); }
bool isHex(char c) { return isLowerHex(c) || (c >= 'A' && c <= 'F'); }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }

bool hasUpper(std::string_view s) { return std::any_of(s.begin(), s.end(), isUpper); }

// The error every parse failure returns: podman's wording plus what is wrong.
Error formatError(std::string_view input, std::string_view what) {
  return makeError(Code::kInvalidArgument, "parsing reference {:?}: invalid reference format: {}",
                   std::string(input), what);
}

// path-component := alnum+ (separator alnum+)*, separator := [_.] | "__" | "-"+.
// Returns an empty string when valid, else what is wrong.
std::string checkPathComponent(std::string_view c) {
  if (c.empty()) return "empty path component";
  if (!isLowerAlnum(c.front()) || !isLowerAlnum(c.back())) {
    char bad = isLowerAlnum(c.front()) ? c.back() : c.front();
    if (isUpper(bad)) return "repository name must be lowercase";
    return fmt::format("path component {:?} must start and end with [a-z0-9]", std::string(c));
  }
  size_t i = 0;
  while (i < c.size()) {
    if (isLowerAlnum(c[i])) {
      ++i;
      continue;
    }
    if (isUpper(c[i])) return "repository name must be lowercase";
    size_t j = i;
    while (j < c.size() && (c[j] == '.' || c[j] == '_' || c[j] == '-')) ++j;
    if (j == i) return fmt::format("invalid character {:?} in repository name", c[i]);
    std::string_view sep = c.substr(i, j - i);
    bool dashes = std::all_of(sep.begin(), sep.end(), [](char x) { return x == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes))
      return fmt::format("invalid separator {:?} in repository name", std::string(sep));
    i = j;
  }
  return {};
}

std::string checkPath(std::string_view path) {
  if (path.empty()) return "repository name must have at least one component";
  size_t start = 0;
  for (;;) {
    size_t slash = path.find('/', start);
    std::string_view comp =
        path.substr(start, slash == std::string_view::npos ? slash : slash - start);
    std::string err = checkPathComponent(comp);
    if (!err.empty()) return err;
    if (slash == std::string_view::npos) return {};
    start = slash + 1;
  }
}

// domain := host [":" port], host := domain-name | "[" IPv6 "]",
// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9].
std::string checkDomain(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos) return fmt::format("invalid domain {:?}", std::string(d));
    std::string_view v6 = d.substr(1, close - 1);
    if (v6.empty() ||
        !std::all_of(v6.begin(), v6.end(), [](char c) { return isHex(c) || c == ':'; }))
      return fmt::format("invalid IPv6 address in domain {:?}", std::string(d));
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fmt::format("invalid domain {:?}", std::string(d));
      port = rest.substr(1);
      if (port.empty()) return fmt::format("empty port in domain {:?}", std::string(d));
    }
    host = {};
  } else if (size_t colon = d.find(':'); colon != std::string_view::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty()) return fmt::format("empty port in domain {:?}", std::string(d));
  }
  if (!std::all_of(port.begin(), port.end(), isDigit))
    return fmt::format("invalid port in domain {:?}", std::string(d));
  if (d.front() == '[') return {};
  if (host.empty()) return fmt::format("invalid domain {:?}", std::string(d));
  size_t start = 0;
  for (;;) {
    size_t dot = host.find('.', start);
    std::string_view c = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (c.empty() || !isAlnum(c.front()) || !isAlnum(c.back()) ||
        !std::all_of(c.begin(), c.end(), [](char x) { return isAlnum(x) || x == '-'; }))
      return fmt::format("invalid domain {:?}", std::string(d));
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

// tag := [\w][\w.-]{0,127}
std::string checkTag(std::string_view t) {
  if (t.empty()) return "empty tag";
  if (t.size() > 128) return fmt::format("tag is longer than 128 characters ({})", t.size());
  if (!isWord(t.front()))
    return fmt::format("tag {:?} must start with [A-Za-z0-9_]", std::string(t));
  for (char c : t)
    if (!isWord(c) && c != '.' && c != '-')
      return fmt::format("invalid character {:?} in tag {:?}", c, std::string(t));
  return {};
}

// digest := algorithm ":" hex, with the algorithms and lengths go-digest accepts.
std::string checkDigest(std::string_view d) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == d.size())
    return fmt::format("invalid checksum digest format {:?}", std::string(d));
  std::string_view algo = d.substr(0, colon), hex = d.substr(colon + 1);
  size_t want = algo == "sha256" ? 64 : algo == "sha384" ? 96 : algo == "sha512" ? 128 : 0;
  if (want == 0) return fmt::format("unsupported digest algorithm {:?}", std::string(algo));
  if (!std::all_of(hex.begin(), hex.end(), isLowerHex))
    return fmt::format("invalid checksum digest format {:?}", std::string(d));
  if (hex.size() != want) return fmt::format("invalid checksum digest length {:?}", std::string(d));
  return {};
}

bool isHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), isLowerHex);
}

// Parses `remainder` (path[:tag][@digest]) below an already split `domain`.
Result<Reference> parseRemainder(std::string_view input, std::string_view domain,
                                 std::string_view remainder) {
  Reference ref;
  ref.domain = std::string(domain);
  std::string_view rest = remainder;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    std::string err = checkDigest(digest);
    if (!err.empty()) return formatError(input, err);
    ref.digest = std::string(digest);
    rest = rest.substr(0, at);
  }
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    std::string err = checkTag(tag);
    if (!err.empty()) return formatError(input, err);
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (!domain.empty()) {
    std::string err = checkDomain(domain);
    if (!err.empty()) return formatError(input, err);
  }
  std::string err = checkPath(rest);
  if (!err.empty()) return formatError(input, err);
  ref.path = std::string(rest);
  if (ref.name().size() > kNameTotalLengthMax)
    return formatError(input, fmt::format("repository name must not be more than {} characters",
                                          kNameTotalLengthMax));
  return ref;
}

Error idError(std::string_view s) {
  return makeError(Code::kInvalidArgument,
                   "invalid repository name ({}), cannot specify 64-byte hexadecimal strings",
                   std::string(s));
}

}  // namespace

std::string Reference::name() const { return domain.empty() ? path : domain + "/" + path; }

std::string Reference::string() const {
  std::string s = name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

std::string Reference::familiar() const {
  std::string s;
  if (domain == kDefaultDomain) {
    std::string_view p = path;
    if (p.substr(0, kOfficialRepoPrefix.size()) == kOfficialRepoPrefix &&
        p.find('/', kOfficialRepoPrefix.size()) == std::string_view::npos)
      p.remove_prefix(kOfficialRepoPrefix.size());
    s = std::string(p);
  } else {
    s = name();
  }
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

Result<Reference> parseNormalizedNamed(std::string_view s) {
  if (isHex64(s)) return idError(s);
  if (s.empty()) return formatError(s, "repository name must have at least one component");
  // distribution's splitDockerDomain.
  std::string domain;
  std::string remainder;
  size_t slash = s.find('/');
  std::string_view first = s.substr(0, slash);
  if (slash == std::string_view::npos || (first.find_first_of(".:") == std::string_view::npos &&
                                          first != kLocalDomain && !hasUpper(first))) {
    domain = kDefaultDomain;
    remainder = std::string(s);
  } else {
    domain = std::string(first);
    remainder = std::string(s.substr(slash + 1));
  }
  if (domain == "index.docker.io") domain = kDefaultDomain;
  // The official-repository prefix goes before any tag or digest.
  if (domain == kDefaultDomain &&
      remainder.substr(0, remainder.find_first_of(":@")).find('/') == std::string::npos)
    remainder = std::string(kOfficialRepoPrefix) + remainder;
  std::string_view remote = std::string_view(remainder).substr(0, remainder.find(':'));
  if (hasUpper(remote)) return formatError(s, "repository name must be lowercase");
  return parseRemainder(s, domain, remainder);
}

Result<Reference> parseNamed(std::string_view s) {
  if (isHex64(s)) return idError(s);
  if (s.empty()) return formatError(s, "repository name must have at least one component");
  if (!isShortName(s)) return parseNormalizedNamed(s);
  return parseRemainder(s, "", s);
}

Reference withDefaultTag(Reference ref) {
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = std::string(kDefaultTag);
  return ref;
}

Result<Reference> normalizeLocalName(std::string_view s) {
  if (isHex64(s)) return idError(s);
  std::string name(s);
  if (isShortName(s)) {
    std::string_view trimmed = s;
    while (!trimmed.empty() && trimmed.front() == '/') trimmed.remove_prefix(1);
    name = fmt::format("{}/{}", kLocalDomain, trimmed);
  }
  Reference ref = TRY(parseNormalizedNamed(name));
  if (!ref.tag.empty() && !ref.digest.empty()) ref.tag.clear();
  return withDefaultTag(std::move(ref));
}

bool isShortName(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return true;
  std::string_view first = s.substr(0, slash);
  return first.find_first_of(".:") == std::string_view::npos && first != kLocalDomain;
}

bool looksLikeId(std::string_view s) {
  if (s.substr(0, 7) == "sha256:") s.remove_prefix(7);
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), isLowerHex);
}

bool isFullId(std::string_view s) {
  if (s.substr(0, 7) == "sha256:") s.remove_prefix(7);
  return isHex64(s);
}

}  // namespace berth::image
