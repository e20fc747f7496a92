// Container records in the state DB: immutable config and mutable state, as JSON.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct ContainerRecord {
  std::string id;
  std::string name;
  std::string image_id;
  int64_t created = 0;
  Json config;  // specgen + resolved fields (image name, runtime, paths)
  Json state;   // status, pid, monitor_pid, started_at, finished_at, exit_code, restarts, error
};

Result<std::vector<ContainerRecord>> listContainers(Db& db);
// Like listContainers, but `config` holds only what listing needs (image_name,
// command, remove, spec.labels, spec.restart_policy, spec.portmappings, spec.Networks,
// spec.pod), extracted by SQLite: a
// full config is several kB of JSON and `ps -a` would parse thousands.
Result<std::vector<ContainerRecord>> listContainerSummaries(Db& db);
// The containers that may depend on container `id`: those whose config names its ID, or joins
// some container's namespace (by name or ID prefix). A superset: the caller checks each.
Result<std::vector<ContainerRecord>> listPossibleDependents(Db& db, const std::string& id);
// listContainerSummaries kept between calls on one connection (the API service lists again
// and again): the rows are read again only when the database changed since the last read,
// by another connection's commit (PRAGMA data_version) or by this one (total_changes()).
class SummaryCache {
 public:
  Result<std::shared_ptr<const std::vector<ContainerRecord>>> get(Db& db);

 private:
  int64_t data_version_ = -1, total_changes_ = -1;
  std::shared_ptr<const std::vector<ContainerRecord>> rows_;
};

Result<std::optional<ContainerRecord>> getContainer(Db& db, const std::string& id);
// kAlreadyExists names the taken name.
Status insertContainer(Db& db, const ContainerRecord& rec);
Status updateContainerState(Db& db, const std::string& id, const Json& state);
// Replaces the container's config (network connect/disconnect change its spec).
Status updateContainerConfig(Db& db, const std::string& id, const Json& config);
Status renameContainer(Db& db, const std::string& id, const std::string& name);
Status deleteContainer(Db& db, const std::string& id);
// Finds by exact name, full ID or unique ID prefix. kNotFound: "no container with name or ID
// \"x\" found: no such container"; ambiguous prefix: kInvalidArgument.
Result<ContainerRecord> findContainer(Db& db, const std::string& name_or_id);

}  // namespace berth::state
