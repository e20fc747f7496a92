// Tests for ForeignStorage against a containers/storage layout written the way its Go
// library writes it (overlay driver: l/ links, lower files, mountpoints.json).
#include "store/foreign_storage.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <string>

#include "base/fs.h"
#include "base/json.h"
#include "sys/mounts.h"

namespace berth::store {
namespace {

const std::string kBase(64, 'b');
const std::string kTop(64, 'c');
const std::string kCtrLayer(64, 'd');
const std::string kCtrId = std::string(60, 'e') + "1234";
const std::string kOtherId = std::string(60, 'e') + "5678";
const std::string kOtherLayer(64, 'f');
const std::string kImage(64, 'a');

std::string readOrEmpty(const std::string& p) { return fs::readFile(p).valueOr(""); }

bool put(const std::string& path, const std::string& data) {
  return fs::mkdirAll(path.substr(0, path.rfind('/'))).ok() && fs::writeFileAtomic(path, data).ok();
}

class ForeignStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-cstorage-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cfg_.graphroot = dir_ + "/graph";
    cfg_.runroot = dir_ + "/run";
    cfg_.driver = "overlay";
    std::string ov = cfg_.graphroot + "/overlay";
    // Two image layers and one container layer on top, as buildah leaves them.
    layer(kBase, "BASEBASEBASEBASEBASEBASE22", "");
    ASSERT_TRUE(put(ov + "/" + kBase + "/diff/etc/services", "svc"));
    ASSERT_TRUE(put(ov + "/" + kBase + "/diff/etc/hosts", "hosts"));
    layer(kTop, "TOPTOPTOPTOPTOPTOPTOPTOP22", "l/BASEBASEBASEBASEBASEBASE22");
    ASSERT_TRUE(put(ov + "/" + kTop + "/diff/home/id", "20220615"));
    layer(kCtrLayer, "CTRCTRCTRCTRCTRCTRCTRCTR22", "l/TOPTOPTOPTOPTOPTOPTOPTOP22:l/BASEBASEBASEBASEBASEBASE22");
    layer(kOtherLayer, "OTHEROTHEROTHEROTHEROTHER2", "l/TOPTOPTOPTOPTOPTOPTOPTOP22:l/BASEBASEBASEBASEBASEBASE22");
    Json layers = Json::array();
    layers.push_back(Json{{"id", kBase}, {"created", "2026-12-07T13:14:52Z"}, {"diff-size", 10}});
    layers.push_back(Json{{"id", kTop}, {"parent", kBase}});
    layers.push_back(Json{{"id", kCtrLayer}, {"parent", kTop}});
    layers.push_back(Json{{"id", kOtherLayer}, {"parent", kTop}});
    ASSERT_TRUE(fs::mkdirAll(cfg_.graphroot + "/overlay-layers").ok());
    ASSERT_TRUE(fs::writeFileAtomic(cfg_.graphroot + "/overlay-layers/layers.json", layers.dump()).ok());
    ASSERT_TRUE(fs::writeFileAtomic(cfg_.graphroot + "/overlay-layers/" + kCtrLayer + ".tar-split.gz", "x").ok());
    Json images = Json::array({Json{{"id", kImage}, {"names", {"localhost:80/libpod/testimage:20220615"}}}});
    ASSERT_TRUE(fs::mkdirAll(cfg_.graphroot + "/overlay-images").ok());
    ASSERT_TRUE(fs::writeFileAtomic(cfg_.graphroot + "/overlay-images/images.json", images.dump()).ok());
    Json ctrs = Json::array();
    ctrs.push_back(Json{{"id", kCtrId},
                        {"names", {"buildahctr"}},
                        {"image", kImage},
                        {"layer", kCtrLayer},
                        {"created", "2026-12-07T13:17:10.275065903Z"},
                        {"flags", {{"MountLabel", ""}}}});
    ctrs.push_back(Json{{"id", kOtherId},
                        {"names", {"podmanctr"}},
                        {"image", kImage},
                        {"layer", kOtherLayer},
                        {"metadata", R"({"image-name":"x","image-id":"y","name":"podmanctr","created-at":1})"}});
    writeContainers(ctrs);
    ASSERT_TRUE(fs::mkdirAll(cfg_.graphroot + "/overlay-containers/" + kCtrId + "/userdata").ok());
    ASSERT_TRUE(put(cfg_.graphroot + "/overlay-containers/" + kCtrId + "/userdata/buildah.json", "{}"));
    ASSERT_TRUE(fs::mkdirAll(cfg_.runroot + "/overlay-containers/" + kCtrId + "/userdata").ok());
  }
  void TearDown() override {
    ::umount2((cfg_.graphroot + "/overlay/" + kCtrLayer + "/merged").c_str(), MNT_DETACH);
    ::umount2((cfg_.graphroot + "/overlay").c_str(), MNT_DETACH);  // the driver's private bind
    (void)fs::removeAll(dir_);
  }

