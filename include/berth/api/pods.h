// PodService: the pod operations behind `berth pod ...` (podman's pod model: containers that
// share namespaces through an infra container).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/api/specgen.h"

namespace berth::api {

// podman's pod states (define.PodState*).
inline constexpr const char* kPodCreated = "Created";
inline constexpr const char* kPodRunning = "Running";
inline constexpr const char* kPodDegraded = "Degraded";
inline constexpr const char* kPodStopped = "Stopped";
inline constexpr const char* kPodExited = "Exited";
inline constexpr const char* kPodPaused = "Paused";
inline constexpr const char* kPodError = "Error";

// podman's pod create options (entities.PodCreateOptions once parsed).
struct PodCreateRequest {
  std::string name;      // empty: a random name
  std::string hostname;  // empty: the pod's name
  std::string exit_policy;  // "continue" (default) or "stop"
  std::map<std::string, std::string> labels;
  bool infra = true;
  std::string infra_image;                 // empty: containers.conf infra_image, else the local pause image
  std::vector<std::string> infra_command;  // empty: the image's entrypoint
  std::string infra_name;                  // empty: <pod ID[:12]>-infra
  // --share: "ipc,net" (comma list; a leading "+" adds to the default ipc,net,uts; "none" or
  // "" shares nothing). Unset: the default.
  std::optional<std::string> share;
  bool share_parent = true;
  bool replace = false;  // an existing pod of that name is removed first (with its containers)
  std::vector<std::string> create_command;
  // The infra container's network configuration (--network, -p, --dns*, --add-host,
  // --no-hosts, --mac-address, --ip, ...), shared by every member that joins its network.
  ContainerNetworkConfig network;
  // The ID of the service container (kube play --service-container) that starts when this pod
  // starts, stops when it and the other pods it serves have stopped, and goes with the last.
  std::string service_container;
};

struct PodContainer {
  std::string id, name, status;
};

// One pod as `pod ps` lists it.
struct PodSummary {
  std::string id, name, status, infra_id, cgroup;
  int64_t created = 0;  // unix ns
  std::map<std::string, std::string> labels;
  std::vector<std::string> networks;
  std::vector<PodContainer> containers;  // by creation, the infra container included
};

struct PodStopRequest {
  std::vector<std::string> names;
  bool all = false;
  bool ignore = false;         // a missing pod is not an error
  std::optional<int> timeout;  // seconds; default each container's stop timeout
};

struct PodRemoveRequest {
  std::vector<std::string> names;
  bool all = false;
  bool force = false;   // stop running members first
  bool ignore = false;  // a missing pod is not an error
  std::optional<int> timeout;
};

// One result per pod: the pod ID (or the name as given when not found), or what failed.
// Errors of single containers are listed with the pod's error.
struct PodReport {
  std::string name;
  std::string id;
  std::optional<Error> error;
};

// One member's line of `pod stats` (podman's entities.PodStatsReport: formatted strings).
struct PodStatsReport {
  std::string pod, cid, name;  // pod and container IDs, 12 characters
  std::string cpu, mem_usage, mem_usage_bytes, mem, net_io, block_io, pids;
};

struct PodStatsRequest {
  std::vector<std::string> names;  // none: every pod
  bool all = false;
};

// ListPodsReport JSON (podman's entities.ListPodsReport), as `pod ps --format json` prints it
// and GET /libpod/pods/json answers.
Json podSummaryToJson(const PodSummary& p);
// The inverse, for the remote client; kInvalidArgument naming a field of the wrong type.
Result<PodSummary> podSummaryFromJson(const Json& j);
// PodStatsReport JSON: {"Pod","CID","Name","CPU","MemUsage","MemUsageBytes","Mem","NetIO",
// "BlockIO","PIDS"}.
Json podStatsToJson(const PodStatsReport& r);
Result<PodStatsReport> podStatsFromJson(const Json& j);
// podman's PodSpecGenerator, the body of POST /libpod/pods/create: name, hostname, labels,
// exit_policy, no_infra, infra_image, infra_command, infra_name, shared_namespaces,
// share_parent, pod_create_command and the network fields (netns, portmappings, Networks,
// dns_*, hostadd, network_options, with the SpecGenerator's names and checks).
Json podSpecToJson(const PodCreateRequest& req);
// kInvalidArgument naming the field of the wrong type.
Result<PodCreateRequest> podSpecFromJson(const Json& j);

class PodService {
 public:
  virtual ~PodService() = default;
  // Creates the pod and its infra container (building the local pause image when needed).
  // kAlreadyExists for a taken pod name (unless replace) or infra container name;
  // kInvalidArgument for a bad --share, exit policy or name. Returns the pod ID.
  virtual Result<std::string> create(const PodCreateRequest& req) = 0;
  // Infra first, then the other members in creation order.
  virtual Result<std::vector<PodReport>> start(const std::vector<std::string>& names, bool all) = 0;
  // Members first, then the infra container.
  virtual Result<std::vector<PodReport>> stop(const PodStopRequest& req) = 0;
  virtual Result<std::vector<PodReport>> restart(const std::vector<std::string>& names, bool all) = 0;
  virtual Result<std::vector<PodReport>> kill(const std::vector<std::string>& names, bool all,
                                              const std::string& signal) = 0;
  virtual Result<std::vector<PodReport>> pause(const std::vector<std::string>& names, bool all) = 0;
  virtual Result<std::vector<PodReport>> unpause(const std::vector<std::string>& names, bool all) = 0;
  // A pod with running members is refused (kFailedPrecondition) unless `force`.
  virtual Result<std::vector<PodReport>> remove(const PodRemoveRequest& req) = 0;
  // Removes the pods whose containers are all stopped or exited (and empty pods).
  virtual Result<std::vector<PodReport>> prune() = 0;
  // Filters key=value: id, name, label, status, ctr-names, ctr-ids, ctr-number, ctr-status,
  // network, until. kInvalidArgument for a bad filter.
  virtual Result<std::vector<PodSummary>> list(const std::vector<std::string>& filters) = 0;
  // podman's define.InspectPodData. kNotFound "no pod with name or ID X found: no such pod".
  virtual Result<Json> inspect(const std::string& name) = 0;
  virtual Result<bool> exists(const std::string& name) = 0;
  // The pod's ID, from a name, ID or unique ID prefix.
  virtual Result<std::string> resolveId(const std::string& name) = 0;
  // The most recently created pod (--latest); kNotFound when there is none.
  virtual Result<std::string> latestId() = 0;
  // The processes of the pod's running members (ps columns as container top takes them):
  // the header row once, then every member's rows. kFailedPrecondition "pod X has no
  // running containers".
  virtual Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                            const std::vector<std::string>& descriptors) = 0;
  // One report per running member of the pods named (or of every pod). `previous` carries
  // the last samples between calls of a stream (CPU % since then).
  virtual Result<std::vector<PodStatsReport>> stats(const PodStatsRequest& req,
                                                    std::map<std::string, ContainerStats>& previous) = 0;
};

}  // namespace berth::api
