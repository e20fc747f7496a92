// Lexer and parser for the Go text/template subset (after Go's text/template/parse).
#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cli/format/template_ast.h"
#include "base/utf8.h"

namespace berth::format::detail {
namespace {

enum class Tok {
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kAssign,
  kDeclare,
  kPipe,
  kString,
  kRawString,
  kChar,
  kCharConstant,
  kNumber,
  kBool,
  kIdentifier,
  kField,
  kVariable,
  kDot,
  kNil,
  kLeftParen,
  kRightParen,
  kIf,
  kElse,
  kEnd,
  kRange,
  kWith,
  kBreak,
  kContinue,
  kDefine,
  kTemplate,
  kBlock,
  kEof,
};

struct Token {
  Tok type;
  size_t pos;
  std::string_view val;
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool isAlphaNumeric(char c) {
  unsigned char u = c;
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         u >= 0x80;
}

bool hasLeftTrimMarker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && isSpace(s[1]); }
bool hasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && isSpace(s[0]) && s[1] == '-';
}

std::string runeDesc(std::string_view s, size_t i) {
  DecodedRune d = decodeRune(s, i);
  std::string out = fmt::format("U+{:04X}", static_cast<uint32_t>(d.rune));
  if (d.rune >= 0x20 && d.rune != 0x7F) {
    out += " '";
    appendRune(out, d.rune);
    out += "'";
  }
  return out;
}

class Lexer {
 public:
  Lexer(const Tree& tree) : tree_(tree), in_(tree.source) {}

  Result<std::vector<Token>> run() {
    while (true) {
      size_t x = in_.find("{{", pos_);
      if (x == std::string_view::npos) {
        if (pos_ < in_.size()) emit(Tok::kText, pos_, in_.size());
        emit(Tok::kEof, in_.size(), in_.size());
        return std::move(toks_);
      }
      bool trim_left = hasLeftTrimMarker(in_.substr(x + 2));
      size_t text_end = x;
      if (trim_left) {
        while (text_end > pos_ && isSpace(in_[text_end - 1])) --text_end;
      }
      if (text_end > pos_) emit(Tok::kText, pos_, text_end);
      pos_ = x + 2;
      size_t after_marker = trim_left ? 2 : 0;
      if (in_.substr(pos_ + after_marker).starts_with("/*")) {
        pos_ += after_marker + 2;
        size_t e = in_.find("*/", pos_);
        if (e == std::string_view::npos) return fail(x, "unclosed comment");
        pos_ = e + 2;
        auto [delim, trim] = atRightDelim(pos_);
        if (!delim) return fail(x, "comment ends before closing delimiter");
        pos_ += (trim ? 2 : 0) + 2;
        if (trim) skipSpaces();
        continue;
      }
      emit(Tok::kLeftDelim, x, x + 2);
      pos_ += after_marker;
      if (auto st = lexInsideAction(); !st.ok()) return std::move(st).error();
    }
  }

 private:
  void emit(Tok t, size_t start, size_t end) {
    toks_.push_back(Token{t, start, in_.substr(start, end - start)});
  }
  template <typename... Args>
  Error fail(size_t pos, fmt::format_string<Args...> f, Args&&... args) {
    return Error(Code::kInvalidArgument, fmt::format("{}: {}", location(tree_, pos),
                                                     fmt::format(f, std::forward<Args>(args)...)));
  }
  void skipSpaces() {
    while (pos_ < in_.size() && isSpace(in_[pos_])) ++pos_;
  }
  std::pair<bool, bool> atRightDelim(size_t p) const {
    std::string_view s = in_.substr(std::min(p, in_.size()));
    if (s.starts_with("}}")) return {true, false};
    if (hasRightTrimMarker(s) && s.substr(2).starts_with("}}")) return {true, true};
    return {false, false};
  }
  bool atTerminator(size_t p) const {
    if (p >= in_.size()) return true;
    char r = in_[p];
    if (isSpace(r)) return true;
    switch (r) {
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
      case '}':
        return true;
      default:
        return false;
    }
  }

