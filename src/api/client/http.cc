// HTTP/1.1 client. The only file of the client that includes Boost.Beast (its response
// parser): keep heavy templates here.
#include "api/client/http.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

namespace berth::api::client {

namespace bhttp = boost::beast::http;

namespace {

constexpr size_t kReadChunk = 64 * 1024;

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string escape(std::string_view s, bool query) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    // url.PathEscape keeps the sub-delims and ':' '@'; url.QueryEscape turns ' ' into '+'.
    bool keep = unreserved(c);
    if (!query && !keep)
      keep = c == '$' || c == '&' || c == '+' || c == ',' || c == ':' || c == ';' || c == '=' || c == '@';
    if (keep) {
      out.push_back(c);
    } else if (query && c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
      out.push_back(hex[static_cast<unsigned char>(c) & 0xf]);
    }
  }
  return out;
}


std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Error brokenResponse(std::string_view why) {
  return Error(Code::kDataLoss, fmt::format("reading the service's response: {}", why));
}

}  // namespace

bool sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

std::string pathEscape(std::string_view s) { return escape(s, false); }
std::string queryEscape(std::string_view s) { return escape(s, true); }

std::string encodeQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  // url.Values.Encode: sorted by key, values in order.
  std::vector<std::pair<std::string, std::string>> sorted = params;
  std::stable_sort(sorted.begin(), sorted.end(), [](auto& a, auto& b) { return a.first < b.first; });
  std::string out;
  for (auto& [k, v] : sorted) {
    if (!out.empty()) out.push_back('&');
    out += queryEscape(k) + "=" + queryEscape(v);
  }
  return out;
}

std::string HttpResponse::header(std::string_view lower_name) const {
  for (auto& [k, v] : headers)
    if (k == lower_name) return v;
  return "";
}

// Reads one response from a socket with Beast's parser. `in` holds bytes read beyond
// what the parser consumed (the start of a hijacked stream).
struct HttpClient::Reader {
  Reader(int fd, const HttpLimits& limits, bool head_request) : fd(fd), limits(limits) {
    parser.header_limit(std::uint32_t(std::min<size_t>(limits.max_header_bytes, 0xffffffffu)));
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.eager(false);
    if (head_request) parser.skip(true);
  }

  // Reads more bytes into `in`: >0 bytes read, 0 EOF, -1 error (errno).
  ssize_t fill() {
    size_t old = in.size();
    in.resize(old + kReadChunk);
    ssize_t n;
    do n = ::recv(fd, in.data() + old, kReadChunk, 0);
    while (n < 0 && errno == EINTR);
    in.resize(old + size_t(std::max<ssize_t>(n, 0)));
    if (n > 0) received += size_t(n);
    return n;
  }

  // Parses up to the end of the head. kDataLoss on a broken or oversized head; `eof_first`
  // tells that the peer closed before sending a byte (a stale keep-alive connection).
  Status readHead(bool& eof_first) {
    eof_first = false;
    while (!parser.is_header_done()) {
      if (!in.empty()) {
        boost::system::error_code ec;
        size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
        in.erase(0, used);
        if (ec == bhttp::error::header_limit)
          return brokenResponse(fmt::format("response header larger than {} bytes", limits.max_header_bytes));
        if (ec && ec != bhttp::error::need_more) return brokenResponse(ec.message());
        if (parser.is_header_done()) break;
      }
      ssize_t n = fill();
      if (n == 0) {
        if (received == 0) eof_first = true;
        return brokenResponse("the service closed the connection before answering");
      }
      if (n < 0) {
        if (received == 0 && (errno == ECONNRESET || errno == EPIPE)) eof_first = true;
        return brokenResponse(std::strerror(errno));
      }
    }
    return {};
  }

  HttpResponse head() {
    HttpResponse r;
    auto& msg = parser.get();
    r.status = int(msg.result_int());
    for (auto& f : msg) r.headers.emplace_back(lower(std::string_view(f.name_string().data(), f.name_string().size())),
                                               std::string(f.value().data(), f.value().size()));
    return r;
  }

  // Reads the body, passing each piece to `sink` (false: stop, the connection is dropped).
  // Returns whether the message was read to its end.
  Result<bool> readBody(const std::function<bool(std::string_view)>& sink) {
    std::string buf(kReadChunk, '\0');
    while (!parser.is_done()) {
      auto& body = parser.get().body();
      body.data = buf.data();
      body.size = buf.size();
      boost::system::error_code ec;
      if (!in.empty()) {
        size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
        in.erase(0, used);
      } else {
        ec = bhttp::error::need_more;
      }
      size_t produced = buf.size() - parser.get().body().size;
      if (produced > 0 && !sink(std::string_view(buf.data(), produced))) return false;
      if (ec == bhttp::error::need_buffer) continue;
      if (ec && ec != bhttp::error::need_more) return Error(brokenResponse(ec.message()));
      if (parser.is_done()) break;
      if (ec == bhttp::error::need_more || in.empty()) {
        ssize_t n = fill();
        if (n < 0) return Error(brokenResponse(std::strerror(errno)));
        if (n == 0) {
          // A body delimited by the end of the connection ends here; otherwise it was cut.
          boost::system::error_code eec;
          parser.get().body().data = buf.data();
          parser.get().body().size = buf.size();
          parser.put_eof(eec);
          if (eec) return Error(brokenResponse("the service closed the connection in the middle of the response"));
          break;
        }
      }
    }
    return true;
  }

