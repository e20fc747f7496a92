// The remote services: berth's service interfaces (include/berth/api/) implemented over
// the libpod REST API with the bindings' calls, as podman's tunnel engine does. What a
// service cannot do remotely (no route, or a local-only operation) is kUnimplemented
// naming the operation.
#pragma once

#include "berth/api/containers.h"
#include "berth/api/images.h"
#include "berth/api/kube.h"
#include "berth/api/networks.h"
#include "berth/api/pods.h"
#include "berth/api/system.h"
#include "berth/api/secrets.h"
#include "berth/api/volumes.h"
#include "api/client/conn.h"
#include "berth/bindings/connection.h"

namespace berth::api::client {

// Creates the Connection's services (called once by connect()).
void attachServices(bindings::Connection& c);

class RemoteContainers : public ContainerService {
 public:
  explicit RemoteContainers(bindings::Connection& c) : c_(c) {}
  Result<ContainerCreateReport> create(const ContainerCreateRequest& req) override;
  Result<int> start(const std::string& name, const AttachStreams* attach) override;
  Result<int> attach(const std::string& name, const AttachStreams& streams) override;
  Result<std::vector<NameResult>> stop(const ContainerStopRequest& req) override;
  Result<std::vector<NameResult>> kill(const std::vector<std::string>& names, bool all,
                                       const std::string& signal) override;
  Result<std::vector<NameResult>> restart(const std::vector<std::string>& names, bool all,
                                          std::optional<int> timeout) override;
  Result<std::vector<NameResult>> pause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<NameResult>> unpause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<NameResult>> remove(const ContainerRemoveRequest& req) override;
  Result<std::vector<ContainerSummary>> list(const ContainerListRequest& req) override;
  Result<Json> inspect(const std::string& name, bool size) override;
  Result<int> wait(const std::string& name, const std::vector<std::string>& conditions, int64_t interval_ms) override;
  Status logs(const LogsRequest& req, const std::function<void(int, std::string_view)>& sink) override;
  Result<int> exec(const ExecRequest& req) override;
  Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                    const std::vector<std::string>& descriptors) override;
  Status rename(const std::string& name, const std::string& new_name) override;
  Result<bool> exists(const std::string& name, bool external = false) override;
  Status init(const std::string& name) override;
  Status cleanup(const std::string& name, bool rm) override;
  Result<std::vector<std::pair<std::string, int64_t>>> prune(const std::vector<std::string>& filters) override;
  Result<std::string> resolveId(const std::string& name) override;
  Result<std::string> latestId() override;
  Result<std::string> healthcheckRun(const std::string& name) override;
  Result<std::string> execDetached(const ExecRequest& req) override;
  Status resize(const std::string& name, int height, int width) override;
  Result<std::string> execCreate(const ExecRequest& req) override;
  Result<int> execStart(const std::string& session_id, const AttachStreams* streams) override;
  Result<ExecSessionInfo> execInspect(const std::string& session_id) override;
  Status execResize(const std::string& session_id, int height, int width) override;
  // No route on the service for these yet: kUnimplemented naming the command.
  Status copy(const CopyRequest& req) override;
  Result<ContainerPathStat> statPath(const std::string& name, const std::string& path) override;
  Status copyToArchive(const std::string& name, const std::string& path, int out_fd) override;
  Status copyFromArchive(const std::string& name, const std::string& path, int in_fd,
                         const ArchivePutOptions& opts) override;
  Result<std::vector<FileChange>> diff(const std::string& name) override;
  Status exportFs(const std::string& name, int out_fd) override;
  Result<std::vector<NameResult>> checkpoint(const CheckpointRequest& req) override;
  Result<std::vector<NameResult>> restore(const RestoreRequest& req) override;
  Result<std::string> commit(const CommitRequest& req) override;
  Result<std::string> mount(const std::string& name) override;
  Status unmount(const std::string& name, bool force) override;
  Result<std::vector<MountedContainer>> mounted() override;
  Result<std::string> update(const std::string& name, const SpecGenerator& patch) override;
  Result<std::vector<ContainerStats>> stats(const StatsRequest& req,
                                            std::map<std::string, ContainerStats>& previous) override;

 private:
  // The containers `all` selects (those `keep` accepts), as NameResults named by ID.
  Result<std::vector<NameResult>> selectAll(const std::function<bool(const ContainerSummary&)>& keep);
  Result<std::vector<NameResult>> each(const std::vector<std::string>& names, bool all,
                                       const std::function<bool(const ContainerSummary&)>& keep,
                                       const std::function<Status(const std::string&)>& op);
  bindings::Connection& c_;
};

class RemoteImages : public ImageService {
 public:
  explicit RemoteImages(bindings::Connection& c) : c_(c) {}
  Result<std::vector<ImageSummary>> list(const ImageListRequest& req) override;
  Result<Json> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<ImageRemoveReport> remove(const ImageRemoveRequest& req) override;
  Status tag(const std::string& image, const std::vector<std::string>& names) override;
  Status untag(const std::string& image, const std::vector<std::string>& names) override;
  Result<ImageLoadReport> load(const ImageLoadRequest& req) override;
  Status save(const ImageSaveRequest& req) override;
  Result<std::string> import(const ImageImportRequest& req) override;
  Result<std::vector<ImageHistoryEntry>> history(const std::string& image) override;
  Result<std::vector<std::pair<std::string, int64_t>>> prune(const ImagePruneRequest& req) override;
  Result<ImageTree> tree(const std::string& image) override;
  Result<ImagePullReport> pull(const ImagePullRequest& req) override;
  Result<std::string> push(const ImagePushRequest& req) override;
  // No route on the service for these yet: kUnimplemented naming the command.
  Result<std::string> mount(const std::string& image) override;
  Result<std::string> unmount(const std::string& image, bool force) override;
  Result<std::vector<MountedImage>> mounted() override;
  Result<std::vector<FileChange>> diff(const std::string& image) override;

