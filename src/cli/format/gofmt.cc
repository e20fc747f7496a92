// Go's fmt and encoding/json output rules applied to Json values.
#include "cli/format/gofmt.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/escape.h"
#include "base/utf8.h"

namespace berth::format {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

// Shortest decimal digits of |f| with the decimal point position, like strconv's decimalSlice.
struct Digits {
  std::string d;  // significant digits, no leading zeros ("0" for zero)
  int dp = 0;     // decimal point position: value = 0.d * 10^dp
};

Digits shortestDigits(double f) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), std::fabs(f), std::chars_format::scientific);
  std::string_view s(buf, r.ptr - buf);
  size_t e = s.find('e');
  Digits out;
  for (char c : s.substr(0, e)) {
    if (c != '.') out.d += c;
  }
  out.dp = std::atoi(std::string(s.substr(e + 1)).c_str()) + 1;
  return out;
}

std::string fmtE(const Digits& digs, int prec, char e) {
  std::string out(1, digs.d.empty() ? '0' : digs.d[0]);
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) out += i < static_cast<int>(digs.d.size()) ? digs.d[i] : '0';
  }
  out += e;
  int exp = digs.d == "0" ? 0 : digs.dp - 1;
  out += exp < 0 ? '-' : '+';
  exp = std::abs(exp);
  if (exp < 10) out += '0';
  out += std::to_string(exp);
  return out;
}

std::string fmtF(const Digits& digs, int prec) {
  std::string out;
  int nd = static_cast<int>(digs.d.size());
  if (digs.dp > 0) {
    for (int i = 0; i < digs.dp; ++i) out += i < nd ? digs.d[i] : '0';
  } else {
    out = "0";
  }
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) {
      int j = digs.dp + i - 1;
      out += (j >= 0 && j < nd) ? digs.d[j] : '0';
    }
  }
  return out;
}

// Formats |f| (no sign) with Go's verb and precision (-1 = shortest).
std::string formatAbsFloat(double f, char verb, int prec) {
  f = std::fabs(f);
  if (std::isinf(f)) return "Inf";
  if (std::isnan(f)) return "NaN";
  if (prec < 0) {
    Digits digs = shortestDigits(f);
    int nd = static_cast<int>(digs.d.size());
    switch (verb) {
      case 'e':
      case 'E':
        return fmtE(digs, nd - 1, verb);
      case 'f':
      case 'F':
        return fmtF(digs, std::max(nd - digs.dp, 0));
      default: {
        int exp = digs.dp - 1;
        if (digs.d == "0") exp = 0;
        if (exp < -4 || exp >= 6) return fmtE(digs, nd - 1, verb == 'G' ? 'E' : 'e');
        return fmtF(digs, std::max(nd - digs.dp, 0));
      }
    }
  }
  char spec[8] = {'%', '.', '*', verb == 'F' ? 'f' : verb, 0};
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), spec, prec, f);
  if (n < 0) return "";
  if (n < static_cast<int>(sizeof(buf))) return std::string(buf, n);
  std::string big(n + 1, '\0');
  std::snprintf(big.data(), big.size(), spec, prec, f);
  big.resize(n);
  return big;
}

bool isGoPrint(char32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r < 0xA0) return false;
  if (r == 0xAD || r == 0x2028 || r == 0x2029 || r == 0xFEFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;  // private use
  return r <= 0x10FFFF;
}

void appendQuoted(std::string& out, std::string_view s, bool ascii_only) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    DecodedRune d = decodeRune(s, i);
    char32_t r = d.rune;
    if (d.size == 1 && r == kRuneError) {
      out += "\\x";
      unsigned char c = s[i];
      out += kLowerHex[c >> 4];
      out += kLowerHex[c & 15];
      i += 1;
      continue;
    }
    i += d.size;
    if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r < 0x80 && isGoPrint(r)) {
      out += static_cast<char>(r);
    } else if (!ascii_only && isGoPrint(r)) {
      appendRune(out, r);
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default: {
          int width = r < 0x80 ? 2 : r < 0x10000 ? 4 : 8;
          out += width == 2 ? "\\x" : width == 4 ? "\\u" : "\\U";
          for (int k = width - 1; k >= 0; --k) out += kLowerHex[(r >> (4 * k)) & 15];
        }
      }
    }
  }
  out += '"';
}