  void layer(const std::string& id, const std::string& link, const std::string& lower) {
    std::string ov = cfg_.graphroot + "/overlay";
    ASSERT_TRUE(fs::mkdirAll(ov + "/" + id + "/diff").ok());
    ASSERT_TRUE(fs::mkdirAll(ov + "/l").ok());
    ASSERT_TRUE(fs::writeFileAtomic(ov + "/" + id + "/link", link).ok());
    if (!lower.empty()) {
      ASSERT_TRUE(fs::writeFileAtomic(ov + "/" + id + "/lower", lower).ok());
    }
    ASSERT_EQ(::symlink(("../" + id + "/diff").c_str(), (ov + "/l/" + link).c_str()), 0);
  }
  void writeContainers(const Json& ctrs) {
    ASSERT_TRUE(fs::mkdirAll(cfg_.graphroot + "/overlay-containers").ok());
    ASSERT_TRUE(fs::writeFileAtomic(cfg_.graphroot + "/overlay-containers/containers.json", ctrs.dump()).ok());
  }
  ForeignContainer buildahCtr() {
    ForeignStorage fsg(cfg_);
    auto c = fsg.find("buildahctr");
    EXPECT_TRUE(c.ok() && *c) << (c.ok() ? "not found" : c.error().what());
    return c.ok() && *c ? **c : ForeignContainer{};
  }

  std::string dir_;
  ForeignStorageConfig cfg_;
};

TEST_F(ForeignStorageTest, ListsAndFindsContainers) {
  ForeignStorage fsg(cfg_);
  auto all = fsg.containers();
  ASSERT_TRUE(all.ok()) << all.error().what();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, kCtrId);
  EXPECT_EQ((*all)[0].image_name, "localhost:80/libpod/testimage:20220615");
  EXPECT_TRUE((*all)[0].buildah);
  EXPECT_FALSE((*all)[0].podman);
  EXPECT_EQ((*all)[0].created, 1796649430275065903);
  EXPECT_TRUE((*all)[1].podman);
  EXPECT_FALSE((*all)[1].buildah);

  EXPECT_EQ((*fsg.find(kCtrId))->id, kCtrId);
  EXPECT_EQ((*fsg.find("buildahctr"))->id, kCtrId);
  EXPECT_EQ((*fsg.find(kCtrId.substr(0, 62)))->id, kCtrId);
  EXPECT_FALSE(fsg.find("nosuch").value());
  auto ambiguous = fsg.find("eeee");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.error().what().find("more than one"), std::string::npos);
}

TEST_F(ForeignStorageTest, NoStoreIsEmpty) {
  ForeignStorageConfig cfg;
  cfg.graphroot = dir_ + "/none";
  cfg.runroot = dir_ + "/none-run";
  ForeignStorage fsg(cfg);
  auto all = fsg.containers();
  ASSERT_TRUE(all.ok()) << all.error().what();
  EXPECT_TRUE(all->empty());
  EXPECT_FALSE(fsg.find("x").value());
}

TEST_F(ForeignStorageTest, HostileFilesAreErrorsNamingTheField) {
  writeContainers(Json::array({Json{{"id", kCtrId}, {"layer", "../../../etc"}}}));
  auto r = ForeignStorage(cfg_).containers();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("[0].layer"), std::string::npos) << r.error().what();

  writeContainers(Json::array({Json{{"id", 7}}}));
  r = ForeignStorage(cfg_).containers();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("[0].id: expected string"), std::string::npos) << r.error().what();

  ASSERT_TRUE(fs::writeFileAtomic(cfg_.graphroot + "/overlay-containers/containers.json", "{\"a\":1}").ok());
  r = ForeignStorage(cfg_).containers();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("expected an array"), std::string::npos) << r.error().what();
}

TEST_F(ForeignStorageTest, HostileLowerFileIsRefused) {
  ForeignContainer c = buildahCtr();
  ASSERT_TRUE(
      fs::writeFileAtomic(cfg_.graphroot + "/overlay/" + kCtrLayer + "/lower", "l/../../../../etc:l/X").ok());
  ForeignStorage fsg(cfg_);
  auto m = fsg.mount(c);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().what().find("is not a layer link"), std::string::npos) << m.error().what();
  EXPECT_FALSE(fsg.mountPoint(c).value());
}

TEST_F(ForeignStorageTest, LayersFollowTheParents) {
  ForeignStorage fsg(cfg_);
  auto l = fsg.layers(buildahCtr());
  ASSERT_TRUE(l.ok()) << l.error().what();
  std::string ov = cfg_.graphroot + "/overlay/";
  EXPECT_EQ(l->upper, ov + kCtrLayer + "/diff");
  EXPECT_EQ(l->lowers, (std::vector<std::string>{ov + kTop + "/diff", ov + kBase + "/diff"}));
}

