// OCI image layout: reading oci-archive tars, writing oci-archive tars and OCI layout directories.
#include <unistd.h>

#include <map>
#include <set>

#include "base/digest.h"
#include "base/fs.h"
#include "base/json.h"
#include "image/archive_internal.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/tar_writer.h"

namespace berth::image {
namespace {

constexpr int kMaxIndexDepth = 4;

std::string annotation(const Json& annotations, std::string_view key) {
  if (!annotations.is_object()) return {};
  auto it = annotations.find(key);
  return it != annotations.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string platformField(const Json& platform, const char* key) {
  return annotation(platform, key);
}

// Stores (already done by the scan for blobs/sha256/ members) and checks a descriptor's blob.
Result<store::BlobInfo> descriptorBlob(TarMembers& members, store::ContentStore& cs,
                                       const Descriptor& d) {
  store::BlobInfo info = TRY(members.blob(blobPath(d.digest), cs, d.digest));
  if (int64_t(info.size) != d.size)
    return makeError(Code::kDataLoss, "blob {}: size {} does not match its descriptor's {}",
                     d.digest, info.size, d.size);
  return info;
}

// Follows image indexes down to one image manifest descriptor.
Result<Descriptor> resolveManifest(TarMembers& members, store::ContentStore& cs, Descriptor d,
                                   const Platform& platform) {
  for (int depth = 0; isIndexMediaType(d.media_type); ++depth) {
    if (depth == kMaxIndexDepth)
      return makeError(Code::kInvalidArgument, "image indexes nested deeper than {}",
                       kMaxIndexDepth);
    TRY(descriptorBlob(members, cs, d));
    std::string bytes = TRY(cs.readAll(d.digest));
    Index index = TRY(parseIndex(bytes, fmt::format("image index {}", d.digest)));
    if (index.manifests.size() == 1) {
      d = index.manifests[0];
      continue;
    }
    auto it = std::find_if(index.manifests.begin(), index.manifests.end(), [&](const auto& m) {
      return platformField(m.platform, "os") == platform.os &&
             platformField(m.platform, "architecture") == platform.architecture;
    });
    if (it == index.manifests.end())
      return makeError(Code::kNotFound, "image index {} has no manifest for {}/{}", d.digest,
                       platform.os, platform.architecture);
    d = *it;
  }
  return d;
}

Result<ArchiveImage> readImage(TarMembers& members, store::ContentStore& cs, const Descriptor& d) {
  TRY(descriptorBlob(members, cs, d));
  std::string bytes = TRY(cs.readAll(d.digest));
  Manifest m = TRY_CTX(parseManifest(bytes, d.media_type), "manifest {}", d.digest);
  // Refuse references to missing blobs before reading any of them.
  std::vector<const Descriptor*> blobs{&m.config};
  for (const auto& l : m.layers) blobs.push_back(&l);
  for (const Descriptor* b : blobs)
    if (!members.has(blobPath(b->digest)))
      return makeError(Code::kInvalidArgument, "manifest {}: blob member {:?} is missing", d.digest,
                       blobPath(b->digest));
  ArchiveImage image;
  image.manifest_digest = d.digest;
  image.manifest_media_type = m.media_type;
  TRY_CTX(descriptorBlob(members, cs, m.config), "config");
  image.config_digest = m.config.digest;
  std::string config = TRY(cs.readAll(m.config.digest));
  std::vector<std::string> diff_ids = TRY_CTX(configDiffIds(config), "config {}", m.config.digest);
  if (diff_ids.size() != m.layers.size())
    return makeError(Code::kInvalidArgument, "config {} lists {} diff_ids for {} layers",
                     m.config.digest, diff_ids.size(), m.layers.size());
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Descriptor& l = m.layers[i];
    TRY_CTX(descriptorBlob(members, cs, l), "layer {}", i);
    if (isUncompressedLayer(l.media_type) && l.digest != diff_ids[i])
      return makeError(Code::kDataLoss, "uncompressed layer {} does not match diff_id {}", l.digest,
                       diff_ids[i]);
    image.layers.push_back({l.digest, l.media_type, uint64_t(l.size), diff_ids[i]});
  }
  return image;
}

// containers/image's oci layout addManifest: a named entry takes the name
// from older entries; an entry for a digest already listed without a name
// replaces it.
void addToIndex(Index& index, Descriptor d) {
  std::string name = annotation(d.annotations, kAnnotationRefName);
  if (!name.empty()) {
    for (auto& m : index.manifests)
      if (annotation(m.annotations, kAnnotationRefName) == name) {
        m.annotations.erase(std::string(kAnnotationRefName));
        break;
      }
  }
  for (auto& m : index.manifests)
    if (m.digest == d.digest && annotation(m.annotations, kAnnotationRefName).empty()) {
      m = std::move(d);
      return;
    }
  index.manifests.push_back(std::move(d));
}

// What an OCI layout holds for a set of images.
struct OciLayout {
  std::set<std::string> stored_blobs;               // digests copied from the store
  std::map<std::string, std::string> memory_blobs;  // digest -> converted manifests
  std::map<std::string, TempBlob> temp_blobs;       // diff_id -> decompressed layer
  std::vector<Descriptor> descriptors;              // for index.json, in order
};

// With `uncompressed`, compressed layers are written decompressed (digest = diff_id) under
// a rewritten OCI manifest: podman's save --uncompressed.
Result<OciLayout> planOciLayout(const std::vector<ArchiveImage>& images,
                                const store::ContentStore& cs, bool uncompressed = false) {
  OciLayout out;
  for (const auto& image : images) {
    std::string bytes = TRY(cs.readAll(image.manifest_digest));
    Manifest m = TRY_CTX(parseManifest(bytes, image.manifest_media_type), "manifest {}",
                         image.manifest_digest);
    Descriptor desc =
        makeDescriptor(media::kOciManifest, image.manifest_digest, int64_t(bytes.size()));
    bool rewrite = false;
    if (uncompressed) {
      if (image.layers.size() != m.layers.size())
        return makeError(Code::kInvalidArgument, "manifest {}: {} layers, the image lists {}",
                         image.manifest_digest, m.layers.size(), image.layers.size());
      if (m.media_type != media::kOciManifest) {
        m = TRY(toOciManifest(m));
        rewrite = true;
      }
      for (size_t i = 0; i < m.layers.size(); ++i) {
        auto& l = m.layers[i];
        if (isUncompressedLayer(l.media_type)) continue;
        const std::string& diff_id = image.layers[i].diff_id;
        if (!out.temp_blobs.count(diff_id))
          out.temp_blobs.emplace(diff_id, TRY(decompressLayerToTemp(cs, l.digest, diff_id)));
        l.digest = diff_id;
        l.size = int64_t(out.temp_blobs.at(diff_id).size);
        l.media_type = std::string(media::kOciLayer);
        rewrite = true;
      }
    }
    if (rewrite) {
      std::string converted = serializeManifest(m);
      desc.digest = sha256Digest(converted);
      desc.size = int64_t(converted.size());
      out.memory_blobs[desc.digest] = std::move(converted);
      out.stored_blobs.insert(m.config.digest);
      for (const auto& l : m.layers)
        if (!out.temp_blobs.count(l.digest)) out.stored_blobs.insert(l.digest);
    } else if (m.media_type == media::kOciManifest) {
      out.stored_blobs.insert(image.manifest_digest);
    } else {
      Manifest oci = TRY(toOciManifest(m));
      std::string converted = serializeManifest(oci);
      desc.digest = sha256Digest(converted);
      desc.size = int64_t(converted.size());
      out.memory_blobs[desc.digest] = std::move(converted);
    }
    if (!rewrite) {
      out.stored_blobs.insert(m.config.digest);
      for (const auto& l : m.layers) out.stored_blobs.insert(l.digest);
    }
    if (image.names.empty()) out.descriptors.push_back(desc);
    for (const auto& name : image.names) {
      Descriptor named = desc;
      named.annotations = Json::object();
      named.annotations[std::string(kAnnotationRefName)] = name;
      out.descriptors.push_back(std::move(named));
    }
  }
  for (const auto& d : out.stored_blobs)
    if (!cs.has(d)) return makeError(Code::kNotFound, "blob {} is not in the content store", d);
  return out;
}

}  // namespace

Result<std::vector<ArchiveImage>> readOciArchive(TarMembers& members, store::ContentStore& cs,
                                                 const Platform& platform) {
  if (members.has(kOciLayoutFile)) {
    std::string layout = TRY(members.bytes(kOciLayoutFile, cs));
    Json j = TRY(parseJson(layout, kOciLayoutFile));
    if (!j.is_object() || !j.contains("imageLayoutVersion"))
      return makeError(Code::kInvalidArgument, "oci-layout: missing imageLayoutVersion");
  }
  std::string text = TRY(members.bytes(kOciIndexFile, cs));
  Index index = TRY(parseIndex(text, kOciIndexFile));
  std::vector<ArchiveImage> images;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const Descriptor& top = index.manifests[i];
    Descriptor d = TRY_CTX(resolveManifest(members, cs, top, platform), "index.json entry {}", i);
    ArchiveImage image = TRY_CTX(readImage(members, cs, d), "index.json entry {}", i);
    std::string name = annotation(top.annotations, kAnnotationContainerdName);
    if (name.empty()) name = annotation(top.annotations, kAnnotationRefName);
    if (!name.empty()) {
      Reference ref = TRY_CTX(normalizeLocalName(name), "index.json entry {} name", i);
      image.names.push_back(ref.string());
    }
    addOrMergeImage(images, std::move(image));
  }
  return images;
}

