// Tests for reading and writing docker-archive, oci-archive, OCI layout and dir layouts.
#include "image/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <random>

#include "base/digest.h"
#include "base/fs.h"
#include "base/json.h"
#include "image/manifest.h"

namespace berth::image {
namespace {

struct Entry {
  std::string name;
  std::string data;
  std::string symlink;   // non-empty: a symlink to this target
  std::string hardlink;  // non-empty: a hardlink to this member
};

la_ssize_t appendCallback(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return la_ssize_t(n);
}

// Builds a tar in memory, optionally compressed with a libarchive filter.
std::string makeTar(const std::vector<Entry>& entries, int filter = ARCHIVE_FILTER_NONE) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == ARCHIVE_FILTER_GZIP) archive_write_add_filter_gzip(a);
  if (filter == ARCHIVE_FILTER_ZSTD) archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);  // no zero padding after a zstd frame
  archive_write_open(a, &out, nullptr, appendCallback, nullptr);
  for (const auto& e : entries) {
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    if (!e.symlink.empty()) {
      archive_entry_set_filetype(ae, AE_IFLNK);
      archive_entry_set_symlink(ae, e.symlink.c_str());
      archive_entry_set_perm(ae, 0777);
    } else if (!e.hardlink.empty()) {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, e.hardlink.c_str());
      archive_entry_set_perm(ae, 0644);
    } else {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_perm(ae, 0644);
      archive_entry_set_size(ae, int64_t(e.data.size()));
    }
    EXPECT_EQ(archive_write_header(a, ae), ARCHIVE_OK) << archive_error_string(a);
    if (e.symlink.empty() && e.hardlink.empty() && !e.data.empty()) {
      EXPECT_EQ(archive_write_data(a, e.data.data(), e.data.size()), la_ssize_t(e.data.size()));
    }
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

store::Reader stringReader(std::string data) {
  auto s = std::make_shared<std::string>(std::move(data));
  auto off = std::make_shared<size_t>(0);
  return [s, off](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, s->size() - *off);
    std::memcpy(buf, s->data() + *off, k);
    *off += k;
    return k;
  };
}

std::string randomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = char(rng());
  return s;
}

// A layer tar holding one file.
std::string makeLayer(const std::string& path, const std::string& content) {
  return makeTar({{path, content, "", ""}});
}

