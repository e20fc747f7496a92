// containers/image's "dir:" transport layout: manifest.json, version, blobs by bare hex digest.
#include "base/digest.h"
#include "base/fs.h"
#include "image/archive_internal.h"
#include "image/manifest.h"

namespace berth::image {
namespace {

constexpr std::string_view kVersionFile = "version";
constexpr std::string_view kVersionContent = "Directory Transport Version: 1.1\n";

}  // namespace

Status writeDockerDir(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                      const std::string& dir) {
  if (images.size() != 1)
    return makeError(Code::kInvalidArgument,
                     "the dir format holds exactly one image, {} were given", images.size());
  const ArchiveImage& image = images[0];
  std::string bytes = TRY(cs.readAll(image.manifest_digest));
  Manifest m = TRY_CTX(parseManifest(bytes, image.manifest_media_type), "manifest {}",
                       image.manifest_digest);
  // A stored Docker manifest is written byte for byte; an OCI one is converted.
  if (m.media_type != media::kDockerManifest) bytes = serializeManifest(TRY(toDockerManifest(m)));

  TRY(fs::mkdirAll(dir));
  TRY(fs::writeFileAtomic(fs::joinPath(dir, kVersionFile), kVersionContent));
  std::vector<std::string> blobs{m.config.digest};
  for (const auto& l : m.layers) blobs.push_back(l.digest);
  for (const auto& digest : blobs) {
    if (!cs.has(digest))
      return makeError(Code::kNotFound, "blob {} is not in the content store", digest);
    TRY(copyBlobToFile(cs, digest, fs::joinPath(dir, digestHex(digest))));
  }
  return fs::writeFileAtomic(fs::joinPath(dir, kDockerManifestFile), bytes);
}

}  // namespace berth::image
