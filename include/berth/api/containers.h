// ContainerService: the container lifecycle behind `berth run/ps/stop/...` and the containers routes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/specgen.h"
#include "berth/api/files.h"

namespace berth::api {

// podman's container states.
// kStopping: running, while a stop waits for it to end (podman's "stopping").
// kStorage: a container of containers/storage that another tool (buildah) made; berth
// lists it with ps --external and can mount, diff and remove it, nothing else.
enum class ContainerStatus { kConfigured, kCreated, kRunning, kPaused, kStopped, kExited, kRemoving, kStopping, kStorage };
std::string_view statusName(ContainerStatus s);

struct ContainerSummary {
  std::string id;
  std::vector<std::string> names;
  std::string image;     // the name the user gave, normalised
  std::string image_id;
  std::vector<std::string> command;
  int64_t created = 0;     // unix ns
  int64_t started_at = 0;  // unix ns, 0 if never
  int64_t exited_at = 0;   // unix ns, 0 if never
  ContainerStatus status = ContainerStatus::kConfigured;
  int exit_code = 0;
  bool exited = false;
  int pid = 0;
  bool auto_remove = false;
  std::map<std::string, std::string> labels;
  int restarts = 0;
  int64_t size_rw = -1, size_root_fs = -1;  // with --size
  // With ContainerListRequest::namespaces, for a running container: the inode
  // number of each of its namespaces by /proc/PID/ns name ("ipc" -> "4026532265").
  std::map<std::string, std::string> namespaces;
  std::vector<PortMapping> ports;     // published ports (host port 0 never: chosen at create)
  std::vector<std::string> networks;  // the networks it joins (bridge mode)
  std::string health;                 // "", "starting", "healthy" or "unhealthy"
  std::string pod, pod_name;          // the pod it belongs to (ID and name), if any
  bool is_infra = false;              // it is that pod's infra container
};

struct ContainerListRequest {
  bool all = false;
  int last = -1;  // -n
  bool latest = false;
  bool size = false;
  std::vector<std::string> filters;
  bool namespaces = false;  // fill ContainerSummary::namespaces (ps --ns)
  bool external = false;    // also containers/storage's containers of other tools (ps --external)
};

struct ContainerCreateRequest {
  SpecGenerator spec;  // podman's create document; the engine checks it (validateSpec)
  bool replace = false;
  // The pod's own infra container (spec.pod names the pod being created): it holds the
  // namespaces the members join. Local engine only (PodService::create).
  bool pod_infra = false;
  // A service container (kube play --service-container): inspect's IsService; it runs while
  // one of its pods runs and goes with the last of them. Local engine only.
  bool service = false;
  // Local engine only: the new container takes this ID (restore --import keeps the
  // checkpointed container's). kAlreadyExists when a container has it.
  std::string id;
};

struct ContainerCreateReport {
  std::string id;
  std::vector<std::string> warnings;
};

// Streams for attach: the CLI passes its own fds.
struct AttachStreams {
  int in = -1;   // -1: no stdin
  int out = 1;
  int err = 2;
  bool tty = false;
  std::string detach_keys = "ctrl-p,ctrl-q";
  bool proxy_signals = true;
  // When set, output goes here instead of out/err (the API server frames it):
  // stream 1 stdout, 2 stderr. Returning false (the reader is gone) ends the
  // attach as a detach.
  std::function<bool(int stream, std::string_view data)> output;
  // An fd whose hangup ends the attach as a detach (an API client's connection).
  int hangup_fd = -1;
  // Attach also to a created, not yet started container (the API attaches
  // before it starts, as podman's compat attach does after an init).
  bool allow_created = false;
  // Called once the attach is connected to the container, before any output is relayed
  // (the API answers its client only then, so a start that follows loses no output).
  // An error ends the attach with it.
  std::function<Status()> on_connected;
};


struct ContainerStopRequest {
  std::vector<std::string> names;
  bool all = false;
  bool ignore = false;
  std::optional<int> timeout;  // seconds; default the container's stop timeout
};

struct ContainerRemoveRequest {
  std::vector<std::string> names;
  bool all = false;
  bool force = false;
  bool ignore = false;
  bool volumes = false;
  bool depend = false;  // also remove the containers that depend on these, first
  std::optional<int> timeout;
  // The pod of these containers is being removed: its infra container may go too.
  bool removing_pod = false;
};

struct NameResult {
  NameResult() = default;
  NameResult(std::string n, std::string i, std::optional<Error> e, std::optional<Json> r = std::nullopt)
      : name(std::move(n)), id(std::move(i)), error(std::move(e)), report(std::move(r)) {}
  std::string name;  // what the user gave (or the ID for -a)
  std::string id;
  std::optional<Error> error;
  // checkpoint/restore with print_stats: podman's CheckpointReport/RestoreReport ("Id", the
  // runtime's duration in microseconds, "criu_statistics").
  std::optional<Json> report;
};

struct LogsRequest {
  std::vector<std::string> names;
  bool follow = false;
  bool timestamps = false;
  int64_t tail = -1;
  int64_t since = 0;  // unix ns, 0 = none
  int64_t until = 0;
  bool names_prefix = false;  // several containers: prefix lines with the short ID
  bool use_names = false;     // --names: the prefix is the container name
  // Polled while following: true ends the stream (the API client went away).
  std::function<bool()> cancelled;
};

struct ExecRequest {
  std::string container;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string user, workdir;
  bool interactive = false, tty = false, detach = false, privileged = false;
  std::string detach_keys = "ctrl-p,ctrl-q";
};

// An exec session (the API's exec instances: create, start, inspect, resize).
struct ExecSessionInfo {
  std::string id;
  std::string container_id;
  ExecRequest config;
  bool running = false;
  bool exited = false;
  int exit_code = 0;
  int pid = 0;
  bool can_remove = false;
};

// A path in a container as podman's define.FileInfo describes it (the
// X-Docker-Container-Path-Stat payload of HEAD /containers/{id}/archive).
struct ContainerPathStat {
  std::string name;
  int64_t size = 0;
  uint32_t mode = 0;      // Go os.FileMode bits (type bits as Go encodes them)
  int64_t mtime_ns = 0;   // unix ns
  bool is_dir = false;
  std::string link_target;  // absolute container path, links resolved
};

// PUT /containers/{id}/archive: how a tar stream is written into a container.
struct ArchivePutOptions {
  bool chown = true;  // members owned by the container's user (cp -a)
  bool no_overwrite_dir_nondir = false;
  std::map<std::string, std::string> rename;  // member name (or prefix) -> new name
};

// `cp [CTR:]SRC [CTR:]DST` as podman runs it. A path without "CTR:" (or
// starting with "." or "/") is on the local host; "-" is a tar stream on
// `stdin_fd` (source) or `stdout_fd` (destination).
struct CopyRequest {
  std::string source, destination;
  bool archive = true;    // -a: chown to the destination container's user
  bool overwrite = false; // --overwrite: dirs and non-dirs replace each other
  int stdin_fd = 0, stdout_fd = 1;
};

struct CommitRequest {
  std::string container;
  std::string image_name;  // "" leaves the image unnamed
  std::string author, message;
  std::vector<std::string> changes;  // -c Dockerfile instructions
  std::string format = "oci";        // oci|docker
  bool pause = false, squash = false, include_volumes = false;
  std::function<void(const std::string&)> progress;  // podman's "Copying blob ..." lines
};

struct MountedContainer {
  std::string id;
  std::vector<std::string> names;
  std::string mountpoint;
};

// podman's define.ContainerStats: one sample of a container's resource use.
struct ContainerStats {
  std::string id, name;
  double cpu = 0;      // % since the previous sample (or since the start)
  double avg_cpu = 0;  // % since the container started
  uint64_t cpu_nano = 0, cpu_system_nano = 0, system_nano = 0;
  std::vector<uint64_t> per_cpu;
  uint64_t mem_usage = 0, mem_limit = 0;
  double mem_perc = 0;
  uint64_t net_input = 0, net_output = 0;  // podman's order: input = tx bytes, output = rx bytes
  uint64_t block_input = 0, block_output = 0;
  uint64_t pids = 0;
  uint64_t up_time = 0;  // ns of CPU time (podman's UpTime = Duration)
};

struct StatsRequest {
  std::vector<std::string> names;  // none (and not latest): every container
  bool latest = false;
};

// podman's container checkpoint options (CRIU through the OCI runtime).
struct CheckpointRequest {
  std::vector<std::string> names;
  bool all = false;
  bool keep = false;           // keep CRIU's images, log and statistics after an export
  bool leave_running = false;  // the container goes on running after the dump
  bool tcp_established = false;
  bool file_locks = false;
  bool ignore_rootfs = false;   // the export leaves the file system changes out
  bool ignore_volumes = false;  // the export leaves the named volumes out
  bool print_stats = false;  // each result carries podman's report (NameResult::report)
  std::string export_path;        // --export FILE: a tar archive of everything restore --import needs
  std::string compression = "zstd";  // of the export: none, gzip, zstd
};

struct RestoreRequest {
  std::vector<std::string> names;
  bool all = false;
  bool keep = false;
  bool tcp_established = false;
  bool file_locks = false;
  bool ignore_rootfs = false;
  bool ignore_volumes = false;
  bool ignore_static_ip = false;
  bool ignore_static_mac = false;
  std::string import_path;  // --import FILE: a checkpoint archive (a new container is made)
  std::string name;         // --name: the imported container's name (and a new ID)
  // --publish: the imported container's port mappings instead of the archived ones.
  std::optional<std::vector<PortMapping>> publish;
  bool print_stats = false;  // each result carries podman's report (NameResult::report)
};

class ContainerService {
 public:
  virtual ~ContainerService() = default;
  virtual Result<ContainerCreateReport> create(const ContainerCreateRequest& req) = 0;
  // Starts the container. With `attach`, streams are connected before the
  // container runs and the call returns when it exits or the user detaches:
  // the result is then the exit code (or -1 on detach).
  virtual Result<int> start(const std::string& name, const AttachStreams* attach) = 0;
  virtual Result<int> attach(const std::string& name, const AttachStreams& streams) = 0;
  virtual Result<std::vector<NameResult>> stop(const ContainerStopRequest& req) = 0;
  virtual Result<std::vector<NameResult>> kill(const std::vector<std::string>& names, bool all,
                                               const std::string& signal) = 0;
  virtual Result<std::vector<NameResult>> restart(const std::vector<std::string>& names, bool all,
                                                  std::optional<int> timeout) = 0;
  virtual Result<std::vector<NameResult>> pause(const std::vector<std::string>& names, bool all) = 0;
  virtual Result<std::vector<NameResult>> unpause(const std::vector<std::string>& names, bool all) = 0;
  virtual Result<std::vector<NameResult>> remove(const ContainerRemoveRequest& req) = 0;
  virtual Result<std::vector<ContainerSummary>> list(const ContainerListRequest& req) = 0;
  virtual Result<Json> inspect(const std::string& name, bool size) = 0;
  // Waits until one of `conditions` (default: stopped/exited) holds; returns the exit code.
  virtual Result<int> wait(const std::string& name, const std::vector<std::string>& conditions,
                           int64_t interval_ms) = 0;
  virtual Status logs(const LogsRequest& req, const std::function<void(int stream, std::string_view line)>& sink) = 0;
  // Runs req.cmd in the running container and returns its exit code; with
  // req.detach it starts the session as execDetached() does and returns 0.
  virtual Result<int> exec(const ExecRequest& req) = 0;
  // Starts req.cmd as a detached exec session (its own session, none of the
  // caller's fds, output not kept) and returns the session ID.
  virtual Result<std::string> execDetached(const ExecRequest& req) = 0;
  virtual Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                            const std::vector<std::string>& descriptors) = 0;
  virtual Status rename(const std::string& name, const std::string& new_name) = 0;
  // Changes the cgroup limits of a container (running or not): `patch` carries the new
  // resource_limits and per-device blkio maps; what it leaves unset is kept. Returns the ID.
  virtual Result<std::string> update(const std::string& name, const SpecGenerator& patch) {
    return makeError(Code::kUnimplemented, "update of container {}: not supported by this service", name);
  }
  // With `external`, containers/storage's containers of other tools (buildah's) count too.
  virtual Result<bool> exists(const std::string& name, bool external = false) = 0;
  // `container checkpoint`: results name the containers as given (the IDs with --all).
  virtual Result<std::vector<NameResult>> checkpoint(const CheckpointRequest& req) {
    return makeError(Code::kUnimplemented, "checkpoint: not supported by this service");
  }
  // `container restore`: of checkpointed containers, or with import_path a new one from an
  // archive (whose ID is the result).
  virtual Result<std::vector<NameResult>> restore(const RestoreRequest& req) {
    return makeError(Code::kUnimplemented, "restore: not supported by this service");
  }
  virtual Status init(const std::string& name) = 0;
  virtual Status cleanup(const std::string& name, bool rm) = 0;
  virtual Result<std::vector<std::pair<std::string, int64_t>>> prune(const std::vector<std::string>& filters) = 0;
  // --- file systems (cp, archive routes) ---
  virtual Status copy(const CopyRequest& req) = 0;
  // podman's ContainerStat: kNotFound "no such file or directory" when the
  // path (or, for a link, its target) is missing.
  virtual Result<ContainerPathStat> statPath(const std::string& name, const std::string& path) = 0;
  // Writes the item at `path` as a tar stream to `out_fd` (GET /archive).
  virtual Status copyToArchive(const std::string& name, const std::string& path, int out_fd) = 0;
  // Extracts the (compressed) tar stream on `in_fd` into the directory `path` (PUT /archive).
  virtual Status copyFromArchive(const std::string& name, const std::string& path, int in_fd,
                                 const ArchivePutOptions& opts) = 0;
  // Changes of the container's file system against its image, in path order.
  virtual Result<std::vector<FileChange>> diff(const std::string& name) = 0;
  // The container's whole file system as a tar stream on `out_fd`.
  virtual Status exportFs(const std::string& name, int out_fd) = 0;
  // Returns the new image's ID.
  virtual Result<std::string> commit(const CommitRequest& req) = 0;
  // Mounts the root file system for the user (counted); returns the mount point.
  virtual Result<std::string> mount(const std::string& name) = 0;
  // Drops one user mount (all with `force`); the rootfs stays mounted while the
  // container runs. kFailedPrecondition for a running container's last mount.
  virtual Status unmount(const std::string& name, bool force) = 0;
  virtual Result<std::vector<MountedContainer>> mounted() = 0;
  // One stats sample per container; `previous` holds the last sample by ID (for
  // CPU %) and is updated. Containers that are not running get zero stats.
  virtual Result<std::vector<ContainerStats>> stats(const StatsRequest& req,
                                                    std::map<std::string, ContainerStats>& previous) = 0;
  // Resolves a name, ID or ID prefix; "latest" resolution is the caller's.
  virtual Result<std::string> resolveId(const std::string& name) = 0;
  virtual Result<std::string> latestId() = 0;
  // `healthcheck run`: runs the container's healthcheck once now (an exec in the container),
  // records it in State.Health, emits health_status and, once the container turned
  // unhealthy, applies its on-failure action. Returns the result of this run: "healthy" or
  // "unhealthy". kNotFound "unable to look up X to perform a health check: ...";
  // kFailedPrecondition "container ID is not running" / "container ID has no defined
  // healthcheck".
  virtual Result<std::string> healthcheckRun(const std::string& name) = 0;

  // The terminal size of a container started with a tty.
  virtual Status resize(const std::string& name, int height, int width) = 0;
  // Exec sessions as objects (the REST API's exec instances). A session lives as
  // long as the process that created it (the API service). create checks that the
  // container runs; start runs the command with `streams` (nullptr: detached) and
  // returns its exit code.
  virtual Result<std::string> execCreate(const ExecRequest& req) = 0;
  virtual Result<int> execStart(const std::string& session_id, const AttachStreams* streams) = 0;
  virtual Result<ExecSessionInfo> execInspect(const std::string& session_id) = 0;
  virtual Status execResize(const std::string& session_id, int height, int width) = 0;
};

}  // namespace berth::api
