// Unit tests of the remote client's transport: URIs, HTTP framing (fixed, chunked, until
// close), keep-alive and stale connections, hijacking, the attach frame stream, detach
// keys, error mapping, hostile answers (huge heads, huge bodies, broken framing), and the
// decoding of events and stats answers by the remote services.
// The peer is a raw socket in the test speaking bytes, so every framing case is exact.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "api/client/attach.h"
#include "api/client/endpoint.h"
#include "api/client/errors.h"
#include "api/client/http.h"
#include "api/client/wire.h"
#include "base/fs.h"
#include "berth/bindings/connection.h"
#include "events/event.h"

namespace berth::api::client {
namespace {

// A unix-socket peer: each accepted connection runs `handler` on its own thread.
class Peer {
 public:
  explicit Peer(std::function<void(int fd, int n)> handler) : handler_(std::move(handler)) {
    char tmpl[] = "/tmp/berth-client-test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/s.sock";
    listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path_.c_str());
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
    EXPECT_EQ(::listen(listen_.get(), 16), 0);
    thread_ = std::thread([this] {
      for (int n = 0;; ++n) {
        int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0 || stop_) {
          if (fd >= 0) ::close(fd);
          return;
        }
        accepted_++;
        workers_.emplace_back([this, fd, n] {
          handler_(fd, n);
          ::close(fd);
        });
      }
    });
  }
  ~Peer() {
    stop_ = true;
    ::shutdown(listen_.get(), SHUT_RDWR);
    // Wake accept() with a connection of our own.
    auto ep = parseEndpoint("unix://" + path_);
    if (ep.ok()) (void)dial(*ep);
    thread_.join();
    for (auto& w : workers_) w.join();
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  Endpoint endpoint() const { return *parseEndpoint("unix://" + path_); }
  int accepted() const { return accepted_; }

 private:
  std::function<void(int, int)> handler_;
  std::string dir_, path_;
  UniqueFd listen_;
  std::thread thread_;
  std::vector<std::thread> workers_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
};

// Reads one request head (up to the blank line) and a Content-Length body.
std::string readRequest(int fd) {
  std::string in;
  char c;
  while (in.find("\r\n\r\n") == std::string::npos) {
    if (::read(fd, &c, 1) != 1) return in;
    in.push_back(c);
  }
  auto cl = in.find("Content-Length: ");
  if (cl != std::string::npos) {
    size_t n = std::stoul(in.substr(cl + 16));
    std::string body(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd, body.data() + got, n - got);
      if (r <= 0) break;
      got += size_t(r);
    }
    in += body;
  }
  return in;
}

// Writes without SIGPIPE; false when the client is gone.
bool trySend(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(size_t(n));
  }
  return true;
}
void send(int fd, std::string_view s) { ASSERT_TRUE(trySend(fd, s)); }

HttpRequest get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  return r;
}

