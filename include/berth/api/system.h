// SystemService: version, info, events.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "events/event.h"

namespace berth::api {

using Event = events::Event;

// `events` and GET /events: the filter holds --filter/--since/--until.
struct EventsRequest {
  const events::Filter* filter = nullptr;
  bool stream = true;                        // follow new events (else replay and return)
  bool from_start = false;                   // streaming: replay the log first (--since/--until)
  const std::atomic<bool>* stop = nullptr;   // set to end a stream (an API client went away)
};

// system df: podman's entities.SystemDf*Report.
struct DfImage {
  std::string repository, tag, image_id;
  int64_t created = 0;  // unix seconds
  int64_t size = 0, shared_size = 0, unique_size = 0;
  int containers = 0;
};
struct DfContainer {
  std::string container_id, image;
  std::vector<std::string> command;
  int local_volumes = 0;
  int64_t size = 0, rw_size = 0;
  int64_t created = 0;  // unix seconds
  std::string status, names;
};
struct DfVolume {
  std::string volume_name;
  int links = 0;
  int64_t size = 0, reclaimable_size = 0;
};
struct DfReport {
  std::vector<DfImage> images;
  std::vector<DfContainer> containers;
  std::vector<DfVolume> volumes;
};

struct SystemPruneRequest {
  bool all = false;      // every unused image, not only dangling ones
  bool volumes = false;  // unused volumes too
  std::vector<std::string> filters;  // label=, until=
};
struct PruneItem {
  std::string id;
  int64_t size = 0;
};
struct SystemPruneReport {
  std::vector<PruneItem> containers, pods, images, volumes;
  std::vector<std::string> networks;
  int64_t reclaimed = 0;
};

struct SystemCheckRequest {
  bool quick = false;    // skip rehashing blobs
  bool repair = false;   // remove damaged images, layers and garbage
  bool force = false;    // also remove damaged containers
  int64_t max_age_ns = 24LL * 3600 * 1000000000;  // unreferenced layers younger than this are left alone
};
struct SystemCheckReport {
  bool errors = false;
  std::map<std::string, std::vector<std::string>> layers, images, containers;  // damaged -> problems
  std::vector<std::string> removed_layers, removed_images, removed_containers;
};

class SystemService {
 public:
  virtual ~SystemService() = default;
  // podman info's document (host, store, registries, version).
  virtual Result<Json> info() = 0;
  // Calls `sink` for each matching event, oldest first; `sink` returns false to
  // stop. kFailedPrecondition for the "none" backend.
  virtual Status events(const EventsRequest& req, const std::function<bool(const Event&)>& sink) = 0;
  virtual Result<DfReport> df() = 0;
  virtual Result<SystemPruneReport> prune(const SystemPruneRequest& req) = 0;
  // Removes every container (stopping it), image, volume and the rest of the
  // root and runroot: the state of a fresh installation.
  virtual Status reset() = 0;
  // Points every container at `new_runtime` when given.
  virtual Status migrate(const std::string& new_runtime) = 0;
  // podman renumbers its lock table; berth's locks are per object, so this checks them.
  virtual Status renumber() = 0;
  virtual Result<SystemCheckReport> check(const SystemCheckRequest& req) = 0;
};

}  // namespace berth::api
