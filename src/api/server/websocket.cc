// RFC 6455 framing for the attach WebSocket.
#include "api/server/websocket.h"

#include "base/base64.h"
#include "base/libcrypto.h"

namespace berth::api::server {

std::string wsAcceptKey(std::string_view client_key) {
  std::string in(client_key);
  in += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[SHA_DIGEST_LENGTH];
  crypto::api().sha1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), md);
  return base64Encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

std::string wsFrame(WsOpcode op, std::string_view payload) {
  std::string f;
  f.push_back(char(0x80 | op));
  uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(char(n));
  } else if (n <= 0xffff) {
    f.push_back(char(126));
    f.push_back(char(n >> 8));
    f.push_back(char(n & 0xff));
  } else {
    f.push_back(char(127));
    for (int i = 7; i >= 0; --i) f.push_back(char((n >> (8 * i)) & 0xff));
  }
  f.append(payload);
  return f;
}

Status WsReader::feed(std::string_view bytes) {
  buf_.append(bytes);
  for (;;) {
    if (buf_.size() < 2) return {};
    auto b0 = uint8_t(buf_[0]), b1 = uint8_t(buf_[1]);
    if (b0 & 0x70) return makeError(Code::kInvalidArgument, "websocket: reserved bits set");
    auto op = WsOpcode(b0 & 0x0f);
    if (!(b1 & 0x80)) return makeError(Code::kInvalidArgument, "websocket: client frame not masked");
    uint64_t len = b1 & 0x7f;
    size_t pos = 2;
    if (len == 126) {
      if (buf_.size() < 4) return {};
      len = (uint64_t(uint8_t(buf_[2])) << 8) | uint8_t(buf_[3]);
      pos = 4;
    } else if (len == 127) {
      if (buf_.size() < 10) return {};
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | uint8_t(buf_[2 + i]);
      pos = 10;
    }
    bool control = op & 0x8;
    if (control && (len > 125 || !(b0 & 0x80)))
      return makeError(Code::kInvalidArgument, "websocket: bad control frame");
    if (len > max_) return makeError(Code::kInvalidArgument, "websocket: frame of {} bytes over the limit", len);
    if (op != kWsContinuation && op != kWsText && op != kWsBinary && !control)
      return makeError(Code::kInvalidArgument, "websocket: unknown opcode {}", int(op));
    if (buf_.size() < pos + 4 + len) return {};
    const char* mask = buf_.data() + pos;
    std::string payload = buf_.substr(pos + 4, len);
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = char(payload[i] ^ mask[i % 4]);
    buf_.erase(0, pos + 4 + len);
    if (control) on_control_(op, payload);
    else if (!payload.empty()) on_data_(payload);
  }
}

}  // namespace berth::api::server
