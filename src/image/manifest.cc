// Image manifests: parsing, serialisation in containers/image's field order, conversion.
#include "image/manifest.h"

#include "base/digest.h"

namespace berth::image {
namespace {

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::string> stringField(const Json& j, std::string_view key, std::string_view what,
                                bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return makeError(Code::kInvalidArgument, "{}: missing {:?}", what, key);
    return std::string();
  }
  if (!it->is_string())
    return makeError(Code::kInvalidArgument, "{}: {:?} is not a string", what, key);
  return it->get<std::string>();
}

Result<Descriptor> parseDescriptor(const Json& j, std::string_view what) {
  if (!j.is_object()) return makeError(Code::kInvalidArgument, "{}: not an object", what);
  Descriptor d;
  d.media_type = TRY(stringField(j, "mediaType", what, false));
  d.digest = TRY(stringField(j, "digest", what, true));
  TRY_CTX(validateDigest(d.digest), "{}", what);
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return makeError(Code::kInvalidArgument, "{}: missing or invalid \"size\"", what);
  d.size = size->get<int64_t>();
  if (auto urls = j.find("urls"); urls != j.end() && urls->is_array())
    for (const auto& u : *urls)
      if (u.is_string()) d.urls.push_back(u.get<std::string>());
  if (auto a = j.find("annotations"); a != j.end() && a->is_object()) d.annotations = *a;
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) d.platform = *p;
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
  m.media_type = TRY(stringField(j, "mediaType", "manifest", false));
  if (m.media_type.empty()) m.media_type = std::string(descriptor_media_type);
  if (m.media_type.empty()) m.media_type = std::string(media::kOciManifest);
  if (!isManifestMediaType(m.media_type))
    return makeError(Code::kUnimplemented, "unsupported manifest type {:?}", m.media_type);
  auto version = j.find("schemaVersion");
  if (version == j.end() || *version != 2)
    return makeError(Code::kUnimplemented, "unsupported manifest schemaVersion (want 2)");
  auto config = j.find("config");
  if (config == j.end()) return makeError(Code::kInvalidArgument, "manifest: missing \"config\"");
  m.config = TRY(parseDescriptor(*config, "manifest config"));
  auto layers = j.find("layers");
  if (layers != j.end() && !layers->is_null()) {
    if (!layers->is_array())
      return makeError(Code::kInvalidArgument, "manifest: \"layers\" is not a list");
    for (size_t i = 0; i < layers->size(); ++i)
      m.layers.push_back(TRY(parseDescriptor((*layers)[i], fmt::format("manifest layer {}", i))));
  }
  if (auto a = j.find("annotations"); a != j.end() && a->is_object()) m.annotations = *a;
  return m;
}

Result<Index> parseIndex(std::string_view bytes, std::string_view what) {
  Json j = TRY(parseJson(bytes, what));
  if (!j.is_object()) return makeError(Code::kInvalidArgument, "{}: not a JSON object", what);
  Index index;
  index.media_type = TRY(stringField(j, "mediaType", what, false));
  auto version = j.find("schemaVersion");
  if (version == j.end() || *version != 2)
    return makeError(Code::kInvalidArgument, "{}: unsupported schemaVersion (want 2)", what);
  auto manifests = j.find("manifests");
  if (manifests == j.end() || !manifests->is_array())
    return makeError(Code::kInvalidArgument, "{}: missing \"manifests\" list", what);
  for (size_t i = 0; i < manifests->size(); ++i)
    index.manifests.push_back(
        TRY(parseDescriptor((*manifests)[i], fmt::format("{} manifest {}", what, i))));
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
  Json j = TRY(parseJson(config_bytes, "image config"));
  auto rootfs = j.is_object() ? j.find("rootfs") : j.end();
  if (rootfs == j.end() || !rootfs->is_object())
    return makeError(Code::kInvalidArgument, "image config: missing \"rootfs\"");
  auto ids = rootfs->find("diff_ids");
  std::vector<std::string> out;
  if (ids == rootfs->end() || ids->is_null()) return out;
  if (!ids->is_array())
    return makeError(Code::kInvalidArgument, "image config: rootfs.diff_ids is not a list");
  for (const auto& id : *ids) {
    if (!id.is_string())
      return makeError(Code::kInvalidArgument, "image config: diff_id is not a string");
    std::string s = id.get<std::string>();
    TRY_CTX(validateDigest(s), "image config diff_id");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace berth::image
