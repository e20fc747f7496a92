// .dockerignore parsing and matching (moby ignorefile + patternmatcher semantics).
#include "build/ignore.h"

#include <algorithm>
#include <utility>

#include "base/utf8.h"

namespace berth::build {

namespace {

constexpr size_t kMaxLineBytes = 64 * 1024;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

Error badPattern(std::string_view pattern) {
  return makeError(Code::kInvalidArgument, "ignore pattern \"{}\": syntax error in pattern",
                   pattern);
}

// One rune of a class (Go's getEsc): not '-' or ']' unescaped, '\' escapes, and
// something must follow it. Advances i.
bool classRune(std::string_view p, size_t& i, char32_t& out) {
  if (i >= p.size() || p[i] == '-' || p[i] == ']') return false;
  if (p[i] == '\\' && ++i >= p.size()) return false;
  DecodedRune d = decodeRune(p, i);
  if (d.rune == kRuneError && d.size == 1) return false;
  out = d.rune;
  i += d.size;
  return i < p.size();
}

// Parses "[...]" starting after '['; returns false when malformed (Go's
// filepath.Match syntax) or a range is reversed (moby's regexp would reject it).
bool parseClass(std::string_view p, size_t& i, bool& negated,
                std::vector<std::pair<char32_t, char32_t>>& ranges) {
  negated = i < p.size() && p[i] == '^';
  if (negated) ++i;
  for (;;) {
    if (i < p.size() && p[i] == ']' && !ranges.empty()) {
      ++i;
      return true;
    }
    char32_t lo, hi;
    if (!classRune(p, i, lo)) return false;
    hi = lo;
    if (p[i] == '-') {
      ++i;
      if (!classRune(p, i, hi)) return false;
    }
    if (lo > hi) return false;
    ranges.emplace_back(lo, hi);
  }
}

// Go's filepath.Match validates the whole pattern: classes, and an escape must
// have something to escape.
bool validPattern(std::string_view p) {
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '\\') {
      if (i + 1 >= p.size()) return false;
      i += 1 + decodeRune(p, i + 1).size;
    } else if (p[i] == '[') {
      ++i;
      bool negated;
      std::vector<std::pair<char32_t, char32_t>> ranges;
      if (!parseClass(p, i, negated, ranges)) return false;
    } else {
      ++i;
    }
  }
  return true;
}

// ignorefile.ReadAll's treatment of one line: the pattern text ('!' kept), or
// "" for a comment or blank line.
std::string normalizeLine(std::string_view line) {
  if (!line.empty() && line[0] == '#') return "";
  line = trim(line);
  if (line.empty()) return "";
  bool invert = line[0] == '!';
  if (invert) line = trim(line.substr(1));
  std::string p;
  if (!line.empty()) {
    p = cleanPath(line);
    if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
  }
  return invert ? "!" + p : p;
}

}  // namespace

std::string cleanPath(std::string_view path) {
  if (path.empty()) return ".";
  bool rooted = path[0] == '/';
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (seg.empty() || seg == ".") continue;
    if (seg != "..") {
      parts.push_back(seg);
    } else if (!parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (!rooted) {
      parts.push_back(seg);
    }
  }
  std::string out = rooted ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out.empty() ? "." : out;
}

Result<IgnoreMatcher::Pattern> IgnoreMatcher::compile(std::string_view text, bool exclusion) {
  if (!validPattern(text)) return badPattern(text);
  auto token = [](Token::Kind kind, char c = 0) {
    Token t;
    t.kind = kind;
    t.c = c;
    return t;
  };
  Pattern p;
  p.text = std::string(text);
  p.exclusion = exclusion;
  MatchType type = MatchType::kExact;
  size_t pos = 0;
  for (int iter = 0; pos < text.size(); ++iter) {
    char c = text[pos++];
    if (c == '*' && pos < text.size() && text[pos] == '*') {
      ++pos;
      if (pos < text.size() && text[pos] == '/') ++pos;
      if (pos < text.size()) {
        // (.*/)?(.*/)? is (.*/)?: a run of "**" is one token.
        if (p.tokens.empty() || p.tokens.back().kind != Token::kDoubleStarSlash)
          p.tokens.push_back(token(Token::kDoubleStarSlash));
        type = MatchType::kTokens;
      } else if (type == MatchType::kExact) {
        type = MatchType::kPrefix;
      } else {
        p.tokens.push_back(token(Token::kDoubleStarEnd));
        type = MatchType::kTokens;
      }
      if (iter == 0) type = MatchType::kSuffix;
    } else if (c == '*' || c == '?') {
      p.tokens.push_back(token(c == '*' ? Token::kStar : Token::kQuestion));
      type = MatchType::kTokens;
    } else if (c == '\\') {  // validPattern: something follows
      size_t n = decodeRune(text, pos).size;
      for (size_t k = 0; k < n; ++k) p.tokens.push_back(token(Token::kLiteral, text[pos + k]));
      pos += n;
      type = MatchType::kTokens;
    } else if (c == '[') {
      Token t = token(Token::kClass);
      parseClass(text, pos, t.negated, t.ranges);  // validPattern: well-formed
      p.tokens.push_back(std::move(t));
      type = MatchType::kTokens;
    } else {
      p.tokens.push_back(token(Token::kLiteral, c));
      if (c == ']') type = MatchType::kTokens;
    }
  }
  p.type = type;
  return p;
}

namespace {

// Matches a token list against a whole path by simulating its automaton rune by
// rune: no recursion and O(tokens) memory, whatever the pattern (the file is
// hostile input). State i means "before token i"; a "**" token also has an
// inside state for "(.*/)?" having consumed some chars but not yet its '/'.
template <typename Token>
class TokenMatcher {
 public:
  explicit TokenMatcher(const std::vector<Token>& tokens) : t_(tokens) {}

