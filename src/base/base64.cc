// Base64 through EVP_EncodeBlock / EVP_DecodeBlock; the input is checked first, so errors can
// name the byte and the padding EVP decodes as zero bytes is cut off.
#include "base/base64.h"

#include <openssl/evp.h>

#include <climits>

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
  std::string out;
  if (data.empty()) return out;
  out.resize((data.size() + 2) / 3 * 4 + 1);  // EVP_EncodeBlock writes a NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), int(data.size()));
  out.resize(size_t(n));
  return out;
}

Result<std::string> base64Decode(std::string_view text) {
  if (text.size() > size_t(INT_MAX) / 4 * 3)
    return makeError(Code::kInvalidArgument, "base64 input of {} bytes is too long", text.size());
  size_t pad = TRY(checkBase64(text));
  std::string out;
  if (text.empty()) return out;
  out.resize(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
  if (n < 0) return illegal(0);  // unreachable after checkBase64
  out.resize(size_t(n) - pad);    // EVP decodes each '=' as a zero byte
  return out;
}

}  // namespace berth
