// LocalPodService: pods over the state DB; members are containers whose spec names the pod,
// sharing namespaces by joining the infra container's (container:<infra ID>).
#pragma once

#include <string>
#include <vector>

#include "berth/api/pods.h"
#include "state/pods.h"

namespace berth::engine {

class Engine;

// The namespaces a pod shares by default (podman's specgen.DefaultKernelNamespaces).
inline constexpr const char* kDefaultPodShare = "ipc,net,uts";

// podman's --share parsing: a comma list of cgroup, ipc, net, pid, uts (user is taken but
// needs --userns) or "none"; a leading "+" adds to the default. kInvalidArgument
// "invalid kernel namespace to share: X. Options are: cgroup, ipc, net, pid, uts or none".
Result<std::vector<std::string>> parseShare(const std::optional<std::string>& share);

// podman's pod status from its containers' statuses (createPodStatusResults): Created,
// Running, Degraded, Paused, Exited, Stopped or Error.
std::string podStatus(const std::vector<std::string>& container_statuses);

// The local pause image's name, podman's localhost/podman-pause:<version>-<build time>.
std::string pauseImageName();

class LocalPodService : public api::PodService {
 public:
  explicit LocalPodService(Engine& e) : e_(e) {}
  Result<std::string> create(const api::PodCreateRequest& req) override;
  Result<std::vector<api::PodReport>> start(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<api::PodReport>> stop(const api::PodStopRequest& req) override;
  Result<std::vector<api::PodReport>> restart(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<api::PodReport>> kill(const std::vector<std::string>& names, bool all,
                                           const std::string& signal) override;
  Result<std::vector<api::PodReport>> pause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<api::PodReport>> unpause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<api::PodReport>> remove(const api::PodRemoveRequest& req) override;
  Result<std::vector<api::PodReport>> prune() override;
  Result<std::vector<api::PodSummary>> list(const std::vector<std::string>& filters) override;
  Result<Json> inspect(const std::string& name) override;
  Result<bool> exists(const std::string& name) override;
  Result<std::string> resolveId(const std::string& name) override;
  Result<std::string> latestId() override;
  Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                    const std::vector<std::string>& descriptors) override;
  Result<std::vector<api::PodStatsReport>> stats(const api::PodStatsRequest& req,
                                                 std::map<std::string, api::ContainerStats>& previous) override;

  // The pod by name, ID or prefix, after rolling back pods whose creator died mid-create.
  Result<state::PodRecord> find(const std::string& name);
  // Exit policy "stop": once no member but the infra container runs, the infra container is
  // stopped (berth-cleanup calls this after a member exited). A missing pod is fine.
  Status applyExitPolicy(const std::string& pod_id);
  // What berth-cleanup does after a member of pod `pod_id` exited: the exit policy, then the
  // pod's service container stops when no pod it serves has a running container.
  Status memberExited(const std::string& pod_id);
  // The pods a service container serves.
  Result<std::vector<state::PodRecord>> servedPods(const std::string& service_id);
  // Removes service container `service_id` when no pod it served is left.
  Status removeServiceIfUnused(const std::string& service_id);
  // The image a pod's infra container runs by default (the service container runs it too).
  Result<std::string> defaultInfraImage() { return infraImage(api::PodCreateRequest{}); }
  // Removes pod `rec` and all its containers (stopping them with `force`; kFailedPrecondition
  // for running members otherwise). Fills `removed` with the container IDs removed.
  Status removePod(const state::PodRecord& rec, bool force, std::optional<int> timeout,
                   std::vector<std::string>* removed = nullptr);

 private:
  // pause/unpause of the members in the other state.
  Result<std::vector<api::PodReport>> setPaused(const std::vector<std::string>& names, bool all, bool pause);
  // Pods left "creating" by a process that is gone: their containers and records go.
  void recoverInterrupted();
  // The image the infra container runs: --infra-image or containers.conf's infra_image
  // (pulled when missing), else the local pause image (built from catatonit when missing).
  Result<std::string> infraImage(const api::PodCreateRequest& req);
  Result<std::string> ensurePauseImage();
  // Starts the pod's service container when it is not running.
  Status startService(const state::PodRecord& rec);
  // Stops the pod's service container once none of the pods it serves has a running container.
  Status stopServiceIfDone(const state::PodRecord& rec);

  // The members (infra first), synced, with their statuses.
  Result<std::vector<api::PodContainer>> members(const state::PodRecord& rec);
  // Selects pods by name (or all); unknown names become reports with errors.
  Result<std::vector<state::PodRecord>> select(const std::vector<std::string>& names, bool all,
                                               std::vector<api::PodReport>& reports);
  void emit(const state::PodRecord& rec, std::string_view status);
  // Runs `fn` for every container in `ids` at once, each on its own engine (a stop waits out
  // its own timeout, not the sum of all); the first error is returned.
  Status eachContainer(const std::vector<std::string>& ids,
                       const std::function<Status(api::ContainerService&, const std::string&)>& fn);

  Engine& e_;
};

}  // namespace berth::engine
