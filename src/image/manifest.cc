// Image manifests: parsing, serialisation in containers/image's field order, conversion.
#include "image/manifest.h"

#include "base/digest.h"
#include "base/json_access.h"
#include "image/image_config.h"

namespace berth::image {
namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<Descriptor> parseDescriptor(const Json& j, std::string_view what) {
  if (!j.is_object()) return json::typeError(what, "object", j);
  Descriptor d;
  d.media_type = TRY(json::optString(j, "mediaType", what));
  d.digest = TRY(json::getString(j, "digest", what));
  TRY_CTX(validateDigest(d.digest), "{}", json::fieldPath(what, "digest"));
  d.size = TRY(json::getInt(j, "size", what));
  if (d.size < 0) return makeError(Code::kInvalidArgument, "{}.size: {} is negative", what, d.size);
  d.urls = TRY(json::optStrings(j, "urls", what));
  if (const Json* a = TRY(json::optObject(j, "annotations", what))) {
    TRY(json::asStringMap(*a, json::fieldPath(what, "annotations")));
    d.annotations = *a;
  }
  if (const Json* p = TRY(json::optObject(j, "platform", what))) {
    std::string where = json::fieldPath(what, "platform");
    for (auto key : {"architecture", "os", "os.version", "variant"})
      TRY(json::optString(*p, key, where));
    for (auto key : {"os.features", "features"}) TRY(json::optStrings(*p, key, where));
    d.platform = *p;
  }
  return d;
}

// Maps a layer media type through a table of {docker, oci} pairs.
struct LayerTypePair {
  std::string_view docker, oci;
};
constexpr LayerTypePair kLayerTypes[] = {
    {media::kDockerLayer, media::kOciLayer},
    {media::kDockerLayerGzip, media::kOciLayerGzip},
    {media::kDockerLayerZstd, media::kOciLayerZstd},
    {media::kDockerForeignLayerGzip, media::kOciNondistLayerGzip},
};

}  // namespace

Descriptor makeDescriptor(std::string_view media_type, std::string digest, int64_t size) {
  Descriptor d;
  d.media_type = std::string(media_type);
  d.digest = std::move(digest);
  d.size = size;
  return d;
}

bool isIndexMediaType(std::string_view t) {
  return t == media::kOciIndex || t == media::kDockerManifestList;
}

bool isManifestMediaType(std::string_view t) {
  return t == media::kOciManifest || t == media::kDockerManifest;
}

bool isUncompressedLayer(std::string_view t) { return endsWith(t, ".tar"); }

Result<Manifest> parseManifest(std::string_view bytes, std::string_view descriptor_media_type) {
  Json j = TRY(parseJson(bytes, "manifest"));
  if (!j.is_object()) return makeError(Code::kInvalidArgument, "manifest: not a JSON object");
  Manifest m;
  m.media_type = TRY_CTX(json::optString(j, "mediaType", ""), "manifest");
  if (m.media_type.empty()) m.media_type = std::string(descriptor_media_type);
  if (m.media_type.empty()) m.media_type = std::string(media::kOciManifest);
  if (!isManifestMediaType(m.media_type))
    return makeError(Code::kUnimplemented, "unsupported manifest type {:?}", m.media_type);
  auto version = j.find("schemaVersion");
  if (version == j.end() || *version != 2)
    return makeError(Code::kUnimplemented, "unsupported manifest schemaVersion (want 2)");
  const Json* config = TRY_CTX(json::getObject(j, "config", ""), "manifest");
  m.config = TRY_CTX(parseDescriptor(*config, "config"), "manifest");
  if (const Json* layers = TRY_CTX(json::optArray(j, "layers", ""), "manifest"))
    for (size_t i = 0; i < layers->size(); ++i)
      m.layers.push_back(
          TRY_CTX(parseDescriptor((*layers)[i], json::indexPath("layers", i)), "manifest"));
  if (const Json* a = TRY_CTX(json::optObject(j, "annotations", ""), "manifest")) {
    TRY_CTX(json::asStringMap(*a, "annotations"), "manifest");
    m.annotations = *a;
  }
  return m;
}

