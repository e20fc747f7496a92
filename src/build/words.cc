// Docker's shell-word lexer (buildkit frontend/dockerfile/shell semantics).
#include "build/words.h"

#include <utility>

#include "base/scope_exit.h"
#include "base/utf8.h"

namespace berth::build {

namespace {

constexpr int kEof = -1;
constexpr int kMaxNesting = 64;

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
// POSIX special parameters ($@ $* $# $? $- $$ $! $0): a one-char name, never set here.
bool isSpecialParam(char c) {
  switch (c) {
    case '@':
    case '*':
    case '#':
    case '?':
    case '-':
    case '$':
    case '!':
    case '0':
      return true;
    default:
      return false;
  }
}

Error syntaxError(std::string_view what) {
  return makeError(Code::kInvalidArgument, "syntax error: {}", what);
}

// ProcessWords' splitting: text that came from quotes or escapes never splits a
// word; plain characters and unquoted expansions split on whitespace.
class WordSplitter {
 public:
  void addChar(char c) {
    if (!isSpace(c)) {
      addRawChar(c);
    } else if (in_word_ && !word_.empty()) {
      words_.push_back(std::move(word_));
      word_.clear();
      in_word_ = false;
    }
  }
  void addRawChar(char c) {
    word_ += c;
    in_word_ = true;
  }
  void addString(std::string_view s) {
    for (char c : s) addChar(c);
  }
  void addRawString(std::string_view s) {
    word_ += s;
    in_word_ = true;
  }
  std::vector<std::string> finish() {
    if (!word_.empty()) words_.push_back(std::move(word_));
    word_.clear();
    in_word_ = false;
    return std::move(words_);
  }

 private:
  std::string word_;
  std::vector<std::string> words_;
  bool in_word_ = false;
};

// A substitution pattern of ${a#p} ${a%p} ${a/p/r}: '*' any run, '?' one char,
// '\' escapes * ? \ and is dropped before } or /.
struct PatternToken {
  enum Kind { kLiteral, kAnyRun, kOneChar } kind;
  char c = 0;
};
using ShellPattern = std::vector<PatternToken>;

Result<ShellPattern> compileShellPattern(std::string_view p) {
  ShellPattern out;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '*') {
      out.push_back({PatternToken::kAnyRun});
    } else if (c == '?') {
      out.push_back({PatternToken::kOneChar});
    } else if (c == '\\') {
      char next = i + 1 < p.size() ? p[i + 1] : '\0';
      if (next == '}' || next == '/') continue;
      if (next != '*' && next != '?' && next != '\\')
        return makeError(Code::kInvalidArgument, "invalid escape '\\{}'", next);
      out.push_back({PatternToken::kLiteral, next});
      ++i;
    } else {
      out.push_back({PatternToken::kLiteral, c});
    }
  }
  return out;
}

size_t runeSize(std::string_view s, size_t i) { return decodeRune(s, i).size; }

// Whole-string match; '*' backtracks to the last star only (enough with one kind of star).
bool shellPatternMatch(const ShellPattern& p, std::string_view s) {
  size_t pi = 0, si = 0, star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi].kind == PatternToken::kOneChar) {
      ++pi, si += runeSize(s, si);
    } else if (pi < p.size() && p[pi].kind == PatternToken::kLiteral && p[pi].c == s[si]) {
      ++pi, ++si;
    } else if (pi < p.size() && p[pi].kind == PatternToken::kAnyRun) {
      star_p = pi++;
      star_s = si;
    } else if (star_p != std::string_view::npos) {
      pi = star_p + 1;
      star_s += runeSize(s, star_s);
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi].kind == PatternToken::kAnyRun) ++pi;
  return pi == p.size();
}

// Byte offsets of rune starts in s, plus s.size().
std::vector<size_t> runeBoundaries(std::string_view s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); i += runeSize(s, i)) out.push_back(i);
  out.push_back(s.size());
  return out;
}

// ${a#p} / ${a##p}: drops the shortest (longest when greedy) prefix matching p.
std::string trimPrefix(const ShellPattern& p, std::string_view value, bool greedy) {
  std::vector<size_t> cuts = runeBoundaries(value);
  for (size_t k = 0; k < cuts.size(); ++k) {
    size_t cut = greedy ? cuts[cuts.size() - 1 - k] : cuts[k];
    if (shellPatternMatch(p, value.substr(0, cut))) return std::string(value.substr(cut));
  }
  return std::string(value);
}

