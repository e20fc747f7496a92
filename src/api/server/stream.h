// Helpers for streamed responses: newline-delimited JSON written from any thread
// (engine progress callbacks run on worker threads), and Docker's multiplexed frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "api/server/http.h"
#include "base/json.h"

namespace berth::api::server {

class JsonLines {
 public:
  explicit JsonLines(Response& res) : res_(res) {}
  // Starts the 200 chunked response on first use.
  bool write(const Json& j);
  // Ends the stream (starting it first if nothing was written).
  Status finish();
  bool started() const { return started_; }

 private:
  Response& res_;
  std::mutex mu_;
  bool started_ = false;
};

// Sleeps `ms` between two samples of a stream (stats, top): false as soon as the client has
// gone or `stopping` is set (checked every 100 ms), true after the full pause.
bool pauseStream(const Response& res, const std::atomic<bool>& stopping, int64_t ms);

// Docker's stream multiplexing: [stream, 0, 0, 0, big-endian uint32 size] + payload.
// stream: 0 stdin, 1 stdout, 2 stderr.
std::string muxFrame(int stream, std::string_view payload);

// The value of X-Registry-Auth (base64url JSON {username,password,...}) as "user:password";
// "" when absent or empty. kInvalidArgument for a malformed header.
Result<std::string> registryAuthCreds(const std::string& header);

// Docker's JSONProgress.String(): "[=====>      ]  1.23MB/4.56MB".
std::string dockerProgressBar(int64_t current, int64_t total);

}  // namespace berth::api::server
