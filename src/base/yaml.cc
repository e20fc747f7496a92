#include "base/yaml.h"

#include <yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>

#include "base/scope_exit.h"

namespace berth::yaml {

namespace {

// ---- scalar resolution (go-yaml v2's resolve.go) -------------------------------------------

bool oneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  for (auto l : list)
    if (s == l) return true;
  return false;
}

// Go's strconv.ParseInt(s, 0, 64): sign, then 0x/0o/0b prefixes, a leading 0 for octal,
// underscores only after a prefix.
bool parseGoInt(std::string_view s, int64_t& out, bool& overflow_unsigned, uint64_t& uout) {
  overflow_unsigned = false;
  std::string_view body = s;
  bool neg = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return false;
  int base = 10;
  bool prefixed = false;
  if (body.size() >= 2 && body[0] == '0') {
    char p = static_cast<char>(body[1] | 0x20);
    if (p == 'x') base = 16, prefixed = true;
    else if (p == 'o') base = 8, prefixed = true;
    else if (p == 'b') base = 2, prefixed = true;
    else base = 8;
  }
  if (prefixed) body.remove_prefix(2);
  std::string digits;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '_') {
      if (!prefixed) return false;
      continue;
    }
    int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : 99;
    if (v >= base) return false;
    digits.push_back(c);
  }
  if (digits.empty()) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long u = std::strtoull(digits.c_str(), &end, base);
  if (errno == ERANGE) return false;
  if (!neg && u > static_cast<unsigned long long>(INT64_MAX)) {
    overflow_unsigned = true;
    uout = u;
    return true;
  }
  if (neg && u > static_cast<unsigned long long>(INT64_MAX) + 1) return false;
  out = neg ? static_cast<int64_t>(0 - u) : static_cast<int64_t>(u);
  return true;
}

const std::regex& floatRe() {
  static const std::regex re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  return re;
}