  bool match(std::string_view s) {
    size_t n = t_.size();
    std::vector<uint8_t> at(n + 1, 0), inside(n + 1, 0), next_at(n + 1), next_inside(n + 1);
    at[0] = 1;
    close(at);
    for (size_t pos = 0; pos < s.size();) {
      DecodedRune r = decodeRune(s, pos);
      std::string_view bytes = s.substr(pos, r.size);
      std::fill(next_at.begin(), next_at.end(), 0);
      std::fill(next_inside.begin(), next_inside.end(), 0);
      bool any = false;
      for (size_t i = 0; i < n; ++i) {
        if (at[i]) any |= stepAt(i, r.rune, bytes, next_at, next_inside);
        if (inside[i]) {
          next_inside[i] = 1;
          if (r.rune == '/') next_at[i + 1] = 1;
          any = true;
        }
      }
      if (!any) return false;
      close(next_at);
      std::swap(at, next_at);
      std::swap(inside, next_inside);
      pos += r.size;
    }
    return at[n] != 0;
  }

 private:
  // Zero-width moves, always forward: past a '*', "**" or "**" at the end.
  void close(std::vector<uint8_t>& at) const {
    for (size_t i = 0; i < t_.size(); ++i) {
      auto k = t_[i].kind;
      if (at[i] &&
          (k == Token::kStar || k == Token::kDoubleStarSlash || k == Token::kDoubleStarEnd))
        at[i + 1] = 1;
    }
  }

  // Consumes one rune from state i; returns whether any state was reached.
  bool stepAt(size_t i, char32_t r, std::string_view bytes, std::vector<uint8_t>& next_at,
              std::vector<uint8_t>& next_inside) const {
    const Token& t = t_[i];
    switch (t.kind) {
      case Token::kLiteral:
        for (size_t k = 0; k < bytes.size(); ++k)
          if (i + k >= t_.size() || t_[i + k].kind != Token::kLiteral || t_[i + k].c != bytes[k])
            return false;
        next_at[i + bytes.size()] = 1;
        return true;
      case Token::kStar:
        if (r == '/') return false;
        next_at[i] = 1;
        return true;
      case Token::kQuestion:
        if (r == '/') return false;
        next_at[i + 1] = 1;
        return true;
      case Token::kClass: {
        bool in = false;
        for (const auto& [lo, hi] : t.ranges) in = in || (lo <= r && r <= hi);
        if (in == t.negated) return false;
        next_at[i + 1] = 1;
        return true;
      }
      case Token::kDoubleStarSlash:
        next_inside[i] = 1;
        if (r == '/') next_at[i + 1] = 1;
        return true;
      case Token::kDoubleStarEnd:
        next_at[i] = 1;
        return true;
    }
    return false;
  }

  const std::vector<Token>& t_;
};

}  // namespace

bool IgnoreMatcher::Pattern::matches(std::string_view path) const {
  switch (type) {
    case MatchType::kExact:
      return path == text;
    case MatchType::kPrefix:
      return path.starts_with(std::string_view(text).substr(0, text.size() - 2));
    case MatchType::kSuffix: {
      std::string_view suffix = std::string_view(text).substr(2);
      if (path.ends_with(suffix)) return true;
      return !suffix.empty() && suffix[0] == '/' && path == suffix.substr(1);
    }
    case MatchType::kTokens:
      return TokenMatcher<Token>(tokens).match(path);
  }
  return false;
}

Result<IgnoreMatcher> IgnoreMatcher::fromPatterns(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const std::string& line : patterns) {
    // bufio.Scanner's limit in moby's ReadAll; also bounds the work per match.
    if (line.size() > kMaxLineBytes)
      return makeError(Code::kInvalidArgument, "ignore pattern longer than {} bytes",
                       kMaxLineBytes);
    std::string p = normalizeLine(line);
    if (p.empty()) continue;
    bool exclusion = p[0] == '!';
    if (exclusion && p.size() == 1)
      return makeError(Code::kInvalidArgument, "illegal exclusion pattern: \"!\"");
    m.patterns_.push_back(TRY(compile(std::string_view(p).substr(exclusion ? 1 : 0), exclusion)));
    m.has_exclusions_ = m.has_exclusions_ || exclusion;
  }
  return m;
}

Result<IgnoreMatcher> IgnoreMatcher::parse(std::string_view contents) {
  if (contents.starts_with("\xEF\xBB\xBF")) contents.remove_prefix(3);
  std::vector<std::string> lines;
  while (!contents.empty()) {
    size_t nl = contents.find('\n');
    lines.emplace_back(contents.substr(0, nl));
    contents = nl == std::string_view::npos ? std::string_view() : contents.substr(nl + 1);
  }
  return fromPatterns(lines);
}

bool IgnoreMatcher::excluded(std::string_view rel) const {
  bool matched = false;
  for (const Pattern& p : patterns_) {
    // Only a pattern that could change the verdict needs evaluating.
    if (p.exclusion != matched) continue;
    bool m = p.matches(rel);
    for (size_t slash = rel.find('/'); !m && slash != std::string_view::npos;
         slash = rel.find('/', slash + 1))
      m = p.matches(rel.substr(0, slash));
    if (m) matched = !p.exclusion;
  }
  return matched;
}

bool IgnoreMatcher::mustDescend(std::string_view rel_dir) const {
  if (!has_exclusions_) return false;
  std::string dir_slash = std::string(rel_dir) + "/";
  for (const Pattern& p : patterns_)
    if (p.exclusion && (p.text + "/").starts_with(dir_slash)) return true;
  return false;
}

}  // namespace berth::build
