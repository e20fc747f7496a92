// Tests for base64: Go's StdEncoding vectors, padding, and errors naming the byte.
#include "base/base64.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Base64Test, RoundTrip) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"user:pa:ss", "dXNlcjpwYTpzcw=="},
      {std::string("\xff\xfe\x00\x01", 4), "//4AAQ=="},
  };
  for (const auto& [plain, enc] : cases) {
    EXPECT_EQ(base64Encode(plain), enc);
    auto d = base64Decode(enc);
    ASSERT_TRUE(d.ok()) << enc;
    EXPECT_EQ(*d, plain);
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*base64Decode(base64Encode(all)), all);
}

TEST(Base64Test, Invalid) {
  for (std::string_view bad : {"Zm9", "Zm9v!A==", "Z===", "Zg=a", "Zm=v", "Zg==Zg==", "Zm9v\n", "=", "==", "====", "A===", " Zm9v", "Zm9v "}) {
    auto d = base64Decode(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
    EXPECT_NE(d.error().message().find("illegal base64 data at input byte"), std::string::npos);
  }
}

TEST(Base64Test, ErrorOffsets) {
  // Offsets as Go's base64.StdEncoding.DecodeString reports them.
  std::pair<std::string_view, size_t> cases[] = {
      {"Zm9v!A==", 4}, {"Z===", 1}, {"Zg=a", 2}, {"Zm9", 0}, {"Zm9vZ", 4}, {"====", 0},
  };
  for (auto [bad, at] : cases) {
    auto d = base64Decode(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().message(), fmt::format("illegal base64 data at input byte {}", at)) << bad;
  }
}

TEST(Base64Test, LongRoundTrip) {
  std::string big;
  for (int i = 0; i < 100000; ++i) big += char(i * 7 + (i >> 8));
  for (size_t len : {size_t(1), size_t(2), size_t(3), size_t(4), size_t(99998), size_t(99999),
                     big.size()}) {
    std::string part = big.substr(0, len);
    std::string enc = base64Encode(part);
    EXPECT_EQ(enc.size(), (len + 2) / 3 * 4);
    EXPECT_EQ(*base64Decode(enc), part) << len;
  }
}

}  // namespace
}  // namespace berth