std::string makeConfig(const std::vector<std::string>& layers, const std::string& cmd) {
  Json diff_ids = Json::array();
  for (const auto& l : layers) diff_ids.push_back(sha256Digest(l));
  Json c = {{"architecture", "amd64"},
            {"config", {{"Cmd", Json::array({cmd})}}},
            {"created", "2024-01-01T00:00:00Z"},
            {"os", "linux"},
            {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  return c.dump();
}

std::string hexOf(const std::string& data) { return sha256Hex(data); }

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-archive-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    cs_ = std::make_unique<store::ContentStore>(root_ + "/cs");
    base_ = makeLayer("bin/busybox", randomBytes(2 << 20, 1));  // > kSmallMember: streamed
    app_a_ = makeLayer("etc/a", "a");
    app_b_ = makeLayer("etc/b", "b");
    config_a_ = makeConfig({base_, app_a_}, "a");
    config_b_ = makeConfig({base_, app_b_}, "b");
  }
  void TearDown() override { (void)fs::removeAll(root_); }

  // A docker-archive: image A in podman's layout, image B in old docker's
  // <id>/layer.tar layout with its base layer a symlink to A's.
  std::string dockerArchive(int filter = ARCHIVE_FILTER_NONE) {
    Json manifest = Json::array();
    manifest.push_back({{"Config", hexOf(config_a_) + ".json"},
                        {"RepoTags", {"busybox:latest"}},
                        {"Layers", {hexOf(base_) + ".tar", hexOf(app_a_) + ".tar"}}});
    manifest.push_back({{"Config", hexOf(config_b_) + ".json"},
                        {"RepoTags", {"quay.io/x/y:2", "localhost/z"}},
                        {"Layers", {"idb0/layer.tar", "idb1/layer.tar"}}});
    return makeTar({{hexOf(base_) + ".tar", base_, "", ""},
                    {hexOf(app_a_) + ".tar", app_a_, "", ""},
                    {hexOf(config_a_) + ".json", config_a_, "", ""},
                    {"idb0/layer.tar", "", "../" + hexOf(base_) + ".tar", ""},
                    {"./idb1/layer.tar", app_b_, "", ""},
                    {hexOf(config_b_) + ".json", config_b_, "", ""},
                    {"manifest.json", manifest.dump(), "", ""}},
                   filter);
  }

  // An oci-archive with one OCI image (layers as given) named `ref_name`.
  std::string ociArchive(const std::string& ref_name, std::vector<Entry> extra = {},
                         bool corrupt_layer = false) {
    std::string manifest = ociManifest();
    Json index = {{"schemaVersion", 2}, {"manifests", Json::array()}};
    Json desc = {{"mediaType", media::kOciManifest},
                 {"digest", sha256Digest(manifest)},
                 {"size", manifest.size()}};
    if (!ref_name.empty()) desc["annotations"] = {{std::string(kAnnotationRefName), ref_name}};
    index["manifests"].push_back(desc);
    std::vector<Entry> entries = {
        {"oci-layout", R"({"imageLayoutVersion":"1.0.0"})", "", ""},
        {"index.json", index.dump(), "", ""},
        {"blobs/sha256/" + hexOf(manifest), manifest, "", ""},
        {"blobs/sha256/" + hexOf(config_a_), config_a_, "", ""},
        {"blobs/sha256/" + hexOf(base_), base_, "", ""},
        {"blobs/sha256/" + hexOf(app_a_), corrupt_layer ? app_a_ + "x" : app_a_, "", ""},
    };
    for (auto& e : extra) entries.push_back(std::move(e));
    return makeTar(entries);
  }

  std::string ociManifest() {
    Manifest m;
    m.media_type = std::string(media::kOciManifest);
    m.config = makeDescriptor(media::kOciConfig, sha256Digest(config_a_), config_a_.size());
    m.layers.push_back(makeDescriptor(media::kOciLayer, sha256Digest(base_), base_.size()));
    m.layers.push_back(makeDescriptor(media::kOciLayer, sha256Digest(app_a_), app_a_.size()));
    return serializeManifest(m);
  }

  std::string writeToString(const std::function<Status(int)>& write) {
    std::string path = root_ + "/out-" + std::to_string(counter_++);
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    EXPECT_TRUE(fd.valid());
    Status s = write(fd.get());
    EXPECT_TRUE(s.ok()) << s.error().what();
    return *fs::readFile(path);
  }

  std::string root_;
  std::unique_ptr<store::ContentStore> cs_;
  std::string base_, app_a_, app_b_, config_a_, config_b_;
  int counter_ = 0;
};

