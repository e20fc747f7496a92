// .dockerignore / .containerignore matching with moby's patternmatcher semantics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::build {

class IgnoreMatcher {
 public:
  // Parses an ignore file (moby ignorefile.ReadAll + patternmatcher.New): one
  // pattern a line; a line starting with '#' is a comment; blank lines are
  // skipped; surrounding whitespace is trimmed; a leading '!' makes an exclusion
  // (re-include); each pattern is cleaned like Go's filepath.Clean and a leading
  // '/' dropped. Errors (kInvalidArgument, naming the pattern): "!" alone, a
  // malformed [class], a trailing '\'.
  static Result<IgnoreMatcher> parse(std::string_view contents);
  // The same over patterns already split into lines (e.g. from --ignorefile
  // handling done elsewhere); each is processed like a line of parse().
  static Result<IgnoreMatcher> fromPatterns(const std::vector<std::string>& patterns);

  bool empty() const { return patterns_.empty(); }
  // True when some pattern is an exclusion ("!...").
  bool hasExclusions() const { return has_exclusions_; }

  // rel: a clean '/'-separated path relative to the context root (no "./", no
  // leading '/'). moby's MatchesOrParentMatches: the patterns in order, each
  // matching rel or one of its parent directories; a matching pattern sets
  // excluded to true, a matching exclusion to false.
  bool excluded(std::string_view rel) const;

  // For a walk that found directory rel_dir excluded: true when it must still
  // descend because an exclusion pattern, with '/' appended, starts with
  // rel_dir + "/" (moby's archive walk rule).
  bool mustDescend(std::string_view rel_dir) const;

 private:
  // A pattern compiled like moby's Pattern.compile: exact, prefix ("foo**") and
  // suffix ("**foo") fast paths keep moby's quirks; the rest is a token list
  // equivalent to its regexp.
  struct Token {
    enum Kind : uint8_t {
      kLiteral,          // c
      kStar,             // '*': [^/]*
      kQuestion,         // '?': [^/]
      kClass,            // [...]: one char (of any kind, '/' included, as in the regexp)
      kDoubleStarSlash,  // "**" or "**/" before more pattern: (.*/)?
      kDoubleStarEnd,    // "**" ending a pattern that has wildcards before it: .*
    } kind = kLiteral;
    char c = 0;
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;
  };
  enum class MatchType : uint8_t { kExact, kPrefix, kSuffix, kTokens };
  struct Pattern {
    std::string text;  // cleaned, without the '!'
    bool exclusion = false;
    MatchType type = MatchType::kExact;
    std::vector<Token> tokens;
    bool matches(std::string_view path) const;
  };

  static Result<Pattern> compile(std::string_view text, bool exclusion);

  std::vector<Pattern> patterns_;
  bool has_exclusions_ = false;
};

// Go's path.Clean for '/'-separated paths: "" -> ".", "a//b/./c/.." -> "a/b", "/.." -> "/".
std::string cleanPath(std::string_view path);

}  // namespace berth::build