  Status lexInsideAction() {
    int paren_depth = 0;
    while (true) {
      auto [delim, trim] = atRightDelim(pos_);
      if (delim) {
        if (paren_depth != 0) return fail(pos_, "unclosed left paren");
        if (trim) pos_ += 2;
        emit(Tok::kRightDelim, pos_, pos_ + 2);
        pos_ += 2;
        if (trim) skipSpaces();
        return okStatus();
      }
      if (pos_ >= in_.size()) return fail(pos_, "unclosed action");
      size_t start = pos_;
      char c = in_[pos_++];
      if (isSpace(c)) {
        int n = 1;
        while (pos_ < in_.size() && isSpace(in_[pos_])) ++pos_, ++n;
        if (hasRightTrimMarker(in_.substr(pos_ - 1)) && in_.substr(pos_ + 1).starts_with("}}")) {
          --pos_;
          if (n == 1) continue;
        }
        emit(Tok::kSpace, start, pos_);
        continue;
      }
      switch (c) {
        case '=':
          emit(Tok::kAssign, start, pos_);
          break;
        case ':':
          if (pos_ >= in_.size() || in_[pos_] != '=') return fail(start, "expected :=");
          ++pos_;
          emit(Tok::kDeclare, start, pos_);
          break;
        case '|':
          emit(Tok::kPipe, start, pos_);
          break;
        case '"':
          while (true) {
            if (pos_ >= in_.size() || in_[pos_] == '\n') {
              return fail(start, "unterminated quoted string");
            }
            char q = in_[pos_++];
            if (q == '\\') {
              if (pos_ >= in_.size() || in_[pos_] == '\n') {
                return fail(start, "unterminated quoted string");
              }
              ++pos_;
            } else if (q == '"') {
              break;
            }
          }
          emit(Tok::kString, start, pos_);
          break;
        case '`': {
          size_t e = in_.find('`', pos_);
          if (e == std::string_view::npos) return fail(start, "unterminated raw quoted string");
          pos_ = e + 1;
          emit(Tok::kRawString, start, pos_);
          break;
        }
        case '$':
          TRY(lexFieldOrVariable(start, Tok::kVariable));
          break;
        case '\'':
          while (true) {
            if (pos_ >= in_.size() || in_[pos_] == '\n') {
              return fail(start, "unterminated character constant");
            }
            char q = in_[pos_++];
            if (q == '\\') {
              if (pos_ >= in_.size() || in_[pos_] == '\n') {
                return fail(start, "unterminated character constant");
              }
              ++pos_;
            } else if (q == '\'') {
              break;
            }
          }
          emit(Tok::kCharConstant, start, pos_);
          break;
        case '(':
          emit(Tok::kLeftParen, start, pos_);
          ++paren_depth;
          break;
        case ')':
          if (--paren_depth < 0) return fail(start, "unexpected right paren");
          emit(Tok::kRightParen, start, pos_);
          break;
        default:
          if (c == '.' && !(pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9')) {
            TRY(lexFieldOrVariable(start, Tok::kField));
          } else if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
            pos_ = start;
            TRY(lexNumber());
          } else if (isAlphaNumeric(c)) {
            pos_ = start;
            TRY(lexIdentifier());
          } else if (static_cast<unsigned char>(c) < 0x80 && c >= 0x20 && c != 0x7F) {
            emit(Tok::kChar, start, pos_);
          } else {
            return fail(start, "unrecognized character in action: {}", runeDesc(in_, start));
          }
      }
    }
  }

  Status lexFieldOrVariable(size_t start, Tok type) {
    if (atTerminator(pos_)) {
      emit(type == Tok::kVariable ? Tok::kVariable : Tok::kDot, start, pos_);
      return okStatus();
    }
    while (pos_ < in_.size() && isAlphaNumeric(in_[pos_])) ++pos_;
    if (!atTerminator(pos_)) return fail(pos_, "bad character {}", runeDesc(in_, pos_));
    emit(type, start, pos_);
    return okStatus();
  }

