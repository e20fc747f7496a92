// Unit tests for the content store.
#include "store/content_store.h"

#include <gtest/gtest.h>

#include "base/digest.h"
#include "base/fs.h"

namespace berth::store {
namespace {

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-cs-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { (void)fs::removeAll(dir_); }
  std::string dir_;
};

TEST_F(ContentStoreTest, WriteVerifiesDigest) {
  ContentStore cs(dir_);
  auto info = cs.writeBytes("hello");
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->digest, sha256Digest("hello"));
  EXPECT_TRUE(cs.has(info->digest));
  EXPECT_EQ(*cs.readAll(info->digest), "hello");

  auto bad = cs.writeBytes("evil", sha256Digest("good"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kDataLoss);
  EXPECT_NE(bad.error().what().find(sha256Digest("good")), std::string::npos);
  EXPECT_FALSE(cs.has(sha256Digest("evil")));
  EXPECT_TRUE(fs::listDir(dir_ + "/blobs/ingest")->empty());
}

TEST_F(ContentStoreTest, ListAndRemove) {
  ContentStore cs(dir_);
  auto a = *cs.writeBytes("a");
  auto b = *cs.writeBytes("b");
  EXPECT_EQ(cs.list()->size(), 2u);
  ASSERT_TRUE(cs.remove(a.digest).ok());
  EXPECT_FALSE(cs.has(a.digest));
  EXPECT_TRUE(cs.has(b.digest));
  EXPECT_FALSE(cs.has("sha256:../../etc/passwd"));
}

}  // namespace
}  // namespace berth::store
