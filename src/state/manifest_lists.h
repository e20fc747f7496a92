// Manifest list records in the state DB: a local image index and where its entries come from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct ManifestListRecord {
  std::string name;    // fully qualified, e.g. localhost/list:latest
  std::string id;      // 64 hex, fixed at creation
  std::string digest;  // digest of index_json
  int64_t created = 0;  // ns
  std::string index_json;
  // Entry digest -> its source: {"transport":"docker","reference":"host/repo@digest"}
  // or {"transport":"containers-storage","image":"<image id>"}.
  Json sources = Json::object();
};

// Table operations; callers wrap writes in Db::transaction.
Result<std::vector<ManifestListRecord>> listManifestLists(Db& db);
Result<std::optional<ManifestListRecord>> getManifestListByName(Db& db, const std::string& name);
// Inserts a new list or updates the one with the same id (index, digest, sources).
Status putManifestList(Db& db, const ManifestListRecord& rec);
Status deleteManifestList(Db& db, const std::string& id);

}  // namespace berth::state