std::string typeName(const Json* v) {
  if (v == nullptr || v->is_null()) return "<nil>";
  switch (v->type()) {
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
      return "int";
    case Json::value_t::number_unsigned:
      return v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX) ? "uint64" : "int";
    case Json::value_t::number_float:
      return "float64";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::object:
      return "map[string]interface {}";
    default:
      return "interface {}";
  }
}

struct Spec {
  bool minus = false, plus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  int width = -1;
  int prec = -1;
};

class Printer {
 public:
  std::string out;
  // Set by goValueString's typed form: objects not reached through a map field print as Go
  // structs ("{v1 v2}", values in stored order). Otherwise every object is a map.
  const JsonMapPolicy* structs = nullptr;
  bool is_map = true;  // the object printValue is about to print

  void printArg(FmtArg arg, char32_t verb, Spec spec) {
    if (arg == nullptr) {
      if (verb == 'T' || verb == 'v') {
        pad("<nil>", spec);
      } else {
        badVerb(arg, verb, spec);
      }
      return;
    }
    if (verb == 'T') {
      pad(typeName(arg), spec);
      return;
    }
    printValue(*arg, verb, spec, 0);
  }

  void printValue(const Json& v, char32_t verb, const Spec& spec, int depth) {
    switch (v.type()) {
      case Json::value_t::null:
        if (depth == 0 && verb != 'v') {
          badVerb(nullptr, verb, spec);
        } else {
          pad("<nil>", spec);
        }
        return;
      case Json::value_t::boolean:
        if (verb == 't' || verb == 'v') {
          pad(v.get<bool>() ? "true" : "false", spec);
        } else {
          badVerb(&v, verb, spec);
        }
        return;
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned:
        fmtIntegerVerb(v, verb, spec);
        return;
      case Json::value_t::number_float:
        fmtFloatVerb(v, verb, spec);
        return;
      case Json::value_t::string:
        fmtStringVerb(v, verb, spec);
        return;
      case Json::value_t::array: {
        out += '[';
        bool first = true;
        bool elements_are_maps = is_map;  // a slice under a map field: map[string]string elements
        for (const Json& e : v) {
          if (!first) out += ' ';
          first = false;
          is_map = elements_are_maps;
          printValue(e, verb, spec, depth + 1);
        }
        out += ']';
        return;
      }
      case Json::value_t::object: {
        if (structs && !is_map && !structs->all_maps) {
          out += '{';
          bool first = true;
          for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) out += ' ';
            first = false;
            is_map = structs->map_fields && structs->map_fields->contains(it.key());
            printValue(it.value(), verb, spec, depth + 1);
          }
          out += '}';
          return;
        }
        out += "map[";
        std::vector<const std::string*> keys;
        for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(&it.key());
        std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
        bool first = true;
        for (const std::string* k : keys) {
          if (!first) out += ' ';
          first = false;
          fmtStringVerb(Json(*k), verb, spec);
          out += ':';
          is_map = structs && structs->map_fields && structs->map_fields->contains(*k);
          printValue(v.at(*k), verb, spec, depth + 1);
        }
        out += ']';
        return;
      }
      default:
        badVerb(&v, verb, spec);
    }
  }

  void badVerb(const Json* v, char32_t verb, const Spec& spec) {
    out += "%!";
    appendRune(out, verb);
    out += '(';
    if (v == nullptr || v->is_null()) {
      out += "<nil>";
    } else {
      out += typeName(v);
      out += '=';
      printValue(*v, 'v', spec, 1);
    }
    out += ')';
  }

  // Pads s to the width in runes; zero padding only when allowed by the caller.
  void pad(std::string_view s, const Spec& spec, bool zero_ok = true) {
    if (spec.width < 0) {
      out += s;
      return;
    }
    size_t n = runeCount(s);
    size_t w = static_cast<size_t>(spec.width);
    if (n >= w) {
      out += s;
      return;
    }
    if (spec.minus) {
      out += s;
      out.append(w - n, ' ');
    } else {
      out.append(w - n, spec.zero && zero_ok ? '0' : ' ');
      out += s;
    }
  }

  void fmtIntegerVerb(const Json& v, char32_t verb, const Spec& spec) {
    bool neg = v.is_number_integer() && v.get<int64_t>() < 0;
    uint64_t mag = neg ? 0 - static_cast<uint64_t>(v.get<int64_t>()) : v.get<uint64_t>();
    switch (verb) {
      case 'v':
      case 'd':
        fmtInteger(neg, mag, 10, verb, spec, kLowerHex);
        return;
      case 'b':
        fmtInteger(neg, mag, 2, verb, spec, kLowerHex);
        return;
      case 'o':
      case 'O':
        fmtInteger(neg, mag, 8, verb, spec, kLowerHex);
        return;
      case 'x':
        fmtInteger(neg, mag, 16, verb, spec, kLowerHex);
        return;
      case 'X':
        fmtInteger(neg, mag, 16, verb, spec, kUpperHex);
        return;
      case 'c': {
        std::string s;
        appendRune(s, neg || mag > 0x10FFFF ? kRuneError : static_cast<char32_t>(mag));
        pad(s, spec);
        return;
      }
      case 'q': {
        std::string s;
        appendRune(s, neg || mag > 0x10FFFF ? kRuneError : static_cast<char32_t>(mag));
        std::string q;
        appendQuoted(q, s, spec.plus);
        q.front() = q.back() = '\'';
        if (s == "'") q = "'\\''";
        if (s == "\"") q = "'\"'";
        pad(q, spec);
        return;
      }
      case 'U': {
        std::string s = "U+";
        std::string hex;
        for (uint64_t m = mag; m > 0; m /= 16) hex.insert(hex.begin(), kUpperHex[m % 16]);
        while (hex.size() < 4) hex.insert(hex.begin(), '0');
        s += hex;
        pad(s, spec);
        return;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
      case 's':
      case 't':
      default:
        badVerb(&v, verb, spec);
    }
  }

  void fmtInteger(bool neg, uint64_t mag, int base, char32_t verb, const Spec& spec,
                  const char* digits) {
    std::string num;
    for (uint64_t m = mag; m > 0; m /= base) num.insert(num.begin(), digits[m % base]);
    int prec = spec.prec;
    if (prec < 0) {
      prec = 1;
      if (spec.width >= 0 && spec.zero && !spec.minus) {
        prec = spec.width;
        if (neg || spec.plus || spec.space) --prec;
      }
    }
    if (mag == 0 && spec.prec == 0) num.clear();
    while (static_cast<int>(num.size()) < prec) num.insert(num.begin(), '0');
    std::string prefix;
    if (spec.sharp) {
      if (base == 2) prefix = "0b";
      if (base == 8 && (num.empty() || num[0] != '0')) prefix = "0";
      if (base == 16) prefix = digits == kUpperHex ? "0X" : "0x";
    }
    if (verb == 'O') prefix = "0o";
    std::string s = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
    s += prefix + num;
    pad(s, spec, false);
  }

  void fmtFloatVerb(const Json& v, char32_t verb, const Spec& spec) {
    double f = v.get<double>();
    char c;
    switch (verb) {
      case 'v':
        c = 'g';
        break;
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G':
        c = static_cast<char>(verb);
        break;
      default:
        badVerb(&v, verb, spec);
        return;
    }
    int prec = spec.prec;
    if (prec < 0 && (c == 'e' || c == 'E' || c == 'f' || c == 'F')) prec = 6;
    std::string body = formatAbsFloat(f, c, prec);
    bool neg = std::signbit(f) && !std::isnan(f);
    std::string sign = neg ? "-" : (spec.plus && !spec.plus_v) ? "+" : spec.space ? " " : "";
    if (std::isinf(f) && sign.empty()) sign = spec.plus ? "+" : "";
    bool finite = std::isfinite(f);
    if (spec.zero && !spec.minus && finite && spec.width > 0 &&
        static_cast<int>(sign.size() + body.size()) < spec.width) {
      out += sign;
      out.append(spec.width - sign.size() - body.size(), '0');
      out += body;
      return;
    }
    pad(sign + body, spec, false);
  }

  void fmtStringVerb(const Json& v, char32_t verb, const Spec& spec) {
    const std::string& s = v.get_ref<const std::string&>();
    std::string_view t = s;
    if (spec.prec >= 0 && (verb == 'v' || verb == 's' || verb == 'q')) {
      size_t i = 0;
      for (int n = 0; n < spec.prec && i < s.size(); ++n) i += decodeRune(s, i).size;
      t = t.substr(0, i);
    }
    switch (verb) {
      case 'v':
      case 's':
        pad(t, spec);
        return;
      case 'q': {
        std::string q;
        appendQuoted(q, t, spec.plus);
        pad(q, spec);
        return;
      }
      case 'x':
      case 'X': {
        const char* digits = verb == 'x' ? kLowerHex : kUpperHex;
        std::string h;
        size_t n = spec.prec >= 0 ? std::min<size_t>(spec.prec, s.size()) : s.size();
        for (size_t i = 0; i < n; ++i) {
          if (spec.space && i > 0) h += ' ';
          if (spec.sharp && (i == 0 || spec.space)) h += verb == 'x' ? "0x" : "0X";
          unsigned char c = s[i];
          h += digits[c >> 4];
          h += digits[c & 15];
        }
        pad(h, spec);
        return;
      }
      default:
        badVerb(&v, verb, spec);
    }
  }
};

}  // namespace

