// RFC 6455 WebSocket pieces for Docker's /containers/{id}/attach/ws: the handshake's
// accept key, server frames (unmasked) and a reader of client frames (masked).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace berth::api::server {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string wsAcceptKey(std::string_view client_key);

enum WsOpcode : uint8_t { kWsContinuation = 0, kWsText = 1, kWsBinary = 2, kWsClose = 8, kWsPing = 9, kWsPong = 10 };

// One final server frame (servers never mask).
std::string wsFrame(WsOpcode op, std::string_view payload);

// Parses client frames from a byte stream fed piece by piece. Data frames' payloads (text,
// binary and their continuations) go to `on_data`, control frames to `on_control`.
// Client frames must be masked; payloads are capped at `max_payload`. feed() returns
// kInvalidArgument for a protocol violation (the connection is then closed with 1002).
class WsReader {
 public:
  WsReader(std::function<void(std::string_view)> on_data,
           std::function<void(WsOpcode, std::string_view)> on_control, uint64_t max_payload = 16u << 20)
      : on_data_(std::move(on_data)), on_control_(std::move(on_control)), max_(max_payload) {}
  Status feed(std::string_view bytes);

 private:
  std::function<void(std::string_view)> on_data_;
  std::function<void(WsOpcode, std::string_view)> on_control_;
  uint64_t max_;
  std::string buf_;
};

}  // namespace berth::api::server
