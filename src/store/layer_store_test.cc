// Tests for LayerStore: chain IDs, atomic layers, cleanup, and real overlay / vfs root filesystems.
#include "store/layer_store.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fs.h"
#include "base/json.h"
#include "store/extract.h"
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

Reader unreadable() {
  return [](char*, size_t) -> Result<size_t> {
    return makeError(Code::kInternal, "the blob must not be read");
  };
}

std::string readOrEmpty(const std::string& p) { return fs::readFile(p).valueOr(""); }

class LayerStoreTest : public ::testing::TestWithParam<Driver> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-layers-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = std::make_unique<LayerStore>(dir_ + "/layers", GetParam());
  }
  void TearDown() override {
    ::umount2((dir_ + "/merged").c_str(), MNT_DETACH);
    (void)fs::removeAll(dir_);
  }

  // A base layer and an upper layer with a whiteout and an opaque directory.
  void buildTwoLayers() {
    base_tar_ = buildTar(
        {dir("etc"), file("etc/a", "A"), file("etc/b", "B"), dir("d"), file("d/x", "x"),
         dir("d/sub"), file("d/sub/y", "y"), file("keep", "keep"), hardlink("keep.link", "keep")},
        TarFilter::kGzip);
    auto base = store_->ensure("", "", stringReader(base_tar_));
    ASSERT_TRUE(base.ok()) << base.error().what();
    base_ = *base;
    upper_tar_ = buildTar({dir("etc"), file("etc/.wh.a", ""), dir("d"), file("d/.wh..wh..opq", ""),
                           file("d/z", "z"), file("new", "new"), symlink("etc/link", "b")},
                          TarFilter::kZstd);
    auto upper = store_->ensure(base_.chain_id, "", stringReader(upper_tar_));
    ASSERT_TRUE(upper.ok()) << upper.error().what();
    upper_ = *upper;
  }

  // The merged view every driver must produce for the two layers.
  void expectMergedView(const std::string& m) {
    EXPECT_FALSE(fs::exists(m + "/etc/a"));
    EXPECT_EQ(readOrEmpty(m + "/etc/b"), "B");
    EXPECT_EQ(readOrEmpty(m + "/etc/link"), "B");
    EXPECT_FALSE(fs::exists(m + "/d/x"));
    EXPECT_FALSE(fs::exists(m + "/d/sub"));
    EXPECT_EQ(readOrEmpty(m + "/d/z"), "z");
    EXPECT_EQ(readOrEmpty(m + "/keep"), "keep");
    EXPECT_EQ(readOrEmpty(m + "/new"), "new");
    auto names = fs::listDir(m + "/d");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(*names, std::vector<std::string>{"z"});
  }

  std::string dir_;
  std::unique_ptr<LayerStore> store_;
  std::string base_tar_, upper_tar_;
  LayerInfo base_, upper_;
};

TEST(ChainId, FollowsTheImageSpec) {
  std::string d0 = sha256Digest("zero"), d1 = sha256Digest("one");
  EXPECT_EQ(chainId("", d0), d0);
  EXPECT_EQ(chainId(d0, d1), sha256Digest(d0 + " " + d1));
}

