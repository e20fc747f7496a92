// Tests for the local volume driver's names, options and mount plans.
#include "engine/volume_options.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

namespace berth::engine {
namespace {

int statOk(const std::string&) { return 0; }
int statMissing(const std::string&) { return ENOENT; }

TEST(VolumeOptionsTest, Names) {
  for (auto* good : {"v", "myvol1", "a.b-c_d", "0abc", "A"}) EXPECT_TRUE(checkVolumeName(good).ok()) << good;
  for (auto* bad : {"", "..", ".", "a/b", "../x", "/abs", ".hidden", "-x", "_x", "x y", "x\\ny", "a:b"}) {
    auto s = checkVolumeName(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
    EXPECT_NE(s.error().message().find("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"), std::string::npos);
  }
}

TEST(VolumeOptionsTest, LocalOptions) {
  auto ok = checkLocalOptions({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "nodev,uid=1000"}}, statOk);
  ASSERT_TRUE(ok.ok()) << ok.error().what();
  EXPECT_EQ(ok->size(), 3u);
  auto unknown = checkLocalOptions({{"foo", "bar"}}, statOk);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "invalid mount option foo for driver 'local': invalid argument");
  auto missing = checkLocalOptions({{"type", "bind"}, {"device", "/bogus"}}, statMissing);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "invalid volume option device for driver 'local': stat /bogus: no such file or directory");
  // A device of another type is not stat'ed (it may be "tmpfs" or a remote share).
  EXPECT_TRUE(checkLocalOptions({{"type", "nfs"}, {"device", ":/export"}}, statMissing).ok());
  EXPECT_FALSE(checkLocalOptions({{"size", "10m"}}, statOk).ok());
  EXPECT_FALSE(checkLocalOptions({{"o", "size=10m"}}, statOk).ok());
  EXPECT_FALSE(checkLocalOptions({{"uid", "x"}}, statOk).ok());
  EXPECT_FALSE(checkLocalOptions({{"o", "gid=-1"}}, statOk).ok());
}

TEST(VolumeOptionsTest, MountPlans) {
  auto none = planVolumeMount({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_FALSE(planVolumeMount({{"copy", ""}})->has_value());

  auto tmpfs = planVolumeMount({{"type", "tmpfs"}, {"device", "ignored"}, {"o", "nodev,noexec,mode=0700,ro"}});
  ASSERT_TRUE(tmpfs.ok() && tmpfs->has_value());
  EXPECT_EQ((*tmpfs)->source, "tmpfs");
  EXPECT_EQ((*tmpfs)->type, "tmpfs");
  EXPECT_EQ((*tmpfs)->flags, static_cast<unsigned long>(MS_NODEV | MS_NOEXEC | MS_RDONLY));
  EXPECT_EQ((*tmpfs)->data, "mode=0700");

  auto bind = planVolumeMount({{"type", "bind"}, {"device", "/srv"}, {"o", "ro,rw"}});
  ASSERT_TRUE(bind.ok() && bind->has_value());
  EXPECT_EQ((*bind)->source, "/srv");
  EXPECT_EQ((*bind)->type, "");
  EXPECT_EQ((*bind)->flags, static_cast<unsigned long>(MS_BIND | MS_REC));

  auto dev = planVolumeMount({{"type", "ext4"}, {"device", "/dev/sdb1"}});
  ASSERT_TRUE(dev.ok() && dev->has_value());
  EXPECT_EQ((*dev)->source, "/dev/sdb1");
  EXPECT_EQ((*dev)->type, "ext4");

  auto no_device = planVolumeMount({{"type", "ext4"}});
  ASSERT_FALSE(no_device.ok());
  EXPECT_EQ(no_device.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::engine
