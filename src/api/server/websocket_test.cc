#include "api/server/websocket.h"

#include <gtest/gtest.h>

namespace berth::api::server {
namespace {

TEST(WebSocket, AcceptKeyOfRfc6455Example) {
  EXPECT_EQ(wsAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocket, ServerFrameLengths) {
  EXPECT_EQ(wsFrame(kWsText, "Hello"), std::string("\x81\x05Hello"));
  EXPECT_EQ(wsFrame(kWsBinary, std::string(125, 'x')).size(), 2u + 125);
  std::string f126 = wsFrame(kWsBinary, std::string(126, 'x'));
  ASSERT_EQ(f126.size(), 4u + 126);
  EXPECT_EQ(uint8_t(f126[1]), 126);
  EXPECT_EQ(uint8_t(f126[3]), 126);
  std::string big = wsFrame(kWsBinary, std::string(70000, 'x'));
  ASSERT_EQ(big.size(), 10u + 70000);
  EXPECT_EQ(uint8_t(big[1]), 127);
}

TEST(WebSocket, ReaderUnmasksAcrossPieces) {
  // RFC 6455 5.7: a masked "Hello".
  const std::string frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  std::string got;
  int controls = 0;
  WsReader r([&](std::string_view d) { got.append(d); }, [&](WsOpcode, std::string_view) { ++controls; });
  for (char ch : frame + frame) ASSERT_TRUE(r.feed(std::string_view(&ch, 1)).ok());
  EXPECT_EQ(got, "HelloHello");
  EXPECT_EQ(controls, 0);
}

TEST(WebSocket, ReaderControlFramesAndViolations) {
  std::string ping("\x89\x80\x00\x00\x00\x00", 6);  // masked ping, empty
  WsOpcode seen = kWsText;
  WsReader r([](std::string_view) {}, [&](WsOpcode op, std::string_view) { seen = op; });
  ASSERT_TRUE(r.feed(ping).ok());
  EXPECT_EQ(seen, kWsPing);
  WsReader unmasked([](std::string_view) {}, [](WsOpcode, std::string_view) {});
  EXPECT_FALSE(unmasked.feed(std::string("\x81\x05Hello", 7)).ok());
  WsReader capped([](std::string_view) {}, [](WsOpcode, std::string_view) {}, 4);
  EXPECT_FALSE(capped.feed(std::string("\x82\x85\0\0\0\0hello", 11)).ok());
  WsReader bad_op([](std::string_view) {}, [](WsOpcode, std::string_view) {});
  EXPECT_FALSE(bad_op.feed(std::string("\x83\x80\0\0\0\0", 6)).ok());
}

}  // namespace
}  // namespace berth::api::server