  Status lexIdentifier() {
    size_t start = pos_;
    while (pos_ < in_.size() && isAlphaNumeric(in_[pos_])) ++pos_;
    if (!atTerminator(pos_)) return fail(pos_, "bad character {}", runeDesc(in_, pos_));
    std::string_view w = in_.substr(start, pos_ - start);
    Tok t = Tok::kIdentifier;
    if (w == "true" || w == "false")
      t = Tok::kBool;
    else if (w == "nil")
      t = Tok::kNil;
    else if (w == "if")
      t = Tok::kIf;
    else if (w == "else")
      t = Tok::kElse;
    else if (w == "end")
      t = Tok::kEnd;
    else if (w == "range")
      t = Tok::kRange;
    else if (w == "with")
      t = Tok::kWith;
    else if (w == "break")
      t = Tok::kBreak;
    else if (w == "continue")
      t = Tok::kContinue;
    else if (w == "define")
      t = Tok::kDefine;
    else if (w == "template")
      t = Tok::kTemplate;
    else if (w == "block")
      t = Tok::kBlock;
    emit(t, start, pos_);
    return okStatus();
  }

  Status lexNumber() {
    size_t start = pos_;
    auto accept = [&](std::string_view set) {
      if (pos_ < in_.size() && set.find(in_[pos_]) != std::string_view::npos) {
        ++pos_;
        return true;
      }
      return false;
    };
    auto acceptRun = [&](std::string_view set) {
      while (accept(set)) {
      }
    };
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX"))
        digits = "0123456789abcdefABCDEF_";
      else if (accept("oO"))
        digits = "01234567_";
      else if (accept("bB"))
        digits = "01_";
    }
    acceptRun(digits);
    if (accept(".")) acceptRun(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (pos_ < in_.size() && isAlphaNumeric(in_[pos_])) {
      ++pos_;
      return fail(start, "bad number syntax: \"{}\"", in_.substr(start, pos_ - start));
    }
    emit(Tok::kNumber, start, pos_);
    return okStatus();
  }

  const Tree& tree_;
  std::string_view in_;
  size_t pos_ = 0;
  std::vector<Token> toks_;
};

// strconv.Unquote for "..." strings and '.' character constants.
Result<std::string> unquote(std::string_view s) {
  std::string out;
  char quote = s.front();
  for (size_t i = 1; i + 1 < s.size();) {
    char c = s[i];
    if (c != '\\') {
      if (c == quote) return makeError(Code::kInvalidArgument, "invalid syntax");
      out += c;
      ++i;
      continue;
    }
    if (i + 2 > s.size()) return makeError(Code::kInvalidArgument, "invalid syntax");
    char e = s[i + 1];
    i += 2;
    auto hex = [&](int n) -> Result<uint32_t> {
      uint32_t v = 0;
      for (int k = 0; k < n; ++k, ++i) {
        if (i + 1 >= s.size()) return makeError(Code::kInvalidArgument, "invalid syntax");
        char h = s[i];
        int d = (h >= '0' && h <= '9')   ? h - '0'
                : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                         : -1;
        if (d < 0) return makeError(Code::kInvalidArgument, "invalid syntax");
        v = v * 16 + d;
      }
      return v;
    };
    switch (e) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case '"':
      case '\'':
        if (e != quote) return makeError(Code::kInvalidArgument, "invalid syntax");
        out += e;
        break;
      case 'x':
        out += static_cast<char>(TRY(hex(2)));
        break;
      case 'u':
        appendRune(out, TRY(hex(4)));
        break;
      case 'U':
        appendRune(out, TRY(hex(8)));
        break;
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = e - '0';
          for (int k = 0; k < 2; ++k, ++i) {
            if (i + 1 >= s.size() || s[i] < '0' || s[i] > '7') {
              return makeError(Code::kInvalidArgument, "invalid syntax");
            }
            v = v * 8 + (s[i] - '0');
          }
          if (v > 255) return makeError(Code::kInvalidArgument, "invalid syntax");
          out += static_cast<char>(v);
          break;
        }
        return makeError(Code::kInvalidArgument, "invalid syntax");
    }
  }
  return out;
}

