// Image manifests: media types, parsing, deterministic serialisation, Docker <-> OCI conversion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::image {

namespace media {
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
// Not a Docker-defined type: used for zstd layers found in docker-archives.
inline constexpr std::string_view kDockerLayerZstd =
    "application/vnd.docker.image.rootfs.diff.tar.zstd";
inline constexpr std::string_view kDockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kOciNondistLayer =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view kOciNondistLayerGzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view kOciNondistLayerZstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
}  // namespace media

inline constexpr std::string_view kAnnotationRefName = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kAnnotationContainerdName = "io.containerd.image.name";

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  // Checked by parseDescriptor: annotations map strings to strings; the
  // platform's architecture, os, os.version and variant are strings and
  // os.features / features arrays of strings.
  Json annotations;  // object or null
  Json platform;     // object or null (index entries)
};

Descriptor makeDescriptor(std::string_view media_type, std::string digest, int64_t size);

struct Manifest {
  std::string media_type;  // kDockerManifest or kOciManifest
  Descriptor config;
  std::vector<Descriptor> layers;
  Json annotations;  // object or null (OCI only)
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

bool isIndexMediaType(std::string_view media_type);
bool isManifestMediaType(std::string_view media_type);
// True when a layer media type says the blob is an uncompressed tar.
bool isUncompressedLayer(std::string_view media_type);

// Parses an image manifest. The media type comes from its mediaType field,
// else `descriptor_media_type`, else OCI. Errors: kInvalidArgument for
// malformed JSON or descriptors, kUnimplemented for other manifest types
// (schema1, artifacts).
Result<Manifest> parseManifest(std::string_view bytes, std::string_view descriptor_media_type = {});
Result<Index> parseIndex(std::string_view bytes, std::string_view what);

// Compact JSON in the field order containers/image marshals: schemaVersion,
// mediaType, config, layers; Docker descriptors are {mediaType,size,digest},
// OCI ones {mediaType,digest,size}. Same input, same bytes.
std::string serializeManifest(const Manifest& m);
// index.json as containers/image writes it.
std::string serializeIndex(const Index& index);
Json descriptorJson(const Descriptor& d, bool docker);

// Converts between Docker schema2 and OCI manifests (layer media types
// mapped, config bytes unchanged). A manifest already of the target type is
// returned as is. kUnimplemented for a layer type without an equivalent.
Result<Manifest> toOciManifest(const Manifest& m);
Result<Manifest> toDockerManifest(const Manifest& m);

// The config's rootfs.diff_ids, after checking the whole config
// (parseImageConfig): kInvalidArgument naming the field when malformed.
Result<std::vector<std::string>> configDiffIds(std::string_view config_bytes);

}  // namespace berth::image
