// docker-archive: reading `docker save`/`podman save` tars and writing podman's layout.
#include <map>
#include <set>

#include "base/digest.h"
#include "base/json.h"
#include "base/json_access.h"
#include "image/archive_internal.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/tar_writer.h"
#include "store/decompress.h"

namespace berth::image {
namespace {

constexpr std::string_view kLegacyLayerFile = "layer.tar";
constexpr std::string_view kLegacyVersionFile = "VERSION";
constexpr std::string_view kLegacyConfigFile = "json";
constexpr std::string_view kRepositoriesFile = "repositories";

bool isHex64(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The digest a member's name promises: "<hex>.json" or "blobs/sha256/<hex>"; else empty.
std::string digestFromMemberName(std::string_view name) {
  std::string_view base =
      name.substr(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
  if (base.size() == 69 && base.substr(64) == ".json" && isHex64(base.substr(0, 64)))
    return "sha256:" + std::string(base.substr(0, 64));
  if (name.substr(0, 13) == "blobs/sha256/" && isHex64(name.substr(13)))
    return "sha256:" + std::string(name.substr(13));
  return {};
}

std::string_view layerMediaType(store::Compression c) {
  switch (c) {
    case store::Compression::kGzip:
      return media::kDockerLayerGzip;
    case store::Compression::kZstd:
      return media::kDockerLayerZstd;
    case store::Compression::kNone:
      break;
  }
  return media::kDockerLayer;
}

// One manifest.json entry: {"Config": ..., "RepoTags": [...], "Layers": [...]}.
Result<ArchiveImage> readItem(TarMembers& members, store::ContentStore& cs, const Json& item) {
  std::string config_name = TRY(json::getString(item, "Config", ""));
  TRY(json::getArray(item, "Layers", ""));
  std::vector<std::string> layer_names = TRY(json::optStrings(item, "Layers", ""));
  std::vector<std::string> repo_tags = TRY(json::optStrings(item, "RepoTags", ""));
  // Refuse references to missing members before storing anything.
  if (!members.has(config_name))
    return makeError(Code::kInvalidArgument, "config member {:?} is missing from the archive",
                     config_name);
  for (const auto& l : layer_names)
    if (!members.has(l))
      return makeError(Code::kInvalidArgument, "layer member {:?} is missing from the archive", l);

  ArchiveImage image;
  store::BlobInfo config =
      TRY_CTX(members.blob(config_name, cs, digestFromMemberName(config_name)), "config");
  std::string config_bytes = TRY_CTX(members.bytes(config_name, cs), "config");
  std::vector<std::string> diff_ids =
      TRY_CTX(configDiffIds(config_bytes), "config {:?}", config_name);
  if (diff_ids.size() != layer_names.size())
    return makeError(Code::kInvalidArgument, "config {:?} lists {} diff_ids but {} layers",
                     config_name, diff_ids.size(), layer_names.size());
  image.config_digest = config.digest;

  Manifest m;
  m.media_type = std::string(media::kDockerManifest);
  m.config = makeDescriptor(media::kDockerConfig, config.digest, int64_t(config.size));
  for (size_t i = 0; i < layer_names.size(); ++i) {
    const std::string& name = layer_names[i];
    store::BlobInfo blob =
        TRY_CTX(members.blob(name, cs, digestFromMemberName(name)), "layer {:?}", name);
    store::Compression c = store::detectCompression(members.find(name)->head);
    if (c == store::Compression::kNone && blob.digest != diff_ids[i])
      return makeError(Code::kDataLoss, "layer {:?} has digest {} but the config's diff_id is {}",
                       name, blob.digest, diff_ids[i]);
    LayerBlob layer{blob.digest, std::string(layerMediaType(c)), blob.size, diff_ids[i]};
    m.layers.push_back(makeDescriptor(layer.media_type, layer.digest, int64_t(layer.size)));
    image.layers.push_back(std::move(layer));
  }
  store::BlobInfo manifest = TRY_CTX(cs.writeBytes(serializeManifest(m)), "store manifest");
  image.manifest_digest = manifest.digest;
  image.manifest_media_type = m.media_type;

  for (const auto& tag : repo_tags) {
    Reference ref = TRY_CTX(parseNormalizedNamed(tag), "RepoTags");
    std::string name = withDefaultTag(std::move(ref)).string();
    if (std::find(image.names.begin(), image.names.end(), name) == image.names.end())
      image.names.push_back(std::move(name));
  }
  return image;
}

// Streams one layer as <diffid-hex>.tar, decompressing compressed blobs first.
Status writeLayer(TarWriter& tar, const store::ContentStore& cs, const LayerBlob& layer,
                  const std::string& diff_id, const std::string& member) {
  if (layer.digest == diff_id) {
    UniqueFd fd = TRY(cs.open(layer.digest));
    uint64_t size = TRY(cs.size(layer.digest));
    return tar.addFd(member, fd.get(), size);
  }
  TempBlob plain = TRY(decompressLayerToTemp(cs, layer.digest, diff_id));
  return tar.addFd(member, plain.fd.get(), plain.size);
}

// containers/image's legacy per-layer directories: <chain-id>/{layer.tar -> ../<diffid>.tar,
// VERSION, json}. Returns the top layer's ID ("" for no layers).
Result<std::string> writeLegacyLayers(TarWriter& tar, std::set<std::string>& written,
                                      const std::vector<std::string>& diff_ids,
                                      std::string_view config_bytes) {
  Json config = TRY(parseJson(config_bytes, "image config"));
  std::string chain, last;
  for (size_t i = 0; i < diff_ids.size(); ++i) {
    chain = chain.empty() ? diff_ids[i] : sha256Digest(chain + " " + diff_ids[i]);
    std::string id(digestHex(chain));
    if (written.insert(id + "/").second) {
      // Keys in sorted order, as Go marshals a map.
      Json legacy = Json::object();
      bool top = i + 1 == diff_ids.size();
      auto attr = [&](const char* key) {
        legacy[key] = config.is_object() && config.contains(key) ? config[key] : Json(nullptr);
      };
      if (top) {
        for (const char* key : {"architecture", "config", "container", "container_config",
                                "created", "docker_version"})
          attr(key);
      }
      legacy["id"] = id;
      if (top) attr("os");
      if (!last.empty()) legacy["parent"] = last;
      TRY(tar.addSymlink(id + "/" + std::string(kLegacyLayerFile),
                         "../" + std::string(digestHex(diff_ids[i])) + ".tar"));
      TRY(tar.addBytes(id + "/" + std::string(kLegacyVersionFile), "1.0"));
      TRY(tar.addBytes(id + "/" + std::string(kLegacyConfigFile), legacy.dump()));
    }
    last = id;
  }
  return last;
}

}  // namespace

Result<std::vector<ArchiveImage>> readDockerArchive(TarMembers& members, store::ContentStore& cs) {
  std::string text = TRY(members.bytes(kDockerManifestFile, cs));
  Json items = TRY(parseJson(text, kDockerManifestFile));
  if (!items.is_array()) return json::typeError(kDockerManifestFile, "array", items);
  std::vector<ArchiveImage> images;
  for (size_t i = 0; i < items.size(); ++i)
    addOrMergeImage(images, TRY_CTX(readItem(members, cs, items[i]), "manifest.json entry {}", i));
  return images;
}

Status writeDockerArchive(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                          int out_fd) {
  TarWriter tar(out_fd);
  TRY(tar.open());
  std::set<std::string> written;
  Json manifest = Json::array();
  std::map<std::string, size_t> item_of_config;
  std::map<std::string, std::map<std::string, std::string>> repositories;
  for (const auto& image : images) {
    std::string config_bytes = TRY(cs.readAll(image.config_digest));
    std::vector<std::string> diff_ids = TRY(layerDiffIds(image, config_bytes));
    Json layer_paths = Json::array();
    for (size_t i = 0; i < image.layers.size(); ++i) {
      std::string member = std::string(digestHex(diff_ids[i])) + ".tar";
      if (written.insert(member).second)
        TRY_CTX(writeLayer(tar, cs, image.layers[i], diff_ids[i], member), "save layer {}",
                image.layers[i].digest);
      layer_paths.push_back(member);
    }
    std::string config_member = std::string(digestHex(image.config_digest)) + ".json";
    if (written.insert(config_member).second) TRY(tar.addBytes(config_member, config_bytes));
    std::string top_id = TRY(writeLegacyLayers(tar, written, diff_ids, config_bytes));

    std::vector<Reference> tags;
    for (const auto& name : image.names) {
      Reference ref = TRY_CTX(parseNormalizedNamed(name), "image name");
      if (!ref.tag.empty()) tags.push_back(std::move(ref));
    }
    auto [it, fresh] = item_of_config.try_emplace(config_member, manifest.size());
    if (fresh) {
      Json item = Json::object();
      item["Config"] = config_member;
      item["RepoTags"] = Json::array();
      item["Layers"] = std::move(layer_paths);
      manifest.push_back(std::move(item));
    }
    Json& repo_tags = manifest[it->second]["RepoTags"];
    for (const auto& ref : tags) {
      std::string tag = ref.name() + ":" + ref.tag;
      if (std::find(repo_tags.begin(), repo_tags.end(), tag) == repo_tags.end())
        repo_tags.push_back(tag);
      if (!top_id.empty()) repositories[ref.name()][ref.tag] = top_id;
    }
  }
  TRY(tar.addBytes(kDockerManifestFile, manifest.dump()));
  if (!repositories.empty()) {
    Json repos = Json::object();
    for (const auto& [repo, tags] : repositories) {
      Json t = Json::object();
      for (const auto& [tag, id] : tags) t[tag] = id;
      repos[repo] = std::move(t);
    }
    TRY(tar.addBytes(kRepositoriesFile, repos.dump()));
  }
  return tar.close();
}

}  // namespace berth::image