Result<Json> parseNumber(std::string_view text) {
  if (text.front() == '\'') {
    std::string s = TRY(unquote(text));
    DecodedRune d = decodeRune(s, 0);
    if (s.empty() || d.size != s.size()) {
      return makeError(Code::kInvalidArgument, "malformed character constant: {}", text);
    }
    return Json(static_cast<int64_t>(d.rune));
  }
  std::string clean;
  for (char c : text) {
    if (c != '_') clean += c;
  }
  std::string_view body = clean;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  bool hex = body.size() > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
  bool is_float = hex ? body.find_first_of(".pP") != std::string_view::npos
                      : body.find_first_of(".eE") != std::string_view::npos;
  if (is_float) {
    errno = 0;
    char* end = nullptr;
    double f = std::strtod(clean.c_str(), &end);
    if (end != clean.c_str() + clean.size() || errno == ERANGE) {
      return makeError(Code::kInvalidArgument, "illegal number syntax: \"{}\"", text);
    }
    return Json(f);
  }
  int base = 10;
  if (body.size() > 1 && body[0] == '0') {
    char p = body[1];
    if (p == 'x' || p == 'X')
      base = 16, body.remove_prefix(2);
    else if (p == 'o' || p == 'O')
      base = 8, body.remove_prefix(2);
    else if (p == 'b' || p == 'B')
      base = 2, body.remove_prefix(2);
    else
      base = 8, body.remove_prefix(1);
  }
  std::string digits(body);
  if (digits.empty())
    return makeError(Code::kInvalidArgument, "illegal number syntax: \"{}\"", text);
  errno = 0;
  char* end = nullptr;
  unsigned long long u = std::strtoull(digits.c_str(), &end, base);
  if (end != digits.c_str() + digits.size() || errno == ERANGE || digits[0] == '-' ||
      digits[0] == '+') {
    return makeError(Code::kInvalidArgument, "illegal number syntax: \"{}\"", text);
  }
  if (neg) {
    if (u > static_cast<unsigned long long>(INT64_MAX) + 1) {
      return makeError(Code::kInvalidArgument, "illegal number syntax: \"{}\"", text);
    }
    return Json(static_cast<int64_t>(0 - u));
  }
  if (u <= static_cast<unsigned long long>(INT64_MAX)) return Json(static_cast<int64_t>(u));
  return Json(static_cast<uint64_t>(u));
}

std::string describe(const Token& t) {
  switch (t.type) {
    case Tok::kEof:
      return "EOF";
    case Tok::kRightDelim:
    case Tok::kLeftDelim:
    case Tok::kText:
    case Tok::kString:
    case Tok::kRawString:
    case Tok::kChar:
    case Tok::kSpace:
      return fmt::format("\"{}\"", t.val);
    case Tok::kIf:
    case Tok::kElse:
    case Tok::kEnd:
    case Tok::kRange:
    case Tok::kWith:
    case Tok::kBreak:
    case Tok::kContinue:
    case Tok::kDefine:
    case Tok::kTemplate:
    case Tok::kBlock:
      return fmt::format("<{}>", t.val);
    default:
      return std::string(t.val);
  }
}

class Parser {
 public:
  Parser(Tree& tree, std::vector<Token> toks) : tree_(tree), toks_(std::move(toks)) {}

  Status parse() {
    while (peek().type != Tok::kEof) {
      Node n = TRY(textOrAction());
      if (n.kind == kEndMarker || n.kind == kElseMarker) {
        return fail(n.pos, "unexpected {}", n.kind == kEndMarker ? "{{end}}" : "{{else}}");
      }
      tree_.root.push_back(std::move(n));
    }
    return okStatus();
  }

 private:
  // Pseudo-kinds for {{end}} and {{else}} while parsing lists.
  static constexpr NodeKind kEndMarker = static_cast<NodeKind>(100);
  static constexpr NodeKind kElseMarker = static_cast<NodeKind>(101);

