// Image archives: loading docker-archive/oci-archive tars into the content store, and saving
// images as docker-archive, oci-archive, OCI layout directories and "dir:" directories.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "store/content_store.h"

namespace berth::image {

struct LayerBlob {
  std::string digest;      // the blob as stored (compressed or not)
  std::string media_type;  // as in the manifest
  uint64_t size = 0;
  std::string diff_id;  // digest of the uncompressed tar, from the config's rootfs.diff_ids
};

struct ArchiveImage {
  std::string config_digest;    // blob in the content store
  std::string manifest_digest;  // blob in the content store
  std::string manifest_media_type;
  std::vector<LayerBlob> layers;   // base first
  std::vector<std::string> names;  // fully normalised, e.g. "docker.io/library/busybox:latest"
};

// The platform chosen from an image index holding several manifests.
struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
};

// Reads a docker-archive or oci-archive tar (plain, gzip or zstd compressed)
// from `in` in one streaming pass. Blobs go straight into `cs`; on success
// every returned digest (manifest, config, layers) is stored there. The
// format is detected by its members: manifest.json means docker-archive,
// index.json (with oci-layout) means oci-archive.
//
// docker-archive: a Docker schema2 manifest is synthesised (deterministic
// bytes) and stored; names are the RepoTags normalised (busybox:1 ->
// docker.io/library/busybox:1). oci-archive: every manifest in index.json,
// nested indexes resolved to `platform` (or their only manifest); names from
// the io.containerd.image.name or org.opencontainers.image.ref.name
// annotation, normalised as podman does (a bare "latest" becomes
// localhost/latest:latest). Descriptors naming one manifest are merged.
//
// Errors: kInvalidArgument for a malformed archive or a reference to a
// missing member (named); kDataLoss for a blob whose content does not match
// its digest or an uncompressed layer that does not match its diff_id;
// kNotFound when an index has no manifest for `platform`. Blobs already
// streamed into `cs` before a failure stay there, unreferenced.
Result<std::vector<ArchiveImage>> readArchive(const store::Reader& in, store::ContentStore& cs,
                                              const Platform& platform = {});

// Writes podman's docker-archive layout to `out_fd`: <config-hex>.json, one
// uncompressed <diffid-hex>.tar per distinct layer (compressed blobs are
// decompressed through a temp file and checked against their diff_id),
// legacy <layer-id>/{layer.tar,VERSION,json}, manifest.json and
// repositories. Tagged names become RepoTags. Member order and metadata are
// fixed, so the same input always gives the same bytes.
Status writeDockerArchive(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                          int out_fd);

// Writes an OCI image layout as a tar to `out_fd` (oci-archive) or into the
// directory `dir` (created if needed; an existing index.json is kept, minus
// entries whose ref name is written again). index.json gets one descriptor
// per name (annotation org.opencontainers.image.ref.name = the full name) or
// one without annotation for an unnamed image. Docker schema2 manifests are
// converted to OCI manifests (config bytes unchanged); OCI manifests are kept.
// With `uncompressed`, compressed layers are written decompressed (save --uncompressed).
Status writeOciArchive(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                       int out_fd, bool uncompressed = false);
Status writeOciDir(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                   const std::string& dir);

// Writes containers/image's "dir:" layout for exactly one image (else
// kInvalidArgument): manifest.json (Docker schema2; OCI manifests converted),
// version, and every blob named by its bare hex digest.
Status writeDockerDir(const std::vector<ArchiveImage>& images, const store::ContentStore& cs,
                      const std::string& dir);

}  // namespace berth::image