Status writeOciArchive(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                       int out_fd, bool uncompressed) {
  OciLayout layout = TRY(planOciLayout(images, cs, uncompressed));
  Index index;  // no mediaType, as containers/image writes it
  for (auto& d : layout.descriptors) addToIndex(index, d);
  // Members in lexical order, as a tar of the layout directory would have them.
  std::map<std::string, std::string> blobs;  // hex -> digest
  for (const auto& d : layout.stored_blobs) blobs[std::string(digestHex(d))] = d;
  for (const auto& [d, _] : layout.memory_blobs) blobs[std::string(digestHex(d))] = d;
  for (const auto& [d, _] : layout.temp_blobs) blobs[std::string(digestHex(d))] = d;
  TarWriter tar(out_fd);
  TRY(tar.open());
  TRY(tar.addDir("blobs"));
  TRY(tar.addDir("blobs/sha256"));
  for (const auto& [hex, digest] : blobs) {
    std::string member = "blobs/sha256/" + hex;
    if (auto it = layout.memory_blobs.find(digest); it != layout.memory_blobs.end()) {
      TRY(tar.addBytes(member, it->second));
      continue;
    }
    if (auto it = layout.temp_blobs.find(digest); it != layout.temp_blobs.end()) {
      if (::lseek(it->second.fd.get(), 0, SEEK_SET) < 0) return errnoError("rewind layer {}", digest);
      TRY(tar.addFd(member, it->second.fd.get(), it->second.size));
      continue;
    }
    UniqueFd fd = TRY(cs.open(digest));
    TRY(tar.addFd(member, fd.get(), TRY(cs.size(digest))));
  }
  TRY(tar.addBytes(kOciIndexFile, serializeIndex(index)));
  TRY(tar.addBytes(kOciLayoutFile, kOciLayoutContent));
  return tar.close();
}

