// Tests for the JSON string escaper: Go's encoding/json output, and a round trip through a parser.
#include "base/escape.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace berth {
namespace {

TEST(JsonQuote, GoEncodingJson) {
  EXPECT_EQ(jsonQuote(""), R"("")");
  EXPECT_EQ(jsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(jsonQuote("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(jsonQuote(std::string("\x01\x1f\x00", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(jsonQuote("<&>\x7f"), "\"<&>\x7f\"");  // no HTML escaping
  EXPECT_EQ(jsonQuote("h\xc3\xa9llo \xe2\x82\xac"), "\"h\xc3\xa9llo \xe2\x82\xac\"");
  EXPECT_EQ(jsonQuote("\xff" "a\xc3"), R"("\ufffda\ufffd")");
  EXPECT_EQ(jsonQuote("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
}

TEST(JsonQuote, ParsesBackToTheSameValue) {
  std::string all;
  for (int i = 0; i < 128; ++i) all += char(i);
  all += "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  auto j = parseJson(jsonQuote(all), "quoted");
  ASSERT_TRUE(j.ok()) << j.error().what();
  EXPECT_EQ(j->get<std::string>(), all);
}

}  // namespace
}  // namespace berth
