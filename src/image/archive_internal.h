// Pieces shared by the archive readers and writers of src/image (not a public interface).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "base/result.h"
#include "image/archive.h"
#include "image/tar_members.h"
#include "store/content_store.h"

namespace berth::image {

inline constexpr std::string_view kOciLayoutFile = "oci-layout";
// Byte for byte what containers/image writes (with the space).
inline constexpr std::string_view kOciLayoutContent = R"({"imageLayoutVersion": "1.0.0"})";
inline constexpr std::string_view kOciIndexFile = "index.json";
inline constexpr std::string_view kDockerManifestFile = "manifest.json";

// Readers over the members of one scanned archive.
Result<std::vector<ArchiveImage>> readDockerArchive(TarMembers& members, store::ContentStore& cs);
Result<std::vector<ArchiveImage>> readOciArchive(TarMembers& members, store::ContentStore& cs,
                                                 const Platform& platform);

// "blobs/sha256/<hex>" for "sha256:<hex>".
std::string blobPath(std::string_view digest);

// Adds `image` to `images`, or merges its names into the image with the same manifest digest.
void addOrMergeImage(std::vector<ArchiveImage>& images, ArchiveImage image);

// The layers' diff_ids: LayerBlob::diff_id, else the config's rootfs.diff_ids.
Result<std::vector<std::string>> layerDiffIds(const ArchiveImage& image,
                                              std::string_view config_bytes);

// An anonymous read-write temp file in $TMPDIR (default /var/tmp).
Result<UniqueFd> openTempFile();

// Decompresses `layer` (gzip, zstd or plain) into a temp file, checking the
// result against `diff_id` (kDataLoss naming both). Returns the file and its size.
struct TempBlob {
  UniqueFd fd;
  uint64_t size = 0;
};
Result<TempBlob> decompressLayerToTemp(const store::ContentStore& cs, std::string_view digest,
                                       std::string_view diff_id);

// Copies a stored blob to `path` via a temp file beside it and a rename.
Status copyBlobToFile(const store::ContentStore& cs, std::string_view digest,
                      const std::string& path);

}  // namespace berth::image
