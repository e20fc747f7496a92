// Image archives: format detection for loading, and the helpers the readers and writers share.
#include "image/archive.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "base/digest.h"
#include "base/fs.h"
#include "base/tempfile.h"
#include "base/scope_exit.h"
#include "image/archive_internal.h"
#include "image/manifest.h"
#include "store/decompress.h"

namespace berth::image {

Result<std::vector<ArchiveImage>> readArchive(const store::Reader& in, store::ContentStore& cs,
                                              const Platform& platform) {
  TarMembers members = TRY(scanTar(in, cs));
  if (members.has(kDockerManifestFile)) return readDockerArchive(members, cs);
  if (members.has(kOciIndexFile)) return readOciArchive(members, cs, platform);
  return makeError(Code::kInvalidArgument,
                   "not an image archive: neither manifest.json (docker-archive) nor index.json "
                   "(oci-archive) found");
}

std::string blobPath(std::string_view digest) {
  return "blobs/sha256/" + std::string(digestHex(digest));
}

void addOrMergeImage(std::vector<ArchiveImage>& images, ArchiveImage image) {
  for (auto& existing : images) {
    if (existing.manifest_digest != image.manifest_digest) continue;
    for (auto& n : image.names)
      if (std::find(existing.names.begin(), existing.names.end(), n) == existing.names.end())
        existing.names.push_back(std::move(n));
    return;
  }
  images.push_back(std::move(image));
}

Result<std::vector<std::string>> layerDiffIds(const ArchiveImage& image,
                                              std::string_view config_bytes) {
  std::vector<std::string> ids;
  bool complete = std::all_of(image.layers.begin(), image.layers.end(),
                              [](const LayerBlob& l) { return !l.diff_id.empty(); });
  if (complete) {
    for (const auto& l : image.layers) ids.push_back(l.diff_id);
    return ids;
  }
  ids = TRY(configDiffIds(config_bytes));
  if (ids.size() != image.layers.size())
    return makeError(Code::kInvalidArgument, "image config lists {} diff_ids for {} layers",
                     ids.size(), image.layers.size());
  return ids;
}

Result<UniqueFd> openTempFile() {
  const char* env = ::getenv("TMPDIR");
  std::string dir = env && *env ? env : "/var/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  // O_TMPFILE is not supported everywhere (EOPNOTSUPP, EISDIR on old kernels).
  std::string tmpl = dir + "/berth-layer-XXXXXX";
  fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return errnoError("create temp file in {}", dir);
  ::unlink(tmpl.c_str());
  return UniqueFd(fd);
}

Result<TempBlob> decompressLayerToTemp(const store::ContentStore& cs, std::string_view digest,
                                       std::string_view diff_id) {
  UniqueFd in = TRY(cs.open(digest));
  store::Reader plain = TRY_CTX(store::decompressingReader(store::fdReader(in.get()), nullptr),
                                "layer {}", std::string(digest));
  TempBlob out{TRY(openTempFile()), 0};
  Sha256 hash;
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = TRY_CTX(plain(buf.data(), buf.size()), "decompress layer {}", std::string(digest));
    if (n == 0) break;
    hash.update(buf.data(), n);
    TRY_CTX(fs::writeAll(out.fd.get(), std::string_view(buf.data(), n)), "write temp layer");
    out.size += n;
  }
  std::string got = hash.digest();
  if (!diff_id.empty() && got != diff_id)
    return makeError(Code::kDataLoss, "layer {}: uncompressed digest {} does not match diff_id {}",
                     std::string(digest), got, std::string(diff_id));
  return out;
}

Status copyBlobToFile(const store::ContentStore& cs, std::string_view digest,
                      const std::string& path) {
  UniqueFd in = TRY(cs.open(digest));
  auto tmp_file = TRY(fs::createTempBeside(path, 0644));
  const std::string& tmp = tmp_file.path;
  UniqueFd out = std::move(tmp_file.fd);
  ScopeExit remove_tmp([&] { ::unlink(tmp.c_str()); });
  std::vector<char> buf(1 << 20);
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("read blob {}", std::string(digest));
    }
    if (n == 0) break;
    TRY_CTX(fs::writeAll(out.get(), std::string_view(buf.data(), size_t(n))), "write {}", tmp);
  }
  out.reset();
  if (::rename(tmp.c_str(), path.c_str()) < 0) return errnoError("rename {} to {}", tmp, path);
  remove_tmp.cancel();
  return {};
}

}  // namespace berth::image
