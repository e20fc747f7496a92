// Image references: parsing and normalisation as docker/distribution reference and podman do.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace berth::image {

inline constexpr std::string_view kDefaultDomain = "docker.io";
inline constexpr std::string_view kOfficialRepoPrefix = "library/";
inline constexpr std::string_view kDefaultTag = "latest";
inline constexpr std::string_view kLocalDomain = "localhost";
// distribution/reference NameTotalLengthMax: applies to domain/path.
inline constexpr size_t kNameTotalLengthMax = 255;

// A parsed reference: [domain/]path[:tag][@digest]. `domain` is empty only
// for short names returned by parseNamed().
struct Reference {
  std::string domain;
  std::string path;
  std::string tag;     // without ':'; may be empty
  std::string digest;  // "algo:hex"; may be empty

  // domain/path (just path when domain is empty).
  std::string name() const;
  // name[:tag][@digest].
  std::string string() const;
  // The short form docker prints: docker.io/library/x -> x, docker.io/a/b -> a/b.
  std::string familiar() const;

  bool operator==(const Reference&) const = default;
};

// Parses and normalises like distribution's ParseNormalizedNamed: "busybox"
// becomes docker.io/library/busybox (no tag is added), "index.docker.io/x"
// becomes docker.io/library/x. Errors are kInvalidArgument, phrased as
// podman's ("parsing reference \"X\": invalid reference format: repository
// name must be lowercase"). A 64-hex string is refused: it is an image ID.
Result<Reference> parseNormalizedNamed(std::string_view s);

// Parses without normalising: a short name (see isShortName) keeps an empty
// domain and its path as written ("foo/bar" -> path "foo/bar"); a name with
// a domain is normalised as by parseNormalizedNamed. For short-name
// resolution against registries.
Result<Reference> parseNamed(std::string_view s);

// Adds the "latest" tag when the reference has neither tag nor digest.
Reference withDefaultTag(Reference ref);

// Normalises a name for local storage as libimage's NormalizeName does:
// a short name gets the "localhost/" domain, docker.io names are expanded,
// "latest" is added when there is no tag or digest, and the tag of a
// tagged+digested reference is dropped. Used for names found in archives.
Result<Reference> normalizeLocalName(std::string_view s);

// True when `s` has no domain component: there is no '/' or the part before
// the first '/' contains neither '.' nor ':' and is not "localhost".
bool isShortName(std::string_view s);

// True for a possible image ID or ID prefix: 1..64 lowercase hex digits,
// optionally prefixed by "sha256:". Callers match prefixes against IDs.
bool looksLikeId(std::string_view s);
// True for a full image ID: exactly 64 lowercase hex digits (optional "sha256:").
bool isFullId(std::string_view s);

}  // namespace berth::image
