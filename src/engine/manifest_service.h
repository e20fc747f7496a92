// ManifestService: local manifest lists (image indexes) behind `berth manifest ...`.
//
// A list is a row in the state DB (name, fixed ID, index JSON, per-entry
// sources) and its index JSON is also written to the content store. Entries
// come from a registry (the manifest is copied from there on push) or from a
// local image (pushed with the image service on push).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "berth/api/images.h"
#include "base/json.h"
#include "base/result.h"

namespace berth::engine {

class Engine;

// Platform fields and annotations given on the command line; empty fields
// leave the entry's values alone.
struct ManifestEntryOverrides {
  std::string os, arch, variant, os_version;
  std::vector<std::string> features, os_features;
  std::vector<std::string> annotations;  // key=value
};

struct ManifestAddRequest {
  std::string list;
  std::string image;  // [docker://]registry reference, or a local image name/ID
  bool all = false;   // an index: add every entry instead of this host's platform
  ManifestEntryOverrides overrides;
  api::RegistryAccess access;
};

struct ManifestPushRequest {
  std::string list;
  std::string destination;  // [docker://]registry/repo[:tag]
  bool all = true;          // copy every entry's manifest and blobs too
  std::string format;       // oci|v2s2; empty: OCI index, entries unchanged
  api::RegistryAccess access;
  bool remove_list = false;  // --rm
  std::string digestfile;
  std::function<void(const std::string&)> progress;  // progress lines
};

class ManifestService {
 public:
  explicit ManifestService(Engine& e) : e_(e) {}

  // Creates the list LIST (a short name gets localhost/, :latest is added)
  // and adds `images`; with `amend` an existing list is reused. Returns its ID.
  Result<std::string> create(const std::string& list, const std::vector<std::string>& images, bool all,
                             bool amend, const api::RegistryAccess& access);
  // Adds (or replaces, by digest) entries; returns the list ID.
  Result<std::string> add(const ManifestAddRequest& req);
  // Changes the platform/annotations of the entry with `digest`; returns the list ID.
  Result<std::string> annotate(const std::string& list, const std::string& digest,
                               const ManifestEntryOverrides& overrides);
  // Removes the entry with `digest`; returns the list ID.
  Result<std::string> removeEntry(const std::string& list, const std::string& digest);
  // The local list's index, or for a registry reference (with a registry
  // domain or docker://) the registry's manifest or index, indented by 4.
  Result<std::string> inspect(const std::string& list_or_ref, const api::RegistryAccess& access);
  Result<bool> exists(const std::string& list);
  // Deletes lists; per list "Untagged"/"Deleted" or an error.
  api::ImageRemoveReport remove(const std::vector<std::string>& lists, bool ignore);
  // Copies the entries (with `all`) and puts the index at the destination
  // tag. Returns the pushed index's digest.
  Result<std::string> push(const ManifestPushRequest& req);

 private:
  Engine& e_;
};

}  // namespace berth::engine
