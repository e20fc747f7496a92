// Containerfile parsing with Docker's (buildkit/imagebuilder) line and argument rules.
#include "build/containerfile.h"

#include <algorithm>
#include <utility>

#include "base/json.h"
#include "build/words.h"

namespace berth::build {

namespace {

// Go's unicode.IsSpace over ASCII.
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}
// Docker's token separator, [\t\v\f\r ].
bool isBlank(char c) { return c != '\n' && isSpace(c); }

std::string_view trimLeft(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view trim(std::string_view s) {
  s = trimLeft(s);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return out;
}

Error invalid(std::string message) { return Error(Code::kInvalidArgument, std::move(message)); }

// ---- words ----

// Words separated by runs of [\t\v\f\r ] (Docker's parseStringsWhitespaceDelimited).
std::vector<std::string> splitBlank(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && isBlank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !isBlank(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// End of the raw word starting at pos: whitespace ends it unless quoted or
// escaped; the escape char escapes the next char outside '...' (Docker's parseWords).
size_t rawWordEnd(std::string_view s, size_t pos, char escape) {
  char quote = 0;
  for (; pos < s.size(); ++pos) {
    char c = s[pos];
    if (quote == 0 && isSpace(c)) break;
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    } else if (c == escape && quote != '\'') {
      ++pos;
    }
  }
  return std::min(pos, s.size());
}

// Quote-aware words, quotes and escapes kept.
std::vector<std::string> splitRawWords(std::string_view s, char escape) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    while (i < s.size() && isSpace(s[i])) ++i;
    if (i == s.size()) return out;
    size_t end = rawWordEnd(s, i, escape);
    out.emplace_back(s.substr(i, end - i));
    i = end;
  }
}

// ---- JSON form ----

// Length of the bracketed value at the start of s (strings skipped), npos if unclosed.
size_t bracketedLength(std::string_view s) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Docker's parseJSON: text starting with '[' whose first JSON value (Go's
// json.Decoder ignores what follows it) is an array. nullopt when it is not
// (shell form); an error when it is an array of anything but strings.
Result<std::optional<std::vector<std::string>>> parseJsonArray(std::string_view rest) {
  rest = trimLeft(rest);
  if (!rest.starts_with('[')) return std::nullopt;
  size_t len = bracketedLength(rest);
  if (len == std::string_view::npos) return std::nullopt;
  auto j = parseJson(rest.substr(0, len), "JSON array");
  if (!j.ok() || !j->is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const Json& e : *j) {
    if (!e.is_string())
      return invalid("when using JSON array syntax, arrays must be comprised of strings only");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// ---- per-keyword argument rules ----

Error atLeastOne(const Instruction& ins) {
  return invalid(fmt::format("{} requires at least one argument", ins.keyword));
}
Error exactlyOne(const Instruction& ins) {
  return invalid(fmt::format("{} requires exactly one argument", ins.keyword));
}

// RUN CMD ENTRYPOINT: exec form (JSON) or shell form.
Status execOrShellArgs(Instruction& ins, std::string_view rest, char) {
  if (rest.empty()) return atLeastOne(ins);
  auto arr = TRY(parseJsonArray(rest));
  if (!arr) {
    ins.args = {std::string(rest)};
    return okStatus();
  }
  ins.json = true;
  ins.args = std::move(*arr);
  if (ins.keyword == "RUN" && ins.args.empty()) return atLeastOne(ins);
  return okStatus();
}

Status shellArgs(Instruction& ins, std::string_view rest, char) {
  if (rest.empty()) return atLeastOne(ins);
  auto arr = TRY(parseJsonArray(rest));
  if (!arr) return invalid("SHELL requires the arguments to be in JSON form");
  if (arr->empty()) return atLeastOne(ins);
  ins.json = true;
  ins.args = std::move(*arr);
  return okStatus();
}

// ENV LABEL: key=value words (quote-aware), or the legacy "KEY some value".
Status keyValueArgs(Instruction& ins, std::string_view rest, char escape) {
  std::vector<std::string> words = splitRawWords(rest, escape);
  if (words.empty()) return atLeastOne(ins);
  if (words[0].find('=') == std::string::npos) {
    size_t sep = 0;
    while (sep < rest.size() && !isBlank(rest[sep])) ++sep;
    size_t value = sep;
    while (value < rest.size() && isBlank(rest[value])) ++value;
    if (value == rest.size())
      return invalid(fmt::format("{} must have two arguments", ins.keyword));
    ins.args = {std::string(rest.substr(0, sep)), std::string(rest.substr(value))};
    return okStatus();
  }
  for (const std::string& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos)
      return invalid(
          fmt::format("Syntax error - can't find = in \"{}\". Must be of the form: name=value", w));
    if (eq == 0) return invalid(fmt::format("{} names can not be blank", ins.keyword));
    ins.args.push_back(w.substr(0, eq));
    ins.args.push_back(w.substr(eq + 1));
  }
  return okStatus();
}

// MAINTAINER USER WORKDIR: the rest of the line as one argument.
Status restArg(Instruction& ins, std::string_view rest, char) {
  if (rest.empty()) return exactlyOne(ins);
  ins.args = {std::string(rest)};
  return okStatus();
}

// ADD COPY VOLUME: a JSON array or whitespace-split words.
Status jsonOrWords(Instruction& ins, std::string_view rest) {
  auto arr = TRY(parseJsonArray(rest));
  ins.json = arr.has_value();
  ins.args = arr ? std::move(*arr) : splitBlank(rest);
  return okStatus();
}

Status copyArgs(Instruction& ins, std::string_view rest, char) {
  TRY(jsonOrWords(ins, rest));
  if (ins.args.size() < 2)
    return invalid(fmt::format("{} requires at least two arguments", ins.keyword));
  return okStatus();
}

Status volumeArgs(Instruction& ins, std::string_view rest, char) {
  TRY(jsonOrWords(ins, rest));
  if (ins.args.empty()) return atLeastOne(ins);
  for (const std::string& v : ins.args)
    if (trim(v).empty()) return invalid("VOLUME specified can not be an empty string");
  return okStatus();
}

Status wordArgs(Instruction& ins, std::string_view rest, char) {
  ins.args = splitBlank(rest);
  if (ins.args.empty()) return atLeastOne(ins);
  return okStatus();
}

Status stopSignalArgs(Instruction& ins, std::string_view rest, char) {
  ins.args = splitBlank(rest);
  if (ins.args.size() != 1) return exactlyOne(ins);
  return okStatus();
}

// ARG name[=value] ...: quote-aware words (Docker's parseNameOrNameVal).
Status argArgs(Instruction& ins, std::string_view rest, char escape) {
  ins.args = splitRawWords(rest, escape);
  if (ins.args.empty()) return atLeastOne(ins);
  for (const std::string& w : ins.args)
    if (w.starts_with('=')) return invalid("ARG names can not be blank");
  return okStatus();
}

// FROM image [AS name].
Status fromArgs(Instruction& ins, std::string_view rest, char) {
  ins.args = splitBlank(rest);
  if (ins.args.empty()) return atLeastOne(ins);
  bool named = ins.args.size() == 3 && upper(ins.args[1]) == "AS";
  if (ins.args.size() != 1 && !named) return invalid("FROM requires either one or three arguments");
  return okStatus();
}

Status onbuildArgs(Instruction& ins, std::string_view rest, char escape) {
  if (rest.empty()) return atLeastOne(ins);
  std::string trigger = upper(rest.substr(0, rest.find_first_of(" \t\v\f\r")));
  if (trigger == "ONBUILD") return invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "FROM" || trigger == "MAINTAINER")
    return invalid(fmt::format("{} isn't allowed as an ONBUILD trigger", trigger));
  TRY(parseInstruction(rest, escape).context("ONBUILD"));
  ins.args = {std::string(rest)};
  return okStatus();
}

// HEALTHCHECK NONE | HEALTHCHECK CMD <exec or shell form>.
Status healthcheckArgs(Instruction& ins, std::string_view rest, char) {
  if (rest.empty()) return atLeastOne(ins);
  size_t sep = 0;
  while (sep < rest.size() && !isSpace(rest[sep])) ++sep;
  std::string type = upper(rest.substr(0, sep));
  std::string_view cmd = trimLeft(rest.substr(sep));
  if (type == "NONE") {
    if (!cmd.empty()) return invalid("HEALTHCHECK NONE takes no arguments");
    ins.args = {type};
    return okStatus();
  }
  if (type != "CMD")
    return invalid(
        fmt::format("Unknown type \"{}\" in HEALTHCHECK (try CMD)", rest.substr(0, sep)));
  if (cmd.empty()) return invalid("Missing command after HEALTHCHECK CMD");
  auto arr = TRY(parseJsonArray(cmd));
  ins.args = {type};
  if (!arr) {
    ins.args.emplace_back(cmd);
    return okStatus();
  }
  if (arr->empty()) return invalid("Missing command after HEALTHCHECK CMD");
  ins.json = true;
  ins.args.insert(ins.args.end(), arr->begin(), arr->end());
  return okStatus();
}

using ArgRule = Status (*)(Instruction&, std::string_view rest, char escape);

struct Keyword {
  std::string_view name;
  bool takes_flags;
  ArgRule rule;
};

constexpr Keyword kKeywords[] = {
    {"FROM", true, fromArgs},        {"RUN", true, execOrShellArgs},
    {"CMD", false, execOrShellArgs}, {"ENTRYPOINT", false, execOrShellArgs},
    {"SHELL", false, shellArgs},     {"LABEL", false, keyValueArgs},
    {"ENV", false, keyValueArgs},    {"MAINTAINER", false, restArg},
    {"USER", false, restArg},        {"WORKDIR", false, restArg},
    {"ADD", true, copyArgs},         {"COPY", true, copyArgs},
    {"VOLUME", false, volumeArgs},   {"EXPOSE", false, wordArgs},
    {"ARG", false, argArgs},         {"STOPSIGNAL", false, stopSignalArgs},
    {"ONBUILD", false, onbuildArgs}, {"HEALTHCHECK", true, healthcheckArgs},
};

const Keyword* findKeyword(std::string_view name) {
  for (const Keyword& k : kKeywords)
    if (k.name == name) return &k;
  return nullptr;
}

// Moves the leading "--..." words of rest into flags; returns what follows them.
Result<std::string_view> extractFlags(std::string_view rest, char escape,
                                      std::vector<std::string>& flags) {
  size_t pos = 0;
  for (;;) {
    while (pos < rest.size() && isSpace(rest[pos])) ++pos;
    if (!rest.substr(pos).starts_with("--")) return rest.substr(pos);
    size_t end = rawWordEnd(rest, pos, escape);
    std::string_view word = rest.substr(pos, end - pos);
    pos = end;
    if (word == "--") return rest.substr(pos);
    if (word.size() == 2 || word[2] == '=')
      return invalid(fmt::format("invalid flag \"{}\"", word));
    flags.emplace_back(word);
  }
}

// ---- file structure ----

bool isComment(std::string_view line) { return trimLeft(line).starts_with('#'); }

// A line ending in the escape char (then only spaces/tabs) continues on the next one.
bool trimContinuation(std::string_view& line, char escape) {
  size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  line = line.substr(0, end - 1);
  return true;
}

struct Directive {
  std::string key;  // lower case
  std::string value;
};

// "# key=value" (buildkit's ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$).
std::optional<Directive> matchDirective(std::string_view line) {
  if (!line.starts_with('#')) return std::nullopt;
  size_t i = 1;
  while (i < line.size() && isSpace(line[i])) ++i;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto alnum = [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); };
  if (i >= line.size() || !alpha(line[i])) return std::nullopt;
  size_t key_start = i;
  while (i < line.size() && alnum(line[i])) ++i;
  std::string key = std::string(line.substr(key_start, i - key_start));
  while (i < line.size() && isSpace(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return std::nullopt;
  std::string_view value = trim(line.substr(i + 1));
  if (value.empty()) return std::nullopt;
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return Directive{std::move(key), std::string(value)};
}

// A heredoc word: ^(\d*)<<(-?)([^<]*)$ with a non-empty single-word name.
Result<std::optional<Heredoc>> matchHeredoc(std::string_view word) {
  size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  std::string_view digits = word.substr(0, i);
  if (!word.substr(i).starts_with("<<")) return std::nullopt;
  i += 2;
  Heredoc h;
  h.chomp = i < word.size() && word[i] == '-';
  if (h.chomp) ++i;
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  auto names = TRY(processWords(rest, nullptr));
  if (names.size() != 1) return std::nullopt;
  h.name = names[0];
  // A quote removed from the name means it was quoted: the body is literal.
  auto quotes = [](std::string_view s) {
    return std::count_if(s.begin(), s.end(), [](char c) { return c == '\'' || c == '"'; });
  };
  h.expand = quotes(h.name) == quotes(rest);
  for (char d : digits.substr(0, 9)) h.fd = h.fd * 10 + (d - '0');
  return h;
}

std::string chompTabs(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// Walks the lines of a file: directives, comments, continuations, heredoc bodies.
class Parser {
 public:
  explicit Parser(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      while (line.ends_with('\r')) line.remove_suffix(1);
      lines_.push_back(line);
      text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
  }

  Result<ParsedFile> run() {
    ParsedFile out;
    while (next_ < lines_.size()) {
      int number = int(next_) + 1;
      std::string_view first = trimLeft(lines_[next_++]);
      bool directive = TRY(directiveLine(first).context(lineContext(number)));
      if (directive || isComment(first) || first.empty()) continue;
      std::string joined = joinContinued(first);
      if (trim(joined).empty()) continue;
      auto ins = parseInstruction(joined, escape_);
      if (!ins.ok()) return std::move(ins).error().context(lineContext(number));
      ins->line = number;
      TRY(readHeredocs(*ins, joined).context(lineContext(number)));
      out.instructions.push_back(std::move(*ins));
    }
    out.escape = escape_;
    return out;
  }

 private:
  static std::string lineContext(int number) {
    return fmt::format("Containerfile line {}", number);
  }

  // Parser directives are only recognised before anything else; returns true for one.
  Result<bool> directiveLine(std::string_view line) {
    if (directives_done_) return false;
    std::optional<Directive> d = matchDirective(line);
    if (!d || (d->key != "escape" && d->key != "syntax" && d->key != "check")) {
      directives_done_ = true;
      return false;
    }
    if (std::find(seen_.begin(), seen_.end(), d->key) != seen_.end())
      return invalid(fmt::format("only one {} parser directive can be used", d->key));
    seen_.push_back(d->key);
    if (d->key == "escape") {
      if (d->value != "\\" && d->value != "`")
        return invalid(fmt::format("invalid escape token '{}' does not match ` or \\", d->value));
      escape_ = d->value[0];
    }
    return true;
  }

  // The instruction starting with `first`, continuation lines appended; comment
  // and blank lines inside it are skipped; a continuation at the end of the file ends it.
  std::string joinContinued(std::string_view first) {
    bool more = trimContinuation(first, escape_);
    std::string joined(first);
    while (more && next_ < lines_.size()) {
      std::string_view line = lines_[next_++];
      if (isComment(line) || trimLeft(line).empty()) continue;
      more = trimContinuation(line, escape_);
      joined += line;
    }
    return joined;
  }

  // RUN/COPY/ADD "<<NAME" words take the following lines up to NAME as bodies.
  Status readHeredocs(Instruction& ins, std::string_view joined) {
    bool can = ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD";
    if (!can || ins.json || joined.find("<<") == std::string_view::npos) return okStatus();
    for (const std::string& word : splitRawWords(joined, '\\')) {
      std::optional<Heredoc> h = TRY(matchHeredoc(word));
      if (!h) continue;
      TRY(readBody(*h));
      ins.heredocs.push_back(std::move(*h));
    }
    return okStatus();
  }

  Status readBody(Heredoc& h) {
    while (next_ < lines_.size()) {
      std::string_view line = lines_[next_++];
      std::string_view end = line;
      if (h.chomp) end.remove_prefix(std::min(end.find_first_not_of('\t'), end.size()));
      if (end == h.name) {
        if (h.chomp) h.content = chompTabs(h.content);
        return okStatus();
      }
      h.content += line;
      h.content += '\n';
    }
    return invalid(fmt::format("{}: unterminated heredoc", h.name));
  }

  std::vector<std::string_view> lines_;
  size_t next_ = 0;
  char escape_ = '\\';
  bool directives_done_ = false;
  std::vector<std::string> seen_;
};

}  // namespace

std::optional<std::string> Instruction::flagValue(std::string_view name) const {
  std::optional<std::string> out;
  for (const std::string& f : flags) {
    std::string_view v(f);
    if (!v.starts_with("--") || v.substr(2, name.size()) != name) continue;
    v.remove_prefix(2 + name.size());
    if (v.empty())
      out = "";
    else if (v[0] == '=')
      out = std::string(v.substr(1));
  }
  return out;
}

Result<Instruction> parseInstruction(std::string_view text, char escape) {
  std::string_view line = trim(text);
  Instruction ins;
  ins.original = std::string(line);
  size_t sep = 0;
  while (sep < line.size() && !isBlank(line[sep])) ++sep;
  ins.keyword = upper(line.substr(0, sep));
  const Keyword* k = findKeyword(ins.keyword);
  if (k == nullptr) return invalid(fmt::format("unknown instruction: {}", ins.keyword));
  std::string_view rest = line.substr(sep);
  if (k->takes_flags) rest = TRY(extractFlags(rest, escape, ins.flags));
  TRY(k->rule(ins, trim(rest), escape));
  return ins;
}

Result<ParsedFile> parseContainerfile(std::string_view text) { return Parser(text).run(); }

}  // namespace berth::build