std::string goQuote(std::string_view s) {
  std::string out;
  appendQuoted(out, s, false);
  return out;
}

std::string goFormatFloatShortest(double f, char fmt) {
  std::string body = formatAbsFloat(f, fmt, -1);
  return (std::signbit(f) && !std::isnan(f)) ? "-" + body : std::isinf(f) ? "+" + body : body;
}

std::string goValueString(const Json& v) {
  Printer p;
  p.printValue(v, 'v', Spec{}, 0);
  return p.out;
}

std::string goValueString(const Json& v, const JsonMapPolicy& policy, bool root_is_map) {
  Printer p;
  p.structs = &policy;
  p.is_map = root_is_map;
  p.printValue(v, 'v', Spec{}, 0);
  return p.out;
}

std::string goSprint(std::span<const FmtArg> args) {
  Printer p;
  bool prev_string = false;
  for (size_t i = 0; i < args.size(); ++i) {
    bool is_string = args[i] != nullptr && args[i]->is_string();
    if (i > 0 && !is_string && !prev_string) p.out += ' ';
    p.printArg(args[i], 'v', Spec{});
    prev_string = is_string;
  }
  return p.out;
}

std::string goSprintln(std::span<const FmtArg> args) {
  Printer p;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) p.out += ' ';
    p.printArg(args[i], 'v', Spec{});
  }
  p.out += '\n';
  return p.out;
}

