// Tests for in-root file access: host files behind symlinks, FIFOs, devices, magic links, size
// caps.
#include "sys/inroot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>

#include "base/fs.h"

namespace berth::sys {
namespace {

// A sandbox with the root inside it and a "host" file beside the root that no
// in-root lookup may reach.
class InRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-inroot-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    sandbox_ = tmpl;
    root_ = sandbox_ + "/root";
    host_ = sandbox_ + "/host-secret";
    ASSERT_TRUE(fs::mkdirAll(root_ + "/etc").ok());
    ASSERT_TRUE(fs::writeFileAtomic(host_, "root:x:0:0:root:/HOST-LEAK:/bin/sh\n").ok());
    root_fd_ = std::move(openRoot(root_)).value();
  }
  void TearDown() override { (void)fs::removeAll(sandbox_); }
  void put(const std::string& rel, const std::string& data) {
    ASSERT_TRUE(fs::writeFileAtomic(root_ + "/" + rel, data).ok());
  }
  void link(const std::string& target, const std::string& rel) {
    ASSERT_EQ(::symlink(target.c_str(), (root_ + "/" + rel).c_str()), 0);
  }
  Result<std::string> read(std::string_view path, size_t cap = kMaxRootConfigFile) {
    return readFileInRoot(root_fd_.get(), path, cap);
  }

  std::string sandbox_, root_, host_;
  UniqueFd root_fd_;
};

TEST_F(InRootTest, ReadsRegularFile) {
  put("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(*read("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(*read("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(*readFileInRoot(root_, "/etc/passwd", 100), "root:x:0:0::/root:/bin/sh\n");
}

TEST_F(InRootTest, MissingIsNotFound) {
  auto r = read("/etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  put("etc/file", "x");
  auto r2 = read("/etc/file/passwd");  // a component that is a file
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), Code::kNotFound);
}

TEST_F(InRootTest, AbsoluteSymlinkToHostFileStaysInRoot) {
  link(host_, "etc/passwd");
  auto r = read("/etc/passwd");
  ASSERT_FALSE(r.ok());  // <root><host_> does not exist
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  // The same absolute target inside the root is what the link means.
  ASSERT_TRUE(fs::mkdirAll(root_ + sandbox_).ok());
  put(host_.substr(1), "in-root\n");
  EXPECT_EQ(*read("/etc/passwd"), "in-root\n");
}

TEST_F(InRootTest, DotDotSymlinkStaysInRoot) {
  link("../../../../../../../../" + host_.substr(1), "etc/passwd");
  auto r = read("/etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  auto r2 = read("/../../host-secret");
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), Code::kNotFound);
}

TEST_F(InRootTest, RelativeSymlinkChainInsideRoot) {
  put("real", "data\n");
  link("../real", "etc/a");
  link("a", "etc/b");
  EXPECT_EQ(*read("/etc/b"), "data\n");
}

TEST_F(InRootTest, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((root_ + "/etc/passwd").c_str(), 0644), 0);
  auto t0 = std::chrono::steady_clock::now();
  auto r = read("/etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().what().find("/etc/passwd is not a regular file"), std::string::npos)
      << r.error().what();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  // A symlink to it is refused the same way.
  link("/etc/passwd", "etc/group");
  EXPECT_FALSE(read("/etc/group").ok());
}

TEST_F(InRootTest, DevicesAndDirectoriesAreRefused) {
  // A link to the host's /dev/zero resolves to <root>/dev/zero.
  link("/dev/zero", "etc/passwd");
  auto r = read("/etc/passwd");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  if (::geteuid() == 0) {
    ASSERT_TRUE(fs::mkdirAll(root_ + "/dev").ok());
    ASSERT_EQ(::mknod((root_ + "/dev/zero").c_str(), S_IFCHR | 0666, makedev(1, 5)), 0);
    auto r2 = read("/etc/passwd");
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().code(), Code::kInvalidArgument);
  }
  auto r3 = read("/etc");
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code(), Code::kInvalidArgument);
}

TEST_F(InRootTest, MagicLinksAreRefused) {
  link("/proc/self/root" + host_, "etc/passwd");  // resolves in-root: no /proc there
  EXPECT_FALSE(read("/etc/passwd").ok());
  // A real magic link on the way is refused even when the root holds /proc.
  ASSERT_EQ(::symlink("/proc", (root_ + "/proc").c_str()), 0);
  auto fd = openRoot("/");
  ASSERT_TRUE(fd.ok());
  auto r = readFileInRoot(fd->get(), "/proc/self/root" + host_, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST_F(InRootTest, SizeCap) {
  put("etc/big", std::string(5000, 'x'));
  auto r = read("/etc/big", 4096);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().what().find("larger than 4096 bytes"), std::string::npos);
  EXPECT_EQ(read("/etc/big", 5000)->size(), 5000u);
}

TEST_F(InRootTest, StatFollowsLinksInRoot) {
  ASSERT_TRUE(fs::mkdirAll(root_ + "/bin").ok());
  put("bin/busybox", "#!");
  ASSERT_EQ(::chmod((root_ + "/bin/busybox").c_str(), 0755), 0);
  link("busybox", "bin/sh");
  link("/bin", "etc/bin");
  auto st = statInRoot(root_fd_.get(), "/etc/bin/sh");
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISREG(st->st_mode));
  EXPECT_TRUE(st->st_mode & 0100);
  link(sandbox_, "etc/out");
  auto st2 = statInRoot(root_fd_.get(), "/etc/out/host-secret");
  ASSERT_FALSE(st2.ok());
  EXPECT_EQ(st2.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth::sys