TEST(Endpoint, ParsesPodmanUris) {
  auto u = parseEndpoint("unix:///run/berth/berth.sock");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->kind, Endpoint::Kind::kUnix);
  EXPECT_EQ(u->path, "/run/berth/berth.sock");
  EXPECT_EQ(u->uri, "unix:///run/berth/berth.sock");
  // unix://path_element is auto-fixed to an absolute path, as podman does.
  EXPECT_EQ(parseEndpoint("unix://run/x.sock")->path, "/run/x.sock");
  EXPECT_EQ(parseEndpoint("unix:/run/x.sock")->path, "/run/x.sock");
  auto t = parseEndpoint("tcp://localhost:8080");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "localhost");
  EXPECT_EQ(t->port, "8080");
  auto v6 = parseEndpoint("tcp://[::1]:80");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->uri, "tcp://[::1]:80");
  EXPECT_EQ(parseEndpoint("ssh://me@host/run/x.sock").error().code(), Code::kUnimplemented);
  EXPECT_EQ(parseEndpoint("http://x").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(parseEndpoint("/run/x.sock").error().message(), "unable to create connection. \"\" is not a supported schema");
  EXPECT_EQ(parseEndpoint("tcp:host:1").error().message(), "tcp URIs should begin with tcp://");
  EXPECT_EQ(parseEndpoint("tcp://h:99999").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(parseEndpoint("tcp://h:x").error().code(), Code::kInvalidArgument);
}

TEST(Endpoint, DialErrorsUseGoWording) {
  auto e = dial(*parseEndpoint("unix:///tmp/berth-no-such-dir/x.sock"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), Code::kUnavailable);
  EXPECT_EQ(e.error().what(), "dial unix /tmp/berth-no-such-dir/x.sock: connect: no such file or directory");
  // A port nothing listens on (port 1 on loopback: reserved, never bound by tests).
  auto r = dial(*parseEndpoint("tcp://127.0.0.1:1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "dial tcp 127.0.0.1:1: connect: connection refused");
  EXPECT_EQ(dial(*parseEndpoint("tcp://localhost")).error().what(),
            "dial tcp: address localhost: missing port in address");
}

TEST(Http, FixedAndChunkedBodiesAndKeepAlive) {
  Peer peer([](int fd, int) {
    for (int i = 0;; ++i) {
      std::string req = readRequest(fd);
      if (req.empty()) return;
      if (i == 0) send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello");
      else send(fd, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    }
  });
  HttpClient http(peer.endpoint());
  auto a = http.roundTrip(get("/a"));
  ASSERT_TRUE(a.ok()) << a.error().what();
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, "hello");
  EXPECT_EQ(a->header("x-a"), "b");
  auto b = http.roundTrip(get("/b"));
  ASSERT_TRUE(b.ok()) << b.error().what();
  EXPECT_EQ(b->status, 201);
  EXPECT_EQ(b->body, "abcde");
  EXPECT_EQ(peer.accepted(), 1) << "the second request reuses the kept-alive connection";
}

TEST(Http, StaleKeptAliveConnectionIsRedialled) {
  Peer peer([](int fd, int) {
    readRequest(fd);
    send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    // and close: the client still holds the connection as idle
  });
  HttpClient http(peer.endpoint());
  ASSERT_TRUE(http.roundTrip(get("/1")).ok());
  usleep(20000);
  auto r = http.roundTrip(get("/2"));
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(peer.accepted(), 2);
}

TEST(Http, BodyUntilCloseAndStreamingSink) {
  Peer peer([](int fd, int) {
    readRequest(fd);
    send(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nline1\n");
    usleep(10000);
    send(fd, "line2\n");
  });
  HttpClient http(peer.endpoint());
  std::vector<std::string> pieces;
  auto r = http.stream(get("/s"), [&](std::string_view p) {
    pieces.emplace_back(p);
    return true;
  });
  ASSERT_TRUE(r.ok()) << r.error().what();
  std::string all;
  for (auto& p : pieces) all += p;
  EXPECT_EQ(all, "line1\nline2\n");
  EXPECT_GE(pieces.size(), 2u) << "pieces arrive as they are sent";
}

TEST(Http, SinkCanStopAnEndlessStream) {
  std::atomic<bool> gone{false};
  Peer peer([&](int fd, int) {
    readRequest(fd);
    send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 2000; ++i) {
      if (!trySend(fd, "6\r\nevent\n\r\n")) {
        gone = true;
        return;
      }
      usleep(1000);
    }
  });
  HttpClient http(peer.endpoint());
  int n = 0;
  auto r = http.stream(get("/events"), [&](std::string_view) { return ++n < 3; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(n, 3);
}

TEST(Http, HostileAnswersAreErrors) {
  Peer peer([](int fd, int n) {
    readRequest(fd);
    switch (n) {
      case 0: send(fd, "NOT HTTP AT ALL\r\n\r\n"); break;
      case 1: send(fd, "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a') + "\r\n\r\n"); break;
      case 2: send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"); break;
      case 3: send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"); break;
      case 4: send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'x')); break;
    }
  });
  HttpLimits limits;
  limits.max_header_bytes = 64 * 1024;
  limits.max_body_bytes = 1024;
  HttpClient http(peer.endpoint(), limits);
  for (int i = 0; i < 5; ++i) {
    auto r = http.roundTrip(get("/x"));
    ASSERT_FALSE(r.ok()) << "case " << i;
    EXPECT_EQ(r.error().code(), Code::kDataLoss) << "case " << i << ": " << r.error().what();
  }
}

TEST(Http, RequestFraming) {
  std::string seen;
  Peer peer([&](int fd, int n) {
    if (n == 0) {
      seen = readRequest(fd);
      send(fd, "HTTP/1.1 204 No Content\r\n\r\n");
      return;
    }
    // A chunked upload: read until the last chunk.
    std::string in;
    char buf[4096];
    while (in.find("0\r\n\r\n") == std::string::npos) {
      ssize_t r = ::read(fd, buf, sizeof buf);
      if (r <= 0) break;
      in.append(buf, size_t(r));
    }
    seen = in;
    send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
  });
  HttpClient http(peer.endpoint());
  HttpRequest post;
  post.method = "POST";
  post.target = "/v4.3.1/libpod/containers/create";
  post.body = R"({"image":"x"})";
  auto r = http.roundTrip(post);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 204);
  EXPECT_NE(seen.find("POST /v4.3.1/libpod/containers/create HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(seen.find("Content-Length: 13\r\n"), std::string::npos);
  EXPECT_NE(seen.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(seen.find("\r\n\r\n{\"image\":\"x\"}"), std::string::npos);

  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_TRUE(fs::writeAll(p[1], "tar-bytes").ok());
  ::close(p[1]);
  HttpRequest up;
  up.method = "POST";
  up.target = "/v4.3.1/libpod/images/load";
  up.body_fd = p[0];
  ASSERT_TRUE(http.roundTrip(up).ok());
  ::close(p[0]);
  EXPECT_NE(seen.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_NE(seen.find("9\r\ntar-bytes\r\n0\r\n\r\n"), std::string::npos);
}

TEST(Http, HijackKeepsBytesThatCameWithTheHead) {
  Peer peer([](int fd, int) {
    std::string req = readRequest(fd);
    EXPECT_NE(req.find("Connection: Upgrade\r\nUpgrade: tcp\r\n"), std::string::npos);
    send(fd, "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\n"
             "Upgrade: tcp\r\n\r\nfirst");
    usleep(10000);
    send(fd, "second");
  });
  HttpClient http(peer.endpoint());
  HttpRequest req = get("/attach");
  req.method = "POST";
  req.upgrade = true;
  auto h = http.hijack(req);
  ASSERT_TRUE(h.ok()) << h.error().what();
  EXPECT_EQ(h->head.status, 101);
  ASSERT_TRUE(h->fd.valid());
  std::string all = h->buffered;
  auto rest = fs::readAll(h->fd.get());
  ASSERT_TRUE(rest.ok());
  all += *rest;
  EXPECT_EQ(all, "firstsecond");
}

TEST(Http, HijackRefusedReturnsTheError) {
  Peer peer([](int fd, int) {
    readRequest(fd);
    send(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 57\r\n\r\n"
             "{\"cause\":\"no such container\",\"message\":\"x\",\"response\":404}");
  });
  HttpClient http(peer.endpoint());
  auto h = http.hijack(get("/attach"));
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->fd.valid());
  EXPECT_EQ(errorFromResponse(h->head).code(), Code::kNotFound);
}

TEST(Errors, OneTableAndTheBerthHeader) {
  HttpResponse r;
  r.status = 409;
  r.body = R"({"cause":"container state improper","message":"can only create exec sessions on running containers: container state improper","response":409})";
  Error e = errorFromResponse(r);
  EXPECT_EQ(e.code(), Code::kConflict);
  EXPECT_EQ(e.what(), "can only create exec sessions on running containers: container state improper");
  // berth's service names the exact code; the wording plays no part.
  r.headers.emplace_back("berth-error-code", "failed_precondition");
  EXPECT_EQ(errorFromResponse(r).code(), Code::kFailedPrecondition);
  r.headers = {{"berth-error-code", "nonsense"}};
  EXPECT_EQ(errorFromResponse(r).code(), Code::kConflict);
  r.headers.clear();
  r.status = 404;
  r.body = R"({"message":"No such container: x"})";  // Docker's shape
  EXPECT_EQ(errorFromResponse(r).code(), Code::kNotFound);
  EXPECT_EQ(errorFromResponse(r).what(), "No such container: x");
  r.status = 500;
  r.body = "plain text\n";
  EXPECT_EQ(errorFromResponse(r).what(), "plain text");
  EXPECT_EQ(errorFromResponse(r).code(), Code::kInternal);
  r.status = 418;
  r.body = "";
  EXPECT_EQ(errorFromResponse(r).code(), Code::kUnknown);
  EXPECT_EQ(errorFromResponse(r).what(), "the service answered HTTP 418");
  EXPECT_EQ(codeFromHttpStatus(400), Code::kInvalidArgument);
  EXPECT_EQ(codeFromHttpStatus(501), Code::kUnimplemented);
}

TEST(Attach, DetachKeys) {
  EXPECT_EQ(*detachKeyBytes("ctrl-p,ctrl-q"), "\x10\x11");
  EXPECT_EQ(*detachKeyBytes("a,ctrl-@"), std::string("a\0", 2));
  EXPECT_EQ(*detachKeyBytes(""), "");
  EXPECT_EQ(detachKeyBytes("ctrl-1").error().code(), Code::kInvalidArgument);
  EXPECT_EQ(detachKeyBytes("abc").error().code(), Code::kInvalidArgument);
}

std::string frame(int stream, std::string_view payload) {
  std::string h(8, '\0');
  h[0] = char(stream);
  uint32_t n = uint32_t(payload.size());
  h[4] = char(n >> 24);
  h[5] = char(n >> 16);
  h[6] = char(n >> 8);
  h[7] = char(n);
  return h + std::string(payload);
}

// A hijacked connection made of a socketpair: the test writes the service's side.
struct FakeConn {
  HijackedConn conn;
  UniqueFd service;
  FakeConn() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    conn.fd.reset(sv[0]);
    service.reset(sv[1]);
    conn.head.status = 101;
  }
};

TEST(Attach, DemultiplexesFramesSplitAnywhere) {
  FakeConn fc;
  std::string wire = frame(1, "out1\n") + frame(2, "err1\n") + frame(1, "out2\n") + frame(0, "in-echo\n");
  fc.conn.buffered = wire.substr(0, 3);  // part of the first header came with the HTTP head
  std::thread svc([&, rest = wire.substr(3)] {
    for (char c : rest) {
      ASSERT_TRUE(fs::writeAll(fc.service.get(), std::string_view(&c, 1)).ok());
    }
    ::shutdown(fc.service.get(), SHUT_WR);
  });
  std::string out, err;
  AttachStreams s;
  s.in = -1;
  s.output = [&](int stream, std::string_view d) {
    (stream == 2 ? err : out).append(d);
    return true;
  };
  auto r = pumpAttach(std::move(fc.conn), s, false, {});
  svc.join();
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, 0);
  EXPECT_EQ(out, "out1\nout2\nin-echo\n");
  EXPECT_EQ(err, "err1\n");
}

TEST(Attach, TtyStreamIsRaw) {
  FakeConn fc;
  std::string raw = frame(1, "not a frame for a tty");
  ASSERT_TRUE(fs::writeAll(fc.service.get(), raw).ok());
  ::shutdown(fc.service.get(), SHUT_WR);
  std::string out;
  AttachStreams s;
  s.in = -1;
  s.output = [&](int, std::string_view d) {
    out.append(d);
    return true;
  };
  auto r = pumpAttach(std::move(fc.conn), s, true, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(out, raw);
}

TEST(Attach, ServiceErrorFrameAndBrokenFrames) {
  {
    FakeConn fc;
    ASSERT_TRUE(fs::writeAll(fc.service.get(), frame(3, "container exploded")).ok());
    AttachStreams s;
    s.in = -1;
    s.output = [](int, std::string_view) { return true; };
    auto r = pumpAttach(std::move(fc.conn), s, false, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().what(), "from service from stream: container exploded");
  }
  {
    FakeConn fc;
    std::string bad = frame(7, "x");
    ASSERT_TRUE(fs::writeAll(fc.service.get(), bad).ok());
    AttachStreams s;
    s.in = -1;
    s.output = [](int, std::string_view) { return true; };
    auto r = pumpAttach(std::move(fc.conn), s, false, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Code::kDataLoss);
  }
  {
    FakeConn fc;  // a frame cut short by the end of the stream
    ASSERT_TRUE(fs::writeAll(fc.service.get(), frame(1, "0123456789").substr(0, 12)).ok());
    ::shutdown(fc.service.get(), SHUT_WR);
    AttachStreams s;
    s.in = -1;
    s.output = [](int, std::string_view) { return true; };
    auto r = pumpAttach(std::move(fc.conn), s, false, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Code::kDataLoss);
  }
}

TEST(Attach, StdinIsCopiedAndDetachKeysDetach) {
  FakeConn fc;
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd in_rd(p[0]), in_wr(p[1]);
  // ctrl-p followed by something else is passed through; ctrl-p ctrl-q detaches.
  ASSERT_TRUE(fs::writeAll(in_wr.get(), "ab\x10z\x10\x11never").ok());
  AttachStreams s;
  s.in = in_rd.get();
  s.output = [](int, std::string_view) { return true; };
  auto r = pumpAttach(std::move(fc.conn), s, false, {});
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, -1);
  auto got = fs::readAll(fc.service.get());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "ab\x10z");
}

TEST(Attach, StdinEofHalfClosesAndOutputStillArrives) {
  FakeConn fc;
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd in_rd(p[0]);
  ASSERT_TRUE(fs::writeAll(p[1], "hello").ok());
  ::close(p[1]);
  // The service echoes stdin once it has all of it, then ends the stream.
  std::thread svc([&] {
    auto got = fs::readAll(fc.service.get());
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(fs::writeAll(fc.service.get(), frame(1, *got)).ok());
    ::shutdown(fc.service.get(), SHUT_WR);
  });
  std::string out;
  AttachStreams s;
  s.in = in_rd.get();
  s.output = [&](int, std::string_view d) {
    out.append(d);
    return true;
  };
  auto r = pumpAttach(std::move(fc.conn), s, false, {});
  svc.join();
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, 0);
  EXPECT_EQ(out, "hello");
}

TEST(Wire, ListContainerIsTypeChecked) {
  Json good = Json::parse(R"({"AutoRemove":false,"Command":["sh"],"Created":"2024-01-02T03:04:05.5Z",
    "Exited":true,"ExitedAt":1700000001,"ExitCode":3,"Id":"abc","Image":"busybox","ImageID":"f00",
    "Labels":{"a":"b"},"Names":["n1"],"Pid":0,"StartedAt":-62135596800,"State":"exited","Restarts":2})");
  auto s = decodeListContainer(good, "containers/json[0]");
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(s->id, "abc");
  EXPECT_EQ(s->status, ContainerStatus::kExited);
  EXPECT_EQ(s->exit_code, 3);
  EXPECT_EQ(s->created, 1704164645500000000);
  EXPECT_EQ(s->exited_at, 1700000001000000000);
  EXPECT_EQ(s->started_at, 0);
  EXPECT_EQ(s->labels.at("a"), "b");
  Json bad = good;
  bad["Names"] = "n1";
  auto b = decodeListContainer(bad, "containers/json[0]");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), Code::kDataLoss);
  EXPECT_EQ(b.error().what(), "containers/json[0].Names: want array of strings, got string");
  bad = good;
  bad["State"] = "on-fire";
  EXPECT_FALSE(decodeListContainer(bad, "c").ok());
  bad = good;
  bad["ExitCode"] = 1e30;
  EXPECT_FALSE(decodeListContainer(bad, "c").ok());
  EXPECT_FALSE(decodeListContainer(Json::array(), "c").ok());
}