TEST_F(ArchiveTest, DockerArchiveTwoImagesSharingALayer) {
  auto images = readArchive(stringReader(dockerArchive()), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  ASSERT_EQ(images->size(), 2u);
  const ArchiveImage& a = (*images)[0];
  const ArchiveImage& b = (*images)[1];
  EXPECT_EQ(a.names, std::vector<std::string>{"docker.io/library/busybox:latest"});
  EXPECT_EQ(b.names, (std::vector<std::string>{"quay.io/x/y:2", "localhost/z:latest"}));
  EXPECT_EQ(a.config_digest, sha256Digest(config_a_));
  EXPECT_EQ(b.config_digest, sha256Digest(config_b_));
  ASSERT_EQ(a.layers.size(), 2u);
  ASSERT_EQ(b.layers.size(), 2u);
  EXPECT_EQ(a.layers[0].digest, sha256Digest(base_));
  EXPECT_EQ(b.layers[0].digest, sha256Digest(base_));
  EXPECT_EQ(b.layers[1].digest, sha256Digest(app_b_));
  EXPECT_EQ(b.layers[1].diff_id, sha256Digest(app_b_));
  EXPECT_EQ(a.layers[0].media_type, media::kDockerLayer);
  EXPECT_EQ(a.layers[0].size, base_.size());
  EXPECT_EQ(a.manifest_media_type, media::kDockerManifest);
  for (const auto& img : *images) {
    EXPECT_TRUE(cs_->has(img.config_digest));
    EXPECT_TRUE(cs_->has(img.manifest_digest));
    for (const auto& l : img.layers) EXPECT_TRUE(cs_->has(l.digest));
  }
  // The synthesised manifest, byte for byte as containers/image serialises it.
  std::string want = fmt::format(
      R"({{"schemaVersion":2,"mediaType":"{}",)"
      R"("config":{{"mediaType":"{}","size":{},"digest":"{}"}},)"
      R"("layers":[{{"mediaType":"{}","size":{},"digest":"{}"}},)"
      R"({{"mediaType":"{}","size":{},"digest":"{}"}}]}})",
      media::kDockerManifest, media::kDockerConfig, config_a_.size(), sha256Digest(config_a_),
      media::kDockerLayer, base_.size(), sha256Digest(base_), media::kDockerLayer, app_a_.size(),
      sha256Digest(app_a_));
  EXPECT_EQ(*cs_->readAll(a.manifest_digest), want);
  EXPECT_EQ(a.manifest_digest, sha256Digest(want));
}

TEST_F(ArchiveTest, CompressedArchivesAreAccepted) {
  auto plain = readArchive(stringReader(dockerArchive()), *cs_);
  ASSERT_TRUE(plain.ok()) << plain.error().what();
  for (int filter : {ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_ZSTD}) {
    store::ContentStore cs(root_ + "/cs-" + std::to_string(filter));
    auto images = readArchive(stringReader(dockerArchive(filter)), cs);
    ASSERT_TRUE(images.ok()) << images.error().what();
    ASSERT_EQ(images->size(), 2u);
    EXPECT_EQ((*images)[0].manifest_digest, (*plain)[0].manifest_digest);
    EXPECT_EQ((*images)[1].manifest_digest, (*plain)[1].manifest_digest);
  }
}

TEST_F(ArchiveTest, DockerArchiveRoundTripIsStableAndDeterministic) {
  auto images = readArchive(stringReader(dockerArchive()), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  std::string first = writeToString([&](int fd) { return writeDockerArchive(*images, *cs_, fd); });
  std::string second = writeToString([&](int fd) { return writeDockerArchive(*images, *cs_, fd); });
  EXPECT_EQ(first, second);

  store::ContentStore cs2(root_ + "/cs2");
  auto again = readArchive(stringReader(first), cs2);
  ASSERT_TRUE(again.ok()) << again.error().what();
  ASSERT_EQ(again->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*again)[i].config_digest, (*images)[i].config_digest);
    EXPECT_EQ((*again)[i].manifest_digest, (*images)[i].manifest_digest);
    EXPECT_EQ((*again)[i].names, (*images)[i].names);
  }

  // podman's layout: <config>.json, <diffid>.tar once each, legacy dirs, manifest.json,
  // repositories.
  store::ContentStore cs3(root_ + "/cs3");
  std::vector<Entry> seen;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  ASSERT_EQ(archive_read_open_memory(a, first.data(), first.size()), ARCHIVE_OK);
  struct archive_entry* e;
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> links;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    EXPECT_EQ(archive_entry_mtime(e), 0);
    std::string name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) == AE_IFLNK) {
      links[name] = archive_entry_symlink(e);
      continue;
    }
    std::string data(size_t(archive_entry_size(e)), '\0');
    if (!data.empty()) archive_read_data(a, data.data(), data.size());
    EXPECT_FALSE(files.count(name)) << "duplicate member " << name;
    files[name] = data;
  }
  archive_read_free(a);
  EXPECT_EQ(files.count(hexOf(base_) + ".tar"), 1u);
  EXPECT_EQ(files.count(hexOf(config_b_) + ".json"), 1u);
  Json manifest = *parseJson(files["manifest.json"], "manifest.json");
  EXPECT_EQ(manifest[0]["Config"], hexOf(config_a_) + ".json");
  EXPECT_EQ(manifest[0]["RepoTags"], Json::array({"docker.io/library/busybox:latest"}));
  EXPECT_EQ(manifest[1]["Layers"][1], hexOf(app_b_) + ".tar");
  Json repos = *parseJson(files["repositories"], "repositories");
  std::string top_a = sha256Hex(sha256Digest(base_) + " " + sha256Digest(app_a_));
  EXPECT_EQ(repos["docker.io/library/busybox"]["latest"], top_a);
  EXPECT_EQ(links[top_a + "/layer.tar"], "../" + hexOf(app_a_) + ".tar");
  Json legacy = *parseJson(files[top_a + "/json"], "json");
  EXPECT_EQ(legacy["id"], top_a);
  EXPECT_EQ(legacy["parent"], hexOf(base_));
  EXPECT_EQ(legacy["os"], "linux");
}

