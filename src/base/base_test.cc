// Unit tests for src/base.
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fs.h"
#include "base/lines.h"
#include "base/result.h"
#include "base/timefmt.h"

namespace berth {
namespace {

Result<int> half(int x) {
  if (x % 2) return makeError(Code::kInvalidArgument, "{} is odd", x);
  return x / 2;
}
Result<int> quarter(int x) {
  int h = TRY_CTX(half(x), "quarter of {}", x);
  return TRY(half(h));
}

TEST(Result, TryPropagatesWithContext) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().what(), "3 is odd");
  auto r2 = quarter(5);
  EXPECT_EQ(r2.error().what(), "quarter of 5: 5 is odd");
}

// TRY of a temporary's context(): the result must outlive the full expression
// (it used to be a reference into the destroyed temporary).
Result<std::string> named(int x) {
  int h = TRY(half(x).context("halving"));
  return std::string(size_t(h), 'x');
}

TEST(Result, TryOfTemporaryContext) {
  EXPECT_EQ(*named(8), "xxxx");
  auto r = named(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "halving: 3 is odd");
}

TEST(Result, ErrnoMapping) {
  EXPECT_EQ(codeFromErrno(ENOENT), Code::kNotFound);
  Error e = sysError(ENOENT, "open /x");
  EXPECT_EQ(e.what(), "open /x: No such file or directory");
  EXPECT_EQ(codeFromName(codeName(Code::kConflict)), Code::kConflict);
}

TEST(Digest, KnownVector) {
  EXPECT_EQ(sha256Digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(validateDigest(sha256Digest("x")).ok());
  EXPECT_FALSE(validateDigest("sha256:abc").ok());
  EXPECT_FALSE(validateDigest("md5:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855").ok());
}

TEST(Time, Rfc3339RoundTrip) {
  int64_t t = 1700000000123456789;
  EXPECT_EQ(formatRfc3339Nano(t), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(*parseRfc3339("2023-11-14T22:13:20.123456789Z"), t);
  EXPECT_EQ(*parseRfc3339("2023-11-15T00:13:20.123456789+02:00"), t);
  EXPECT_EQ(formatRfc3339Nano(1700000000000000000), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(parseRfc3339("yesterday").ok());
  // Beyond what int64 nanoseconds hold: clamped, no overflow; a field out of range: an error.
  EXPECT_GT(*parseRfc3339("3024-01-01T00:00:00Z"), *parseRfc3339("2262-01-01T00:00:00Z"));
  EXPECT_LT(*parseRfc3339("0001-01-01T00:00:00Z"), 0);
  EXPECT_FALSE(parseRfc3339("2023-13-01T00:00:00Z").ok());
  EXPECT_FALSE(parseRfc3339("2023-11-14T22:13:20+0x:00").ok());
  EXPECT_TRUE(parseRfc3339("2262-01-01T00:00:00Z").ok());
}

TEST(Time, GoDuration) {
  EXPECT_EQ(*parseGoDuration("1h30m"), int64_t(5400) * 1000000000);
  EXPECT_EQ(*parseGoDuration("500ms"), 500000000);
  EXPECT_FALSE(parseGoDuration("10x").ok());
}

TEST(Humanize, MatchesGoUnits) {
  EXPECT_EQ(humanSize(5830000), "5.83 MB");
  EXPECT_EQ(humanSize(999), "999 B");
  EXPECT_EQ(humanSize(1200), "1.2 kB");
  EXPECT_EQ(humanDuration(0), "Less than a second");
  EXPECT_EQ(humanDuration(90), "About a minute");
  EXPECT_EQ(humanDuration(3 * 86400), "3 days");
  EXPECT_EQ(humanDuration(100 * 86400), "3 months");
}

TEST(Fs, AtomicWriteAndRemoveAll) {
  char tmpl[] = "/tmp/berth-fs-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  ASSERT_TRUE(fs::mkdirAll(dir + "/a/b/c").ok());
  ASSERT_TRUE(fs::writeFileAtomic(dir + "/a/b/c/f", "data").ok());
  EXPECT_EQ(*fs::readFile(dir + "/a/b/c/f"), "data");
  ASSERT_EQ(symlink("/etc", (dir + "/a/link").c_str()), 0);
  ASSERT_TRUE(fs::removeAll(dir).ok());
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(fs::exists("/etc/passwd"));
}

TEST(Lines, SplitLinesAndFields) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(splitLines(""), V{});
  EXPECT_EQ(splitLines("a\n"), V{"a"});
  EXPECT_EQ(splitLines("a\n\nb"), (V{"a", "", "b"}));
  EXPECT_EQ(splitFields("root:x:0:0::/root:/bin/sh", ':'), (V{"root", "x", "0", "0", "", "/root", "/bin/sh"}));
  EXPECT_EQ(splitFields("", ':'), V{""});
  EXPECT_EQ(splitFields("linux/amd64/", '/'), (V{"linux", "amd64", ""}));
}

}  // namespace
}  // namespace berth
