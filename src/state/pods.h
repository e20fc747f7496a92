// Pod records in the state DB: the pod's create options and infra container, as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct PodRecord {
  std::string id;
  std::string name;
  int64_t created = 0;
  Json config;  // create options (labels, shared namespaces, exit policy, hostname...), infra_id
  Json state;   // {"creating": PID} until the infra container is recorded, else {}
};

// By creation.
Result<std::vector<PodRecord>> listPods(Db& db);
Result<std::optional<PodRecord>> getPod(Db& db, const std::string& id);
// Exact name, full ID or unique ID prefix. kNotFound "no pod with name or ID X found: no such
// pod"; an ambiguous prefix: kInvalidArgument.
Result<PodRecord> findPod(Db& db, const std::string& name_or_id);
// kAlreadyExists "pod X already exists: pod already exists" for a taken name.
Status insertPod(Db& db, const PodRecord& rec);
// kNotFound for a pod that is gone.
Status updatePod(Db& db, const PodRecord& rec);
// A missing pod is fine.
Status deletePod(Db& db, const std::string& id);
// IDs of the containers whose spec names pod `id`, by creation.
Result<std::vector<std::string>> podMembers(Db& db, const std::string& id);

}  // namespace berth::state
