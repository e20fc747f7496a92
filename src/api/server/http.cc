// HTTP/1.1 connection handling. The only file that includes Boost.Beast (its parser):
// keep heavy templates here.
#include "api/server/http.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>

#include "base/fs.h"
#include "base/json_compact.h"

namespace berth::api::server {

namespace bhttp = boost::beast::http;

namespace {

int hexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool decode(std::string_view in, std::string& out, bool plus_space) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexVal(in[i + 1]);
      int lo = hexVal(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(char(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool formDecode(std::string_view in, std::string& out) { return decode(in, out, true); }
bool percentDecode(std::string_view in, std::string& out) { return decode(in, out, false); }

Result<std::map<std::string, std::vector<std::string>>> parseQuery(std::string_view qs) {
  std::map<std::string, std::vector<std::string>> q;
  size_t i = 0;
  while (i < qs.size()) {
    size_t amp = qs.find('&', i);
    std::string_view part = qs.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    i = amp == std::string_view::npos ? qs.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string k, v;
    if (!formDecode(part.substr(0, eq), k) ||
        (eq != std::string_view::npos && !formDecode(part.substr(eq + 1), v)))
      return makeError(Code::kInvalidArgument, "invalid URL escape in query parameter {:?}", std::string(part));
    q[k].push_back(std::move(v));
  }
  return q;
}

std::string Request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

bool Request::hasHeader(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (k == name) return true;
  return false;
}

std::string_view statusText(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

// --- Response -------------------------------------------------------------------------

std::string Response::head(int status, std::string_view content_type, std::optional<uint64_t> length,
                           bool chunked, bool upgrade) {
  status_ = status;
  started_ = true;
  keep_alive_ = req_.keep_alive && !upgrade;
  std::string h;
  h.reserve(256 + common_.text.size());
  h += req_.http_version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  h += std::to_string(status);
  h += ' ';
  h += statusText(status);
  h += "\r\n";
  h += common_.text;
  if (!content_type.empty()) {
    h += "Content-Type: ";
    h += content_type;
    h += "\r\n";
  }
  for (auto& [k, v] : extra_) {
    h += k;
    h += ": ";
    h += v;
    h += "\r\n";
  }
  if (length) {
    h += "Content-Length: ";
    h += std::to_string(*length);
    h += "\r\n";
  }
  if (chunked) h += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive_) h += "Connection: close\r\n";
  else if (req_.http_version == 10) h += "Connection: keep-alive\r\n";
  h += "\r\n";
  return h;
}

bool Response::writeAllTimed(std::string_view data) {
  if (broken_) return false;
  if (capture_) {
    capture_->append(data);
    return true;
  }
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOTSOCK) n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        broken_ = true;  // EPIPE, ECONNRESET, or EAGAIN after SO_SNDTIMEO: the reader is gone
        return false;
      }
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

Status Response::send(int status, std::string_view content_type, std::string_view body) {
  bool no_body = req_.method == "HEAD" || status == 204 || status == 304 || (status >= 100 && status < 200);
  std::string out = head(status, content_type, no_body && status != 200 ? std::nullopt : std::optional<uint64_t>(body.size()),
                         false, false);
  if (!no_body) out += body;
  if (!writeAllTimed(out)) return makeError(Code::kUnavailable, "client went away");
  return {};
}

Status Response::json(int status, const Json& doc) {
  std::string body;
  appendCompactJson(body, doc);
  body += '\n';
  return send(status, "application/json", body);
}

Status Response::empty(int status) { return send(status, "", ""); }

Status Response::startStream(int status, std::string_view content_type) {
  streaming_ = true;
  if (phase_) phase_->store(2);
  chunked_ = req_.http_version >= 11;
  if (!chunked_) keep_alive_ = false;
  std::string out = head(status, content_type, std::nullopt, chunked_, false);
  if (!chunked_) keep_alive_ = false;
  if (!writeAllTimed(out)) return makeError(Code::kUnavailable, "client went away");
  return {};
}

bool Response::write(std::string_view data) {
  if (data.empty()) return !broken_;
  if (req_.method == "HEAD") return true;
  if (!chunked_) return writeAllTimed(data);
  char hex[32];
  int n = std::snprintf(hex, sizeof hex, "%zx\r\n", data.size());
  std::string out;
  out.reserve(size_t(n) + data.size() + 2);
  out.append(hex, size_t(n));
  out.append(data);
  out += "\r\n";
  return writeAllTimed(out);
}

Status Response::endStream() {
  if (chunked_ && req_.method != "HEAD" && !writeAllTimed("0\r\n\r\n"))
    return makeError(Code::kUnavailable, "client went away");
  return {};
}

Status Response::hijack(bool upgrade, std::string_view content_type) {
  hijacked_ = true;
  started_ = true;
  if (conn_) pending_ = conn_->takeBuffered();
  if (phase_) phase_->store(2);
  keep_alive_ = false;
  status_ = upgrade ? 101 : 200;
  std::string out;
  if (upgrade) {
    out = fmt::format("HTTP/1.1 101 UPGRADED\r\nContent-Type: {}\r\nConnection: Upgrade\r\nUpgrade: {}\r\n",
                      content_type, req_.header("upgrade"));
  } else {
    out = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: {}\r\n", content_type);
  }
  for (auto& [k, v] : extra_) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (!writeAllTimed(out)) return makeError(Code::kUnavailable, "client went away");
  return {};
}

bool Response::writeRaw(std::string_view data) { return writeAllTimed(data); }

bool Response::clientGone() const {
  if (broken_) return true;
  struct pollfd p = {fd_, POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

// --- HttpConnection ---------------------------------------------------------------------

struct HttpConnection::Parser {
  std::optional<bhttp::request_parser<bhttp::empty_body>> head;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> body;
};

HttpConnection::HttpConnection(UniqueFd fd, const Limits& limits)
    : fd_(std::move(fd)), limits_(limits), parser_(new Parser) {
  struct timeval tv = {limits.write_timeout_ms / 1000, (limits.write_timeout_ms % 1000) * 1000};
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

HttpConnection::~HttpConnection() { delete parser_; }

// A blocking recv bounded by SO_RCVTIMEO (set only when the timeout changes): one syscall
// per read on a busy keep-alive connection instead of poll + recv.
int HttpConnection::readSome(int timeout_ms) {
  char buf[65536];
  int flags = 0;
  if (timeout_ms <= 0) {
    flags = MSG_DONTWAIT;
  } else if (timeout_ms != rcv_timeout_ms_) {
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0) rcv_timeout_ms_ = timeout_ms;
    else flags = MSG_DONTWAIT;
  }
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, flags);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return -1;
    if (n < 0) return -2;
    if (n == 0) return 0;
    in_.append(buf, size_t(n));
    return int(n);
  }
}

// Feeds the buffered bytes to the header parser: kOk once a whole header is in, kAgain
// when more bytes are needed, kBad / kTooLarge on a broken one.
HttpConnection::ReadStatus HttpConnection::parseBuffered(std::string& why) {
  // Empty lines before a request line are allowed (RFC 9112 2.2).
  while (!in_.empty() && (in_[0] == '\r' || in_[0] == '\n')) in_.erase(0, 1);
  if (in_.empty()) return ReadStatus::kAgain;
  if (!head_active_) {
    parser_->body.reset();
    auto& hp = parser_->head.emplace();
    hp.header_limit(std::uint32_t(limits_.max_header_bytes));
    // Bodies are capped per route by readBody. (Not boost::none: 1.74 compares
    // Content-Length against an empty optional as "over the limit".)
    hp.body_limit(std::numeric_limits<std::uint64_t>::max());
    hp.eager(false);
    head_active_ = true;
  }
  auto& hp = *parser_->head;
  boost::system::error_code ec;
  size_t used = hp.put(boost::asio::buffer(in_.data(), in_.size()), ec);
  in_.erase(0, used);
  if (hp.is_header_done()) {
    head_active_ = false;
    return ReadStatus::kOk;
  }
  if (ec == bhttp::error::header_limit || in_.size() > limits_.max_header_bytes) {
    head_active_ = false;
    why = "request header too large";
    return ReadStatus::kTooLarge;
  }
  if (ec && ec != bhttp::error::need_more) {
    head_active_ = false;
    why = ec.message();
    return ReadStatus::kBad;
  }
  return ReadStatus::kAgain;
}

HttpConnection::ReadStatus HttpConnection::tryReadHeader(Request& req, std::string& why) {
  for (;;) {
    ReadStatus st = parseBuffered(why);
    if (st == ReadStatus::kOk) return finishHeader(req, why);
    if (st != ReadStatus::kAgain) return st;
    int n = readSome(0);
    if (n == -1) return ReadStatus::kAgain;
    if (n == 0 || n == -2) return in_.empty() && !head_active_ ? ReadStatus::kClosed : ReadStatus::kBad;
  }
}

HttpConnection::ReadStatus HttpConnection::readHeader(Request& req, const std::atomic<bool>& stop,
                                                      std::string& why) {
  int64_t waited = 0;
  int64_t header_deadline = 0;
  for (;;) {
    bool started = !in_.empty() || head_active_;
    ReadStatus st = parseBuffered(why);
    if (st == ReadStatus::kOk) return finishHeader(req, why);
    if (st != ReadStatus::kAgain) return st;
    if (started && !header_deadline) header_deadline = nowMs() + limits_.header_timeout_ms;
    int timeout;
    if (!header_deadline) {
      if (stop.load()) return ReadStatus::kClosed;
      if (waited >= limits_.keepalive_timeout_ms) return ReadStatus::kClosed;
      timeout = 200;
      waited += timeout;
    } else {
      timeout = int(header_deadline - nowMs());
      if (timeout <= 0) {
        why = "timeout reading the request header";
        return ReadStatus::kTimeout;
      }
    }
    int n = readSome(timeout);
    if (n == 0 || n == -2) return header_deadline ? ReadStatus::kBad : ReadStatus::kClosed;
    if (n == -1 && header_deadline && nowMs() >= header_deadline) {
      why = "timeout reading the request header";
      return ReadStatus::kTimeout;
    }
  }
}

HttpConnection::ReadStatus HttpConnection::finishHeader(Request& req, std::string& why) {
  auto& hp = *parser_->head;
  auto& m = hp.get();
  req = Request{};
  auto ms = m.method_string();
  auto tg = m.target();
  req.method.assign(ms.data(), ms.size());
  req.target.assign(tg.data(), tg.size());
  req.http_version = int(m.version());
  req.keep_alive = m.keep_alive();
  for (auto& f : m) {
    auto n = f.name_string();
    auto v = f.value();
    req.headers.emplace_back(lower(std::string_view(n.data(), n.size())), std::string(v.data(), v.size()));
  }
  auto cl = hp.content_length();
  if (cl) req.content_length = uint64_t(*cl);
  req.has_body = !hp.is_done() && (hp.chunked() || (cl && *cl > 0));
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    auto parsed = parseQuery(std::string_view(req.target).substr(q + 1));
    if (!parsed.ok()) {
      why = parsed.error().message();
      return ReadStatus::kBad;
    }
    req.query = std::move(*parsed);
  }
  if (req.path.empty() || req.path[0] != '/') {
    // Absolute-form targets ("http://host/path") carry the path after the authority.
    size_t scheme = req.path.find("://");
    size_t slash = scheme == std::string::npos ? std::string::npos : req.path.find('/', scheme + 3);
    if (slash == std::string::npos) {
      why = "invalid request target";
      return ReadStatus::kBad;
    }
    req.path = req.path.substr(slash);
  }
  return ReadStatus::kOk;
}

Status HttpConnection::readBody(Request& req, BodyMode mode, uint64_t cap, const std::string& spool_dir) {
  if (!req.has_body) return {};
  if (req.content_length && *req.content_length > cap)
    return makeError(Code::kFailedPrecondition, "{}: {} bytes, the limit is {}", kTooLargeMarker,
                     *req.content_length, cap);
  if (req.header("expect") == "100-continue" && in_.empty()) {
    std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
    (void)!::send(fd_.get(), cont.data(), cont.size(), MSG_NOSIGNAL);
  }
  UniqueFd spool;
  if (mode == BodyMode::kSpool) {
    TRY(fs::mkdirAll(spool_dir, 0700));
    std::string tmpl = spool_dir + "/upload-XXXXXX";
    std::vector<char> path(tmpl.begin(), tmpl.end());
    path.push_back('\0');
    int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return errnoError("create upload file in {}", spool_dir);
    spool.reset(fd);
    req.body_file = path.data();
  }
  auto& bp = parser_->body.emplace(std::move(*parser_->head));
  parser_->head.reset();
  bp.body_limit(cap);
  uint64_t total = 0;
  std::vector<char> buf(65536);
  bool need_read = in_.empty();
  while (!bp.is_done()) {
    if (need_read) {
      int n = readSome(limits_.body_idle_timeout_ms);
      if (n == -1) return makeError(Code::kDeadlineExceeded, "timeout reading the request body");
      if (n <= 0) return makeError(Code::kCancelled, "client closed the connection while sending the body");
    }
    bp.get().body().data = buf.data();
    bp.get().body().size = buf.size();
    boost::system::error_code ec;
    size_t used = bp.put(boost::asio::buffer(in_.data(), in_.size()), ec);
    in_.erase(0, used);
    size_t got = buf.size() - bp.get().body().size;
    if (got) {
      total += got;
      if (total > cap)
        return makeError(Code::kFailedPrecondition, "{}: the limit is {} bytes", kTooLargeMarker, cap);
      if (mode == BodyMode::kBuffer) {
        req.body.append(buf.data(), got);
      } else {
        TRY_CTX(fs::writeAll(spool.get(), std::string_view(buf.data(), got)), "write upload file");
      }
    }
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec == bhttp::error::body_limit)
      return makeError(Code::kFailedPrecondition, "{}: the limit is {} bytes", kTooLargeMarker, cap);
    if (ec == bhttp::error::need_more) {
      need_read = true;
      continue;
    }
    if (ec) return makeError(Code::kInvalidArgument, "malformed request body: {}", ec.message());
    need_read = in_.empty() || (used == 0 && got == 0);
  }
  return {};
}

bool HttpConnection::skipBody(Request& req, uint64_t cap) {
  if (!req.has_body) return true;
  if (req.content_length && *req.content_length > cap) return false;
  Request scratch = req;
  scratch.body.clear();
  return readBody(scratch, BodyMode::kBuffer, cap, "").ok();
}

std::string HttpConnection::takeBuffered() {
  // The socket is handed over (hijack): its reads are the new owner's, without our timeout.
  if (rcv_timeout_ms_) {
    struct timeval tv = {0, 0};
    (void)::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    rcv_timeout_ms_ = 0;
  }
  return std::exchange(in_, {});
}

void HttpConnection::lingeringClose(int max_ms) {
  ::shutdown(fd_.get(), SHUT_WR);
  int64_t deadline = nowMs() + max_ms;
  uint64_t drained = 0;
  while (drained < (64u << 20)) {
    int left = int(deadline - nowMs());
    if (left <= 0) break;
    in_.clear();
    int n = readSome(left);
    if (n <= 0) break;
    drained += uint64_t(n);
  }
}

}  // namespace berth::api::server