  const Token& next() { return toks_[std::min(idx_++, toks_.size() - 1)]; }
  const Token& peek() const { return toks_[std::min(idx_, toks_.size() - 1)]; }
  void backup() { --idx_; }
  const Token& nextNonSpace() {
    while (peek().type == Tok::kSpace) ++idx_;
    return next();
  }
  const Token& peekNonSpace() {
    const Token& t = nextNonSpace();
    backup();
    return t;
  }
  template <typename... Args>
  Error fail(size_t pos, fmt::format_string<Args...> f, Args&&... args) {
    return Error(Code::kInvalidArgument, fmt::format("{}: {}", location(tree_, pos),
                                                     fmt::format(f, std::forward<Args>(args)...)));
  }
  Error unexpected(const Token& t, std::string_view context) {
    return fail(t.pos, "unexpected {} in {}", describe(t), context);
  }
  Status expect(Tok type, std::string_view context) {
    const Token& t = nextNonSpace();
    if (t.type != type) return unexpected(t, context);
    return okStatus();
  }

  // Parses nodes until {{end}} or {{else}}; returns the list and the terminator marker.
  Result<std::pair<std::vector<Node>, Node>> itemList() {
    std::vector<Node> list;
    while (peekNonSpace().type != Tok::kEof) {
      Node n = TRY(textOrAction());
      if (n.kind == kEndMarker || n.kind == kElseMarker) {
        return std::make_pair(std::move(list), std::move(n));
      }
      list.push_back(std::move(n));
    }
    return fail(peek().pos, "unexpected EOF");
  }

  Result<Node> textOrAction() {
    const Token& t = nextNonSpace();
    if (t.type == Tok::kText) {
      Node n;
      n.kind = NodeKind::kText;
      n.pos = t.pos;
      n.end = t.pos + t.val.size();
      n.text = std::string(t.val);
      return n;
    }
    if (t.type == Tok::kLeftDelim) return action(t.pos);
    return unexpected(t, "input");
  }

  Result<Node> action(size_t delim_pos) {
    const Token& t = nextNonSpace();
    Node n;
    n.pos = delim_pos;
    switch (t.type) {
      case Tok::kBreak:
      case Tok::kContinue: {
        bool is_break = t.type == Tok::kBreak;
        const Token& r = nextNonSpace();
        if (r.type != Tok::kRightDelim) {
          return unexpected(r, is_break ? "{{break}}" : "{{continue}}");
        }
        if (range_depth_ == 0) {
          return fail(t.pos, "{} outside {{{{range}}}}", is_break ? "{{break}}" : "{{continue}}");
        }
        n.kind = is_break ? NodeKind::kBreak : NodeKind::kContinue;
        return n;
      }
      case Tok::kElse: {
        Tok p = peekNonSpace().type;
        if (p != Tok::kIf && p != Tok::kWith) TRY(expect(Tok::kRightDelim, "else"));
        n.kind = kElseMarker;
        return n;
      }
      case Tok::kEnd:
        TRY(expect(Tok::kRightDelim, "end"));
        n.kind = kEndMarker;
        return n;
      case Tok::kIf:
        return control(NodeKind::kIf, delim_pos);
      case Tok::kRange:
        return control(NodeKind::kRange, delim_pos);
      case Tok::kWith:
        return control(NodeKind::kWith, delim_pos);
      case Tok::kDefine:
      case Tok::kTemplate:
      case Tok::kBlock:
        return fail(t.pos, "{{{{{}}}}} is not supported", t.val);
      default:
        break;
    }
    backup();
    n.kind = NodeKind::kAction;
    n.pipe = TRY(pipeline("command", Tok::kRightDelim));
    n.end = toks_[idx_ - 1].pos + toks_[idx_ - 1].val.size();
    return n;
  }

  Result<Node> control(NodeKind kind, size_t pos) {
    const char* context = kind == NodeKind::kIf      ? "if"
                          : kind == NodeKind::kRange ? "range"
                                                     : "with";
    size_t vars_mark = vars_.size();
    Node n;
    n.kind = kind;
    n.pos = pos;
    n.pipe = TRY(pipeline(context, Tok::kRightDelim));
    if (kind == NodeKind::kRange) ++range_depth_;
    auto [list, term] = TRY(itemList());
    if (kind == NodeKind::kRange) --range_depth_;
    n.list = std::move(list);
    if (term.kind == kElseMarker) {
      Tok p = peekNonSpace().type;
      if ((kind == NodeKind::kIf && p == Tok::kIf) ||
          (kind == NodeKind::kWith && p == Tok::kWith)) {
        const Token& kw = nextNonSpace();
        n.else_list.push_back(TRY(control(kind, kw.pos)));
      } else {
        auto [else_list, end] = TRY(itemList());
        if (end.kind != kEndMarker) return fail(end.pos, "expected end; found {{else}}");
        n.else_list = std::move(else_list);
      }
    }
    vars_.resize(vars_mark);
    return n;
  }

