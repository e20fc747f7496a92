// Mount detection and mount-bounded removal against real bind mounts (needs root).
#include "sys/mounts.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/fs.h"

namespace berth::sys {
namespace {

class MountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for mount(2)";
    char tmpl[] = "/tmp/berth-mounts-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (dir_.empty()) return;
    for (int i = 0; i < 4; ++i) ::umount2((dir_ + "/target").c_str(), MNT_DETACH);
    (void)fs::removeAll(dir_);
  }
  std::string dir_;
};

TEST_F(MountsTest, SameFilesystemBindIsAMountPoint) {
  std::string src = dir_ + "/src", target = dir_ + "/target";
  ASSERT_TRUE(fs::mkdirAll(src + "/sub").ok());
  ASSERT_TRUE(fs::mkdirAll(target).ok());
  EXPECT_FALSE(isMountPoint(target));
  EXPECT_FALSE(isMountPoint(dir_ + "/missing"));
  ASSERT_TRUE(mount(src, target, "", MS_BIND, "").ok());
  // The case st_dev comparison gets wrong: same filesystem, so same st_dev as the parent.
  struct stat a, b;
  ASSERT_EQ(::stat(target.c_str(), &a), 0);
  ASSERT_EQ(::stat(dir_.c_str(), &b), 0);
  EXPECT_EQ(a.st_dev, b.st_dev);
  EXPECT_TRUE(isMountPoint(target));
  EXPECT_FALSE(isMountPoint(target + "/sub"));
  EXPECT_NE(*mountId(target), *mountId(dir_));
  EXPECT_EQ(*mountId(target + "/sub"), *mountId(target));
  ASSERT_TRUE(unmount(target).ok());
  EXPECT_FALSE(isMountPoint(target));
  EXPECT_TRUE(unmount(target).ok()) << "unmounting what is not mounted is fine";
}

TEST_F(MountsTest, RemovalNeverGoesThroughAMount) {
  std::string src = dir_ + "/src", tree = dir_ + "/tree", target = tree + "/a/target";
  ASSERT_TRUE(fs::mkdirAll(src).ok());
  ASSERT_TRUE(fs::writeFileAtomic(src + "/precious", "keep").ok());
  ASSERT_TRUE(fs::mkdirAll(target).ok());
  ASSERT_TRUE(fs::writeFileAtomic(tree + "/a/file", "x").ok());
  ASSERT_TRUE(mount(src, target, "", MS_BIND, "").ok());
  Status s = removeAllOnOneMount(tree);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kFailedPrecondition);
  EXPECT_NE(s.error().message().find(target), std::string::npos) << s.error().message();
  EXPECT_TRUE(fs::exists(src + "/precious")) << "deleted through the bind mount";
  // The mount point itself is refused as a top too.
  EXPECT_FALSE(removeAllOnOneMount(target).ok());
  EXPECT_TRUE(fs::exists(src + "/precious"));
  ASSERT_TRUE(unmount(target).ok());
  EXPECT_TRUE(removeAllOnOneMount(tree).ok());
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(src + "/precious"));
  EXPECT_TRUE(removeAllOnOneMount(tree).ok()) << "a missing path is fine";
}

}  // namespace
}  // namespace berth::sys