TEST(Misc, QueryEncodingMatchesGo) {
  EXPECT_EQ(encodeQuery({{"b", "x y"}, {"a", "1/2"}, {"b", "&"}}), "a=1%2F2&b=x+y&b=%26");
  EXPECT_EQ(pathEscape("a b/c:d"), "a%20b%2Fc:d");
}

// A service that answers _ping and then, per path, one canned JSON body (all requests on
// any connection); the request targets are recorded.
class CannedService {
 public:
  explicit CannedService(std::map<std::string, std::string> bodies)
      : bodies_(std::move(bodies)), peer_([this](int fd, int) { serve(fd); }) {}
  std::string uri() const { return peer_.endpoint().uri; }
  std::vector<std::string> targets() {
    std::lock_guard<std::mutex> g(mu_);
    return targets_;
  }

 private:
  void serve(int fd) {
    for (;;) {
      std::string req = readRequest(fd);
      if (req.size() < 5) return;
      std::string target = req.substr(req.find(' ') + 1);
      target = target.substr(0, target.find(' '));
      {
        std::lock_guard<std::mutex> g(mu_);
        targets_.push_back(target);
      }
      std::string body = "OK";
      std::string path = target.substr(0, target.find('?'));
      for (auto& [suffix, b] : bodies_)
        if (path.ends_with(suffix)) body = b;
      if (!trySend(fd, fmt::format("HTTP/1.1 200 OK\r\nLibpod-API-Version: 4.3.1\r\nContent-Length: {}\r\n\r\n{}",
                                   body.size(), body)))
        return;
    }
  }

