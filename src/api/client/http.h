// A small blocking HTTP/1.1 client over one endpoint: whole responses, streamed bodies
// and hijacked connections (attach, exec). Boost.Beast's response parser is confined to
// http.cc; everything the service sends is hostile (header and body caps, strict framing).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/client/endpoint.h"
#include "base/fd.h"
#include "base/result.h"

namespace berth::api::client {

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query, already encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;      // sent with Content-Length (unless body_fd is set)
  int body_fd = -1;      // when >= 0: the body is read from it to EOF and sent chunked
  // Ask the server to switch protocols (attach/exec): Connection: Upgrade, Upgrade: tcp.
  bool upgrade = false;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  // The first value of a header (name in lower case); "" when absent.
  std::string header(std::string_view lower_name) const;
};

// A connection taken over after the response head (101 or 2xx): raw bytes both ways.
struct HijackedConn {
  HttpResponse head;
  UniqueFd fd;
  std::string buffered;  // stream bytes that arrived with the head
};

struct HttpLimits {
  size_t max_header_bytes = 1 << 20;
  size_t max_body_bytes = 256u << 20;  // a whole response read into memory
};

// Requests to one endpoint over kept-alive connections (re-dialled when the service
// closed them). Thread-safe: concurrent requests use separate connections.
class HttpClient {
 public:
  explicit HttpClient(Endpoint ep, HttpLimits limits = {}) : ep_(std::move(ep)), limits_(limits) {}

  const Endpoint& endpoint() const { return ep_; }

  // Sends `req` and reads the whole response. Transport failures are kUnavailable
  // (dial errors) or kDataLoss (a broken or malformed response); a body over the cap is
  // kResourceExhausted-like kDataLoss "response body larger than N bytes".
  Result<HttpResponse> roundTrip(const HttpRequest& req);

  // Sends `req`; for a 2xx response the body is passed to `sink` piece by piece as it
  // arrives (chunked framing removed) and the returned response has an empty body. A
  // non-2xx response is read whole, as roundTrip does. `sink` returning false stops the
  // stream and closes the connection (that is not an error).
  Result<HttpResponse> stream(const HttpRequest& req, const std::function<bool(std::string_view)>& sink);

  // Sends `req` on a fresh connection and reads the response head. On 101 or 2xx the
  // connection is handed over raw; any other status is read whole and returned in
  // `head` with an invalid fd.
  Result<HijackedConn> hijack(const HttpRequest& req);

 private:
  struct Reader;
  Result<UniqueFd> connection(bool fresh, bool& reused);
  void keepIdle(UniqueFd fd);
  Status sendRequest(int fd, const HttpRequest& req);
  Result<HttpResponse> exchange(const HttpRequest& req, const std::function<bool(std::string_view)>* sink);

  Endpoint ep_;
  HttpLimits limits_;
  std::mutex mu_;
  std::vector<UniqueFd> idle_;  // kept-alive connections, ready for the next request
};

// Percent-encodes a path element (url.PathEscape) or a query component (url.QueryEscape).
std::string pathEscape(std::string_view s);
std::string queryEscape(std::string_view s);

// Builds a query string ("a=1&b=x%20y"), keys in the given order; empty for no pairs.
std::string encodeQuery(const std::vector<std::pair<std::string, std::string>>& params);

// Writes all of `data` to a socket (MSG_NOSIGNAL); false with errno set when the peer is gone.
bool sendAll(int fd, std::string_view data);

}  // namespace berth::api::client
