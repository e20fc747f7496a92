// berth::images: the libpod image routes (podman's pkg/bindings/images).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/files.h"
#include "berth/api/images.h"
#include "berth/bindings/connection.h"

namespace berth::images {

using bindings::Connection;

Result<std::vector<api::ImageSummary>> list(Connection& c, const api::ImageListRequest& req = {});
// podman's image inspect document.
Result<Json> inspect(Connection& c, const std::string& name);
Result<bool> exists(Connection& c, const std::string& name);

struct PullOptions {
  bool all_tags = false, quiet = false;
  std::string policy;  // always|missing|newer|never; "" = always
  std::string os, arch, variant;
  api::RegistryAccess access;  // creds and tls_verify are sent; authfile's credentials too
  // The service's progress text ("Trying to pull ...", "Copying blob ..."), line by line.
  std::function<void(std::string_view)> progress;
};
// Returns the IDs of the images pulled.
Result<std::vector<std::string>> pull(Connection& c, const std::string& reference, const PullOptions& opts = {});

struct PushOptions {
  std::string destination, format, compression_format;
  api::RegistryAccess access;
  bool quiet = false;
  std::function<void(std::string_view)> progress;
};
// Returns the pushed manifest's digest (when the service reports it).
Result<std::string> push(Connection& c, const std::string& source, const PushOptions& opts = {});

// Removes images; per-image errors are in the report (codes from the service).
Result<api::ImageRemoveReport> remove(Connection& c, const api::ImageRemoveRequest& req);
Status tag(Connection& c, const std::string& image, const std::string& repo, const std::string& tag);
// Empty repo: every name of the image.
Status untag(Connection& c, const std::string& image, const std::string& repo = {}, const std::string& tag = {});
Result<std::vector<api::ImageHistoryEntry>> history(Connection& c, const std::string& image);
Result<std::vector<std::pair<std::string, int64_t>>> prune(Connection& c, const api::ImagePruneRequest& req = {});
// Uploads an image archive (docker-archive or oci-archive) read from `fd`; returns the names loaded.
Result<std::vector<std::string>> load(Connection& c, int fd);
// Writes an archive of `images` (format docker-archive|oci-archive|oci-dir|docker-dir, as tar) to `fd`.
Status save(Connection& c, const std::vector<std::string>& images, const std::string& format, bool compress, int fd);
// Imports a root filesystem tarball read from `fd`; returns the new image's ID.
Result<std::string> import(Connection& c, int fd, const api::ImageImportRequest& req);

// GET /images/{name}/changes: the image's top layer changes against its parent, in path order.
Result<std::vector<api::FileChange>> changes(Connection& c, const std::string& image);

}  // namespace berth::images
