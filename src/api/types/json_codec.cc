// Helpers of the Go-semantics JSON codec: descriptions, key folding, IP and MAC checks.
#include "api/types/json_codec.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace berth::api::codec {

std::string describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "number " + v.dump();
    default:
      return "binary";
  }
}

Error typeError(const Path& p, std::string_view want, const Json& got) {
  if (p.str().empty())
    return makeError(Code::kInvalidArgument, "want {}, got {}", want, describe(got));
  return makeError(Code::kInvalidArgument, "{}: want {}, got {}", p.str(), want, describe(got));
}

Error valueError(const Path& p, std::string_view what) {
  if (p.str().empty()) return Error(Code::kInvalidArgument, std::string(what));
  return makeError(Code::kInvalidArgument, "{}: {}", p.str(), what);
}

std::string foldKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char c = key[i];
    if (c == 0xE2 && key.substr(i, 3) == "\xE2\x84\xAA") {  // U+212A KELVIN SIGN
      out += 'k';
      i += 2;
    } else if (c == 0xC5 && key.substr(i, 2) == "\xC5\xBF") {  // U+017F LATIN SMALL LONG S
      out += 's';
      i += 1;
    } else {
      out += static_cast<char>(std::tolower(c));
    }
  }
  return out;
}

Status checkIP(std::string& s, const Path& p) {
  if (s.empty()) return okStatus();  // Go: an empty string is a nil IP
  unsigned char buf[16];
  char text[INET6_ADDRSTRLEN];
  if (::inet_pton(AF_INET, s.c_str(), buf) == 1) {
    ::inet_ntop(AF_INET, buf, text, sizeof text);
    s = text;
    return okStatus();
  }
  if (s.find(':') != std::string::npos && ::inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    static constexpr unsigned char kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kV4Mapped, kV4Mapped + 12, buf))  // Go prints these as IPv4
      ::inet_ntop(AF_INET, buf + 12, text, sizeof text);
    else
      ::inet_ntop(AF_INET6, buf, text, sizeof text);
    s = text;
    return okStatus();
  }
  return valueError(p, fmt::format("invalid IP address {:?}", s.substr(0, 64)));
}

namespace {

int hexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's net.ParseMAC: 6, 8 or 20 octets as xx:xx:..., xx-xx-... or xxxx.xxxx.xxxx.
std::optional<std::vector<uint8_t>> parseMac(std::string_view s) {
  std::vector<uint8_t> out;
  auto pair = [&](size_t at) -> bool {
    int hi = hexVal(s[at]), lo = hexVal(s[at + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    return true;
  };
  if (s.size() < 14) return std::nullopt;
  if (s[2] == ':' || s[2] == '-') {
    if ((s.size() + 1) % 3 != 0) return std::nullopt;
    size_t n = (s.size() + 1) / 3;
    if (n != 6 && n != 8 && n != 20) return std::nullopt;
    for (size_t i = 0; i < n; ++i) {
      size_t at = i * 3;
      if (!pair(at)) return std::nullopt;
      if (i + 1 < n && s[at + 2] != s[2]) return std::nullopt;
    }
    return out;
  }
  if (s[4] == '.') {
    if ((s.size() + 1) % 5 != 0) return std::nullopt;
    size_t n = 2 * (s.size() + 1) / 5;
    if (n != 6 && n != 8 && n != 20) return std::nullopt;
    for (size_t i = 0; i < n; i += 2) {
      size_t at = (i / 2) * 5;
      if (!pair(at) || !pair(at + 2)) return std::nullopt;
      if (i + 2 < n && s[at + 4] != '.') return std::nullopt;
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace

Status checkMAC(std::string& s, const Path& p) {
  if (s.empty()) return okStatus();
  auto mac = parseMac(s);
  if (!mac) return valueError(p, fmt::format("invalid MAC address {:?}", s.substr(0, 64)));
  std::string out;
  for (size_t i = 0; i < mac->size(); ++i) out += fmt::format("{}{:02x}", i ? ":" : "", (*mac)[i]);
  s = std::move(out);
  return okStatus();
}

Status MapKey<uint16_t>::parse(const std::string& s, uint16_t& out, const Path& p) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    return valueError(p, "key must be an integer in [0, 65535]");
  return okStatus();
}

}  // namespace berth::api::codec