  int fd;
  const HttpLimits& limits;
  bhttp::response_parser<bhttp::buffer_body> parser;
  std::string in;
  size_t received = 0;
};

Result<UniqueFd> HttpClient::connection(bool fresh, bool& reused) {
  reused = false;
  if (!fresh) {
    std::lock_guard<std::mutex> g(mu_);
    if (!idle_.empty()) {
      reused = true;
      UniqueFd fd = std::move(idle_.back());
      idle_.pop_back();
      return fd;
    }
  }
  return dial(ep_);
}

void HttpClient::keepIdle(UniqueFd fd) {
  std::lock_guard<std::mutex> g(mu_);
  if (idle_.size() < 4) idle_.push_back(std::move(fd));
}

Status HttpClient::sendRequest(int fd, const HttpRequest& req) {
  std::string head = req.method + " " + req.target + " HTTP/1.1\r\nHost: d\r\nUser-Agent: berth\r\n";
  bool has_ct = false;
  for (auto& [k, v] : req.headers) {
    head += k + ": " + v + "\r\n";
    if (lower(k) == "content-type") has_ct = true;
  }
  if (req.upgrade) head += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
  bool chunked = req.body_fd >= 0;
  if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  } else if (!req.body.empty() || (req.method != "GET" && req.method != "HEAD")) {
    head += fmt::format("Content-Length: {}\r\n", req.body.size());
    if (!req.body.empty() && !has_ct) head += "Content-Type: application/json\r\n";
  }
  head += "\r\n";
  if (!chunked) {
    // One write for small requests: head and body together.
    if (req.body.size() < 64 * 1024) {
      head += req.body;
      if (!sendAll(fd, head)) return sysError(errno, "sending the request to the service");
      return {};
    }
    if (!sendAll(fd, head) || !sendAll(fd, req.body)) return sysError(errno, "sending the request to the service");
    return {};
  }
  if (!sendAll(fd, head)) return sysError(errno, "sending the request to the service");
  std::string buf(256 * 1024, '\0');
  for (;;) {
    ssize_t n = ::read(req.body_fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sysError(errno, "reading the request body");
    }
    if (n == 0) break;
    std::string frame = fmt::format("{:x}\r\n", n);
    if (!sendAll(fd, frame) || !sendAll(fd, std::string_view(buf.data(), size_t(n))) || !sendAll(fd, "\r\n"))
      return sysError(errno, "sending the request body to the service");
  }
  if (!sendAll(fd, "0\r\n\r\n")) return sysError(errno, "sending the request body to the service");
  return {};
}

Result<HttpResponse> HttpClient::exchange(const HttpRequest& req,
                                          const std::function<bool(std::string_view)>* sink) {
  bool fresh = req.body_fd >= 0;  // a streamed body cannot be re-sent: never risk a stale connection
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    UniqueFd fd = TRY(connection(fresh || attempt > 0, reused));
    auto sent = sendRequest(fd.get(), req);
    if (!sent.ok()) {
      if (reused) continue;  // the service closed the idle connection: dial again
      return std::move(sent).error();
    }
    Reader rd(fd.get(), limits_, req.method == "HEAD");
    bool eof_first = false;
    auto h = rd.readHead(eof_first);
    if (!h.ok()) {
      if (reused && eof_first) continue;
      return std::move(h).error();
    }
    HttpResponse resp = rd.head();
    bool ok = resp.status / 100 == 2;
    bool complete;
    if (sink && ok) {
      complete = TRY(rd.readBody(*sink));
    } else {
      size_t cap = limits_.max_body_bytes;
      bool over = false;
      complete = TRY(rd.readBody([&](std::string_view piece) {
        if (resp.body.size() + piece.size() > cap) {
          over = true;
          return false;
        }
        resp.body.append(piece);
        return true;
      }));
      if (over) return brokenResponse(fmt::format("response body larger than {} bytes", cap));
    }
    if (complete && rd.parser.keep_alive() && rd.in.empty()) keepIdle(std::move(fd));
    return resp;
  }
}

Result<HttpResponse> HttpClient::roundTrip(const HttpRequest& req) { return exchange(req, nullptr); }

Result<HttpResponse> HttpClient::stream(const HttpRequest& req,
                                        const std::function<bool(std::string_view)>& sink) {
  return exchange(req, &sink);
}

Result<HijackedConn> HttpClient::hijack(const HttpRequest& req) {
  bool reused = false;
  UniqueFd fd = TRY(connection(true, reused));
  TRY(sendRequest(fd.get(), req));
  Reader rd(fd.get(), limits_, false);
  bool eof_first = false;
  TRY(rd.readHead(eof_first));
  HijackedConn out;
  out.head = rd.head();
  if (out.head.status == 101 || out.head.status / 100 == 2) {
    out.buffered = std::move(rd.in);
    out.fd = std::move(fd);
    return out;
  }
  size_t cap = limits_.max_body_bytes;
  TRY(rd.readBody([&](std::string_view piece) {
    if (out.head.body.size() + piece.size() > cap) return false;
    out.head.body.append(piece);
    return true;
  }));
  return out;
}

}  // namespace berth::api::client
