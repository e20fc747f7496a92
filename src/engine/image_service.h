// LocalImageService: ImageService over the engine's state DB and stores.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/api/images.h"
#include "image/image_config.h"
#include "state/images.h"

namespace berth::engine {

class Engine;

// A resolved image: its record and, when the user named it, the matched name.
struct ResolvedImage {
  state::ImageRecord rec;
  std::string matched_name;  // "" when matched by ID
};

// Finds an image by full or short ID (with or without "sha256:"), by name
// (normalised; short names match localhost/, docker.io/library/ and then any
// repository ending in /<name>), or name@digest. kNotFound says
// "<input>: image not known"; an ambiguous ID prefix is kInvalidArgument.
Result<ResolvedImage> lookupImage(const std::vector<state::ImageRecord>& all, const std::string& input);

// The name a new image (commit, import, build) gets: short names under localhost/, the
// default tag added; a digest is refused (container_commit.cc).
Result<std::string> normalizeNewName(const std::string& input);

// Writes the config and manifest of an image made of `layers` (blobs already stored, bottom
// first) and stores its record with `names` (commit and build). `say` gets podman's
// "Copying blob ..." lines.
Result<state::ImageRecord> writeImage(Engine& e, const Json& cfg, std::vector<state::LayerRecord> layers, bool docker,
                                      const std::vector<std::string>& names,
                                      const std::function<void(const std::string&)>& say);

class LocalImageService : public api::ImageService {
 public:
  explicit LocalImageService(Engine& e) : e_(e) {}
  Result<std::vector<api::ImageSummary>> list(const api::ImageListRequest& req) override;
  Result<Json> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<api::ImageRemoveReport> remove(const api::ImageRemoveRequest& req) override;
  // rmi --force: removes the containers (and the pods of infra containers) using the images.
  Status removeImageUsers(const api::ImageRemoveRequest& req);
  Status tag(const std::string& image, const std::vector<std::string>& names) override;
  Status untag(const std::string& image, const std::vector<std::string>& names) override;
  Result<api::ImageLoadReport> load(const api::ImageLoadRequest& req) override;
  Status save(const api::ImageSaveRequest& req) override;
  Result<std::string> import(const api::ImageImportRequest& req) override;
  Result<std::vector<api::ImageHistoryEntry>> history(const std::string& image) override;
  Result<std::vector<std::pair<std::string, int64_t>>> prune(const api::ImagePruneRequest& req) override;
  Result<api::ImageTree> tree(const std::string& image) override;
  Result<api::ImagePullReport> pull(const api::ImagePullRequest& req) override;
  Result<std::string> push(const api::ImagePushRequest& req) override;
  // image_mount.cc
  Result<std::string> mount(const std::string& image) override;
  Result<std::string> unmount(const std::string& image, bool force) override;
  Result<std::vector<api::MountedImage>> mounted() override;
  Result<std::vector<api::FileChange>> diff(const std::string& image) override;

  // Unpacks the image's layers (idempotent) and stores the record with `names`.
  Result<state::ImageRecord> commitImage(const std::string& config_digest,
                                         const std::string& manifest_digest,
                                         const std::string& manifest_type,
                                         std::vector<state::LayerRecord> layers,
                                         const std::vector<std::string>& names);

  // Removes layers and blobs no image references any more.
  Status collectGarbage();
  // Detaches and forgets the image mounts of images that no longer exist (image_mount.cc).
  void dropStaleMounts();

 private:
  Result<ResolvedImage> resolve(const std::string& input);
  void removeUnusedParents(const state::ImageRecord& gone, api::ImageRemoveReport& rep);
  Result<image::ImageConfig> config(const state::ImageRecord& rec);
  Result<api::ImagePullReport> pullRegistry(const api::ImagePullRequest& req);
  Result<std::string> pushRegistry(const api::ImagePushRequest& req, const ResolvedImage& ri);
  // load and save without their events (pull and push from/to archives report their own).
  Result<api::ImageLoadReport> loadArchive(const api::ImageLoadRequest& req);
  Status saveImages(const api::ImageSaveRequest& req);
  // Pulls one fully qualified reference from its sources (mirrors, then the registry).
  Result<std::string> pullOne(const std::string& full_ref, const api::ImagePullRequest& req);
  Engine& e_;
};

}  // namespace berth::engine
