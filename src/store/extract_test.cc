// Tests for extractLayer: contents, metadata, digests, whiteouts and hostile archives.
#include "store/extract.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>

#include "base/digest.h"
#include "base/fs.h"
#include "store/extract_test_tar.h"

namespace berth::store {
namespace {

using testing::buildTar;
using testing::dir;
using testing::file;
using testing::hardlink;
using testing::stringReader;
using testing::symlink;
using testing::TarEntry;
using testing::TarFilter;

// A sandbox directory with the layer root inside it: anything that escapes
// the root lands in the sandbox, where it is noticed.
class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-extract-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    sandbox_ = tmpl;
    root_ = sandbox_ + "/root";
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
  }
  void TearDown() override { (void)fs::removeAll(sandbox_); }

  Result<LayerDigests> extract(const std::vector<TarEntry>& entries,
                               WhiteoutMode mode = WhiteoutMode::kOverlay) {
    return extractLayer(stringReader(buildTar(entries)), root_, mode);
  }
  std::string at(const std::string& rel) const { return root_ + "/" + rel; }
  // The sandbox holds nothing but the root.
  void expectSandboxClean() {
    auto names = fs::listDir(sandbox_);
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, std::vector<std::string>{"root"});
  }
  void expectRefused(const Result<LayerDigests>& r, const std::string& entry_name) {
    ASSERT_FALSE(r.ok()) << "extraction of " << entry_name << " was not refused";
    EXPECT_NE(r.error().what().find("\"" + entry_name + "\""), std::string::npos)
        << r.error().what();
    expectSandboxClean();
  }

  std::string sandbox_;
  std::string root_;
};

std::string readOrEmpty(const std::string& p) { return fs::readFile(p).valueOr(""); }

