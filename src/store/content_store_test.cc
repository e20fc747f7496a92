// Unit tests for the content store.
#include "store/content_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

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

TEST_F(ContentStoreTest, CleanIngestKeepsLiveWrites) {
  ContentStore cs(dir_);
  EXPECT_TRUE(cs.cleanIngest().ok()) << "no ingest dir yet";
  // A write in progress (its writer alive) and the leftover of a killed one.
  auto live = cs.beginWrite();
  ASSERT_TRUE(live.ok()) << live.error().what();
  ASSERT_TRUE(live->write("part", 4).ok());
  ASSERT_TRUE(fs::writeFileAtomic(dir_ + "/blobs/ingest/0123456789abcdef", "dead").ok());
  ASSERT_EQ(::symlink("/etc/passwd", (dir_ + "/blobs/ingest/link").c_str()), 0);
  ASSERT_EQ(fs::listDir(dir_ + "/blobs/ingest")->size(), 3u);
  ASSERT_TRUE(cs.cleanIngest().ok());
  EXPECT_EQ(fs::listDir(dir_ + "/blobs/ingest")->size(), 1u);
  EXPECT_TRUE(fs::exists("/etc/passwd"));
  // The live write still commits after the sweep.
  ASSERT_TRUE(live->write("ial", 3).ok());
  auto info = live->commit(sha256Digest("partial"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(*cs.readAll(info->digest), "partial");
  EXPECT_TRUE(fs::listDir(dir_ + "/blobs/ingest")->empty());
}

// A writer the caller hashes for takes the digest given at commit, and needs one.
TEST_F(ContentStoreTest, CallerHashedWrites) {
  ContentStore cs(dir_);
  auto w = cs.beginWrite(ContentStore::HashedBy::kCaller);
  ASSERT_TRUE(w.ok()) << w.error().what();
  ASSERT_TRUE(w->write("layer", 5).ok());
  EXPECT_FALSE(w->commit().ok());
  EXPECT_FALSE(w->commit("sha256:../../x").ok());
  auto info = w->commit(sha256Digest("layer"), 5);
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(*cs.readAll(sha256Digest("layer")), "layer");
}

}  // namespace
}  // namespace berth::store