// The value a plain scalar stands for; `is_str` tells whether it stayed a string.
Json resolvePlain(const std::string& s, bool& is_str) {
  is_str = false;
  if (oneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (oneOf(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) return true;
  if (oneOf(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) return false;
  if (oneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return HUGE_VAL;
  if (oneOf(s, {"-.inf", "-.Inf", "-.INF"})) return -HUGE_VAL;
  if (oneOf(s, {".nan", ".NaN", ".NAN"})) return std::nan("");
  char c = s[0];
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
    int64_t i = 0;
    uint64_t u = 0;
    bool big = false;
    if (parseGoInt(s, i, big, u)) return big ? Json(u) : Json(i);
    if (std::regex_match(s, floatRe())) return std::strtod(s.c_str(), nullptr);
  }
  is_str = true;
  return s;
}

// go-yaml quotes strings like "1:20" (YAML 1.1 base-60 floats) so YAML 1.1 readers keep them.
bool isBase60Float(const std::string& s) {
  static const std::regex re(R"(^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$)");
  return !s.empty() && (s[0] == '+' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) && s.find(':') != s.npos &&
         std::regex_match(s, re);
}

// go-yaml v2 reads these plain scalars as timestamps, so it quotes such strings on output.
bool isTimestamp(const std::string& s) {
  static const std::regex re(
      R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$)");
  return s.size() >= 8 && s[0] >= '0' && s[0] <= '9' && std::regex_match(s, re);
}

// ---- parsing -------------------------------------------------------------------------------

size_t countNodes(const Json& v) {
  size_t n = 1;
  if (v.is_structured())
    for (auto& e : v) n += countNodes(e);
  return n;
}

class Builder {
 public:
  Builder(std::string_view what) : what_(what) {}

  Status scalar(const yaml_event_t& ev) {
    std::string text(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
    std::string tag = ev.data.scalar.tag ? reinterpret_cast<const char*>(ev.data.scalar.tag) : "";
    Json v;
    bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag.empty() || tag == "!") {
      bool is_str = true;
      v = plain && tag.empty() ? resolvePlain(text, is_str) : Json(text);
    } else if (tag == YAML_STR_TAG) {
      v = text;
    } else if (tag == YAML_NULL_TAG) {
      v = nullptr;
    } else if (tag == YAML_BOOL_TAG || tag == YAML_INT_TAG || tag == YAML_FLOAT_TAG) {
      bool is_str = true;
      v = resolvePlain(text, is_str);
      bool ok = !is_str && ((tag == YAML_BOOL_TAG && v.is_boolean()) || (tag == YAML_INT_TAG && v.is_number_integer()) ||
                            (tag == YAML_FLOAT_TAG && v.is_number()));
      if (!ok) return err(ev, fmt::format("cannot decode {:?} as {}", text, tag));
      if (tag == YAML_FLOAT_TAG && v.is_number_integer()) v = v.get<double>();
    } else {
      v = text;  // unknown tags (!!binary, custom ones) keep the text, as go-yaml's interface{} does
    }
    return add(ev, std::move(v), anchor(ev.data.scalar.anchor), 1);
  }

  Status start(const yaml_event_t& ev, bool mapping) {
    if (stack_.size() >= kMaxYamlDepth) return err(ev, fmt::format("nested deeper than {} levels", kMaxYamlDepth));
    Frame f;
    f.value = mapping ? Json::object() : Json::array();
    f.anchor = anchor(mapping ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor);
    stack_.push_back(std::move(f));
    return {};
  }

  Status end(const yaml_event_t& ev) {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.value.is_object() && f.has_key) return err(ev, "mapping key without a value");
    return add(ev, std::move(f.value), f.anchor, 1);
  }

  Status alias(const yaml_event_t& ev) {
    std::string name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end()) return err(ev, fmt::format("unknown anchor {:?} referenced", name));
    return add(ev, it->second.first, "", it->second.second);
  }

  // The finished document's value (null for an empty one).
  Json take() { return std::move(doc_); }
  void reset() {
    doc_ = nullptr;
    anchors_.clear();
  }

 private:
  struct Frame {
    Json value;
    std::string anchor;
    std::string key;
    bool has_key = false;
  };

  static std::string anchor(const yaml_char_t* a) { return a ? reinterpret_cast<const char*>(a) : ""; }

  Error err(const yaml_event_t& ev, std::string_view msg) const {
    return makeError(Code::kInvalidArgument, "{}: line {} column {}: {}", what_, ev.start_mark.line + 1,
                     ev.start_mark.column + 1, msg);
  }

  static Result<std::string> keyText(const Json& k) {
    if (k.is_string()) return k.get<std::string>();
    if (k.is_null()) return std::string("null");
    if (k.is_structured()) return makeError(Code::kInvalidArgument, "a mapping key must be a scalar");
    return k.dump();
  }

  Status add(const yaml_event_t& ev, Json v, const std::string& anch, size_t nodes) {
    if (nodes == 1 && v.is_structured()) nodes = countNodes(v);
    nodes_ += v.is_structured() ? 1 : nodes;
    if (nodes > 1) nodes_ += nodes;
    if (nodes_ > kMaxYamlNodes) return err(ev, fmt::format("more than {} values (aliases expanded)", kMaxYamlNodes));
    if (!anch.empty()) anchors_[anch] = {v, countNodes(v)};
    if (stack_.empty()) {
      doc_ = std::move(v);
      return {};
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.push_back(std::move(v));
      return {};
    }
    if (!top.has_key) {
      auto k = keyText(v);
      if (!k.ok()) return err(ev, k.error().what());
      top.key = std::move(*k);
      top.has_key = true;
      return {};
    }
    top.has_key = false;
    if (top.key == "<<" && (v.is_object() || v.is_array())) {  // merge keys: earlier keys win
      std::vector<const Json*> maps;
      if (v.is_object()) maps.push_back(&v);
      else
        for (auto& m : v) {
          if (!m.is_object()) return err(ev, "map merge requires a mapping or a list of mappings");
          maps.push_back(&m);
        }
      for (auto* m : maps)
        for (auto& [k, val] : m->items())
          if (!top.value.contains(k)) top.value[k] = val;
      return {};
    }
    if (top.value.contains(top.key)) return err(ev, fmt::format("mapping key {:?} already defined", top.key));
    top.value[top.key] = std::move(v);
    return {};
  }

  std::string_view what_;
  std::vector<Frame> stack_;
  std::map<std::string, std::pair<Json, size_t>> anchors_;
  Json doc_;
  size_t nodes_ = 0;
};

// ---- emitting ------------------------------------------------------------------------------

class Emitter {
 public:
  Emitter() {
    yaml_emitter_initialize(&em_);
    yaml_emitter_set_output(&em_, &Emitter::write, &out_);
    yaml_emitter_set_unicode(&em_, 1);
    yaml_emitter_set_width(&em_, 80);
    yaml_emitter_set_indent(&em_, 2);
  }
  ~Emitter() { yaml_emitter_delete(&em_); }

  std::string run(const Json& doc) {
    yaml_event_t ev;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    emit(ev);
    yaml_document_start_event_initialize(&ev, nullptr, nullptr, nullptr, 1);
    emit(ev);
    node(doc);
    yaml_document_end_event_initialize(&ev, 1);
    emit(ev);
    yaml_stream_end_event_initialize(&ev);
    emit(ev);
    yaml_emitter_flush(&em_);
    return std::move(out_);
  }

 private:
  static int write(void* data, unsigned char* buf, size_t size) {
    static_cast<std::string*>(data)->append(reinterpret_cast<const char*>(buf), size);
    return 1;
  }
  void emit(yaml_event_t& ev) {
    if (!failed_ && !yaml_emitter_emit(&em_, &ev)) failed_ = true;
  }

  void scalar(const std::string& text, yaml_scalar_style_t style) {
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, nullptr, nullptr, reinterpret_cast<const yaml_char_t*>(text.data()),
                                 static_cast<int>(text.size()), 1, 1, style);
    emit(ev);
  }

  void string(const std::string& s) {
    bool is_str = true;
    resolvePlain(s, is_str);
    if (!is_str || isBase60Float(s) || isTimestamp(s) || s == "<<") scalar(s, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    else if (s.find('\n') != std::string::npos) scalar(s, YAML_LITERAL_SCALAR_STYLE);
    else scalar(s, YAML_PLAIN_SCALAR_STYLE);
  }

  void node(const Json& v) {
    yaml_event_t ev;
    switch (v.type()) {
      case Json::value_t::object: {
        bool empty = v.empty();
        yaml_mapping_start_event_initialize(&ev, nullptr, nullptr, 1,
                                            empty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
        emit(ev);
        std::vector<std::pair<std::string, const Json*>> items;
        for (auto& [k, val] : v.items()) items.emplace_back(k, &val);
        std::stable_sort(items.begin(), items.end(), [](auto& a, auto& b) { return keyLess(a.first, b.first); });
        for (auto& [k, val] : items) {
          string(k);
          node(*val);
        }
        yaml_mapping_end_event_initialize(&ev);
        emit(ev);
        return;
      }
      case Json::value_t::array: {
        yaml_sequence_start_event_initialize(&ev, nullptr, nullptr, 1,
                                             v.empty() ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
        emit(ev);
        for (auto& e : v) node(e);
        yaml_sequence_end_event_initialize(&ev);
        emit(ev);
        return;
      }
      case Json::value_t::string:
        string(v.get<std::string>());
        return;
      case Json::value_t::boolean:
        scalar(v.get<bool>() ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
        return;
      case Json::value_t::null:
        scalar("null", YAML_PLAIN_SCALAR_STYLE);
        return;
      case Json::value_t::number_float: {
        double d = v.get<double>();
        std::string t = std::isnan(d) ? ".NaN" : std::isinf(d) ? (d > 0 ? "+.Inf" : "-.Inf") : fmt::format("{}", d);
        scalar(t, YAML_PLAIN_SCALAR_STYLE);
        return;
      }
      default:
        scalar(v.dump(), YAML_PLAIN_SCALAR_STYLE);
        return;
    }
  }

  yaml_emitter_t em_;
  std::string out_;
  bool failed_ = false;
};

bool isLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool keyLess(std::string_view a, std::string_view b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    bool al = isLetter(static_cast<unsigned char>(a[i])), bl = isLetter(static_cast<unsigned char>(b[i]));
    if (al && bl) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
    if (al || bl) return bl;
    int64_t an = 0, bn = 0;
    if (a[i] == '0' || b[i] == '0') {
      for (size_t j = i; j-- > 0 && isDigit(a[j]);)
        if (a[j] != '0') {
          an = bn = 1;
          break;
        }
    }
    size_t ai = i, bi = i;
    for (; ai < a.size() && isDigit(a[ai]); ++ai) an = an * 10 + (a[ai] - '0');
    for (; bi < b.size() && isDigit(b[bi]); ++bi) bn = bn * 10 + (b[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

Result<std::vector<Json>> parseDocuments(std::string_view text, std::string_view what) {
  if (text.size() > kMaxYamlBytes)
    return makeError(Code::kInvalidArgument, "{}: larger than {} bytes", what, kMaxYamlBytes);
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return makeError(Code::kInternal, "{}: initializing the YAML parser", what);
  ScopeExit free_parser([&] { yaml_parser_delete(&parser); });
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::vector<Json> docs;
  Builder b(what);
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      return makeError(Code::kInvalidArgument, "{}: line {} column {}: {}{}", what, parser.problem_mark.line + 1,
                       parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML",
                       parser.context ? fmt::format(" ({})", parser.context) : "");
    }
    ScopeExit free_event([&] { yaml_event_delete(&ev); });
    Status st;
    switch (ev.type) {
      case YAML_STREAM_END_EVENT:
        return docs;
      case YAML_DOCUMENT_START_EVENT:
        b.reset();
        break;
      case YAML_DOCUMENT_END_EVENT: {
        Json d = b.take();
        if (!d.is_null()) docs.push_back(std::move(d));
        break;
      }
      case YAML_SCALAR_EVENT:
        st = b.scalar(ev);
        break;
      case YAML_SEQUENCE_START_EVENT:
        st = b.start(ev, false);
        break;
      case YAML_MAPPING_START_EVENT:
        st = b.start(ev, true);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        st = b.end(ev);
        break;
      case YAML_ALIAS_EVENT:
        st = b.alias(ev);
        break;
      default:
        break;
    }
    if (!st.ok()) return std::move(st).error();
  }
}

std::string emit(const Json& doc) { return Emitter().run(doc); }

}  // namespace berth::yaml
