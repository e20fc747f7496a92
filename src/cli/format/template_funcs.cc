// Builtin template functions: Go's text/template builtins and podman's report.DefaultFuncs.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/format/gofmt.h"
#include "cli/format/template_ast.h"
#include "cli/format/template_value.h"
#include "base/utf8.h"

namespace berth::format::detail {

namespace {

Error wrongType(const Value& v, std::string_view want) {
  if (!v.valid()) return makeError(Code::kInvalidArgument, "invalid value; expected {}", want);
  return makeError(Code::kInvalidArgument, "wrong type for value; expected {}; got {}", want,
                   valueTypeName(v));
}

Result<std::string_view> str(const Value& v) {
  if (v.valid() && v.json().is_string())
    return std::string_view(v.json().get_ref<const std::string&>());
  return wrongType(v, "string");
}

Result<int64_t> integer(const Value& v) {
  if (v.valid()) {
    const Json& j = v.json();
    if (j.is_number_integer()) return j.get<int64_t>();
    if (j.is_number_float() && std::trunc(j.get<double>()) == j.get<double>()) {
      return static_cast<int64_t>(j.get<double>());
    }
  }
  return wrongType(v, "int");
}

std::vector<FmtArg> fmtArgs(const std::vector<Value>& args, size_t from = 0) {
  std::vector<FmtArg> out;
  for (size_t i = from; i < args.size(); ++i) {
    out.push_back(args[i].valid() && !args[i].json().is_null() ? &args[i].json() : nullptr);
  }
  return out;
}

// Go's evalArgs: a lone string argument as is, else fmt.Sprint of the arguments.
std::string evalArgs(const std::vector<Value>& args) {
  if (args.size() == 1 && args[0].valid() && args[0].json().is_string()) {
    return args[0].json().get<std::string>();
  }
  return goSprint(fmtArgs(args));
}

// Simple case mapping: ASCII, Latin-1, basic Greek and Cyrillic.
char32_t toUpperRune(char32_t r) {
  if (r >= 'a' && r <= 'z') return r - 32;
  if ((r >= 0xE0 && r <= 0xFE && r != 0xF7)) return r - 32;
  if (r == 0xFF) return 0x178;
  if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) return r - 32;
  if (r >= 0x430 && r <= 0x44F) return r - 32;
  if (r >= 0x450 && r <= 0x45F) return r - 80;
  return r;
}
char32_t toLowerRune(char32_t r) {
  if (r >= 'A' && r <= 'Z') return r + 32;
  if ((r >= 0xC0 && r <= 0xDE && r != 0xD7)) return r + 32;
  if (r == 0x178) return 0xFF;
  if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 32;
  if (r >= 0x410 && r <= 0x42F) return r + 32;
  if (r >= 0x400 && r <= 0x40F) return r + 80;
  return r;
}

template <typename F>
std::string mapRunes(std::string_view s, F f) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = decodeRune(s, i);
    appendRune(out, f(d.rune));
    i += d.size;
  }
  return out;
}

bool isTitleSeparator(char32_t r) {
  if (r <= 0x7F) {
    return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
             r == '_');
  }
  return r == 0x85 || r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 ||
         r == 0x2029 || r == 0x202F || r == 0x205F || r == 0x3000;
}

// ---- Go builtins ----

Result<Value> fnNot(std::vector<Value>& a, const ExecOptions&) { return Value::own(!isTrue(a[0])); }

Result<Value> fnLen(std::vector<Value>& a, const ExecOptions&) {
  if (!a[0].valid() || a[0].json().is_null()) {
    return makeError(Code::kInvalidArgument, "len of nil pointer");
  }
  const Json& j = a[0].json();
  if (j.is_string())
    return Value::own(static_cast<int64_t>(j.get_ref<const std::string&>().size()));
  if (j.is_array() || j.is_object()) return Value::own(static_cast<int64_t>(j.size()));
  return makeError(Code::kInvalidArgument, "len of type {}", valueTypeName(a[0]));
}

Result<int64_t> indexArg(const Value& v, size_t size) {
  if (!v.valid() || v.json().is_null()) {
    return makeError(Code::kInvalidArgument, "cannot index slice/array with nil");
  }
  const Json& j = v.json();
  if (!j.is_number_integer()) {
    return makeError(Code::kInvalidArgument, "cannot index slice/array with type {}",
                     valueTypeName(v));
  }
  if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return makeError(Code::kInvalidArgument, "index out of range: {}", j.get<uint64_t>());
  }
  int64_t x = j.get<int64_t>();
  if (x < 0 || static_cast<uint64_t>(x) >= size) {
    return makeError(Code::kInvalidArgument, "index out of range: {}", x);
  }
  return x;
}