  Result<std::shared_ptr<Pipe>> pipeline(std::string_view context, Tok end) {
    auto pipe = std::make_shared<Pipe>();
    pipe->pos = peekNonSpace().pos;
    while (true) {  // declarations
      const Token& v = peekNonSpace();
      if (v.type != Tok::kVariable) break;
      size_t v_idx = idx_;
      nextNonSpace();
      const Token& n = peekNonSpace();
      if (n.type == Tok::kAssign || n.type == Tok::kDeclare) {
        nextNonSpace();
        pipe->is_assign = n.type == Tok::kAssign;
        pipe->decl.emplace_back(v.val);
        vars_.emplace_back(v.val);
        break;
      }
      if (n.type == Tok::kChar && n.val == ",") {
        nextNonSpace();
        pipe->decl.emplace_back(v.val);
        vars_.emplace_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          Tok p = peekNonSpace().type;
          if (p == Tok::kVariable || p == Tok::kRightDelim || p == Tok::kRightParen) continue;
          return fail(n.pos, "range can only initialize variables");
        }
        return fail(n.pos, "too many declarations in {}", context);
      }
      idx_ = v_idx;
      break;
    }
    while (true) {
      const Token& t = nextNonSpace();
      if (t.type == end) {
        if (pipe->cmds.empty()) return fail(t.pos, "missing value for {}", context);
        for (size_t i = 1; i < pipe->cmds.size(); ++i) {
          const Arg& a = pipe->cmds[i].args[0];
          if (a.kind == ArgKind::kLiteral || a.kind == ArgKind::kDot || a.kind == ArgKind::kNil) {
            return fail(a.pos, "non executable command in pipeline stage {}", i + 1);
          }
        }
        return pipe;
      }
      switch (t.type) {
        case Tok::kBool:
        case Tok::kCharConstant:
        case Tok::kDot:
        case Tok::kField:
        case Tok::kIdentifier:
        case Tok::kNumber:
        case Tok::kNil:
        case Tok::kRawString:
        case Tok::kString:
        case Tok::kVariable:
        case Tok::kLeftParen:
          backup();
          pipe->cmds.push_back(TRY(command()));
          break;
        default:
          return unexpected(t, context);
      }
    }
  }

  Result<Command> command() {
    Command cmd;
    cmd.pos = peekNonSpace().pos;
    while (true) {
      peekNonSpace();
      std::optional<Arg> operand = TRY(this->operand());
      if (operand) cmd.args.push_back(std::move(*operand));
      const Token& t = next();
      if (t.type == Tok::kSpace) continue;
      if (t.type == Tok::kRightDelim || t.type == Tok::kRightParen) {
        backup();
      } else if (t.type != Tok::kPipe) {
        return unexpected(t, "operand");
      }
      break;
    }
    if (cmd.args.empty()) return fail(cmd.pos, "empty command");
    cmd.end = cmd.args.back().end;
    return cmd;
  }

  Result<std::optional<Arg>> operand() {
    std::optional<Arg> node = TRY(term());
    if (!node || peek().type != Tok::kField) return node;
    std::vector<std::string> fields;
    size_t end = node->end;
    while (peek().type == Tok::kField) {
      const Token& f = next();
      fields.emplace_back(f.val.substr(1));
      end = f.pos + f.val.size();
    }
    switch (node->kind) {
      case ArgKind::kField:
      case ArgKind::kVariable:
        node->ident.insert(node->ident.end(), fields.begin(), fields.end());
        node->end = end;
        return node;
      case ArgKind::kLiteral:
      case ArgKind::kNil:
      case ArgKind::kDot:
        return fail(node->pos, "unexpected . after term \"{}\"",
                    tree_.source.substr(node->pos, node->end - node->pos));
      default: {
        Arg chain;
        chain.kind = ArgKind::kChain;
        chain.pos = node->pos;
        chain.end = end;
        chain.ident = std::move(fields);
        chain.base = std::make_shared<Arg>(std::move(*node));
        return std::optional<Arg>(std::move(chain));
      }
    }
  }

  Result<std::optional<Arg>> term() {
    const Token& t = nextNonSpace();
    Arg a;
    a.pos = t.pos;
    a.end = t.pos + t.val.size();
    switch (t.type) {
      case Tok::kIdentifier:
        if (!hasFunction(t.val)) return fail(t.pos, "function \"{}\" not defined", t.val);
        a.kind = ArgKind::kIdentifier;
        a.ident.emplace_back(t.val);
        return std::optional<Arg>(std::move(a));
      case Tok::kDot:
        a.kind = ArgKind::kDot;
        return std::optional<Arg>(std::move(a));
      case Tok::kNil:
        a.kind = ArgKind::kNil;
        return std::optional<Arg>(std::move(a));
      case Tok::kVariable: {
        bool known = false;
        for (const std::string& v : vars_) known = known || v == t.val;
        if (!known) return fail(t.pos, "undefined variable \"{}\"", t.val);
        a.kind = ArgKind::kVariable;
        a.ident.emplace_back(t.val);
        return std::optional<Arg>(std::move(a));
      }
      case Tok::kField:
        a.kind = ArgKind::kField;
        a.ident.emplace_back(t.val.substr(1));
        return std::optional<Arg>(std::move(a));
      case Tok::kBool:
        a.kind = ArgKind::kLiteral;
        a.literal = t.val == "true";
        return std::optional<Arg>(std::move(a));
      case Tok::kCharConstant:
      case Tok::kNumber: {
        auto num = parseNumber(t.val);
        if (!num.ok()) return fail(t.pos, "{}", num.error().message());
        a.kind = ArgKind::kLiteral;
        a.literal = std::move(*num);
        return std::optional<Arg>(std::move(a));
      }
      case Tok::kLeftParen:
        a.kind = ArgKind::kPipe;
        a.pipe = TRY(pipeline("parenthesized pipeline", Tok::kRightParen));
        a.end = toks_[idx_ - 1].pos + 1;
        return std::optional<Arg>(std::move(a));
      case Tok::kString: {
        auto s = unquote(t.val);
        if (!s.ok()) return fail(t.pos, "invalid syntax in string {}", t.val);
        a.kind = ArgKind::kLiteral;
        a.literal = std::move(*s);
        return std::optional<Arg>(std::move(a));
      }
      case Tok::kRawString: {
        std::string s(t.val.substr(1, t.val.size() - 2));
        std::erase(s, '\r');
        a.kind = ArgKind::kLiteral;
        a.literal = std::move(s);
        return std::optional<Arg>(std::move(a));
      }
      default:
        backup();
        return std::optional<Arg>();
    }
  }

  Tree& tree_;
  std::vector<Token> toks_;
  size_t idx_ = 0;
  std::vector<std::string> vars_ = {"$"};
  int range_depth_ = 0;
};

}  // namespace

std::string location(const Tree& tree, size_t pos) {
  std::string_view before = std::string_view(tree.source).substr(0, pos);
  size_t line = 1;
  for (char c : before) line += c == '\n';
  size_t nl = before.rfind('\n');
  size_t col = nl == std::string_view::npos ? pos : pos - nl - 1;
  return fmt::format("template: {}:{}:{}", tree.name, line, col);
}

Result<std::shared_ptr<Tree>> parseTree(std::string_view text, std::string_view name) {
  auto tree = std::make_shared<Tree>();
  tree->name = std::string(name);
  tree->source = std::string(text);
  std::vector<Token> toks = TRY(Lexer(*tree).run());
  TRY(Parser(*tree, std::move(toks)).parse());
  return tree;
}

}  // namespace berth::format::detail