// ${a%p} / ${a%%p}: drops the shortest (longest when greedy) suffix matching p.
std::string trimSuffix(const ShellPattern& p, std::string_view value, bool greedy) {
  std::vector<size_t> cuts = runeBoundaries(value);
  for (size_t k = 0; k < cuts.size(); ++k) {
    size_t cut = greedy ? cuts[k] : cuts[cuts.size() - 1 - k];
    if (shellPatternMatch(p, value.substr(cut))) return std::string(value.substr(0, cut));
  }
  return std::string(value);
}

// ${a/p/r} / ${a//p/r}: replaces the leftmost-longest match (every match when `all`);
// like Go's ReplaceAll, an empty match right after a match is skipped.
std::string replaceMatches(const ShellPattern& p, std::string_view value,
                           std::string_view replacement, bool all) {
  std::vector<size_t> cuts = runeBoundaries(value);
  std::string out;
  size_t last_end = std::string_view::npos;
  size_t copied = 0;
  for (size_t a = 0; a < cuts.size(); ++a) {
    size_t i = cuts[a];
    if (i < copied) continue;
    for (size_t b = cuts.size(); b-- > a;) {
      size_t j = cuts[b];
      if (j == i && i == last_end) break;
      if (!shellPatternMatch(p, value.substr(i, j - i))) continue;
      out += value.substr(copied, i - copied);
      out += replacement;
      copied = j;
      last_end = j;
      break;
    }
    if (!all && last_end != std::string_view::npos) break;
  }
  out += value.substr(copied);
  return out;
}

struct Processed {
  std::string text;
  std::vector<std::string> words;
};

// One pass over a source string; a Lexer is used once.
class Lexer {
 public:
  Lexer(std::string_view src, const Lookup& lookup, char escape)
      : src_(src), lookup_(lookup), escape_(escape) {}

  Result<Processed> run() {
    auto r = processStopOn(kEof, false);
    if (!r.ok())
      return makeError(Code::kInvalidArgument, "failed to process \"{}\": {}", src_,
                       r.error().message());
    return r;
  }

 private:
  bool atEnd() const { return pos_ >= src_.size(); }

  // Processes until `stop` (consumed) or the end; quotes and $ are interpreted.
  Result<Processed> processStopOn(int stop, bool raw_escapes) {
    bool saved = raw_escapes_;
    raw_escapes_ = raw_escapes;
    ScopeExit restore([&] { raw_escapes_ = saved; });
    Processed out;
    WordSplitter words;
    while (!atEnd()) {
      char c = src_[pos_];
      if (stop != kEof && c == stop) {
        ++pos_;
        out.words = words.finish();
        return out;
      }
      if (c == '$' || c == '\'' || c == '"') {
        std::string part = TRY(special(c));
        out.text += part;
        if (c == '$')
          words.addString(part);
        else
          words.addRawString(part);
        continue;
      }
      ++pos_;
      if (c == escape_) {
        if (raw_escapes_) {
          words.addRawChar(c);
          out.text += c;
        }
        if (atEnd()) break;  // a trailing escape is dropped
        c = src_[pos_++];
        words.addRawChar(c);
      } else {
        words.addChar(c);
      }
      out.text += c;
    }
    if (stop != kEof)
      return makeError(Code::kInvalidArgument,
                       "unexpected end of statement while looking for matching {}", char(stop));
    out.words = words.finish();
    return out;
  }

  Result<std::string> special(char c) {
    if (c == '$') return dollar();
    if (c == '\'') return singleQuote();
    return doubleQuote();
  }

  // '...': everything literal up to the next single quote.
  Result<std::string> singleQuote() {
    ++pos_;
    std::string out;
    while (!atEnd()) {
      char c = src_[pos_++];
      if (c == '\'') return out;
      out += c;
    }
    return makeError(Code::kInvalidArgument,
                     "unexpected end of statement while looking for matching single-quote");
  }