Result<Value> fnIndex(std::vector<Value>& a, const ExecOptions&) {
  Value item = a[0];
  if (!item.valid()) return makeError(Code::kInvalidArgument, "index of untyped nil");
  for (size_t i = 1; i < a.size(); ++i) {
    const Json& j = item.json();
    if (j.is_array()) {
      int64_t x = TRY(indexArg(a[i], j.size()));
      item = Value::own(j[x]);
    } else if (j.is_string()) {
      const std::string& s = j.get_ref<const std::string&>();
      int64_t x = TRY(indexArg(a[i], s.size()));
      item = Value::own(static_cast<int64_t>(static_cast<unsigned char>(s[x])));
    } else if (j.is_object() || j.is_null()) {
      if (!a[i].valid() || !a[i].json().is_string()) {
        return makeError(Code::kInvalidArgument, "value has type {}; should be string",
                         valueTypeName(a[i]));
      }
      const std::string& key = a[i].json().get_ref<const std::string&>();
      auto it = j.is_object() ? j.find(key) : j.end();
      // A missing key yields the element type's zero value; Json has no element type, so
      // this assumes map[string]string (labels, annotations), as podman's data mostly is.
      item = it == j.end() ? Value::own("") : Value::own(*it);
    } else {
      return makeError(Code::kInvalidArgument, "can't index item of type {}", valueTypeName(item));
    }
  }
  return item;
}

Result<Value> fnSlice(std::vector<Value>& a, const ExecOptions&) {
  const Value& item = a[0];
  if (!item.valid() || item.json().is_null()) {
    return makeError(Code::kInvalidArgument, "slice of untyped nil");
  }
  if (a.size() > 4)
    return makeError(Code::kInvalidArgument, "too many slice indexes: {}", a.size() - 1);
  const Json& j = item.json();
  size_t len;
  if (j.is_string()) {
    if (a.size() == 4) return makeError(Code::kInvalidArgument, "cannot 3-index slice a string");
    len = j.get_ref<const std::string&>().size();
  } else if (j.is_array()) {
    len = j.size();
  } else {
    return makeError(Code::kInvalidArgument, "can't slice item of type {}", valueTypeName(item));
  }
  int64_t idx[3] = {0, static_cast<int64_t>(len), static_cast<int64_t>(len)};
  for (size_t i = 1; i < a.size(); ++i) idx[i - 1] = TRY(indexArg(a[i], len + 1));
  if (idx[0] > idx[1]) {
    return makeError(Code::kInvalidArgument, "invalid slice index: {} > {}", idx[0], idx[1]);
  }
  if (a.size() == 4 && idx[1] > idx[2]) {
    return makeError(Code::kInvalidArgument, "invalid slice index: {} > {}", idx[1], idx[2]);
  }
  if (j.is_string()) {
    return Value::own(j.get_ref<const std::string&>().substr(idx[0], idx[1] - idx[0]));
  }
  Json out = Json::array();
  for (int64_t i = idx[0]; i < idx[1]; ++i) out.push_back(j[i]);
  return Value::own(std::move(out));
}

Result<Value> fnPrint(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(goSprint(fmtArgs(a)));
}
Result<Value> fnPrintln(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(goSprintln(fmtArgs(a)));
}
Result<Value> fnPrintf(std::vector<Value>& a, const ExecOptions&) {
  std::string_view f = TRY(str(a[0]));
  return Value::own(goSprintf(f, fmtArgs(a, 1)));
}

Result<Value> fnHtml(std::vector<Value>& a, const ExecOptions&) {
  std::string s = evalArgs(a);
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out += c;
    }
  }
  return Value::own(std::move(out));
}

Result<Value> fnJs(std::vector<Value>& a, const ExecOptions&) {
  std::string s = evalArgs(a);
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (c < ' ') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return Value::own(std::move(out));
}

Result<Value> fnUrlquery(std::vector<Value>& a, const ExecOptions&) {
  std::string s = evalArgs(a);
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return Value::own(std::move(out));
}

enum class Kind { kInvalid, kBool, kInt, kUint, kFloat, kString, kOther };