TEST(SplitEntryName, Normalises) {
  using V = std::vector<std::string>;
  EXPECT_EQ(*splitEntryName("./a/b/"), (V{"a", "b"}));
  EXPECT_EQ(*splitEntryName("/etc//passwd"), (V{"etc", "passwd"}));
  EXPECT_EQ(*splitEntryName("./"), V{});
  EXPECT_EQ(*splitEntryName("a/./b"), (V{"a", "b"}));
  EXPECT_EQ(*splitEntryName("..."), V{"..."});
  for (const char* bad : {"..", "../x", "a/../../x", "/..", "a/.."}) {
    auto r = splitEntryName(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  }
}

TEST_F(ExtractTest, RegularContentAndMetadata) {
  TarEntry dev = file("dev/null", "", 0666);
  dev.type = AE_IFCHR;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  TarEntry fifo = file("run/fifo", "", 0600);
  fifo.type = AE_IFIFO;
  TarEntry owned = file("home/user/owned", "mine", 0640);
  owned.uid = 1234;
  owned.gid = 5678;
  TarEntry owned_dir = dir("home/user", 0700);
  owned_dir.uid = 1234;
  owned_dir.gid = 5678;
  owned_dir.mtime = 1600000000;
  TarEntry owned_link = symlink("home/user/link", "owned");
  owned_link.uid = 1234;
  owned_link.gid = 5678;
  auto r = extract({
      dir("./"),
      dir("etc"),
      file("etc/hostname", "box\n"),
      dir("usr/bin"),  // parent usr is implicit
      file("usr/bin/sudo", "#!suid", 04755),
      dir("tmp", 01777),
      symlink("etc/abs", "/etc/hostname"),
      symlink("etc/rel", "../../../outside"),
      hardlink("etc/hostname.link", "etc/hostname"),
      dev,
      fifo,
      owned_dir,
      owned,
      owned_link,
  });
  ASSERT_TRUE(r.ok()) << r.error().what();

  EXPECT_EQ(readOrEmpty(at("etc/hostname")), "box\n");
  struct stat st, st2;
  ASSERT_EQ(::lstat(at("usr").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::lstat(at("usr/bin/sudo").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  ASSERT_EQ(::lstat(at("tmp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);

  char buf[256];
  ssize_t n = ::readlink(at("etc/abs").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "/etc/hostname");
  n = ::readlink(at("etc/rel").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "../../../outside");

  ASSERT_EQ(::lstat(at("etc/hostname").c_str(), &st), 0);
  ASSERT_EQ(::lstat(at("etc/hostname.link").c_str(), &st2), 0);
  EXPECT_EQ(st.st_ino, st2.st_ino);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_mtime, 1700000000);

  ASSERT_EQ(::lstat(at("dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(major(st.st_rdev), 1u);
  EXPECT_EQ(minor(st.st_rdev), 3u);
  EXPECT_EQ(st.st_mode & 07777, 0666u);
  ASSERT_EQ(::lstat(at("run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));

  for (const char* p : {"home/user", "home/user/owned", "home/user/link"}) {
    ASSERT_EQ(::lstat(at(p).c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_uid, 1234u) << p;
    EXPECT_EQ(st.st_gid, 5678u) << p;
  }
  ASSERT_EQ(::lstat(at("home/user").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  // Directory times are applied after the children were created.
  EXPECT_EQ(st.st_mtime, 1600000000);
  ASSERT_EQ(::lstat(at("home/user/owned").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  expectSandboxClean();
}

TEST_F(ExtractTest, SetuidSurvivesOwnershipChange) {
  TarEntry f = file("bin/su", "x", 06755);
  f.uid = 0;
  f.gid = 42;
  ASSERT_TRUE(extract({f}).ok());
  struct stat st;
  ASSERT_EQ(::stat(at("bin/su").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 06755u);
  EXPECT_EQ(st.st_gid, 42u);
}

TEST_F(ExtractTest, Xattrs) {
  std::string probe = sandbox_ + "/probe";
  ASSERT_TRUE(fs::writeFileAtomic(probe, "").ok());
  if (::setxattr(probe.c_str(), "user.probe", "1", 1, 0) < 0)
    GTEST_SKIP() << "file system refuses user.* xattrs";
  ::unlink(probe.c_str());
  TarEntry f = file("f", "data");
  f.xattrs = {{"user.color", "blue"}, {"trusted.overlay.opaque", "y"}};
  TarEntry d = dir("d");
  d.xattrs = {{"user.kind", std::string("bin\0ary", 7)}};
  auto r = extract({f, d});
  ASSERT_TRUE(r.ok()) << r.error().what();
  char buf[64];
  ssize_t n = ::getxattr(at("f").c_str(), "user.color", buf, sizeof buf);
  ASSERT_EQ(n, 4);
  EXPECT_EQ(std::string(buf, n), "blue");
  n = ::getxattr(at("d").c_str(), "user.kind", buf, sizeof buf);
  ASSERT_EQ(n, 7);
  EXPECT_EQ(std::string(buf, n), std::string("bin\0ary", 7));
  // Overlay metadata never comes from a tar's xattrs.
  EXPECT_LT(::getxattr(at("f").c_str(), "trusted.overlay.opaque", buf, sizeof buf), 0);
}

TEST_F(ExtractTest, ReplacesExistingEntries) {
  auto r = extract({
      file("a", "first"),
      file("a", "second"),
      dir("d"),
      file("d/child", "c"),
      file("d", "now a file"),
      symlink("s", "a"),
      dir("s"),
  });
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(readOrEmpty(at("a")), "second");
  EXPECT_EQ(readOrEmpty(at("d")), "now a file");
  struct stat st;
  ASSERT_EQ(::lstat(at("s").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_F(ExtractTest, DigestsForEveryCompression) {
  std::vector<TarEntry> entries = {dir("d"), file("d/f", std::string(300000, 'x')),
                                   file("g", "hello")};
  std::string tar = buildTar(entries);
  for (TarFilter filter : {TarFilter::kNone, TarFilter::kGzip, TarFilter::kZstd}) {
    SCOPED_TRACE(int(filter));
    std::string blob = buildTar(entries, filter);
    if (filter != TarFilter::kNone) {
      ASSERT_NE(blob, tar);
    }
    ASSERT_TRUE(fs::removeAll(root_).ok());
    ASSERT_EQ(::mkdir(root_.c_str(), 0755), 0);
    auto r = extractLayer(stringReader(blob, 1000), root_, WhiteoutMode::kOverlay);
    ASSERT_TRUE(r.ok()) << r.error().what();
    EXPECT_EQ(r->compressed_digest, sha256Digest(blob));
    EXPECT_EQ(r->compressed_size, blob.size());
    EXPECT_EQ(r->diff_id, sha256Digest(tar));
    EXPECT_EQ(r->diff_size, tar.size());
    EXPECT_EQ(readOrEmpty(at("d/f")), std::string(300000, 'x'));
    EXPECT_EQ(readOrEmpty(at("g")), "hello");
  }
}

TEST_F(ExtractTest, DigestCoversTrailingBytes) {
  // Bytes after the end-of-archive blocks are still part of the diff id.
  std::string tar = buildTar({file("f", "x")}) + std::string(4096, '\0');
  auto r = extractLayer(stringReader(tar), root_, WhiteoutMode::kOverlay);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->diff_id, sha256Digest(tar));
  EXPECT_EQ(r->diff_size, tar.size());
}

TEST_F(ExtractTest, EmptyLayers) {
  auto r = extractLayer(stringReader(""), root_, WhiteoutMode::kOverlay);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->diff_id, sha256Digest(""));
  std::string tar = buildTar({});
  r = extractLayer(stringReader(tar), root_, WhiteoutMode::kOverlay);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(r->diff_id, sha256Digest(tar));
}

TEST_F(ExtractTest, CorruptStreamsFail) {
  std::string gz = buildTar({file("f", std::string(100000, 'y'))}, TarFilter::kGzip);
  auto r = extractLayer(stringReader(gz.substr(0, gz.size() / 2)), root_, WhiteoutMode::kOverlay);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kDataLoss);
  r = extractLayer(stringReader("this is not a tar archive at all, not even close........"), root_,
                   WhiteoutMode::kOverlay);
  ASSERT_FALSE(r.ok());
  std::string tar = buildTar({file("f", std::string(100000, 'y'))});
  r = extractLayer(stringReader(tar.substr(0, 5000)), root_, WhiteoutMode::kOverlay);
  ASSERT_FALSE(r.ok());
}

TEST_F(ExtractTest, ReaderErrorIsReturned) {
  std::string tar = buildTar({file("f", std::string(100000, 'y'))});
  size_t served = 0;
  Reader failing = [&](char* buf, size_t n) -> Result<size_t> {
    if (served > 10000) return makeError(Code::kUnavailable, "connection reset");
    size_t k = std::min(n, size_t(1000));
    std::memcpy(buf, tar.data() + served, k);
    served += k;
    return k;
  };
  auto r = extractLayer(failing, root_, WhiteoutMode::kOverlay);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable);
  EXPECT_NE(r.error().what().find("connection reset"), std::string::npos);
}

// ---- whiteouts ----

TEST_F(ExtractTest, OverlayWhiteouts) {
  auto r = extract({
      dir("d"),
      file("d/.wh.gone", ""),
      dir("o"),
      file("o/.wh..wh..opq", ""),
      file("o/new", "n"),
      file(".wh..wh.plnk", ""),
      file("implicit/.wh.x", ""),
  });
  ASSERT_TRUE(r.ok()) << r.error().what();
  struct stat st;
  ASSERT_EQ(::lstat(at("d/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  ASSERT_EQ(::lstat(at("implicit/x").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  char v[8];
  ASSERT_EQ(::getxattr(at("o").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
  EXPECT_EQ(readOrEmpty(at("o/new")), "n");
  for (const char* p : {"d/.wh.gone", "o/.wh..wh..opq", ".wh..wh.plnk", "plnk"})
    EXPECT_FALSE(fs::exists(at(p))) << p;
}

TEST_F(ExtractTest, VfsWhiteouts) {
  // The lower layer's content, as a vfs diff starts from a copy of it.
  ASSERT_TRUE(
      extract({file("d/gone", "g"), file("d/keep", "k"), dir("d/gonedir"), file("d/gonedir/f", ""),
               file("o/old", "o"), file("o/sub/oldfile", ""), file("p/old", "")},
              WhiteoutMode::kVfs)
          .ok());
  auto r = extract(
      {
          dir("d"),
          file("d/.wh.gone", ""),
          file("d/.wh.gonedir", ""),
          file("d/.wh.never-existed", ""),
          file("nodir/.wh.x", ""),
          // docker's order: the opaque marker right after its directory ...
          dir("o"),
          file("o/.wh..wh..opq", ""),
          file("o/new", "n"),
          dir("o/sub"),
          file("o/sub/newfile", ""),
          // ... and after the children, which must survive.
          dir("p"),
          file("p/new", ""),
          file("p/.wh..wh..opq", ""),
      },
      WhiteoutMode::kVfs);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_FALSE(fs::exists(at("d/gone")));
  EXPECT_FALSE(fs::exists(at("d/gonedir")));
  EXPECT_EQ(readOrEmpty(at("d/keep")), "k");
  EXPECT_FALSE(fs::exists(at("nodir")));
  EXPECT_FALSE(fs::exists(at("o/old")));
  EXPECT_FALSE(fs::exists(at("o/sub/oldfile")));
  EXPECT_EQ(readOrEmpty(at("o/new")), "n");
  EXPECT_TRUE(fs::exists(at("o/sub/newfile")));
  EXPECT_FALSE(fs::exists(at("p/old")));
  EXPECT_TRUE(fs::exists(at("p/new")));
  char v[8];
  EXPECT_LT(::getxattr(at("o").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
  for (const char* p : {"d/.wh.gone", "o/.wh..wh..opq"}) EXPECT_FALSE(fs::exists(at(p))) << p;
}

// ---- hostile archives: refused, and nothing written outside the root ----

TEST_F(ExtractTest, DotDotRefused) {
  expectRefused(extract({file("../x", "pwned")}), "../x");
  EXPECT_FALSE(fs::exists(sandbox_ + "/x"));
  expectRefused(extract({dir("a"), file("a/../../x", "pwned")}), "a/../../x");
  auto r = extract({file("../x", "")});
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().what().find("layer entry \"../x\": path escapes the layer root"),
            std::string::npos)
      << r.error().what();
}

TEST_F(ExtractTest, AbsoluteNamesLandInside) {
  std::string inside_sandbox = sandbox_.substr(1) + "/abs";  // "tmp/berth-extract-X/abs"
  auto r = extract({file("/abs/name", "in"), file(sandbox_ + "/abs", "in too")});
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(readOrEmpty(at("abs/name")), "in");
  EXPECT_EQ(readOrEmpty(at(inside_sandbox)), "in too");
  EXPECT_FALSE(fs::exists("/abs"));
  expectSandboxClean();
}

TEST_F(ExtractTest, SymlinkToRootThenFileUnderIt) {
  // If followed, "evil/<sandbox>/pwned" would be <sandbox>/pwned.
  std::string name = "evil" + sandbox_ + "/pwned";
  expectRefused(extract({symlink("evil", "/"), file(name, "pwned")}), name);
  EXPECT_FALSE(fs::exists(sandbox_ + "/pwned"));
}

TEST_F(ExtractTest, SymlinkToOutsideDirThenDirAndFile) {
  expectRefused(extract({symlink("evil", sandbox_), dir("evil/sub")}), "evil/sub/");
  expectRefused(extract({symlink("evil", ".."), file("evil/pwned", "")}), "evil/pwned");
  EXPECT_FALSE(fs::exists(sandbox_ + "/pwned"));
}

TEST_F(ExtractTest, SymlinkChainClimbingOut) {
  std::string unique = "berth-escape-" + std::to_string(::getpid());
  expectRefused(extract({symlink("a", "b"), symlink("b", "../../.."), file("a/" + unique, "")}),
                "a/" + unique);
  EXPECT_FALSE(fs::exists("/" + unique));
  expectRefused(extract({symlink("a", "b"), symlink("b", ".."), file("a/x", "")}), "a/x");
  EXPECT_FALSE(fs::exists(sandbox_ + "/x"));
}

TEST_F(ExtractTest, EntriesReplacingSymlinksDoNotFollowThem) {
  std::string victim = sandbox_ + "/victim";
  ASSERT_EQ(::mkdir(victim.c_str(), 0700), 0);
  auto r = extract(
      {symlink("f", victim + "/file"), file("f", "data"), symlink("d", victim), dir("d", 0777)});
  ASSERT_TRUE(r.ok()) << r.error().what();
  struct stat st;
  ASSERT_EQ(::lstat(victim.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_FALSE(fs::exists(victim + "/file"));
  ASSERT_EQ(::lstat(at("f").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  ASSERT_EQ(::lstat(at("d").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  ::rmdir(victim.c_str());
  expectSandboxClean();
}

TEST_F(ExtractTest, HardlinkToHostFileRefused) {
  auto r = extract({hardlink("shadow", "/etc/shadow")});
  expectRefused(r, "shadow");
  EXPECT_NE(r.error().what().find("/etc/shadow"), std::string::npos) << r.error().what();
  EXPECT_FALSE(fs::exists(at("shadow")));
  expectRefused(extract({hardlink("x", "../outside")}), "x");
}

TEST_F(ExtractTest, HardlinkThroughSymlinkRefused) {
  std::string secret = sandbox_ + "/secret";
  ASSERT_TRUE(fs::writeFileAtomic(secret, "s").ok());
  auto r = extract({symlink("out", sandbox_), hardlink("stolen", "out/secret")});
  ::unlink(secret.c_str());
  expectRefused(r, "stolen");
  EXPECT_FALSE(fs::exists(at("stolen")));
}

TEST_F(ExtractTest, HostileWhiteouts) {
  // ".wh.." would name the parent directory itself.
  expectRefused(extract({file("a/.wh..", "")}, WhiteoutMode::kVfs), "a/.wh..");
  std::string keep = sandbox_ + "/keep";
  ASSERT_EQ(::mkdir(keep.c_str(), 0700), 0);
  for (WhiteoutMode mode : {WhiteoutMode::kVfs, WhiteoutMode::kOverlay}) {
    auto r = extract({symlink("s", sandbox_), file("s/.wh.keep", "")}, mode);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().what().find("\"s/.wh.keep\""), std::string::npos);
    struct stat st;
    ASSERT_EQ(::lstat(keep.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    r = extract({symlink("s", sandbox_), file("s/.wh..wh..opq", "")}, mode);
    ASSERT_FALSE(r.ok());
    ASSERT_EQ(::lstat(keep.c_str(), &st), 0);
  }
  ::rmdir(keep.c_str());
  expectSandboxClean();
}

TEST_F(ExtractTest, HostileCompressedToo) {
  std::string blob = buildTar({symlink("evil", "/"), file("evil/tmp/x", "")}, TarFilter::kZstd);
  auto r = extractLayer(stringReader(blob), root_, WhiteoutMode::kOverlay);
  expectRefused(r, "evil/tmp/x");
}

}  // namespace
}  // namespace berth::store