TEST_F(ArchiveTest, OciArchiveRoundTripIsStableAndDeterministic) {
  auto images = readArchive(stringReader(ociArchive("docker.io/library/busybox:latest")), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  ASSERT_EQ(images->size(), 1u);
  const ArchiveImage& img = (*images)[0];
  EXPECT_EQ(img.names, std::vector<std::string>{"docker.io/library/busybox:latest"});
  EXPECT_EQ(img.manifest_digest, sha256Digest(ociManifest()));
  EXPECT_EQ(img.manifest_media_type, media::kOciManifest);
  EXPECT_EQ(img.layers[1].diff_id, sha256Digest(app_a_));

  std::string first = writeToString([&](int fd) { return writeOciArchive(*images, *cs_, fd); });
  std::string second = writeToString([&](int fd) { return writeOciArchive(*images, *cs_, fd); });
  EXPECT_EQ(first, second);
  store::ContentStore cs2(root_ + "/cs2");
  auto again = readArchive(stringReader(first), cs2);
  ASSERT_TRUE(again.ok()) << again.error().what();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].manifest_digest, img.manifest_digest);
  EXPECT_EQ((*again)[0].config_digest, img.config_digest);
  EXPECT_EQ((*again)[0].names, img.names);
}

TEST_F(ArchiveTest, DockerImagesSavedAsOciGetConvertedManifests) {
  auto images = readArchive(stringReader(dockerArchive()), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  std::string oci = writeToString([&](int fd) { return writeOciArchive(*images, *cs_, fd); });
  store::ContentStore cs2(root_ + "/cs2");
  auto again = readArchive(stringReader(oci), cs2);
  ASSERT_TRUE(again.ok()) << again.error().what();
  ASSERT_EQ(again->size(), 2u);
  const ArchiveImage& b = (*again)[1];
  EXPECT_EQ(b.manifest_media_type, media::kOciManifest);
  EXPECT_EQ(b.config_digest, (*images)[1].config_digest);
  EXPECT_EQ(b.layers[0].media_type, media::kOciLayer);
  EXPECT_EQ(b.layers[1].digest, sha256Digest(app_b_));
  EXPECT_EQ(b.names, (std::vector<std::string>{"quay.io/x/y:2", "localhost/z:latest"}));
  Manifest m = *parseManifest(*cs2.readAll(b.manifest_digest));
  EXPECT_EQ(m.config.media_type, media::kOciConfig);
}

TEST_F(ArchiveTest, CorruptOciBlobIsDataLossAndNotStored) {
  auto images = readArchive(stringReader(ociArchive("busybox", {}, true)), *cs_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.error().code(), Code::kDataLoss) << images.error().what();
  EXPECT_NE(images.error().message().find(sha256Digest(app_a_)), std::string::npos)
      << images.error().message();
  EXPECT_NE(images.error().message().find(sha256Digest(app_a_ + "x")), std::string::npos)
      << images.error().message();
  EXPECT_FALSE(cs_->has(sha256Digest(app_a_ + "x")));
  EXPECT_FALSE(cs_->has(sha256Digest(app_a_)));
}

TEST_F(ArchiveTest, MissingMembersAreNamed) {
  Json manifest = Json::array();
  manifest.push_back({{"Config", hexOf(config_a_) + ".json"},
                      {"RepoTags", {"busybox:latest"}},
                      {"Layers", {hexOf(base_) + ".tar", "gone/layer.tar"}}});
  std::string tar = makeTar({{hexOf(base_) + ".tar", base_, "", ""},
                             {hexOf(config_a_) + ".json", config_a_, "", ""},
                             {"gone/layer.tar", "", "../nowhere.tar", ""},
                             {"manifest.json", manifest.dump(), "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.error().code(), Code::kInvalidArgument);
  EXPECT_NE(images.error().message().find("gone/layer.tar"), std::string::npos)
      << images.error().message();

  // An OCI manifest naming a blob the archive lacks.
  std::string manifest_bytes = ociManifest();
  Json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", media::kOciManifest},
                   {"digest", sha256Digest(manifest_bytes)},
                   {"size", manifest_bytes.size()}}}}};
  std::string oci = makeTar({{"index.json", index.dump(), "", ""},
                             {"blobs/sha256/" + hexOf(manifest_bytes), manifest_bytes, "", ""},
                             {"blobs/sha256/" + hexOf(config_a_), config_a_, "", ""}});
  images = readArchive(stringReader(oci), *cs_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.error().code(), Code::kInvalidArgument);
  EXPECT_NE(images.error().message().find("blobs/sha256/" + hexOf(base_)), std::string::npos)
      << images.error().message();
}