  // "...": $ expands; the escape char escapes " $ and itself, other escapes stay.
  Result<std::string> doubleQuote() {
    ++pos_;
    std::string out;
    while (!atEnd()) {
      char c = src_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '$') {
        out += TRY(dollar());
        continue;
      }
      ++pos_;
      if (c == escape_) {
        if (raw_escapes_) out += c;
        if (atEnd()) continue;
        char next = src_[pos_];
        if (next == '"' || next == '$' || next == escape_) {
          c = next;
          ++pos_;
        }
      }
      out += c;
    }
    return makeError(Code::kInvalidArgument,
                     "unexpected end of statement while looking for matching double-quote");
  }

  // $NAME, or a literal '$' when no name follows.
  std::string name() {
    std::string n;
    while (!atEnd()) {
      char c = src_[pos_];
      if (n.empty() && isDigit(c)) {
        while (!atEnd() && isDigit(src_[pos_])) n += src_[pos_++];
        return n;
      }
      if (n.empty() && isSpecialParam(c)) {
        ++pos_;
        return std::string(1, c);
      }
      if (!isNameChar(c)) break;
      n += c;
      ++pos_;
    }
    return n;
  }

  std::optional<std::string> get(std::string_view name) const {
    if (!lookup_) return std::nullopt;
    return lookup_(name);
  }

  Result<std::string> dollar() {
    ++pos_;  // '$'
    if (atEnd() || src_[pos_] != '{') {
      std::string n = name();
      if (n.empty()) return std::string("$");
      return get(n).value_or("");
    }
    ++pos_;  // '{'
    // Each nested ${ recurses; the text may be hostile.
    if (++depth_ > kMaxNesting) return syntaxError("${ nested too deeply");
    ScopeExit leave([&] { --depth_; });
    if (atEnd()) return syntaxError("missing '}'");
    char first = src_[pos_];
    if (first == '{' || first == '}' || first == ':') return syntaxError("bad substitution");
    std::string n = name();
    if (atEnd()) return syntaxError("missing '}'");
    char c = src_[pos_++];
    std::string mod(1, c);
    switch (c) {
      case '}':
        return get(n).value_or("");
      case ':':
        if (atEnd()) return syntaxError("missing '}'");
        c = src_[pos_++];
        mod += c;
        return modifier(n, c, mod, /*null_is_unset=*/true);
      case '+':
      case '-':
      case '?':
      case '#':
      case '%':
        return modifier(n, c, mod, /*null_is_unset=*/false);
      case '/':
        return replace(n);
      default:
        return makeError(Code::kInvalidArgument, "unsupported modifier ({}) in substitution", mod);
    }
  }

  // ${name<mod>word}: the word is processed (quotes, $) up to the closing '}'.
  Result<std::string> modifier(const std::string& n, char c, const std::string& mod,
                               bool null_is_unset) {
    auto word_r = processStopOn('}', /*raw_escapes=*/c == '#' || c == '%');
    if (!word_r.ok()) {
      if (atEnd()) return syntaxError("missing '}'");
      return std::move(word_r).error();
    }
    std::string word = std::move(word_r->text);
    std::optional<std::string> value = get(n);
    bool unset = !value || (null_is_unset && value->empty());
    switch (c) {
      case '-':
        return unset ? word : *value;
      case '+':
        return unset ? std::string() : word;
      case '?':
        if (!value)
          return makeError(Code::kInvalidArgument, "{}: {}", n,
                           word.empty() ? "is not allowed to be unset" : word);
        if (unset)
          return makeError(Code::kInvalidArgument, "{}: {}", n,
                           word.empty() ? "is not allowed to be empty" : word);
        return *value;
      case '#':
      case '%': {
        bool greedy = !word.empty() && word[0] == c;
        if (greedy) word.erase(0, 1);
        auto p = compileShellPattern(word);
        if (!p.ok())
          return makeError(Code::kInvalidArgument, "invalid pattern ({}) in substitution: {}", word,
                           p.error().message());
        std::string v = value.value_or("");
        return c == '#' ? trimPrefix(*p, v, greedy) : trimSuffix(*p, v, greedy);
      }
      default:
        return makeError(Code::kInvalidArgument, "unsupported modifier ({}) in substitution", mod);
    }
  }

  // ${name/pattern/replacement} and ${name//pattern/replacement}.
  Result<std::string> replace(const std::string& n) {
    bool all = !atEnd() && src_[pos_] == '/';
    if (all) ++pos_;
    auto pattern = processStopOn('/', /*raw_escapes=*/true);
    if (!pattern.ok()) {
      if (atEnd()) return syntaxError("missing '/' in ${}");
      return std::move(pattern).error();
    }
    auto replacement = processStopOn('}', /*raw_escapes=*/true);
    if (!replacement.ok()) {
      if (atEnd()) return syntaxError("missing '}'");
      return std::move(replacement).error();
    }
    auto p = compileShellPattern(pattern->text);
    if (!p.ok())
      return makeError(Code::kInvalidArgument, "invalid pattern ({}) in substitution: {}",
                       pattern->text, p.error().message());
    return replaceMatches(*p, get(n).value_or(""), replacement->text, all);
  }

  std::string_view src_;
  const Lookup& lookup_;
  char escape_;
  size_t pos_ = 0;
  bool raw_escapes_ = false;
  int depth_ = 0;
};

}  // namespace

Result<std::string> processWord(std::string_view word, const Lookup& lookup, char escape) {
  Processed p = TRY(Lexer(word, lookup, escape).run());
  return std::move(p.text);
}

Result<std::vector<std::string>> processWords(std::string_view text, const Lookup& lookup,
                                              char escape) {
  Processed p = TRY(Lexer(text, lookup, escape).run());
  return std::move(p.words);
}

}  // namespace berth::build
