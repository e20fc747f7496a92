// HTTP/1.1 over one connected socket: request parsing (Boost.Beast's parser, confined
// to http.cc), bodies read whole or spooled to a file, and the response writer
// (fixed, chunked streaming, hijacked raw streams).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "base/json.h"
#include "base/result.h"

namespace berth::api::server {

struct Limits {
  size_t max_header_bytes = 64 * 1024;
  size_t max_json_body = 32 * 1024 * 1024;        // bodies read into memory
  uint64_t max_upload_body = 64ull << 30;         // bodies spooled to a file
  int header_timeout_ms = 30000;                  // first byte to end of header
  int keepalive_timeout_ms = 60000;               // waiting for the next request
  int body_idle_timeout_ms = 60000;               // no body byte for this long: give up
  int write_timeout_ms = 60000;                   // a reader that takes nothing for this long is gone
};

struct Request {
  std::string method;        // "GET", as sent
  std::string target;        // the raw request target
  std::string path;          // percent-encoded path, no query
  std::map<std::string, std::vector<std::string>> query;  // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  int http_version = 11;     // 10 or 11
  bool keep_alive = true;
  bool has_body = false;     // Content-Length > 0 or chunked
  std::optional<uint64_t> content_length;
  std::string body;          // BodyMode::kBuffer
  std::string body_file;     // BodyMode::kSpool: a temp file, removed after the handler
  bool unread_body = false;  // refused before its body was read: drain before closing

  // The first value of a header (name in lower case); "" when absent.
  std::string header(std::string_view lower_name) const;
  bool hasHeader(std::string_view lower_name) const;
};

enum class BodyMode { kBuffer, kSpool };

// Decodes application/x-www-form-urlencoded text ('+' is a space); false on a bad escape.
bool formDecode(std::string_view in, std::string& out);
// Decodes %XX escapes only ('+' stays); false on a bad escape.
bool percentDecode(std::string_view in, std::string& out);
// Parses a query string into name -> values (in order).
Result<std::map<std::string, std::vector<std::string>>> parseQuery(std::string_view qs);

// Headers every response carries (API versions, Server, CORS).
struct CommonHeaders {
  std::string text;  // "Name: value\r\n" lines
};

// Writes the response to one request. Exactly one of send/json/empty,
// startStream..endStream or hijack is used per request.
class HttpConnection;

class Response {
 public:
  Response(int fd, const Request& req, const CommonHeaders& common, const Limits& limits)
      : fd_(fd), req_(req), common_(common), limits_(limits) {}

  void header(std::string name, std::string value) { extra_.emplace_back(std::move(name), std::move(value)); }
  // The connection, whose buffered bytes a hijack takes over.
  void setConnection(HttpConnection* c) { conn_ = c; }
  // Set to 2 when the response becomes a stream or a hijack (the server cuts those
  // at shutdown instead of waiting for them).
  void setPhase(std::atomic<int>* phase) { phase_ = phase; }
  // Collects what would be written in `out` instead (inline routes: the server sends it
  // without blocking its event loop). Not for streams or hijacks.
  void capture(std::string* out) { capture_ = out; }

  Status send(int status, std::string_view content_type, std::string_view body);
  // podman's WriteJSON: the document plus a newline, application/json.
  Status json(int status, const Json& doc);
  // A response without a body (204, 304, 201 with no content ...).
  Status empty(int status);

  // Chunked streaming (HTTP/1.0: raw until close).
  Status startStream(int status, std::string_view content_type);
  // Writes one chunk; false once the client is gone (later writes are dropped).
  bool write(std::string_view data);
  Status endStream();

  // Answers 101 (upgrade) or 200 and hands the socket over as a raw stream;
  // the connection is closed after the handler returns.
  Status hijack(bool upgrade, std::string_view content_type);
  // Bytes the client sent after the request (pipelined stdin of a hijack).
  std::string& pending() { return pending_; }
  // Writes raw bytes on a hijacked connection; false when the client is gone.
  bool writeRaw(std::string_view data);

  // True when the peer closed or reset the connection (checked without blocking).
  bool clientGone() const;
  bool started() const { return started_; }
  bool hijacked() const { return hijacked_; }
  bool streaming() const { return streaming_; }
  bool broken() const { return broken_; }
  bool keepAlive() const { return keep_alive_ && !broken_ && !hijacked_; }
  int status() const { return status_; }
  int fd() const { return fd_; }

 private:
  std::string head(int status, std::string_view content_type, std::optional<uint64_t> length,
                   bool chunked, bool upgrade);
  bool writeAllTimed(std::string_view data);

  int fd_;
  HttpConnection* conn_ = nullptr;
  std::atomic<int>* phase_ = nullptr;
  std::string* capture_ = nullptr;
  const Request& req_;
  const CommonHeaders& common_;
  const Limits& limits_;
  std::vector<std::pair<std::string, std::string>> extra_;
  std::string pending_;
  int status_ = 0;
  bool started_ = false, streaming_ = false, chunked_ = false, hijacked_ = false;
  bool broken_ = false, keep_alive_ = true;
};

std::string_view statusText(int status);

// One accepted connection: reads requests in turn.
class HttpConnection {
 public:
  HttpConnection(UniqueFd fd, const Limits& limits);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  int fd() const { return fd_.get(); }

  enum class ReadStatus {
    kOk,        // a request header was read
    kClosed,    // the peer closed (or the wait was interrupted) before a request began
    kTimeout,   // no complete header in time
    kBad,       // malformed: answer 400 and close
    kTooLarge,  // header over the limit: answer 431 and close
    kAgain,     // tryReadHeader only: no whole header yet, the socket has nothing more
  };
  // Waits for the next request's header. `stop` is polled every 200 ms
  // while no byte of a request has arrived.
  ReadStatus readHeader(Request& req, const std::atomic<bool>& stop, std::string& why);
  // The same without waiting: reads what the socket holds and returns kAgain when the
  // header is not whole yet (the bytes so far are kept for the next call).
  ReadStatus tryReadHeader(Request& req, std::string& why);
  // True while part of a request header has arrived.
  bool headerStarted() const { return head_active_ || !in_.empty(); }
  // Reads the request body: into req.body (at most `cap` bytes) or spooled to a
  // new file in `spool_dir` (at most `cap` bytes). kOutOfRange-like
  // kFailedPrecondition "too large" -> 413; kDeadlineExceeded for a stalled
  // client; kInvalidArgument for bad framing.
  Status readBody(Request& req, BodyMode mode, uint64_t cap, const std::string& spool_dir);
  // Discards the rest of a body that was not read (a rejected request), so the
  // connection can carry on; false when it cannot.
  bool skipBody(Request& req, uint64_t cap);
  // Bytes read beyond the current request.
  std::string takeBuffered();
  // Closes our side for writing and discards what the client still sends (at most
  // `max_ms`), so that a refusal sent before its body was read reaches the client
  // instead of being lost to a TCP reset.
  void lingeringClose(int max_ms);

 private:
  struct Parser;
  ReadStatus parseBuffered(std::string& why);
  ReadStatus finishHeader(Request& req, std::string& why);
  int readSome(int timeout_ms);  // >0 bytes appended, 0 EOF, -1 timeout, -2 error
  int rcv_timeout_ms_ = 0;        // SO_RCVTIMEO as last set (0: none)

  UniqueFd fd_;
  const Limits& limits_;
  std::string in_;
  Parser* parser_ = nullptr;
  bool head_active_ = false;  // parser_->head holds a header begun but not finished
};

// Status for "body too large" errors produced by readBody.
inline constexpr std::string_view kTooLargeMarker = "request body too large";

}  // namespace berth::api::server
