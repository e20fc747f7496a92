// ForeignStorage: the containers another engine keeps in containers/storage (buildah's
// working containers, mostly), which podman calls "external" or "storage" containers.
// berth keeps its own store; this reads and changes containers/storage's files the way
// its Go library does (the same lock files, JSON files and driver layout), so that
// `ps --external`, `container exists --external`, `mount`, `umount`, `diff` and `rm`
// work on them as they do with podman, and buildah sees the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace berth::store {

struct ForeignStorageConfig {
  std::string graphroot = "/var/lib/containers/storage";
  std::string runroot = "/run/containers/storage";
  std::string driver;  // "overlay" or "vfs"; empty: the one whose files exist
  std::string mount_options = "nodev";  // overlay mount options ([storage.options.overlay] mountopt)
};

// storage.conf as containers/storage finds it: $CONTAINERS_STORAGE_CONF, else
// /etc/containers/storage.conf, else /usr/share/containers/storage.conf; defaults when
// none exists. An unreadable or malformed file is an error naming it.
Result<ForeignStorageConfig> loadForeignStorageConfig();

struct ForeignContainer {
  std::string id;
  std::vector<std::string> names;
  std::string image_id;
  std::string image_name;  // the image's first name, "" if it has none (or none is known)
  std::string layer;       // the container's own layer
  int64_t created = 0;     // unix ns
  bool buildah = false;    // buildah's working container (its buildah.json exists)
  bool podman = false;     // a libpod container (podman's metadata): podman owns its record
  bool is_volatile = false;  // flags.Volatile: its overlay is mounted "volatile" (no syncs)
};

// The container's file system as layers: `upper` is its own layer's directory (overlay:
// the upper dir with whiteouts; vfs: the whole tree) and `lowers` those below it, top
// first (vfs: only the parent's whole tree).
struct ForeignLayers {
  std::string upper;
  std::vector<std::string> lowers;
};

class ForeignStorage {
 public:
  explicit ForeignStorage(ForeignStorageConfig cfg);

  // Empty when containers/storage holds nothing (no store, or no containers file).
  Result<std::vector<ForeignContainer>> containers() const;
  // By full ID, name or unique ID prefix, as containers/storage looks them up.
  Result<std::optional<ForeignContainer>> find(const std::string& name_or_id) const;

  // Mounts the container's root file system (counted in mountpoints.json, as the library
  // counts it) and returns its path.
  Result<std::string> mount(const ForeignContainer& c);
  // Drops one mount (all with `force`); the last one unmounts and removes the mount point.
  // Not mounted: kFailedPrecondition.
  Status unmount(const ForeignContainer& c, bool force);
  // The mount point while the container is mounted, else nullopt.
  Result<std::optional<std::string>> mountPoint(const ForeignContainer& c) const;

  Result<ForeignLayers> layers(const ForeignContainer& c) const;

  // Removes the container and its layer. A mounted container needs `force` (which
  // unmounts it); podman's containers are refused (their record is podman's).
  Status remove(const ForeignContainer& c, bool force);

  const std::string& driver() const { return cfg_.driver; }

 private:
  std::string containersDir() const;
  std::string layersDir() const;
  std::string mountsDir() const;
  std::string driverDir() const;
  // Drops one mount (all with `force`) while the caller holds the layers lock; false
  // when the container was not mounted.
  Result<bool> dropMountLocked(const ForeignContainer& c, bool force);

  ForeignStorageConfig cfg_;
};

}  // namespace berth::store
