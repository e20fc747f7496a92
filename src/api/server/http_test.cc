// HTTP layer tests over a socketpair: parsing, bodies, limits, chunked responses.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <thread>

#include "api/server/http.h"
#include "base/fs.h"

namespace berth::api::server {
namespace {

struct Pair {
  Pair() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    server.reset(sv[0]);
    client.reset(sv[1]);
  }
  UniqueFd server, client;
};

std::string readAvailable(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

TEST(Query, Decode) {
  auto q = parseQuery("a=1&b=x+y&c=%7B%22k%22%3A1%7D&a=2&flag");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)["a"], (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ((*q)["b"][0], "x y");
  EXPECT_EQ((*q)["c"][0], "{\"k\":1}");
  EXPECT_EQ((*q)["flag"][0], "");
  EXPECT_FALSE(parseQuery("a=%G1").ok());
  EXPECT_FALSE(parseQuery("a=%").ok());
}

TEST(Http, KeepAliveRequestsWithBodies) {
  Pair p;
  std::string in =
      "GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nContent-Type: application/json\r\n\r\n{\"a\":1}"
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  ASSERT_TRUE(fs::writeAll(p.client.get(), in).ok());
  Limits lim;
  HttpConnection c(std::move(p.server), lim);
  std::atomic<bool> stop{false};
  std::string why;
  Request r;
  ASSERT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kOk) << why;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v1.41/containers/json");
  EXPECT_EQ(r.query["all"][0], "1");
  EXPECT_FALSE(r.has_body);
  ASSERT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kOk) << why;
  EXPECT_EQ(r.method, "POST");
  ASSERT_TRUE(c.readBody(r, BodyMode::kBuffer, 100, "").ok());
  EXPECT_EQ(r.body, "{\"a\":1}");
  EXPECT_EQ(r.header("content-type"), "application/json");
  ASSERT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kOk) << why;
  ASSERT_TRUE(c.readBody(r, BodyMode::kBuffer, 100, "").ok());
  EXPECT_EQ(r.body, "abcde");
}

TEST(Http, BodyOverCapIsRefused) {
  Pair p;
  std::string in = "POST /x HTTP/1.1\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'a');
  ASSERT_TRUE(fs::writeAll(p.client.get(), in).ok());
  Limits lim;
  HttpConnection c(std::move(p.server), lim);
  std::atomic<bool> stop{false};
  std::string why;
  Request r;
  ASSERT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kOk);
  auto s = c.readBody(r, BodyMode::kBuffer, 100, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().rfind(kTooLargeMarker, 0), 0u);
}

TEST(Http, ChunkedBodyOverCapIsRefused) {
  Pair p;
  std::string in = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) in += "10\r\n" + std::string(16, 'b') + "\r\n";
  in += "0\r\n\r\n";
  ASSERT_TRUE(fs::writeAll(p.client.get(), in).ok());
  Limits lim;
  HttpConnection c(std::move(p.server), lim);
  std::atomic<bool> stop{false};
  std::string why;
  Request r;
  ASSERT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kOk);
  auto s = c.readBody(r, BodyMode::kBuffer, 100, "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().rfind(kTooLargeMarker, 0), 0u);
}

TEST(Http, MalformedAndHugeHeaders) {
  {
    Pair p;
    ASSERT_TRUE(fs::writeAll(p.client.get(), "GARBAGE\x01 / HTTP/9\r\n\r\n").ok());
    Limits lim;
    HttpConnection c(std::move(p.server), lim);
    std::atomic<bool> stop{false};
    std::string why;
    Request r;
    EXPECT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kBad);
  }
  {
    Pair p;
    Limits lim;
    lim.max_header_bytes = 1024;
    std::thread t([&] { (void)fs::writeAll(p.client.get(), "GET / HTTP/1.1\r\nX: " + std::string(4096, 'x') + "\r\n\r\n"); });
    HttpConnection c(std::move(p.server), lim);
    std::atomic<bool> stop{false};
    std::string why;
    Request r;
    EXPECT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kTooLarge);
    t.join();
  }
}

TEST(Http, SlowHeaderTimesOut) {
  Pair p;
  ASSERT_TRUE(fs::writeAll(p.client.get(), "GET / HTTP/1.1\r\nHost: x\r\n").ok());
  Limits lim;
  lim.header_timeout_ms = 200;
  HttpConnection c(std::move(p.server), lim);
  std::atomic<bool> stop{false};
  std::string why;
  Request r;
  EXPECT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kTimeout);
}

TEST(Http, ClosedWhileIdle) {
  Pair p;
  p.client.reset();
  Limits lim;
  HttpConnection c(std::move(p.server), lim);
  std::atomic<bool> stop{false};
  std::string why;
  Request r;
  EXPECT_EQ(c.readHeader(r, stop, why), HttpConnection::ReadStatus::kClosed);
}

TEST(Http, ResponsesFixedAndChunked) {
  Pair p;
  Request req;
  req.method = "GET";
  CommonHeaders common{"Api-Version: 1.41\r\n"};
  Limits lim;
  {
    Response res(p.server.get(), req, common, lim);
    ASSERT_TRUE(res.json(200, Json{{"a", 1}}).ok());
    std::string out = readAvailable(p.client.get());
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    EXPECT_NE(out.find("Api-Version: 1.41\r\n"), std::string::npos);
    EXPECT_NE(out.find("Content-Length: 8\r\n"), std::string::npos);
    EXPECT_NE(out.find("\r\n\r\n{\"a\":1}\n"), std::string::npos);
    EXPECT_TRUE(res.keepAlive());
  }
  {
    Response res(p.server.get(), req, common, lim);
    ASSERT_TRUE(res.startStream(200, "application/json").ok());
    EXPECT_TRUE(res.write("hello"));
    ASSERT_TRUE(res.endStream().ok());
    std::string out = readAvailable(p.client.get());
    EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
    EXPECT_NE(out.find("\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), std::string::npos) << out;
  }
  {
    Request head = req;
    head.method = "HEAD";
    Response res(p.server.get(), head, common, lim);
    ASSERT_TRUE(res.send(200, "text/plain", "OK").ok());
    std::string out = readAvailable(p.client.get());
    EXPECT_NE(out.find("Content-Length: 2\r\n"), std::string::npos);
    EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
  }
  p.client.reset();
  Response res(p.server.get(), req, common, lim);
  EXPECT_TRUE(res.clientGone());
}

}  // namespace
}  // namespace berth::api::server