TEST_F(ForeignStorageTest, MountIsCountedAndTheLastUnmountRemovesTheMountPoint) {
  ForeignStorage fsg(cfg_);
  ForeignContainer c = buildahCtr();
  auto p = fsg.mount(c);
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_EQ(*p, cfg_.graphroot + "/overlay/" + kCtrLayer + "/merged");
  EXPECT_TRUE(sys::isMountPoint(*p));
  EXPECT_EQ(readOrEmpty(*p + "/home/id"), "20220615");
  EXPECT_EQ(readOrEmpty(*p + "/etc/services"), "svc");
  EXPECT_TRUE(sys::isMountPoint(cfg_.graphroot + "/overlay"));  // the library's MakePrivate
  // The library's own record, which buildah reads.
  Json mounts = parseJson(readOrEmpty(cfg_.runroot + "/overlay-layers/mountpoints.json"), "m").value();
  ASSERT_EQ(mounts.size(), 1u);
  EXPECT_EQ(mounts[0]["id"], kCtrLayer);
  EXPECT_EQ(mounts[0]["count"], 1);
  EXPECT_EQ(readOrEmpty(cfg_.runroot + "/overlay-layers/mountpoints.lock").size(), 64u);

  ASSERT_TRUE(fsg.mount(c).ok());
  EXPECT_EQ(*fsg.mountPoint(c).value(), *p);
  ASSERT_TRUE(fsg.unmount(c, false).ok());
  EXPECT_TRUE(sys::isMountPoint(*p));
  ASSERT_TRUE(fsg.unmount(c, false).ok());
  EXPECT_FALSE(fs::exists(*p));
  EXPECT_FALSE(fsg.mountPoint(c).value());
  auto again = fsg.unmount(c, false);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kFailedPrecondition);
}

TEST_F(ForeignStorageTest, RemoveTakesTheContainerAndItsLayerOnly) {
  ForeignStorage fsg(cfg_);
  ForeignContainer c = buildahCtr();
  ASSERT_TRUE(fsg.mount(c).ok());
  auto refused = fsg.remove(c, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().what().find("is mounted"), std::string::npos);

  ASSERT_TRUE(fsg.remove(c, true).ok());
  std::string ov = cfg_.graphroot + "/overlay/";
  EXPECT_FALSE(fs::exists(ov + kCtrLayer));
  EXPECT_FALSE(fs::exists(ov + "l/CTRCTRCTRCTRCTRCTRCTRCTR22"));
  EXPECT_TRUE(fs::exists(ov + "l/TOPTOPTOPTOPTOPTOPTOPTOP22"));
  EXPECT_TRUE(fs::exists(ov + kTop + "/diff/home/id"));
  EXPECT_FALSE(fs::exists(cfg_.graphroot + "/overlay-layers/" + kCtrLayer + ".tar-split.gz"));
  EXPECT_FALSE(fs::exists(cfg_.graphroot + "/overlay-containers/" + kCtrId));
  EXPECT_FALSE(fs::exists(cfg_.runroot + "/overlay-containers/" + kCtrId));
  Json layers = parseJson(readOrEmpty(cfg_.graphroot + "/overlay-layers/layers.json"), "l").value();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0]["diff-size"], 10);  // fields berth does not know are kept
  auto left = fsg.containers();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].id, kOtherId);
  EXPECT_FALSE(fsg.mountPoint(c).value());
}

TEST_F(ForeignStorageTest, PodmanContainersAreNotRemoved) {
  ForeignStorage fsg(cfg_);
  auto c = fsg.find("podmanctr");
  ASSERT_TRUE(c.ok() && *c);
  auto r = fsg.remove(**c, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("belongs to podman"), std::string::npos);
  EXPECT_TRUE(fs::exists(cfg_.graphroot + "/overlay/" + kOtherLayer + "/diff"));
  EXPECT_EQ(fsg.containers()->size(), 2u);
}

TEST(ForeignStorageConfigTest, ReadsStorageConf) {
  char tmpl[] = "/tmp/berth-storageconf-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string d = tmpl;
  std::string conf = d + "/storage.conf";
  ASSERT_TRUE(fs::writeFileAtomic(conf, "[storage]\ndriver = \"vfs\"\ngraphroot = \"/g\"\nrunroot = \"/r\"\n"
                                        "[storage.options.overlay]\nmountopt = \"nodev,metacopy=on\"\n")
                  .ok());
  ::setenv("CONTAINERS_STORAGE_CONF", conf.c_str(), 1);
  auto cfg = loadForeignStorageConfig();
  ASSERT_TRUE(cfg.ok()) << cfg.error().what();
  EXPECT_EQ(cfg->driver, "vfs");
  EXPECT_EQ(cfg->graphroot, "/g");
  EXPECT_EQ(cfg->runroot, "/r");
  EXPECT_EQ(cfg->mount_options, "nodev,metacopy=on");
  ASSERT_TRUE(fs::writeFileAtomic(conf, "[storage]\ndriver = \"zfs\"\n").ok());
  auto bad = loadForeignStorageConfig();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().what().find("zfs"), std::string::npos);
  ::unsetenv("CONTAINERS_STORAGE_CONF");
  (void)fs::removeAll(d);
}

}  // namespace
}  // namespace berth::store
