// Tests for decompressingReader: formats, multi-member streams, hashing, corruption.
#include "store/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "store/extract_test_tar.h"
#include "store/igzip.h"

namespace berth::store {
namespace {

using testing::stringReader;

std::string gzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = in.size();
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = out.size();
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string sample() {
  std::mt19937 rng(42);
  std::string s;
  for (int i = 0; i < 200000; ++i) s += i % 7 ? char('a' + rng() % 4) : char(rng());
  return s + std::string(500000, 'z');  // long matches: output pending after input is consumed
}

Result<std::string> readAllFrom(const std::string& blob, size_t in_chunk, size_t out_chunk,
                                std::string* hash = nullptr) {
  Sha256 h;
  Reader r = TRY(decompressingReader(stringReader(blob, in_chunk), &h));
  std::string out, buf(out_chunk, '\0');
  for (;;) {
    size_t n = TRY(r(buf.data(), buf.size()));
    if (n == 0) break;
    out.append(buf.data(), n);
  }
  if (hash) *hash = h.digest();
  return out;
}

// Every test runs twice: with zlib, and with igzip where libisal.so.2 is there.
class Decompress : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    setIgzipEnabledForTesting(GetParam());
    if (GetParam() && !igzip()) GTEST_SKIP() << "libisal.so.2 is not installed";
  }
  void TearDown() override { setIgzipEnabledForTesting(true); }
};

TEST_P(Decompress, Detects) {
  EXPECT_EQ(detectCompression("\x1f\x8b\x08"), Compression::kGzip);
  EXPECT_EQ(detectCompression("\x28\xb5\x2f\xfd"), Compression::kZstd);
  EXPECT_EQ(detectCompression("\x28\xb5"), Compression::kNone);
  EXPECT_EQ(detectCompression(""), Compression::kNone);
  EXPECT_EQ(detectCompression("ustar"), Compression::kNone);
}

TEST_P(Decompress, RoundTripsAllFormatsWithAnyChunking) {
  std::string data = sample();
  for (const std::string& blob : {data, gzip(data), zstd(data)}) {
    for (auto [in, out] : {std::pair<size_t, size_t>{1 << 20, 1 << 16}, {1, 7}, {3, 100000}}) {
      std::string hash;
      auto r = readAllFrom(blob, in, out, &hash);
      ASSERT_TRUE(r.ok()) << r.error().what();
      EXPECT_TRUE(*r == data) << "chunks " << in << "/" << out;
      EXPECT_EQ(hash, sha256Digest(blob));
    }
  }
}

TEST_P(Decompress, MultiMemberAndMultiFrame) {
  std::string a = "first part ", b = sample();
  auto r = readAllFrom(gzip(a) + gzip(b), 1000, 4096);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_TRUE(*r == a + b);
  r = readAllFrom(zstd(a) + zstd(b), 1000, 4096);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_TRUE(*r == a + b);
}

TEST_P(Decompress, ZeroPaddingAfterTheStreamIsAccepted) {
  std::string data = sample();
  for (const std::string& blob : {gzip(data), zstd(data)}) {
    std::string padded = blob + std::string(10240, '\0');
    std::string hash;
    auto r = readAllFrom(padded, 4096, 4096, &hash);
    ASSERT_TRUE(r.ok()) << r.error().what();
    EXPECT_TRUE(*r == data);
    EXPECT_EQ(hash, sha256Digest(padded));
  }
}

TEST_P(Decompress, ShortAndEmptyInputsArePlain) {
  EXPECT_EQ(*readAllFrom("", 1, 10), "");
  EXPECT_EQ(*readAllFrom("\x1f", 1, 10), "\x1f");
  EXPECT_EQ(*readAllFrom("abc", 1, 10), "abc");
}

TEST_P(Decompress, CorruptionIsDataLoss) {
  std::string data = sample();
  std::string gz = gzip(data), zs = zstd(data);
  std::string bad_crc = gz, bad_size = gz;
  bad_crc[gz.size() - 8] ^= 1;  // the trailer: CRC-32, then the size mod 2^32
  bad_size[gz.size() - 1] ^= 1;
  for (const std::string& bad :
       {bad_crc, bad_size, gz.substr(0, gz.size() / 2), gz.substr(0, gz.size() - 4), zs.substr(0, zs.size() / 2),
        gz + "garbage", gz.substr(0, 10) + std::string(1000, 'x'),
        gz + std::string(100, '\0') + "x", zs + "garbage"}) {
    auto r = readAllFrom(bad, 4096, 4096);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Code::kDataLoss) << r.error().what();
  }
}

TEST_P(Decompress, GzipCompressRoundTripsThroughBothInflaters) {
  std::string data = sample();
  std::string gz;
  Reader plain = stringReader(data, 77777);
  ASSERT_TRUE(gzipCompress(plain, [&](const char* p, size_t n) -> Status {
                gz.append(p, n);
                return {};
              }).ok());
  EXPECT_EQ(detectCompression(gz), Compression::kGzip);
  EXPECT_LT(gz.size(), data.size() / 2);
  for (bool with_igzip : {false, true}) {
    setIgzipEnabledForTesting(with_igzip);
    auto r = readAllFrom(gz + gz, 4096, 1 << 16);  // two members, as pigz may write
    ASSERT_TRUE(r.ok()) << r.error().what();
    EXPECT_TRUE(*r == data + data) << "igzip " << with_igzip;
  }
}

TEST_P(Decompress, GzipCompressOfNothingIsAnEmptyMember) {
  std::string gz;
  Reader plain = stringReader("", 1);
  ASSERT_TRUE(gzipCompress(plain, [&](const char* p, size_t n) -> Status {
                gz.append(p, n);
                return {};
              }).ok());
  auto r = readAllFrom(gz, 1, 10);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, "");
}

INSTANTIATE_TEST_SUITE_P(Inflaters, Decompress, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "Igzip" : "Zlib"; });

}  // namespace
}  // namespace berth::store