Status writeOciDir(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                   const std::string& dir) {
  OciLayout layout = TRY(planOciLayout(images, cs));
  std::string blob_dir = fs::joinPath(dir, "blobs/sha256");
  TRY(fs::mkdirAll(blob_dir));
  Index index;  // no mediaType, as containers/image writes it
  std::string index_path = fs::joinPath(dir, kOciIndexFile);
  if (fs::exists(index_path)) {
    std::string old = TRY(fs::readFile(index_path));
    index = TRY_CTX(parseIndex(old, index_path), "existing OCI layout");
  }
  for (const auto& digest : layout.stored_blobs) {
    std::string path = fs::joinPath(blob_dir, digestHex(digest));
    if (fs::exists(path)) continue;  // content-addressed: an existing blob is this blob
    TRY(copyBlobToFile(cs, digest, path));
  }
  for (const auto& [digest, bytes] : layout.memory_blobs)
    TRY(fs::writeFileAtomic(fs::joinPath(blob_dir, digestHex(digest)), bytes));
  for (auto& d : layout.descriptors) addToIndex(index, d);
  TRY(fs::writeFileAtomic(fs::joinPath(dir, kOciLayoutFile), kOciLayoutContent));
  return fs::writeFileAtomic(index_path, serializeIndex(index));
}

}  // namespace berth::image
