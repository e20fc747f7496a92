// OpenPGP armor decoding and a packet walk collecting User ID packets.
#include "config/pgp_userids.h"

#include <fmt/format.h>

#include "base/base64.h"

namespace berth::config {

namespace {

constexpr uint8_t kTagUserId = 13;

Error invalid(std::string_view what, std::string msg) {
  return Error(Code::kInvalidArgument, fmt::format("OpenPGP key {}: {}", what, msg));
}

std::string_view trimLine(std::string_view l) {
  while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
    l.remove_suffix(1);
  return l;
}

// The binary content of every armor block of `text`, concatenated.
Result<std::string> dearmor(std::string_view text, std::string_view what) {
  std::string out;
  enum { kOutside, kHeaders, kBody } state = kOutside;
  std::string b64;
  size_t blocks = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trimLine(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    switch (state) {
      case kOutside:
        if (line.starts_with("-----BEGIN PGP ")) state = kHeaders;
        break;
      case kHeaders:
        // "Key: value" headers end at the first blank line; some writers omit them.
        if (line.empty())
          state = kBody;
        else if (line.find(": ") == std::string_view::npos) {
          state = kBody;
          b64 += line;
        }
        break;
      case kBody:
        if (line.starts_with("-----END PGP ")) {
          auto bin = base64Decode(b64);
          if (!bin.ok()) return invalid(what, "armor: " + bin.error().what());
          out += *bin;
          b64.clear();
          ++blocks;
          state = kOutside;
        } else if (!line.starts_with("=")) {  // "=XXXX" is the CRC-24 line
          b64 += line;
        }
        break;
    }
  }
  if (state != kOutside) return invalid(what, "armor: missing \"-----END PGP\" line");
  if (blocks == 0) return invalid(what, "no \"-----BEGIN PGP\" armor block");
  return out;
}

void appendGpgEscaped(std::string& out, std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == ':')
      out += fmt::format("\\x{:02x}", c);
    else
      out += char(c);
  }
}

}  // namespace

Result<std::vector<std::string>> pgpUserIds(std::string_view data, std::string_view what) {
  if (data.size() > kMaxPgpKeyBytes)
    return invalid(what, fmt::format("larger than {} bytes", kMaxPgpKeyBytes));
  std::string dearmored;
  if (!data.empty() && !(uint8_t(data[0]) & 0x80)) {
    dearmored = TRY(dearmor(data, what));
    data = dearmored;
  }
  std::vector<std::string> ids;
  size_t pos = 0, packets = 0;
  auto byte = [&](size_t i) { return uint8_t(data[i]); };
  while (pos < data.size()) {
    if (++packets > kMaxPgpPackets) return invalid(what, "too many packets");
    uint8_t h = byte(pos++);
    if (!(h & 0x80)) return invalid(what, fmt::format("no packet header at byte {}", pos - 1));
    uint8_t tag;
    std::string body;  // partial lengths (new format) append here chunk by chunk
    bool done = false;
    auto need = [&](size_t n) -> Status {
      if (data.size() - pos < n)
        return invalid(what, fmt::format("packet truncated at byte {}", pos));
      return okStatus();
    };
    auto take = [&](size_t n) -> Status {
      TRY(need(n));
      body.append(data.substr(pos, n));
      pos += n;
      return okStatus();
    };
    if (h & 0x40) {  // new format
      tag = h & 0x3f;
      while (!done) {
        TRY(need(1));
        uint8_t o = byte(pos++);
        size_t len;
        if (o < 192) {
          len = o;
          done = true;
        } else if (o < 224) {
          TRY(need(1));
          len = (size_t(o - 192) << 8) + byte(pos++) + 192;
          done = true;
        } else if (o == 255) {
          TRY(need(4));
          len = (size_t(byte(pos)) << 24) | (size_t(byte(pos + 1)) << 16) |
                (size_t(byte(pos + 2)) << 8) | byte(pos + 3);
          pos += 4;
          done = true;
        } else {
          len = size_t(1) << (o & 0x1f);  // a partial body length: more chunks follow
        }
        TRY(take(len));
      }
    } else {  // old format
      tag = (h >> 2) & 0x0f;
      size_t len = 0;
      switch (h & 3) {
        case 0:
          TRY(need(1));
          len = byte(pos++);
          break;
        case 1:
          TRY(need(2));
          len = (size_t(byte(pos)) << 8) | byte(pos + 1);
          pos += 2;
          break;
        case 2:
          TRY(need(4));
          len = (size_t(byte(pos)) << 24) | (size_t(byte(pos + 1)) << 16) |
                (size_t(byte(pos + 2)) << 8) | byte(pos + 3);
          pos += 4;
          break;
        default:  // indeterminate: to the end of the data
          len = data.size() - pos;
      }
      TRY(take(len));
    }
    if (tag == kTagUserId) {
      std::string id;
      appendGpgEscaped(id, body);
      ids.push_back(std::move(id));
    }
  }
  return ids;
}

std::string trustIdentity(std::string_view user_id) {
  size_t lt = user_id.find('<');
  if (lt == std::string_view::npos || user_id.find('>') == std::string_view::npos)
    return std::string(user_id);
  std::string_view rest = user_id.substr(lt + 1);
  return std::string(rest.substr(0, rest.find('>')));
}

}  // namespace berth::config