Kind basicKind(const Value& v) {
  if (!v.valid()) return Kind::kInvalid;
  const Json& j = v.json();
  if (j.is_boolean()) return Kind::kBool;
  if (j.is_number_unsigned()) {
    return j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? Kind::kUint : Kind::kInt;
  }
  if (j.is_number_integer()) return Kind::kInt;
  if (j.is_number_float()) return Kind::kFloat;
  if (j.is_string()) return Kind::kString;
  if (j.is_null()) return Kind::kInvalid;
  return Kind::kOther;
}

bool isNumeric(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kFloat; }

// Three-way numeric comparison across int, uint and float (more lenient than Go, which
// refuses to compare an int with a float).
int compareNumbers(const Json& a, const Json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  bool an = a.is_number_integer() && !a.is_number_unsigned() && a.get<int64_t>() < 0;
  bool bn = b.is_number_integer() && !b.is_number_unsigned() && b.get<int64_t>() < 0;
  if (an != bn) return an ? -1 : 1;
  if (an) {
    int64_t x = a.get<int64_t>(), y = b.get<int64_t>();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  uint64_t x = a.get<uint64_t>(), y = b.get<uint64_t>();
  return x < y ? -1 : x > y ? 1 : 0;
}

Result<bool> equal(const Value& a, const Value& b) {
  Kind k1 = basicKind(a), k2 = basicKind(b);
  if (isNumeric(k1) && isNumeric(k2)) return compareNumbers(a.json(), b.json()) == 0;
  if (k1 == Kind::kInvalid || k2 == Kind::kInvalid) return k1 == k2;
  if (k1 != k2) return makeError(Code::kInvalidArgument, "incompatible types for comparison");
  return a.json() == b.json();
}

Result<Value> fnEq(std::vector<Value>& a, const ExecOptions&) {
  if (a.size() < 2) return makeError(Code::kInvalidArgument, "missing argument for comparison");
  for (size_t i = 1; i < a.size(); ++i) {
    if (TRY(equal(a[0], a[i]))) return Value::own(true);
  }
  return Value::own(false);
}

Result<Value> fnNe(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(!TRY(equal(a[0], a[1])));
}

Result<bool> less(const Value& a, const Value& b) {
  Kind k1 = basicKind(a), k2 = basicKind(b);
  auto bad = [](Kind k) { return k == Kind::kInvalid || k == Kind::kOther || k == Kind::kBool; };
  if (bad(k1) || bad(k2)) return makeError(Code::kInvalidArgument, "invalid type for comparison");
  if (isNumeric(k1) && isNumeric(k2)) return compareNumbers(a.json(), b.json()) < 0;
  if (k1 != k2) return makeError(Code::kInvalidArgument, "incompatible types for comparison");
  return a.json().get_ref<const std::string&>() < b.json().get_ref<const std::string&>();
}

Result<Value> fnLt(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(TRY(less(a[0], a[1])));
}
Result<Value> fnLe(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(TRY(less(a[0], a[1])) || TRY(equal(a[0], a[1])));
}
Result<Value> fnGt(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(!(TRY(less(a[0], a[1])) || TRY(equal(a[0], a[1]))));
}
Result<Value> fnGe(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(!TRY(less(a[0], a[1])));
}

// ---- podman's report.DefaultFuncs ----

Result<Value> fnJoin(std::vector<Value>& a, const ExecOptions&) {
  std::string_view sep = TRY(str(a[1]));
  if (a[0].valid() && a[0].json().is_null()) return Value::own("");
  if (!a[0].valid() || !a[0].json().is_array()) return wrongType(a[0], "[]string");
  std::string out;
  bool first = true;
  for (const Json& e : a[0].json()) {
    if (!e.is_string()) return wrongType(a[0], "[]string");
    if (!first) out += sep;
    first = false;
    out += e.get_ref<const std::string&>();
  }
  return Value::own(std::move(out));
}

Result<Value> fnJson(std::vector<Value>& a, const ExecOptions& o) {
  if (!a[0].valid()) return Value::own("null");
  return Value::own(goJsonMarshal(a[0].json(), {&o.map_fields, o.objects_are_maps}, a[0].isMap()));
}

Result<Value> fnLower(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(mapRunes(TRY(str(a[0])), toLowerRune));
}
Result<Value> fnUpper(std::vector<Value>& a, const ExecOptions&) {
  return Value::own(mapRunes(TRY(str(a[0])), toUpperRune));
}
Result<Value> fnTitle(std::vector<Value>& a, const ExecOptions&) {
  char32_t prev = ' ';
  return Value::own(mapRunes(TRY(str(a[0])), [&](char32_t r) {
    char32_t out = isTitleSeparator(prev) ? toUpperRune(r) : r;
    prev = r;
    return out;
  }));
}

Result<Value> fnPad(std::vector<Value>& a, const ExecOptions&) {
  std::string_view s = TRY(str(a[0]));
  int64_t prefix = TRY(integer(a[1]));
  int64_t suffix = TRY(integer(a[2]));
  if (s.empty()) return Value::own("");
  if (prefix < 0 || suffix < 0) return makeError(Code::kInvalidArgument, "negative Repeat count");
  std::string out(prefix, ' ');
  out += s;
  out.append(suffix, ' ');
  return Value::own(std::move(out));
}

Result<Value> fnSplit(std::vector<Value>& a, const ExecOptions&) {
  std::string_view s = TRY(str(a[0]));
  std::string_view sep = TRY(str(a[1]));
  Json out = Json::array();
  if (sep.empty()) {
    for (size_t i = 0; i < s.size();) {
      size_t n = decodeRune(s, i).size;
      out.push_back(std::string(s.substr(i, n)));
      i += n;
    }
    return Value::own(std::move(out));
  }
  size_t start = 0;
  while (true) {
    size_t x = s.find(sep, start);
    if (x == std::string_view::npos) break;
    out.push_back(std::string(s.substr(start, x - start)));
    start = x + sep.size();
  }
  out.push_back(std::string(s.substr(start)));
  return Value::own(std::move(out));
}

Result<Value> fnTruncate(std::vector<Value>& a, const ExecOptions&) {
  std::string_view s = TRY(str(a[0]));
  int64_t n = TRY(integer(a[1]));
  if (static_cast<int64_t>(s.size()) < n) return Value::own(std::string(s));
  if (n < 0) return makeError(Code::kInvalidArgument, "slice bounds out of range [:{}]", n);
  return Value::own(std::string(s.substr(0, n)));
}

const std::unordered_map<std::string_view, Function>& registry() {
  static const auto* m = new std::unordered_map<std::string_view, Function>{
      {"not", {1, 1, fnNot}},
      {"len", {1, 1, fnLen}},
      {"index", {1, -1, fnIndex}},
      {"slice", {1, -1, fnSlice}},
      {"print", {0, -1, fnPrint}},
      {"printf", {1, -1, fnPrintf}},
      {"println", {0, -1, fnPrintln}},
      {"html", {0, -1, fnHtml}},
      {"js", {0, -1, fnJs}},
      {"urlquery", {0, -1, fnUrlquery}},
      {"eq", {1, -1, fnEq}},
      {"ne", {2, 2, fnNe}},
      {"lt", {2, 2, fnLt}},
      {"le", {2, 2, fnLe}},
      {"gt", {2, 2, fnGt}},
      {"ge", {2, 2, fnGe}},
      {"join", {2, 2, fnJoin}},
      {"json", {1, 1, fnJson}},
      {"lower", {1, 1, fnLower}},
      {"upper", {1, 1, fnUpper}},
      {"title", {1, 1, fnTitle}},
      {"pad", {3, 3, fnPad}},
      {"split", {2, 2, fnSplit}},
      {"truncate", {2, 2, fnTruncate}},
  };
  return *m;
}

}  // namespace

const Function* findFunction(std::string_view name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

bool hasFunction(std::string_view name) {
  return name == "and" || name == "or" || findFunction(name) != nullptr;
}

bool isTrue(const Value& v) {
  if (!v.valid()) return false;
  const Json& j = v.json();
  switch (j.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return j.get<bool>();
    case Json::value_t::number_integer:
      return j.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return j.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return j.get<double>() != 0;
    case Json::value_t::string:
      return !j.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object:
      return !j.empty();
    default:
      return true;
  }
}

std::string valueTypeName(const Value& v) {
  if (!v.valid()) return "<nil>";
  switch (v.json().type()) {
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
      return "int";
    case Json::value_t::number_unsigned:
      return "int";
    case Json::value_t::number_float:
      return "float64";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::object:
      return v.isMap() ? "map[string]interface {}" : "object";
    default:
      return "interface {}";
  }
}

}  // namespace berth::format::detail
