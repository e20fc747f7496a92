// Tests for the cp tree engine against hostile roots (links out of the root, "..", loops).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/fs.h"
#include "copy/put.h"
#include "copy/resolve.h"
#include "copy/tar.h"
#include "copy/walk.h"

namespace berth::copy {
namespace {

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/copy-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    src_ = dir_ + "/src";
    dst_ = dir_ + "/dst";
    host_ = dir_ + "/host";
    ASSERT_TRUE(fs::mkdirAll(src_).ok());
    ASSERT_TRUE(fs::mkdirAll(dst_).ok());
    ASSERT_TRUE(fs::mkdirAll(host_).ok());
  }
  void TearDown() override { (void)fs::removeAll(dir_); }

  void write(const std::string& path, const std::string& data) {
    std::ofstream(path) << data;
  }
  std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  UniqueFd root(const std::string& p) { return UniqueFd(::open(p.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); }

  std::string dir_, src_, dst_, host_;
};

TEST(CopyNames, CleanAndRename) {
  EXPECT_EQ(cleanRelative("../../etc/passwd"), "etc/passwd");
  EXPECT_EQ(cleanRelative("/"), ".");
  EXPECT_EQ(cleanRelative("./a/./b/"), "a/b");
  EXPECT_EQ(cleanAbs("/a/../../b"), "/b");
  EXPECT_EQ(baseName("/x/dir/."), ".");
  EXPECT_EQ(baseName("/x/dir/"), "dir");
  EXPECT_EQ(dirName("/a"), "/");
  EXPECT_EQ(goDir("/x/dir/."), "/x/dir");
  EXPECT_EQ(goDir("/x/dir/"), "/x/dir");
  EXPECT_EQ(goDir("/x/dir"), "/x");
  EXPECT_EQ(goDir("/a"), "/");
  EXPECT_EQ(goDir("a"), ".");
  EXPECT_EQ(goDir("a/."), "a");
  std::map<std::string, std::string> r = {{"tmp", "dest"}};
  EXPECT_EQ(applyRename(r, "tmp"), "dest");
  EXPECT_EQ(applyRename(r, "tmp/a/b"), "dest/a/b");
  EXPECT_EQ(applyRename(r, "other/a"), "other/a");
}

TEST_F(CopyTest, ResolveStaysInRoot) {
  ASSERT_EQ(::symlink("/etc", (src_ + "/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../../../..", (src_ + "/up").c_str()), 0);
  ASSERT_EQ(::symlink("loop2", (src_ + "/loop1").c_str()), 0);
  ASSERT_EQ(::symlink("loop1", (src_ + "/loop2").c_str()), 0);
  auto r = root(src_);
  EXPECT_EQ(*resolveIn(r.get(), "/abs/passwd", true), "/etc/passwd");
  EXPECT_EQ(*resolveIn(r.get(), "/up/etc", true), "/etc");
  EXPECT_EQ(*resolveIn(r.get(), "/abs", false), "/abs");
  EXPECT_FALSE(resolveIn(r.get(), "/loop1", true).ok());
  // The host's /etc/passwd exists; the root's does not.
  auto st = statIn(r.get(), "/abs/passwd");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->exists);
  auto st2 = statIn(r.get(), "/up");
  ASSERT_TRUE(st2.ok());
  EXPECT_TRUE(st2->is_symlink);
  EXPECT_TRUE(st2->is_dir);
  EXPECT_EQ(st2->resolved, "/");
}

TEST_F(CopyTest, GetRefusesLinkOutOfRoot) {
  write(host_ + "/secret", "host secret");
  ASSERT_EQ(::symlink((host_ + "/secret").c_str(), (src_ + "/badlink").c_str()), 0);
  auto r = root(src_);
  auto sink = tarSink(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  GetOptions o;
  Status s = getTree(r.get(), "/badlink", o, *sink);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("no such file or directory"), std::string::npos) << s.error().message();
}

TEST_F(CopyTest, PutThroughHostileLinksStaysInRoot) {
  // The destination root has links pointing at host paths: writes must land
  // inside the root (under the link's in-root meaning), never on the host.
  ASSERT_EQ(::symlink(host_.c_str(), (dst_ + "/evil").c_str()), 0);
  ASSERT_EQ(::symlink((host_ + "/target").c_str(), (dst_ + "/file").c_str()), 0);
  write(src_ + "/payload", "data");
  auto sr = root(src_), dr = root(dst_);
  {
    auto put = PutSink::open(dr.get(), "/evil", {});
    ASSERT_TRUE(put.ok()) << put.error().what();
    GetOptions g;
    ASSERT_TRUE(getTree(sr.get(), "/payload", g, **put).ok());
  }
  EXPECT_FALSE(fs::exists(host_ + "/payload"));
  EXPECT_EQ(read(dst_ + host_ + "/payload"), "data");
  // A file member named like the link replaces the link itself.
  {
    PutOptions po;
    po.rename = {{"payload", "file"}};
    auto put = PutSink::open(dr.get(), "/", po);
    ASSERT_TRUE(put.ok());
    GetOptions g;
    Status s = getTree(sr.get(), "/payload", g, **put);
    ASSERT_TRUE(s.ok()) << s.error().what();
  }
  EXPECT_FALSE(fs::exists(host_ + "/target"));
  struct stat st;
  ASSERT_EQ(::lstat((dst_ + "/file").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(CopyTest, TreeRoundTripThroughTar) {
  ASSERT_TRUE(fs::mkdirAll(src_ + "/d/sub").ok());
  write(src_ + "/d/a", "aaa");
  write(src_ + "/d/sub/b", "bbbb");
  ASSERT_EQ(::link((src_ + "/d/a").c_str(), (src_ + "/d/hard").c_str()), 0);
  ASSERT_EQ(::symlink("a", (src_ + "/d/sym").c_str()), 0);
  ASSERT_EQ(::chmod((src_ + "/d/sub").c_str(), 0750), 0);
  ASSERT_EQ(::chown((src_ + "/d/sub/b").c_str(), 1234, 5678), 0);
  std::string tar = dir_ + "/t.tar";
  auto sr = root(src_), dr = root(dst_);
  {
    UniqueFd out(::open(tar.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    auto sink = tarSink(out.get());
    GetOptions g;
    g.keep_directory_names = true;
    ASSERT_TRUE(getTree(sr.get(), "/d", g, *sink).ok());
  }
  {
    UniqueFd in(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
    auto put = PutSink::open(dr.get(), "/x/y", {});
    ASSERT_TRUE(put.ok());
    Status s = readTar(in.get(), **put);
    ASSERT_TRUE(s.ok()) << s.error().what();
  }
  EXPECT_EQ(read(dst_ + "/x/y/d/a"), "aaa");
  EXPECT_EQ(read(dst_ + "/x/y/d/sub/b"), "bbbb");
  struct stat a, h, sub, b;
  ASSERT_EQ(::stat((dst_ + "/x/y/d/a").c_str(), &a), 0);
  ASSERT_EQ(::stat((dst_ + "/x/y/d/hard").c_str(), &h), 0);
  EXPECT_EQ(a.st_ino, h.st_ino);
  ASSERT_EQ(::stat((dst_ + "/x/y/d/sub").c_str(), &sub), 0);
  EXPECT_EQ(sub.st_mode & 07777, 0750u);
  ASSERT_EQ(::stat((dst_ + "/x/y/d/sub/b").c_str(), &b), 0);
  EXPECT_EQ(b.st_uid, 1234u);
  EXPECT_EQ(b.st_gid, 5678u);
  char link[64] = {};
  ASSERT_GT(::readlink((dst_ + "/x/y/d/sym").c_str(), link, sizeof link), 0);
  EXPECT_STREQ(link, "a");
}

TEST_F(CopyTest, NoOverwriteSaysFileExists) {
  ASSERT_TRUE(fs::mkdirAll(dst_ + "/foo").ok());
  write(src_ + "/foo", "x");
  auto sr = root(src_), dr = root(dst_);
  PutOptions po;
  po.no_overwrite_dir_nondir = po.no_overwrite_nondir_dir = true;
  auto put = PutSink::open(dr.get(), "/", po);
  ASSERT_TRUE(put.ok());
  GetOptions g;
  Status s = getTree(sr.get(), "/foo", g, **put);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("error creating \"/foo\""), std::string::npos) << s.error().message();
  EXPECT_NE(s.error().message().find("file exists"), std::string::npos) << s.error().message();
  EXPECT_TRUE(fs::isDir(dst_ + "/foo"));
}

TEST_F(CopyTest, HostileTarNamesStayInTarget) {
  // A tar made by hand with "../" names and an absolute symlink followed by a
  // member written through it.
  ASSERT_TRUE(fs::mkdirAll(src_ + "/t").ok());
  std::string tar = dir_ + "/h.tar";
  std::string cmd = "cd " + src_ + " && echo evil > e && ln -s " + host_ +
                    " t/lnk && tar -cf " + tar + " --transform 's,^e$,../../e,' e t/lnk 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto dr = root(dst_);
  UniqueFd in(::open(tar.c_str(), O_RDONLY | O_CLOEXEC));
  auto put = PutSink::open(dr.get(), "/in", {});
  ASSERT_TRUE(put.ok());
  Status s = readTar(in.get(), **put);
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(read(dst_ + "/in/e"), "evil\n");
  EXPECT_FALSE(fs::exists(dir_ + "/e"));
}

TEST_F(CopyTest, NotATar) {
  write(dir_ + "/plain", "hello, not a tar at all, just some text that is long enough");
  UniqueFd in(::open((dir_ + "/plain").c_str(), O_RDONLY | O_CLOEXEC));
  auto dr = root(dst_);
  auto put = PutSink::open(dr.get(), "/", {});
  ASSERT_TRUE(put.ok());
  Status s = readTar(in.get(), **put);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::copy
