// Volume records in the state DB: fixed config and mutable state, as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct VolumeRecord {
  std::string name;
  int64_t created = 0;
  Json config;  // driver, labels, options, uid, gid, anonymous
  Json state;   // needs_copy_up, needs_chown, mount_count
};

// Sorted by name.
Result<std::vector<VolumeRecord>> listVolumes(Db& db);
Result<std::optional<VolumeRecord>> getVolume(Db& db, const std::string& name);
// kAlreadyExists "volume with name X already exists: volume already exists".
Status insertVolume(Db& db, const VolumeRecord& rec);
// kNotFound "no such volume X".
Status updateVolumeState(Db& db, const std::string& name, const Json& state);
// A missing volume is fine.
Status deleteVolume(Db& db, const std::string& name);
// IDs of the containers whose spec mounts volume `name` (spec.volumes[].Name), by creation.
Result<std::vector<std::string>> containersUsingVolume(Db& db, const std::string& name);
// Every volume name some container's spec mounts.
Result<std::vector<std::string>> volumesInUse(Db& db);

}  // namespace berth::state