TEST_F(ArchiveTest, HardlinkedLayersResolve) {
  Json manifest = Json::array();
  manifest.push_back({{"Config", hexOf(config_a_) + ".json"},
                      {"RepoTags", nullptr},
                      {"Layers", {"l0/layer.tar", "l1/layer.tar"}}});
  std::string tar = makeTar({{"x/base.tar", base_, "", ""},
                             {"l0/layer.tar", "", "", "x/base.tar"},
                             {"l1/layer.tar", app_a_, "", ""},
                             {hexOf(config_a_) + ".json", config_a_, "", ""},
                             {"manifest.json", manifest.dump(), "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  EXPECT_TRUE((*images)[0].names.empty());
  EXPECT_EQ((*images)[0].layers[0].digest, sha256Digest(base_));
}

TEST_F(ArchiveTest, ConfigMustMatchItsName) {
  Json manifest = Json::array();
  std::string wrong_name = hexOf(config_b_) + ".json";
  manifest.push_back(
      {{"Config", wrong_name}, {"RepoTags", {"busybox:latest"}}, {"Layers", {"a.tar", "b.tar"}}});
  std::string tar = makeTar({{"a.tar", base_, "", ""},
                             {"b.tar", app_a_, "", ""},
                             {wrong_name, config_a_, "", ""},
                             {"manifest.json", manifest.dump(), "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.error().code(), Code::kDataLoss) << images.error().what();
}

TEST_F(ArchiveTest, UncompressedLayerMustMatchDiffId) {
  Json manifest = Json::array();
  manifest.push_back({{"Config", hexOf(config_a_) + ".json"},
                      {"RepoTags", {"busybox:latest"}},
                      {"Layers", {"a.tar", "b.tar"}}});
  std::string tar = makeTar({{"a.tar", base_, "", ""},
                             {"b.tar", app_b_, "", ""},  // config says app_a_
                             {hexOf(config_a_) + ".json", config_a_, "", ""},
                             {"manifest.json", manifest.dump(), "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_FALSE(images.ok());
  EXPECT_EQ(images.error().code(), Code::kDataLoss) << images.error().what();
  EXPECT_NE(images.error().message().find("b.tar"), std::string::npos);
}

TEST_F(ArchiveTest, GzipLayersAreDecompressedOnSave) {
  // A gzip stream of app_a_ itself, so its diff_id is the config's.
  std::string gz;
  {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
    archive_write_open(a, &out, nullptr, appendCallback, nullptr);
    struct archive_entry* ae = archive_entry_new();
    archive_entry_set_filetype(ae, AE_IFREG);
    archive_entry_set_size(ae, int64_t(app_a_.size()));
    archive_write_header(a, ae);
    archive_write_data(a, app_a_.data(), app_a_.size());
    archive_entry_free(ae);
    archive_write_close(a);
    archive_write_free(a);
    gz = out;
  }
  Json manifest = Json::array();
  manifest.push_back({{"Config", hexOf(config_a_) + ".json"},
                      {"RepoTags", {"busybox:latest"}},
                      {"Layers", {"base.tar", "app.tar.gz"}}});
  std::string tar = makeTar({{"base.tar", base_, "", ""},
                             {"app.tar.gz", gz, "", ""},
                             {hexOf(config_a_) + ".json", config_a_, "", ""},
                             {"manifest.json", manifest.dump(), "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  const LayerBlob& l = (*images)[0].layers[1];
  EXPECT_EQ(l.media_type, media::kDockerLayerGzip);
  EXPECT_EQ(l.digest, sha256Digest(gz));
  EXPECT_EQ(l.diff_id, sha256Digest(app_a_));

  std::string saved = writeToString([&](int fd) { return writeDockerArchive(*images, *cs_, fd); });
  store::ContentStore cs2(root_ + "/cs2");
  auto again = readArchive(stringReader(saved), cs2);
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ((*again)[0].layers[1].digest, sha256Digest(app_a_));
  EXPECT_EQ((*again)[0].layers[1].media_type, media::kDockerLayer);
  EXPECT_EQ((*again)[0].config_digest, (*images)[0].config_digest);
}

TEST_F(ArchiveTest, OciNamesAreNormalisedAsPodmanDoes) {
  auto bare = readArchive(stringReader(ociArchive("latest")), *cs_);
  ASSERT_TRUE(bare.ok()) << bare.error().what();
  EXPECT_EQ((*bare)[0].names, std::vector<std::string>{"localhost/latest:latest"});
  auto none = readArchive(stringReader(ociArchive("")), *cs_);
  ASSERT_TRUE(none.ok()) << none.error().what();
  EXPECT_TRUE((*none)[0].names.empty());
  auto bad = readArchive(stringReader(ociArchive("Not/Valid")), *cs_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

TEST_F(ArchiveTest, NestedIndexChoosesPlatform) {
  std::string manifest = ociManifest();
  std::string other = makeConfig({}, "arm");
  Manifest arm;
  arm.media_type = std::string(media::kOciManifest);
  arm.config = makeDescriptor(media::kOciConfig, sha256Digest(other), other.size());
  std::string arm_bytes = serializeManifest(arm);
  Json nested = {{"schemaVersion", 2},
                 {"mediaType", media::kOciIndex},
                 {"manifests",
                  {{{"mediaType", media::kOciManifest},
                    {"digest", sha256Digest(arm_bytes)},
                    {"size", arm_bytes.size()},
                    {"platform", {{"architecture", "arm64"}, {"os", "linux"}}}},
                   {{"mediaType", media::kOciManifest},
                    {"digest", sha256Digest(manifest)},
                    {"size", manifest.size()},
                    {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}}}}};
  std::string nested_bytes = nested.dump();
  Json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", media::kOciIndex},
                   {"digest", sha256Digest(nested_bytes)},
                   {"size", nested_bytes.size()},
                   {"annotations", {{std::string(kAnnotationRefName), "quay.io/m/n:1"}}}}}}};
  std::string tar = makeTar({{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})", "", ""},
                             {"index.json", index.dump(), "", ""},
                             {"blobs/sha256/" + hexOf(nested_bytes), nested_bytes, "", ""},
                             {"blobs/sha256/" + hexOf(arm_bytes), arm_bytes, "", ""},
                             {"blobs/sha256/" + hexOf(other), other, "", ""},
                             {"blobs/sha256/" + hexOf(manifest), manifest, "", ""},
                             {"blobs/sha256/" + hexOf(config_a_), config_a_, "", ""},
                             {"blobs/sha256/" + hexOf(base_), base_, "", ""},
                             {"blobs/sha256/" + hexOf(app_a_), app_a_, "", ""}});
  auto images = readArchive(stringReader(tar), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ((*images)[0].manifest_digest, sha256Digest(manifest));
  EXPECT_EQ((*images)[0].names, std::vector<std::string>{"quay.io/m/n:1"});

  auto arm_images = readArchive(stringReader(tar), *cs_, Platform{"linux", "arm64"});
  ASSERT_TRUE(arm_images.ok()) << arm_images.error().what();
  EXPECT_EQ((*arm_images)[0].manifest_digest, sha256Digest(arm_bytes));
  auto none = readArchive(stringReader(tar), *cs_, Platform{"linux", "s390x"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Code::kNotFound);
}

TEST_F(ArchiveTest, WritesOciAndDockerDirectories) {
  auto images = readArchive(stringReader(dockerArchive()), *cs_);
  ASSERT_TRUE(images.ok()) << images.error().what();
  std::string oci = root_ + "/oci";
  ASSERT_TRUE(writeOciDir({(*images)[0]}, *cs_, oci).ok());
  ASSERT_TRUE(writeOciDir({(*images)[1]}, *cs_, oci).ok());
  EXPECT_EQ(*fs::readFile(oci + "/oci-layout"), R"({"imageLayoutVersion": "1.0.0"})");
  Index index = *parseIndex(*fs::readFile(oci + "/index.json"), "index.json");
  ASSERT_EQ(index.manifests.size(), 3u);  // busybox, then quay.io/x/y:2 and localhost/z
  EXPECT_EQ(index.manifests[0].annotations[std::string(kAnnotationRefName)],
            "docker.io/library/busybox:latest");
  EXPECT_TRUE(fs::exists(oci + "/blobs/sha256/" + hexOf(base_)));
  EXPECT_TRUE(fs::exists(oci + "/blobs/sha256/" + hexOf(app_b_)));
  // Saving busybox again replaces its entry instead of adding one.
  ASSERT_TRUE(writeOciDir({(*images)[0]}, *cs_, oci).ok());
  index = *parseIndex(*fs::readFile(oci + "/index.json"), "index.json");
  EXPECT_EQ(index.manifests.size(), 3u);

  std::string dir = root_ + "/dir";
  Status s = writeDockerDir(*images, *cs_, dir);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  s = writeDockerDir({(*images)[0]}, *cs_, dir);
  ASSERT_TRUE(s.ok()) << s.error().what();
  EXPECT_EQ(*fs::readFile(dir + "/version"), "Directory Transport Version: 1.1\n");
  EXPECT_EQ(*fs::readFile(dir + "/manifest.json"), *cs_->readAll((*images)[0].manifest_digest));
  EXPECT_EQ(*fs::readFile(dir + "/" + hexOf(config_a_)), config_a_);
  EXPECT_EQ(*fs::readFile(dir + "/" + hexOf(base_)), base_);

  // An OCI image saved to dir: gets a converted Docker manifest.
  store::ContentStore cs2(root_ + "/cs2");
  auto oci_images = readArchive(stringReader(ociArchive("busybox")), cs2);
  ASSERT_TRUE(oci_images.ok()) << oci_images.error().what();
  std::string dir2 = root_ + "/dir2";
  s = writeDockerDir(*oci_images, cs2, dir2);
  ASSERT_TRUE(s.ok()) << s.error().what();
  Manifest m = *parseManifest(*fs::readFile(dir2 + "/manifest.json"));
  EXPECT_EQ(m.media_type, media::kDockerManifest);
  EXPECT_EQ(m.config.media_type, media::kDockerConfig);
  EXPECT_EQ(m.layers[0].media_type, media::kDockerLayer);
}

TEST_F(ArchiveTest, NotAnArchive) {
  auto r = readArchive(stringReader("this is not a tar file at all, not even close......"), *cs_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << r.error().what();
  r = readArchive(stringReader(makeTar({{"hello.txt", "hi", "", ""}})), *cs_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find("manifest.json"), std::string::npos);
}

TEST_F(ArchiveTest, ReaderErrorsPropagate) {
  std::string tar = dockerArchive();
  size_t off = 0;
  store::Reader failing = [&](char* buf, size_t n) -> Result<size_t> {
    if (off > tar.size() / 2) return makeError(Code::kUnavailable, "connection reset");
    size_t k = std::min(n, size_t(4096));
    std::memcpy(buf, tar.data() + off, k);
    off += k;
    return k;
  };
  auto r = readArchive(failing, *cs_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnavailable) << r.error().what();
}

}  // namespace
}  // namespace berth::image