TEST_P(LayerStoreTest, EnsureRecordsTheLayer) {
  buildTwoLayers();
  std::string base_diff = sha256Digest(buildTar(
      {dir("etc"), file("etc/a", "A"), file("etc/b", "B"), dir("d"), file("d/x", "x"), dir("d/sub"),
       file("d/sub/y", "y"), file("keep", "keep"), hardlink("keep.link", "keep")}));
  EXPECT_EQ(base_.diff_id, base_diff);
  EXPECT_EQ(base_.chain_id, base_diff);
  EXPECT_EQ(base_.parent, "");
  EXPECT_EQ(base_.compressed_digest, sha256Digest(base_tar_));
  EXPECT_EQ(base_.compressed_size, base_tar_.size());
  EXPECT_EQ(upper_.chain_id, chainId(base_.chain_id, upper_.diff_id));
  EXPECT_EQ(upper_.parent, base_.chain_id);
  EXPECT_EQ(upper_.path, dir_ + "/layers/" + std::string(digestHex(upper_.chain_id)) + "/diff");

  auto got = store_->get(upper_.chain_id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->diff_id, upper_.diff_id);
  EXPECT_EQ(got->compressed_digest, upper_.compressed_digest);
  EXPECT_EQ(got->link, upper_.link);
  auto meta = parseJson(
      readOrEmpty(dir_ + "/layers/" + std::string(digestHex(base_.chain_id)) + "/meta.json"),
      "meta");
  ASSERT_TRUE(meta.ok());
  for (const char* k : {"chain_id", "diff_id", "parent", "diff_size", "compressed_digest",
                        "compressed_size", "created", "link"})
    EXPECT_TRUE(meta->contains(k)) << k;

  if (GetParam() == Driver::kOverlay) {
    EXPECT_EQ(base_.link.size(), 26u);
    char buf[256];
    ssize_t n = ::readlink((dir_ + "/layers/l/" + base_.link).c_str(), buf, sizeof buf);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buf, n), "../" + std::string(digestHex(base_.chain_id)) + "/diff");
    EXPECT_EQ(readOrEmpty(dir_ + "/layers/l/" + base_.link + "/etc/a"), "A");
  } else {
    EXPECT_EQ(base_.link, "");
    // A vfs layer holds the whole tree, hardlinks included.
    expectMergedView(upper_.path);
    struct stat a, b;
    ASSERT_EQ(::stat((upper_.path + "/keep").c_str(), &a), 0);
    ASSERT_EQ(::stat((upper_.path + "/keep.link").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
    // The parent is untouched.
    EXPECT_EQ(readOrEmpty(base_.path + "/etc/a"), "A");
  }

  auto list = store_->list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  auto chain = store_->chainOf(upper_.chain_id);
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ(*chain, (std::vector<std::string>{upper_.chain_id, base_.chain_id}));
  auto names = fs::listDir(dir_ + "/layers");
  ASSERT_TRUE(names.ok());
  for (const std::string& n : *names) EXPECT_FALSE(n.starts_with("tmp-")) << n;
}

TEST_P(LayerStoreTest, ExistingLayerIsNotUnpackedAgain) {
  buildTwoLayers();
  auto again = store_->ensure("", base_.diff_id, unreadable());
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ(again->chain_id, base_.chain_id);
  EXPECT_EQ(again->created, base_.created);
  // Without the diff ID the blob is read, and the existing layer returned.
  again = store_->ensure("", "", stringReader(base_tar_));
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ(again->created, base_.created);
}

TEST_P(LayerStoreTest, DiffIdMismatchKeepsNothing) {
  std::string wrong = sha256Digest("something else");
  auto r = store_->ensure("", wrong, stringReader(buildTar({file("f", "x")})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kDataLoss);
  EXPECT_NE(r.error().what().find(wrong), std::string::npos);
  EXPECT_NE(r.error().what().find(sha256Digest(buildTar({file("f", "x")}))), std::string::npos);
  auto names = fs::listDir(dir_ + "/layers");
  ASSERT_TRUE(names.ok());
  EXPECT_TRUE(names->empty()) << names->front();
}

TEST_P(LayerStoreTest, HostileLayerKeepsNothing) {
  auto r = store_->ensure("", "", stringReader(buildTar({file("../escape", "x")})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().what().find("\"../escape\""), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ + "/escape"));
  EXPECT_TRUE(fs::listDir(dir_ + "/layers")->empty());
}

TEST_P(LayerStoreTest, MissingParent) {
  auto r = store_->ensure(sha256Digest("nope"), "", stringReader(buildTar({})));
  if (GetParam() == Driver::kOverlay) {
    // Overlay layers are unpacked independently (parallel pulls): the parent may come later.
    ASSERT_TRUE(r.ok()) << r.error().what();
    EXPECT_EQ(r->parent, sha256Digest("nope"));
    return;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
}

TEST_P(LayerStoreTest, RemoveAndCleanup) {
  buildTwoLayers();
  ASSERT_TRUE(store_->remove(upper_.chain_id).ok());
  EXPECT_FALSE(store_->exists(upper_.chain_id));
  EXPECT_EQ(store_->get(upper_.chain_id).error().code(), Code::kNotFound);
  if (!upper_.link.empty()) {
    EXPECT_FALSE(fs::exists(dir_ + "/layers/l/" + upper_.link));
  }
  EXPECT_EQ(store_->remove(upper_.chain_id).error().code(), Code::kNotFound);

  // Leftovers of a killed process: a tmp dir, a half-removed layer, a dangling link.
  std::string root = dir_ + "/layers";
  ASSERT_TRUE(fs::mkdirAll(root + "/tmp-dead/diff/etc").ok());
  ASSERT_TRUE(fs::mkdirAll(root + "/tmp-removing-dead/diff").ok());
  ASSERT_TRUE(fs::mkdirAll(root + "/l").ok());
  ASSERT_EQ(::symlink("../0000/diff", (root + "/l/DANGLING").c_str()), 0);
  // A build in progress in another process holds its lock.
  ASSERT_TRUE(fs::mkdirAll(root + "/tmp-busy").ok());
  int busy = ::open((root + "/tmp-busy").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(busy, 0);
  ASSERT_EQ(::flock(busy, LOCK_EX), 0);
  ASSERT_TRUE(store_->cleanup().ok());
  EXPECT_FALSE(fs::exists(root + "/tmp-dead"));
  EXPECT_FALSE(fs::exists(root + "/tmp-removing-dead"));
  EXPECT_FALSE(fs::exists(root + "/l/DANGLING"));
  EXPECT_TRUE(fs::exists(root + "/tmp-busy"));
  ::close(busy);
  ASSERT_TRUE(store_->cleanup().ok());
  EXPECT_FALSE(fs::exists(root + "/tmp-busy"));
  EXPECT_TRUE(store_->exists(base_.chain_id));
  if (!base_.link.empty()) {
    EXPECT_TRUE(fs::exists(root + "/l/" + base_.link));
  }
  ASSERT_TRUE(store_->remove(base_.chain_id).ok());
  EXPECT_TRUE(store_->list()->empty());
}

// containers/storage's rule for the container's /: the topmost layer whose tar sets its
// root decides; without one it is 0555 (podman 030-run "image with filesystem permission").
TEST_P(LayerStoreTest, FreshUpperTakesTheImageRootMode) {
  auto noroot = store_->ensure("", "", stringReader(buildTar({file("a", "a")})));
  ASSERT_TRUE(noroot.ok()) << noroot.error().what();
  EXPECT_FALSE(noroot->has_root);
  auto withroot = store_->ensure(noroot->chain_id, "", stringReader(buildTar({dir(".", 0750), file("b", "b")})));
  ASSERT_TRUE(withroot.ok()) << withroot.error().what();
  EXPECT_TRUE(withroot->has_root);
  auto modeOf = [&](const std::vector<std::string>& chain, const std::string& name) -> unsigned {
    std::string upper = dir_ + "/" + name;
    EXPECT_EQ(::mkdir(upper.c_str(), 0755), 0);
    EXPECT_EQ(::mkdir((dir_ + "/w" + name).c_str(), 0700), 0);
    auto spec = store_->mountSpec(chain, upper, dir_ + "/w" + name);
    EXPECT_TRUE(spec.ok()) << spec.error().what();
    struct stat st {};
    EXPECT_EQ(::stat(upper.c_str(), &st), 0);
    return st.st_mode & 07777;
  };
  EXPECT_EQ(modeOf({noroot->chain_id}, "u1"), 0555u);
  EXPECT_EQ(modeOf({withroot->chain_id, noroot->chain_id}, "u2"), 0750u);
}

TEST_P(LayerStoreTest, MountSpecRejectsWrongOrder) {
  buildTwoLayers();
  auto r = store_->mountSpec({base_.chain_id, upper_.chain_id}, dir_ + "/upper", dir_ + "/work");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  r = store_->mountSpec({upper_.chain_id}, dir_ + "/upper", dir_ + "/work");
  ASSERT_FALSE(r.ok());
}

// Mounts the spec at <dir>/merged as the engine would.
Status mountSpecAt(const MountSpec& spec, const std::string& target) {
  int cwd = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (!spec.chdir.empty() && ::chdir(spec.chdir.c_str()) < 0) return errnoError("chdir");
  int rc = spec.type == "bind"
               ? ::mount(spec.source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr)
               : ::mount(spec.source.c_str(), target.c_str(), spec.type.c_str(), 0,
                         spec.options.c_str());
  int e = errno;
  (void)::fchdir(cwd);
  ::close(cwd);
  if (rc < 0) return sysError(e, "mount " + spec.options);
  return {};
}

TEST_P(LayerStoreTest, MergedRootFilesystem) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting needs root";
  buildTwoLayers();
  std::string upper = dir_ + "/upper", work = dir_ + "/work", merged = dir_ + "/merged";
  ASSERT_EQ(::mkdir(merged.c_str(), 0755), 0);
  if (GetParam() == Driver::kOverlay) {
    ASSERT_EQ(::mkdir(upper.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(work.c_str(), 0700), 0);
  }
  // A vfs copy cut short by a crash leaves a temp dir beside the upper dir.
  ASSERT_TRUE(fs::mkdirAll(upper + ".tmp-DEADBEEF/etc").ok());
  auto spec = store_->mountSpec({upper_.chain_id, base_.chain_id}, upper, work);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  if (GetParam() == Driver::kVfs) EXPECT_FALSE(fs::exists(upper + ".tmp-DEADBEEF"));
  if (GetParam() == Driver::kOverlay) {
    EXPECT_EQ(spec->type, "overlay");
    EXPECT_EQ(spec->chdir, dir_ + "/layers");
    EXPECT_EQ(spec->options, "lowerdir=l/" + upper_.link + ":l/" + base_.link +
                                 ",upperdir=" + upper + ",workdir=" + work);
  } else {
    EXPECT_EQ(spec->type, "bind");
    EXPECT_EQ(spec->source, upper);
  }
  auto st = mountSpecAt(*spec, merged);
  ASSERT_TRUE(st.ok()) << st.error().what();
  expectMergedView(merged);
  // Writes go to the container's layer, never to the shared layers.
  ASSERT_TRUE(fs::writeFileAtomic(merged + "/etc/b", "changed").ok());
  ASSERT_EQ(::unlink((merged + "/keep").c_str()), 0);
  EXPECT_EQ(readOrEmpty(base_.path + "/etc/b"), "B");
  EXPECT_TRUE(fs::exists(base_.path + "/keep"));
  ASSERT_EQ(::umount2(merged.c_str(), 0), 0);
  EXPECT_EQ(readOrEmpty(upper + "/etc/b"), "changed");

  // Mounting again keeps the container's changes.
  spec = store_->mountSpec({upper_.chain_id, base_.chain_id}, upper, work);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  ASSERT_TRUE(mountSpecAt(*spec, merged).ok());
  EXPECT_EQ(readOrEmpty(merged + "/etc/b"), "changed");
  EXPECT_FALSE(fs::exists(merged + "/keep"));
  ASSERT_EQ(::umount2(merged.c_str(), 0), 0);
}

TEST_P(LayerStoreTest, LongChainsFitInOnePage) {
  if (GetParam() != Driver::kOverlay) GTEST_SKIP() << "overlay only";
  std::vector<std::string> top_first;
  std::string parent;
  for (int i = 0; i < 100; ++i) {
    auto l =
        store_->ensure(parent, "", stringReader(buildTar({file("f" + std::to_string(i), "")})));
    ASSERT_TRUE(l.ok()) << l.error().what();
    parent = l->chain_id;
    top_first.insert(top_first.begin(), parent);
  }
  std::string upper = dir_ + "/upper", work = dir_ + "/work", merged = dir_ + "/merged";
  for (const std::string& d : {upper, work, merged}) ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
  auto spec = store_->mountSpec(top_first, upper, work);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  EXPECT_LT(spec->options.size(), 4096u);
  if (::geteuid() == 0) {
    auto st = mountSpecAt(*spec, merged);
    ASSERT_TRUE(st.ok()) << st.error().what();
    EXPECT_TRUE(fs::exists(merged + "/f0"));
    EXPECT_TRUE(fs::exists(merged + "/f99"));
    ASSERT_EQ(::umount2(merged.c_str(), 0), 0);
  }
  // Far too long a chain is refused rather than truncated.
  std::vector<std::string> too_long;
  for (int i = 0; i < 2; ++i) too_long.insert(too_long.end(), top_first.begin(), top_first.end());
  EXPECT_FALSE(store_->mountSpec(too_long, upper, work).ok());
}

TEST_P(LayerStoreTest, EmptyChain) {
  std::string upper = dir_ + "/upper", work = dir_ + "/work";
  auto spec = store_->mountSpec({}, upper, work);
  ASSERT_TRUE(spec.ok()) << spec.error().what();
  if (GetParam() == Driver::kOverlay) {
    EXPECT_EQ(spec->options, "lowerdir=empty,upperdir=" + upper + ",workdir=" + work);
  } else {
    EXPECT_TRUE(fs::isDir(upper));
  }
}

TEST(CopyTree, PreservesEverything) {
  char tmpl[] = "/tmp/berth-copy-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string d = tmpl, src = d + "/src", dst = d + "/dst";
  ASSERT_EQ(::mkdir(src.c_str(), 0751), 0);
  ASSERT_EQ(::mkdir(dst.c_str(), 0700), 0);
  TarEntry dev = file("dev/null", "", 0666);
  dev.type = AE_IFCHR;
  dev.dev_major = 1;
  dev.dev_minor = 3;
  TarEntry owned = file("home/u/f", "data", 04750);
  owned.uid = 1000;
  owned.gid = 1001;
  auto r = extractLayer(stringReader(buildTar({dev, owned, symlink("home/u/l", "/nowhere"),
                                               hardlink("home/u/f2", "home/u/f")})),
                        src, WhiteoutMode::kVfs);
  ASSERT_TRUE(r.ok()) << r.error().what();
  ASSERT_TRUE(copyTree(src, dst).ok());
  struct stat st, st2;
  ASSERT_EQ(::lstat(dst.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  ASSERT_EQ(::lstat((dst + "/dev/null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  ASSERT_EQ(::lstat((dst + "/home/u/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04750u);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 1001u);
  EXPECT_EQ(st.st_mtime, 1700000000);
  ASSERT_EQ(::lstat((dst + "/home/u/f2").c_str(), &st2), 0);
  EXPECT_EQ(st.st_ino, st2.st_ino);
  EXPECT_EQ(readOrEmpty(dst + "/home/u/f"), "data");
  char buf[64];
  ssize_t n = ::readlink((dst + "/home/u/l").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "/nowhere");
  (void)fs::removeAll(d);
}

INSTANTIATE_TEST_SUITE_P(Drivers, LayerStoreTest, ::testing::Values(Driver::kOverlay, Driver::kVfs),
                         [](const auto& info) {
                           return info.param == Driver::kOverlay ? "Overlay" : "Vfs";
                         });

}  // namespace
}  // namespace berth::store
