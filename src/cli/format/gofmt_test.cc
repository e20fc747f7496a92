// Unit tests for the Go fmt emulation; expected strings recorded from Go.
#include "cli/format/gofmt.h"

#include <gtest/gtest.h>

namespace berth::format {
namespace {

std::string sprintf(std::string_view f, const std::vector<Json>& args) {
  std::vector<FmtArg> a;
  for (const Json& j : args) a.push_back(&j);
  return goSprintf(f, a);
}

TEST(GoFmt, Sprintf) {
  EXPECT_EQ(sprintf("%+v|%+d|% d|%05s|%-5d|%x|%X|%#x|%q|%v|%v|%v",
                    {5, 5, 5, "ab", 3, "hi", 255, 255, 97, 1e6, 123456.0, 1e-5}),
            "5|+5| 5|000ab|3    |6869|FF|0xff|'a'|1e+06|123456|1e-05");
  EXPECT_EQ(sprintf("%d|%s|%5.1f|%v|%d", {"a", 5, 3.14159, {1, "a", nullptr}, {"a", nullptr}}),
            "%!d(string=a)|%!s(int=5)|  3.1|[1 a <nil>]|[%!d(string=a) <nil>]");
  EXPECT_EQ(sprintf("%d %d", {1}), "1 %!d(MISSING)");
  EXPECT_EQ(goSprintf("%d", std::vector<FmtArg>{&static_cast<const Json&>(Json(1)), nullptr}),
            "1%!(EXTRA <nil>)");
  EXPECT_EQ(sprintf("%08.3f|%+.2e|%g|%G|%.3g|%6.2v|%t|%5t",
                    {-3.14159, 12345.678, 1e21, 1e-7, 1234.5678, 3.14159, true, false}),
            "-003.142|+1.23e+04|1e+21|1E-07|1.23e+03|   3.1|true|false");
  EXPECT_EQ(sprintf("%v|%s|%5s|%.2s|%T|%T|%T|%c|%U|%o|%O|%b|%#o", {Json{{"b", 2}, {"a", {1, 2}}},
                                                                   Json{{"k", "v"}},
                                                                   {"a", "bc"},
                                                                   "h\xC3\xA9llo",
                                                                   1,
                                                                   1.5,
                                                                   "s",
                                                                   0x4e16,
                                                                   0x4e16,
                                                                   8,
                                                                   8,
                                                                   5,
                                                                   8}),
            "map[a:[1 2] b:2]|map[k:v]|[    a    bc]|h\xC3\xA9|int|float64|string|\xE4\xB8\x96|"
            "U+4E16|10|0o10|101|010");
  EXPECT_EQ(sprintf("%!|%z|%-05d|%05d|%+05d|%.3d", {1, -3, 3, 3, 7, 7}),
            "%!!(int=1)|%!z(int=-3)|3    |00003|+0007|007");
  EXPECT_EQ(sprintf("%", {}), "%!(NOVERB)");
}

TEST(GoFmt, ShortestFloats) {
  EXPECT_EQ(goFormatFloatShortest(0.1, 'g'), "0.1");
  EXPECT_EQ(goFormatFloatShortest(100, 'g'), "100");
  EXPECT_EQ(goFormatFloatShortest(1e20, 'g'), "1e+20");
  EXPECT_EQ(goFormatFloatShortest(-2.5e-5, 'g'), "-2.5e-05");
  EXPECT_EQ(goFormatFloatShortest(0, 'g'), "0");
  EXPECT_EQ(goFormatFloatShortest(1e20, 'f'), "100000000000000000000");
  EXPECT_EQ(goValueString(Json{{"x", {1.5, nullptr, "s"}}}), "map[x:[1.5 <nil> s]]");
}

TEST(GoFmt, Quote) {
  EXPECT_EQ(goQuote("a\"b\\c\n\t\x01\xff\xC3\xA9"), R"("a\"b\\c\n\t\x01\xffé")");
}

}  // namespace
}  // namespace berth::format
