// Base64 (the standard alphabet, padded), as Go's StdEncoding; the input is checked first, so
// errors name the byte.
#include "base/base64.h"


#include <climits>
#include <cstdint>

namespace berth {
namespace {

bool isAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

Error illegal(size_t at) {
  return makeError(Code::kInvalidArgument, "illegal base64 data at input byte {}", at);
}

// Checks `text` as Go's StdEncoding would; returns the number of '=' at its end.
Result<size_t> checkBase64(std::string_view text) {
  size_t n = text.size();
  size_t pad = 0;
  if (n >= 1 && text[n - 1] == '=') pad = (n >= 2 && text[n - 2] == '=') ? 2 : 1;
  for (size_t i = 0; i < n - pad; ++i)
    if (!isAlphabet(text[i])) return illegal(i);
  if (n % 4 != 0) return illegal(n - n % 4);
  // "Z===": a quantum needs at least two symbols before its padding.
  if (pad == 2 && n >= 3 && text[n - 3] == '=') return illegal(n - 3);
  return pad;
}

}  // namespace

std::string base64Encode(std::string_view data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return uint32_t(static_cast<unsigned char>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (size_t rest = data.size() - i; rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  size_t pad = TRY(checkBase64(text));
  auto value = [](char c) -> uint32_t {
    if (c >= 'A' && c <= 'Z') return uint32_t(c - 'A');
    if (c >= 'a' && c <= 'z') return uint32_t(c - 'a' + 26);
    if (c >= '0' && c <= '9') return uint32_t(c - '0' + 52);
    return c == '+' ? 62 : c == '/' ? 63 : 0;  // '=' (checked to be padding) counts as 0
  };
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i + 4 <= text.size(); i += 4) {
    uint32_t v = value(text[i]) << 18 | value(text[i + 1]) << 12 | value(text[i + 2]) << 6 | value(text[i + 3]);
    out.push_back(char(v >> 16));
    out.push_back(char((v >> 8) & 255));
    out.push_back(char(v & 255));
  }
  out.resize(out.size() - pad);
  return out;
}

}  // namespace berth