std::string goSprintf(std::string_view format, std::span<const FmtArg> args) {
  Printer p;
  size_t end = format.size();
  size_t arg_num = 0;
  bool reordered = false;
  auto parseNum = [&](size_t& i, int& n) {
    size_t start = i;
    n = 0;
    while (i < end && format[i] >= '0' && format[i] <= '9') {
      n = std::min(n * 10 + (format[i] - '0'), 1000000);
      ++i;
    }
    return i > start;
  };
  // Parses "[n]"; returns true when an index was present.
  auto argNumber = [&](size_t& i, bool& good) {
    if (i >= end || format[i] != '[') return false;
    reordered = true;
    size_t j = i + 1;
    int n = 0;
    if (parseNum(j, n) && j < end && format[j] == ']' && n >= 1) {
      arg_num = n - 1;
      i = j + 1;
      return true;
    }
    good = false;
    size_t close = format.find(']', i);
    i = close == std::string_view::npos ? end : close + 1;
    return true;
  };
  auto intArg = [&](int& n) {
    if (arg_num >= args.size()) return false;
    const Json* a = args[arg_num++];
    if (a == nullptr || !(a->is_number_integer() || a->is_number_unsigned())) return false;
    int64_t v = a->is_number_unsigned()
                    ? static_cast<int64_t>(std::min<uint64_t>(a->get<uint64_t>(), 1000000))
                    : a->get<int64_t>();
    if (v > 1000000 || v < -1000000) return false;
    n = static_cast<int>(v);
    return true;
  };

  for (size_t i = 0; i < end;) {
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    p.out.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip %
    Spec spec;
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#')
        spec.sharp = true;
      else if (c == '0')
        spec.zero = !spec.minus;
      else if (c == '+')
        spec.plus = true;
      else if (c == '-')
        spec.minus = true, spec.zero = false;
      else if (c == ' ')
        spec.space = true;
      else
        break;
    }
    bool good = true;
    bool after_index = argNumber(i, good);
    if (i < end && format[i] == '*') {
      ++i;
      if (!intArg(spec.width)) {
        p.out += "%!(BADWIDTH)";
        spec.width = -1;
      } else if (spec.width < 0) {
        spec.width = -spec.width;
        spec.minus = true;
        spec.zero = false;
      }
      after_index = false;
    } else {
      int w;
      if (parseNum(i, w)) {
        spec.width = w;
        if (after_index) good = false;
      }
    }
    if (i < end && format[i] == '.') {
      ++i;
      if (after_index) good = false;
      after_index = argNumber(i, good);
      if (i < end && format[i] == '*') {
        ++i;
        if (!intArg(spec.prec)) {
          p.out += "%!(BADPREC)";
          spec.prec = -1;
        } else if (spec.prec < 0) {
          spec.prec = -1;
        }
        after_index = false;
      } else {
        int n;
        spec.prec = parseNum(i, n) ? n : 0;
      }
    }
    if (!after_index) after_index = argNumber(i, good);
    if (i >= end) {
      p.out += "%!(NOVERB)";
      break;
    }
    DecodedRune d = decodeRune(format, i);
    char32_t verb = d.rune;
    i += d.size;
    if (verb == '%') {
      p.out += '%';
      continue;
    }
    if (!good) {
      p.out += "%!";
      appendRune(p.out, verb);
      p.out += "(BADINDEX)";
      continue;
    }
    if (arg_num >= args.size()) {
      p.out += "%!";
      appendRune(p.out, verb);
      p.out += "(MISSING)";
      continue;
    }
    if (verb == 'v') {
      spec.sharp_v = spec.sharp;
      spec.sharp = false;
      spec.plus_v = spec.plus;
      spec.plus = false;
    }
    p.printArg(args[arg_num++], verb, spec);
  }
  if (!reordered && arg_num < args.size()) {
    p.out += "%!(EXTRA ";
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) p.out += ", ";
      if (args[k] == nullptr || args[k]->is_null()) {
        p.out += "<nil>";
      } else {
        p.out += typeName(args[k]);
        p.out += '=';
        p.printArg(args[k], 'v', Spec{});
      }
    }
    p.out += ')';
  }
  return p.out;
}