  std::map<std::string, std::string> bodies_;
  std::mutex mu_;
  std::vector<std::string> targets_;
  Peer peer_;
};

TEST(Remote, EventsAreDecodedAndFilteredOnTheClient) {
  CannedService svc(std::map<std::string, std::string>{{"/events",
                      R"({"status":"died","id":"abc","from":"img:1","Type":"container","Action":"died",)"
                      R"("Actor":{"ID":"abc","Attributes":{"image":"img:1","name":"ev1","containerExitCode":"3",)"
                      R"("podId":"","lbl":"x"}},"scope":"local","time":1700000000,"timeNano":1700000000123456789})"
                      "\n"
                      R"({"Type":"container","Action":"start","Actor":{"ID":"def","Attributes":{"name":"other",)"
                      R"("containerExitCode":"0"}},"scope":"local","time":1700000001,"timeNano":1700000001000000000})"
                      "\n"}});
  auto conn = berth::connect(svc.uri());
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  auto filter = events::Filter::parse({"container=ev1"}, "1600000000", "1800000000");
  ASSERT_TRUE(filter.ok());
  EventsRequest req;
  req.filter = &*filter;
  req.stream = false;
  std::vector<events::Event> got;
  auto st = (*conn)->system().events(req, [&](const events::Event& e) {
    got.push_back(e);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.error().what();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "container");
  EXPECT_EQ(got[0].status, "died");
  EXPECT_EQ(got[0].id, "abc");
  EXPECT_EQ(got[0].name, "ev1");
  EXPECT_EQ(got[0].image, "img:1");
  EXPECT_EQ(got[0].container_exit_code, 3);
  EXPECT_EQ(got[0].time_ns, 1700000000123456789);
  EXPECT_EQ(got[0].attributes, (std::map<std::string, std::string>{{"lbl", "x"}}));
  auto t = svc.targets();
  ASSERT_FALSE(t.empty());
  EXPECT_NE(t.back().find("/libpod/events?since=1600000000.000000000&stream=false&until=1800000000.000000000"),
            std::string::npos)
      << t.back();
}

TEST(Remote, StatsSampleAndCpuSinceThePreviousOne) {
  CannedService svc(std::map<std::string, std::string>{{"/containers/stats",
                      R"({"Error":null,"Stats":[{"ContainerID":"abc","Name":"st1","CPU":1.5,"AvgCPU":1.5,)"
                      R"("CPUNano":3000,"CPUSystemNano":1000,"SystemNano":20000,"PerCPU":[3000],"MemUsage":4096,)"
                      R"("MemLimit":8192,"MemPerc":50,"NetInput":1,"NetOutput":2,"BlockInput":3,"BlockOutput":4,)"
                      R"("PIDs":2,"UpTime":3000,"Duration":3000}]})"
                      "\n"}});
  auto conn = berth::connect(svc.uri());
  ASSERT_TRUE(conn.ok()) << conn.error().what();
  StatsRequest req;
  req.names = {"st1"};
  std::map<std::string, ContainerStats> previous;
  previous["abc"].cpu_nano = 1000;
  previous["abc"].system_nano = 10000;
  auto s = (*conn)->containers().stats(req, previous);
  ASSERT_TRUE(s.ok()) << s.error().what();
  ASSERT_EQ(s->size(), 1u);
  const auto& x = s->front();
  EXPECT_EQ(x.id, "abc");
  EXPECT_EQ(x.name, "st1");
  EXPECT_DOUBLE_EQ(x.cpu, 20.0);  // (3000-1000)/(20000-10000)
  EXPECT_DOUBLE_EQ(x.avg_cpu, 1.5);
  EXPECT_EQ(x.mem_usage, 4096u);
  EXPECT_EQ(x.mem_limit, 8192u);
  EXPECT_EQ(x.pids, 2u);
  EXPECT_EQ(x.per_cpu, std::vector<uint64_t>{3000});
  EXPECT_EQ(previous["abc"].cpu_nano, 3000u);
  auto t = svc.targets();
  EXPECT_NE(t.back().find("/libpod/containers/stats?containers=st1&stream=false"), std::string::npos) << t.back();
}

}  // namespace
}  // namespace berth::api::client