 private:
  bindings::Connection& c_;
};

class RemoteSystem : public SystemService {
 public:
  explicit RemoteSystem(bindings::Connection& c) : c_(c) {}
  Result<Json> info() override;
  Status events(const EventsRequest& req, const std::function<bool(const Event&)>& sink) override;
  Result<DfReport> df() override;
  Result<SystemPruneReport> prune(const SystemPruneRequest& req) override;
  // No route on the service for these: kUnimplemented naming the command.
  Status reset() override;
  Status migrate(const std::string& new_runtime) override;
  Status renumber() override;
  Result<SystemCheckReport> check(const SystemCheckRequest& req) override;

 private:
  bindings::Connection& c_;
};

class RemoteNetworks : public NetworkService {
 public:
  explicit RemoteNetworks(bindings::Connection& c) : c_(c) {}
  Result<network::Network> create(const NetworkCreateRequest& req) override;
  Result<std::vector<network::Network>> list(const NetworkListRequest& req) override;
  Result<network::Network> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<std::vector<NetworkReport>> remove(const NetworkRemoveRequest& req) override;
  Result<std::vector<NetworkReport>> prune(const std::vector<std::string>& filters) override;
  Status connect(const NetworkConnectRequest& req) override;
  Status disconnect(const std::string& network, const std::string& container, bool force) override;

 private:
  bindings::Connection& c_;
};

// The libpod volume routes (podman's pkg/bindings/volumes); export, import, mount and
// unmount have no route in 4.3.1: kUnimplemented.
class RemoteVolumes : public VolumeService {
 public:
  explicit RemoteVolumes(bindings::Connection& c) : c_(c) {}
  Result<Volume> create(const VolumeCreateRequest& req) override;
  Result<std::vector<Volume>> list(const std::vector<std::string>& filters) override;
  Result<Volume> inspect(const std::string& name) override;
  Result<bool> exists(const std::string& name) override;
  Result<std::vector<VolumeReport>> remove(const VolumeRemoveRequest& req) override;
  Result<std::vector<VolumeReport>> prune(const std::vector<std::string>& filters, bool dry_run) override;
  Status exportTar(const std::string& name, int out_fd) override;
  Status importTar(const std::string& name, int in_fd) override;
  Result<std::string> mount(const std::string& name) override;
  Status unmount(const std::string& name) override;

 private:
  bindings::Connection& c_;
};

// The libpod secret routes (podman's pkg/bindings/secrets).
class RemoteSecrets : public SecretService {
 public:
  explicit RemoteSecrets(bindings::Connection& c) : c_(c) {}
  Result<std::string> create(const SecretCreateRequest& req) override;
  Result<std::vector<SecretInfo>> list(const std::vector<std::string>& filters) override;
  Result<SecretInfo> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<std::vector<SecretRemoveReport>> remove(const std::vector<std::string>& names, bool all) override;

 private:
  bindings::Connection& c_;
};

// The libpod pod routes (podman's pkg/bindings/pods); each named pod is one call.
class RemotePods : public PodService {
 public:
  explicit RemotePods(bindings::Connection& c) : c_(c) {}
  Result<std::string> create(const PodCreateRequest& req) override;
  Result<std::vector<PodReport>> start(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<PodReport>> stop(const PodStopRequest& req) override;
  Result<std::vector<PodReport>> restart(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<PodReport>> kill(const std::vector<std::string>& names, bool all,
                                      const std::string& signal) override;
  Result<std::vector<PodReport>> pause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<PodReport>> unpause(const std::vector<std::string>& names, bool all) override;
  Result<std::vector<PodReport>> remove(const PodRemoveRequest& req) override;
  Result<std::vector<PodReport>> prune() override;
  Result<std::vector<PodSummary>> list(const std::vector<std::string>& filters) override;
  Result<Json> inspect(const std::string& name) override;
  Result<bool> exists(const std::string& name) override;
  Result<std::string> resolveId(const std::string& name) override;
  Result<std::string> latestId() override;
  Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                    const std::vector<std::string>& descriptors) override;
  Result<std::vector<PodStatsReport>> stats(const PodStatsRequest& req,
                                            std::map<std::string, ContainerStats>& previous) override;

 private:
  // POST /pods/{name}/{verb} for each pod named (every pod with `all`), one report each;
  // `ignore_missing` turns a missing pod into an empty report.
  Result<std::vector<PodReport>> each(const std::vector<std::string>& names, bool all, std::string_view verb,
                                      const Query& q, std::string_view command, bool ignore_missing = false);
  bindings::Connection& c_;
};

// The libpod Kubernetes YAML routes (podman's pkg/bindings/kube and generate): the YAML is
// the body. Images are pulled by the service (KubePlayRequest::ensure_image is not used).
class RemoteKube : public KubeService {
 public:
  explicit RemoteKube(bindings::Connection& c) : c_(c) {}
  Result<std::string> generate(const KubeGenerateRequest& req) override;
  Result<KubePlayReport> play(const KubePlayRequest& req) override;
  Result<KubeDownReport> down(const std::string& yaml, const std::string& source, bool force) override;

 private:
  bindings::Connection& c_;
};

}  // namespace berth::api::client
