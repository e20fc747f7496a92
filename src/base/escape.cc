// JSON string literals as Go's encoding/json writes them.
#include "base/escape.h"

#include "base/utf8.h"

namespace berth {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

}  // namespace

void appendJsonQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = s[i];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
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
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kLowerHex[c >> 4];
            out += kLowerHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    DecodedRune d = decodeRune(s, i);
    if (d.rune == kRuneError && d.size == 1) {
      out += "\\ufffd";
    } else if (d.rune == 0x2028 || d.rune == 0x2029) {
      out += d.rune == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, d.size));
    }
    i += d.size;
  }
  out += '"';
}

std::string jsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  appendJsonQuoted(out, s);
  return out;
}

}  // namespace berth
