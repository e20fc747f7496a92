// ImageService: the image operations behind `berth image ...` and the images REST routes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/files.h"

namespace berth::api {

// One image as `images` lists it (podman's entities.ImageSummary).
struct ImageSummary {
  std::string id;
  std::string parent_id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  int64_t created = 0;  // unix seconds
  int64_t size = 0;
  int64_t shared_size = 0;
  std::map<std::string, std::string> labels;
  int64_t containers = 0;
  std::vector<std::string> names;
  std::string digest;
  std::vector<std::string> history;  // names it has had
  bool dangling = false;
  bool read_only = false;
};

struct ImageListRequest {
  bool all = false;                  // -a: include intermediate images
  std::vector<std::string> filters;  // key=value, podman's filter keys
};

struct ImageRemoveRequest {
  std::vector<std::string> images;
  bool all = false;
  bool force = false;
  bool ignore = false;  // -i: no error for unknown images
};

struct ImageRemoveReport {
  std::vector<std::string> untagged;  // names removed
  std::vector<std::string> deleted;   // image IDs removed
  std::vector<Error> errors;          // one per failed image, in order
};

struct ImageLoadRequest {
  std::string input;  // path, or "" / "-" for stdin
  bool quiet = false;
  std::function<void(const std::string&)> progress;  // optional progress lines
};

struct ImageLoadReport {
  std::vector<std::string> names;  // "Loaded image: <name>" lines; IDs for untagged images
};

struct ImageSaveRequest {
  std::vector<std::string> images;
  std::string output;  // path; "" means stdout
  std::string format = "docker-archive";  // docker-archive|oci-archive|oci-dir|docker-dir
  bool compress = false;
  bool uncompressed = false;  // oci-archive: write compressed layers decompressed
};

struct ImageImportRequest {
  std::string source;  // path, "-" for stdin
  std::string reference;  // optional name for the image
  std::vector<std::string> changes;  // Dockerfile instructions
  std::string message;
  std::string os, arch, variant;
};

struct ImageHistoryEntry {
  std::string id;  // image ID for the top entry, "<missing>" for the rest
  int64_t created = 0;  // unix seconds
  std::string created_by;
  int64_t size = 0;
  std::string comment;
  std::vector<std::string> tags;
};

struct ImagePruneRequest {
  bool all = false;
  std::vector<std::string> filters;
};

struct ImageTreeLayer {
  std::string id;  // chain or diff id
  int64_t size = 0;
  std::vector<std::string> top_of;  // names of images whose top layer this is
};

struct ImageTree {
  std::string id;
  std::vector<std::string> tags;
  int64_t size = 0;
  std::vector<ImageTreeLayer> layers;  // base first
};

// Progress of a pull or push, one event per change (the CLI renders it).
struct TransferProgress {
  enum Kind { kStart, kBlob, kBlobDone, kBlobSkipped, kConfig, kManifest, kMessage } kind = kMessage;
  std::string digest;
  uint64_t done = 0, total = 0;
  std::string text;  // kMessage/kStart: a line such as "Trying to pull quay.io/x:1..."
};
using ProgressFn = std::function<void(const TransferProgress&)>;

struct RegistryAccess {
  std::string authfile;   // --authfile
  std::string creds;      // --creds user[:password]
  std::string cert_dir;   // --cert-dir
  std::optional<bool> tls_verify;  // --tls-verify; unset: registries.conf decides
};

struct ImagePullRequest {
  std::string reference;
  bool all_tags = false;
  std::string os, arch, variant;  // platform; empty: this host's
  RegistryAccess access;
  bool have_tty = false;  // short-name prompts are possible
  std::function<Result<size_t>(const std::vector<std::string>&)> choose;  // prompt for a candidate
  ProgressFn progress;
  // --pull newer: a stored image of that name stays, unpulled, when the registry's manifest
  // digest for the name is one it came from, or when the registry cannot be asked.
  bool if_newer = false;
};

struct ImagePullReport {
  std::vector<std::string> ids;    // image IDs pulled
  std::vector<std::string> names;  // names given to them
  bool up_to_date = false;         // if_newer: the stored image was kept, nothing pulled
};

struct ImagePushRequest {
  std::string source;       // local image
  std::string destination;  // reference to push to; empty: the source name
  RegistryAccess access;
  std::string compression_format;  // gzip|zstd; empty: keep stored blobs, gzip uncompressed ones
  std::string format;              // oci|v2s2; empty: keep the stored manifest type
  std::string digestfile;
  ProgressFn progress;
};

struct MountedImage {
  std::string id;
  std::vector<std::string> names;  // repo tags
  std::string mountpoint;
};

class ImageService {
 public:
  virtual ~ImageService() = default;
  virtual Result<std::vector<ImageSummary>> list(const ImageListRequest& req) = 0;
  // podman's image inspect document.
  virtual Result<Json> inspect(const std::string& name_or_id) = 0;
  virtual Result<bool> exists(const std::string& name_or_id) = 0;
  virtual Result<ImageRemoveReport> remove(const ImageRemoveRequest& req) = 0;
  virtual Status tag(const std::string& image, const std::vector<std::string>& names) = 0;
  // Empty names: remove every name of the image.
  virtual Status untag(const std::string& image, const std::vector<std::string>& names) = 0;
  virtual Result<ImageLoadReport> load(const ImageLoadRequest& req) = 0;
  virtual Status save(const ImageSaveRequest& req) = 0;
  // Returns the new image's ID.
  virtual Result<std::string> import(const ImageImportRequest& req) = 0;
  virtual Result<std::vector<ImageHistoryEntry>> history(const std::string& image) = 0;
  // Returns the IDs removed and the bytes reclaimed.
  virtual Result<std::vector<std::pair<std::string, int64_t>>> prune(const ImagePruneRequest& req) = 0;
  virtual Result<ImageTree> tree(const std::string& image) = 0;
  virtual Result<ImagePullReport> pull(const ImagePullRequest& req) = 0;
  // Returns the pushed manifest's digest.
  virtual Result<std::string> push(const ImagePushRequest& req) = 0;
  // image mount: a read-only mount of the image's layers, counted; returns the mount point.
  virtual Result<std::string> mount(const std::string& image) = 0;
  // Drops one mount (all with `force`); returns the image ID if it was mounted, "" if not.
  virtual Result<std::string> unmount(const std::string& image, bool force) = 0;
  virtual Result<std::vector<MountedImage>> mounted() = 0;
  // Changes of the image's top layer against the layers below it.
  virtual Result<std::vector<FileChange>> diff(const std::string& image) = 0;
};

}  // namespace berth::api