Result<Index> parseIndex(std::string_view bytes, std::string_view what) {
  Json j = TRY(parseJson(bytes, what));
  if (!j.is_object()) return makeError(Code::kInvalidArgument, "{}: not a JSON object", what);
  Index index;
  index.media_type = TRY_CTX(json::optString(j, "mediaType", ""), "{}", what);
  auto version = j.find("schemaVersion");
  if (version == j.end() || *version != 2)
    return makeError(Code::kInvalidArgument, "{}: unsupported schemaVersion (want 2)", what);
  const Json* manifests = TRY_CTX(json::getArray(j, "manifests", ""), "{}", what);
  for (size_t i = 0; i < manifests->size(); ++i)
    index.manifests.push_back(TRY_CTX(
        parseDescriptor((*manifests)[i], json::indexPath("manifests", i)), "{}", what));
  return index;
}

Json descriptorJson(const Descriptor& d, bool docker) {
  Json j = Json::object();
  j["mediaType"] = d.media_type;
  if (docker) {
    j["size"] = d.size;
    j["digest"] = d.digest;
  } else {
    j["digest"] = d.digest;
    j["size"] = d.size;
  }
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (d.annotations.is_object() && !d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform.is_object()) j["platform"] = d.platform;
  return j;
}

std::string serializeManifest(const Manifest& m) {
  bool docker = m.media_type == media::kDockerManifest;
  Json j = Json::object();
  j["schemaVersion"] = 2;
  j["mediaType"] = m.media_type;
  j["config"] = descriptorJson(m.config, docker);
  Json layers = Json::array();
  for (const auto& l : m.layers) layers.push_back(descriptorJson(l, docker));
  j["layers"] = std::move(layers);
  if (!docker && m.annotations.is_object() && !m.annotations.empty())
    j["annotations"] = m.annotations;
  return j.dump();
}

std::string serializeIndex(const Index& index) {
  Json j = Json::object();
  j["schemaVersion"] = 2;
  if (!index.media_type.empty()) j["mediaType"] = index.media_type;
  Json manifests = Json::array();
  for (const auto& d : index.manifests) manifests.push_back(descriptorJson(d, false));
  j["manifests"] = std::move(manifests);
  return j.dump();
}

Result<Manifest> toOciManifest(const Manifest& m) {
  if (m.media_type == media::kOciManifest) return m;
  Manifest out = m;
  out.media_type = std::string(media::kOciManifest);
  out.config.media_type = std::string(media::kOciConfig);
  for (auto& l : out.layers) {
    bool mapped = false;
    for (const auto& p : kLayerTypes)
      if (l.media_type == p.docker) {
        l.media_type = std::string(p.oci);
        mapped = true;
        break;
      }
    if (!mapped)
      return makeError(Code::kUnimplemented, "layer {}: no OCI media type for {:?}", l.digest,
                       l.media_type);
  }
  return out;
}

Result<Manifest> toDockerManifest(const Manifest& m) {
  if (m.media_type == media::kDockerManifest) return m;
  Manifest out = m;
  out.media_type = std::string(media::kDockerManifest);
  out.config.media_type = std::string(media::kDockerConfig);
  out.annotations = nullptr;
  for (auto& l : out.layers) {
    bool mapped = false;
    for (const auto& p : kLayerTypes)
      if (l.media_type == p.oci) {
        l.media_type = std::string(p.docker);
        mapped = true;
        break;
      }
    if (!mapped)
      return makeError(Code::kUnimplemented, "layer {}: no Docker media type for {:?}", l.digest,
                       l.media_type);
    l.annotations = nullptr;
  }
  return out;
}

Result<std::vector<std::string>> configDiffIds(std::string_view config_bytes) {
  auto cfg = TRY(parseImageConfig(config_bytes));
  return std::move(cfg.diff_ids);
}

}  // namespace berth::image