namespace {

void marshal(std::string& out, const Json& v, const JsonMapPolicy& policy, bool is_map) {
  switch (v.type()) {
    case Json::value_t::null:
      out += "null";
      return;
    case Json::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      out += std::to_string(v.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      out += std::to_string(v.get<uint64_t>());
      return;
    case Json::value_t::number_float: {
      double f = v.get<double>();
      if (!std::isfinite(f)) {
        out += "null";
        return;
      }
      double a = std::fabs(f);
      bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
      std::string s = goFormatFloatShortest(f, exp ? 'e' : 'f');
      size_t n = s.size();
      if (exp && n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') {
        s.erase(n - 2, 1);
      }
      out += s;
      return;
    }
    case Json::value_t::string:
      appendJsonQuoted(out, v.get_ref<const std::string&>());
      return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& e : v) {
        if (!first) out += ',';
        first = false;
        marshal(out, e, policy, policy.all_maps);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      std::vector<const std::string*> keys;
      for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(&it.key());
      if (is_map) std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
      out += '{';
      bool first = true;
      for (const std::string* k : keys) {
        if (!first) out += ',';
        first = false;
        appendJsonQuoted(out, *k);
        out += ':';
        bool child_map = policy.all_maps || (policy.map_fields && policy.map_fields->contains(*k));
        marshal(out, v.at(*k), policy, child_map);
      }
      out += '}';
      return;
    }
    default:
      out += "null";
  }
}

}  // namespace

std::string goJsonMarshal(const Json& v, const JsonMapPolicy& policy, bool root_is_map) {
  std::string out;
  marshal(out, v, policy, root_is_map || policy.all_maps);
  return out;
}

}  // namespace berth::format
