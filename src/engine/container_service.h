// LocalContainerService: the container lifecycle over the state DB, the layer store,
// the OCI runtime and berth-monitor.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/detach_keys.h"
#include "base/fd.h"
#include "base/scope_exit.h"
#include "engine/monitor_launch.h"
#include "berth/api/containers.h"
#include "network/store.h"
#include "runtime/oci_runtime.h"
#include "specgen/specgen.h"
#include "state/containers.h"
#include "state/images.h"
#include "store/foreign_storage.h"

namespace berth::copy {
class Sink;
}

namespace berth::engine {

class Engine;

// Where a container's files live (see README "Where things live").
// The annotation `build` puts on its step containers: no /etc/mtab link is added to them
// (it would land in every layer).
inline constexpr const char* kBuildStepAnnotation = "io.berth.build-step";
// The image label whose value is a seccomp profile, used with --seccomp-policy=image (podman's).
inline constexpr const char* kSeccompImageLabel = "io.containers.seccomp.profile";

struct ContainerPaths {
  std::string static_dir;  // <root>/containers/<id>: upper/, work/, ctr.log
  std::string run_dir;     // <runroot>/containers/<id>: config.json (bundle), merged/, exit, pidfile
  std::string merged;      // rootfs mount point
  std::string upper, work, log, exit_file, pid_file, monitor_pid_file, ctl, socket, config_json;
  std::string netns;  // <runroot>/netns/<id>: the bound network namespace netavark configures
  std::string shm;    // <run_dir>/shm: the host tmpfs a shareable IPC namespace's /dev/shm is
};

// flock on <runroot>/locks/<id>; released on destruction or process death.
class ContainerLock {
 public:
  static Result<ContainerLock> take(const std::string& runroot, const std::string& id);
  // Whether another process holds it now (take() would block); false when unknown.
  static bool busy(const std::string& runroot, const std::string& id);
  // Lets others take the lock (a stop waiting out its timeout); take() again to go on.
  void release() { fd_.reset(); }

 private:
  explicit ContainerLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// The SpecGenerator a container was created with (config "spec", its JSON encoding).
// Records older than the typed SpecGenerator stay readable: "rlimits" is read as
// "r_limits", and a key that no longer decodes is dropped with a warning.
api::SpecGenerator storedSpec(const Json& config);
// The pid in a pid file (0 when missing or unreadable).
int readPidFile(const std::string& path);
// Whether `pid` runs (a zombie does not).
bool processAlive(int pid);
// The container's changes as an OCI layer tar (container_commit.cc): its overlay upper
// directory, or on vfs the difference between its copy and the image's top layer.
Status layerDiffTar(Engine& e, const ContainerPaths& p, const std::vector<std::string>& layers, copy::Sink& sink);
// Binds the published host ports (TCP listening, UDP bound) as podman does: held by the
// monitor for the container's life, they reserve the ports (a second container asking for
// one fails to start) and catch connections when the forwarding rules are gone.
Result<std::vector<UniqueFd>> reserveHostPorts(const api::SpecGenerator& spec);
// A port mapping's protocol list ("tcp,udp"): each entry, "" meaning tcp.
std::vector<std::string> splitProtocols(const std::string& list);
// --network slirp4netns:OPTS (network_options["slirp4netns"]), checked; defaults as podman's.
struct SlirpOptions {
  std::string cidr;  // 10.0.2.0/24
  int mtu = 65520;
  bool allow_host_loopback = false, enable_ipv6 = false;
  std::string port_handler, outbound_addr, outbound_addr6;
};
Result<SlirpOptions> slirpOptions(const api::SpecGenerator& spec);
Result<std::string> slirpContainerAddress(const SlirpOptions& o);  // CIDR+100, tap0's address
Result<std::string> slirpDnsAddress(const SlirpOptions& o);        // CIDR+3
// podman's etchosts.Add/Remove for a container in another's network namespace (a pod
// member): "127.0.0.1\tNAME" in the shared hosts file, edited in place (it is bind-mounted)
// under an flock of the file. The file is container-writable: read capped, regular only.
Status editJoinedHosts(const std::string& hosts_path, const std::string& name, bool add);

// The status a container is shown with: "stopping" while a stop waits for a running
// container to end (the stopping process, "stopping_pid", still alive), else the
// recorded one ("configured", "created", "running", "paused", "exited", ...).
std::string shownStatus(const Json& state);

// Connects to a container's attach socket (SOCK_SEQPACKET).
Result<UniqueFd> connectAttach(const std::string& path);
using berth::parseDetachKeys;  // base/detach_keys.h

// ps --external's rows: containers/storage's containers of other tools, status kStorage.
Result<std::vector<api::ContainerSummary>> foreignSummaries();

class LocalContainerService : public api::ContainerService {
 public:
  explicit LocalContainerService(Engine& e) : e_(e) {}
  Result<api::ContainerCreateReport> create(const api::ContainerCreateRequest& req) override;
  Result<int> start(const std::string& name, const api::AttachStreams* attach) override;
  Result<int> attach(const std::string& name, const api::AttachStreams& streams) override;
  Result<std::vector<api::NameResult>> stop(const api::ContainerStopRequest& req) override;
  Result<std::vector<api::NameResult>> kill(const std::vector<std::string>& names, bool all,
                                            const std::string& signal) override;
  Result<std::vector<api::NameResult>> restart(const std::vector<std::string>& names, bool all,
                                               std::optional<int> timeout) override;
  Result<std::vector<api::NameResult>> pause(const std::vector<std::string>& names, bool all) override {
    return setPaused(names, all, true);
  }
  Result<std::vector<api::NameResult>> unpause(const std::vector<std::string>& names, bool all) override {
    return setPaused(names, all, false);
  }
  Result<std::vector<api::NameResult>> remove(const api::ContainerRemoveRequest& req) override;
  Result<std::vector<api::ContainerSummary>> list(const api::ContainerListRequest& req) override;
  Result<Json> inspect(const std::string& name, bool size) override;
  Result<int> wait(const std::string& name, const std::vector<std::string>& conditions,
                   int64_t interval_ms) override;
  Status logs(const api::LogsRequest& req,
              const std::function<void(int stream, std::string_view line)>& sink) override;
  Result<int> exec(const api::ExecRequest& req) override;
  Result<std::string> execDetached(const api::ExecRequest& req) override;
  Result<std::vector<std::vector<std::string>>> top(const std::string& name,
                                                    const std::vector<std::string>& descriptors) override;
  Status rename(const std::string& name, const std::string& new_name) override;
  Result<std::string> update(const std::string& name, const api::SpecGenerator& patch) override;
  Result<bool> exists(const std::string& name, bool external = false) override;
  Result<std::vector<api::NameResult>> checkpoint(const api::CheckpointRequest& req) override;
  Result<std::vector<api::NameResult>> restore(const api::RestoreRequest& req) override;
  Status init(const std::string& name) override;
  Status cleanup(const std::string& name, bool rm) override;
  Result<std::vector<std::pair<std::string, int64_t>>> prune(const std::vector<std::string>& filters) override;
  Result<std::string> resolveId(const std::string& name) override;
  Result<std::string> latestId() override;

  // container_health.cc
  Result<std::string> healthcheckRun(const std::string& name) override;

  Status resize(const std::string& name, int height, int width) override;
  Result<std::string> execCreate(const api::ExecRequest& req) override;
  Result<int> execStart(const std::string& session_id, const api::AttachStreams* streams) override;
  Result<api::ExecSessionInfo> execInspect(const std::string& session_id) override;
  Status execResize(const std::string& session_id, int height, int width) override;

  // container_copy.cc
  Status copy(const api::CopyRequest& req) override;
  Result<api::ContainerPathStat> statPath(const std::string& name, const std::string& path) override;
  Status copyToArchive(const std::string& name, const std::string& path, int out_fd) override;
  Status copyFromArchive(const std::string& name, const std::string& path, int in_fd,
                         const api::ArchivePutOptions& opts) override;

  ContainerPaths paths(const std::string& id) const;

  // container_commit.cc
  Result<std::vector<api::FileChange>> diff(const std::string& name) override;
  Status exportFs(const std::string& name, int out_fd) override;
  Result<std::string> commit(const api::CommitRequest& req) override;
  // The changes of container `id` (an ID) as a new stored layer on its image's top layer,
  // blob and unpacked layer at once (build steps). The caller holds the store lock shared.
  Result<state::LayerRecord> diffLayer(const std::string& id, bool docker);
  Result<std::string> mount(const std::string& name) override;
  Status unmount(const std::string& name, bool force) override;
  Result<std::vector<api::MountedContainer>> mounted() override;
  // Mounts of the rootfs by `mount` (kept in <run_dir>/mounts): while any
  // remain, stopping the container leaves its rootfs mounted.
  int userMounts(const std::string& id) const;
  Status setUserMounts(const std::string& id, int n);

  // container_stats.cc
  Result<std::vector<api::ContainerStats>> stats(const api::StatsRequest& req,
                                                 std::map<std::string, api::ContainerStats>& previous) override;

  // container_events.cc: emits the container's event (never fails).
  void emitContainerEvent(const state::ContainerRecord& rec, std::string_view status, int exit_code = 0);


  // network connect / disconnect (see api::NetworkService).
  Status networkConnect(const std::string& network, const std::string& name, const api::PerNetworkOptions& opts);
  Status networkDisconnect(const std::string& network, const std::string& name, bool force);
  // Tears down and sets up again the networks of a running container, keeping its addresses
  // and MACs (network reload). Returns its ID.
  Result<std::string> networkReload(const std::string& name);

 private:
  // containers/storage's container `name` of another tool (buildah's), for the commands
  // podman also runs on those (mount, umount, diff, rm): nullopt when there is none.
  struct Foreign {
    store::ForeignStorage storage;
    store::ForeignContainer c;
  };
  Result<std::optional<Foreign>> findForeign(const std::string& name);
  // The same where berth only falls back to that store for a name it does not know (rm, mount,
  // umount, diff): a store it cannot read is a warning, and the name stays unknown.
  std::optional<Foreign> findForeignOrWarn(const std::string& name);
  Result<runtime::OciRuntime> runtimeFor(const state::ContainerRecord& rec) const;
  // Brings the record's state up to date with the exit file and the monitor;
  // finalises a container whose process is gone. Caller holds the lock.
  Status syncLocked(state::ContainerRecord& rec);
  // Reads the current record and syncs it (takes and releases the lock).
  Result<state::ContainerRecord> loadSynced(const std::string& id);
  // The container by name or ID, its lock held, its record synced with the runtime.
  struct LockedContainer {
    ContainerLock lock;
    state::ContainerRecord rec;
  };
  Result<LockedContainer> lockSynced(const std::string& name);
  Status saveState(state::ContainerRecord& rec);
  // pause/unpause: running <-> paused through the runtime.
  Result<std::vector<api::NameResult>> setPaused(const std::vector<std::string>& names, bool all, bool pause);
  Status mountRootfs(state::ContainerRecord& rec);
  Status unmountRootfs(state::ContainerRecord& rec);
  Result<std::string> mountShm(const state::ContainerRecord& rec, const api::SpecGenerator& spec);
  Status writeBundle(state::ContainerRecord& rec);
  // Runtime delete, unmount, state exited; removes the container if auto-remove and `allow_rm`.
  Status finalizeLocked(state::ContainerRecord& rec, bool allow_rm);
  // `volumes`: the container's anonymous volumes go too (rm -v, --rm).
  Status removeLocked(state::ContainerRecord& rec, bool force, std::optional<int> timeout, bool volumes = false);
  // Removes container directories (and their rootfs mounts) that have no record, left
  // by a CLI killed inside create or rm. Never deletes through a mount; what it cannot
  // remove is logged. Run by `rm --all` and `container prune`.
  void sweepOrphans();
  // IDs of the containers that join `id`'s namespaces (--network/--ipc/--pid/...
  // container:ID), directly.
  Result<std::vector<std::string>> dependents(const std::string& id);
  // Stops rec (its lock held): the stop signal, up to `timeout` seconds, then SIGKILL. Given
  // the lock, releases it while the timeout runs, as podman does (the container shows as
  // "stopping"; ps, inspect or another stop are not held up), and takes it again for the
  // kill and the exit record; rec is then re-read (a container removed meanwhile is done).
  Status stopLocked(state::ContainerRecord& rec, int timeout, bool kill_only, ContainerLock* lock = nullptr);

  // container_health.cc: the health state a (re)started container begins with: "starting",
  // the failing streak reset, the log kept. Nothing for a container without a healthcheck.
  static void resetHealth(const api::SpecGenerator& spec, Json& state);

  // container_secrets.cc
  // At create: each secret of the spec (secrets, secret_env) is looked up and its data kept
  // for writeSecretCopies; `config` gets "secrets" (mount secrets: Name, ID, UID, GID, Mode,
  // Target, File) and "secret_env" (variable -> File). kNotFound for a missing secret,
  // kInvalidArgument for a bad target.
  struct SecretCopy {
    std::string file;  // name under <static_dir>/secrets
    std::string data;
  };
  Result<std::vector<SecretCopy>> resolveSecrets(const api::SpecGenerator& spec, Json& config);
  // Writes the copies into <static_dir>/secrets (0700; files 0600), so the container keeps its
  // secrets whatever happens to them later (podman's: `secret rm` is safe for secrets in use).
  Status writeSecretCopies(const std::vector<SecretCopy>& copies, const std::string& static_dir);
  // Before a run: each mount secret as a file under <run_dir>/secrets with its uid, gid and
  // mode, bind-mounted read-only at its target; each env secret set in the process env.
  Status applySecrets(const state::ContainerRecord& rec, const api::SpecGenerator& spec,
                      api::SpecGenerator& out);

  // container_volumes.cc
  // At create: image VOLUMEs become anonymous volumes (or tmpfs, per image_volume_mode),
  // anonymous volumes get a name, named ones are created when missing. What it creates is
  // removed by `undo` unless committed.
  Status prepareVolumes(api::SpecGenerator& spec, const Json& image_config, Undo& undo);
  // --volumes-from CTR[:ro|rw]: CTR's named volumes and bind mounts at the same destinations
  // (those the spec does not mount already), shared, never removed with this container.
  Status addVolumesFrom(api::SpecGenerator& spec);
  // Before a run: every volume of the container made ready (options volumes mounted), listed
  // in rec.state["mounted_volumes"] (not saved); returns volume name -> host directory.
  Result<std::map<std::string, std::string>> acquireVolumesLocked(state::ContainerRecord& rec,
                                                                 const api::SpecGenerator& spec);
  // The volumes' first use (chown, copy-up from the mounted rootfs); `oci` gives the user.
  Status firstUseVolumes(const state::ContainerRecord& rec, const api::SpecGenerator& spec, const Json& oci);
  // Before a run: the images of --mount type=image mounted (counted as `image mount` does),
  // listed in rec.state["mounted_images"]; a rw one gets an overlay with its upper dir in
  // the run dir, so that writes never reach the image. Returns destination -> host directory.
  Result<std::map<std::string, std::string>> acquireImageVolumesLocked(state::ContainerRecord& rec,
                                                                       const api::SpecGenerator& spec);
  // After a run: releases what acquireVolumesLocked and acquireImageVolumesLocked listed
  // (failures logged) and forgets it.
  void releaseVolumesLocked(state::ContainerRecord& rec);
  // inspect's Mounts (binds, tmpfs and volumes as podman shows them); `binds` gets
  // HostConfig.Binds ("SRC:DEST:OPTIONS", a volume by name).
  Json inspectMounts(const api::SpecGenerator& spec, Json& binds);
  // The anonymous volumes of a removed container, unless another container uses them.
  void removeAnonymousVolumes(const api::SpecGenerator& spec);

  // container_network.cc
  // At create: bridge is the default mode; "default" names the default network; every
  // network exists (kNotFound) and is keyed by name with an interface name; -P ports and
  // host ports 0 get free host ports.
  Status completeNetworkSpec(api::SpecGenerator& spec, const Json& image_config);
  // At create: userns modes root cannot use are refused (podman's messages); container:NAME
  // namespaces name their donor by ID, and a donor's private IPC namespace is refused.
  Status completeNamespaces(api::SpecGenerator& spec);
  // At start: the /proc/<pid>/ns paths of the running donors of container: namespaces.
  // kFailedPrecondition for a donor not running.
  Status joinNamespaces(const api::SpecGenerator& spec, specgen::SpecInputs& in);
  // What netavark is told for `rec`: derived from the spec alone, so teardown works after
  // any crash.
  Result<network::SetupRequest> networkRequest(const state::ContainerRecord& rec, const api::SpecGenerator& spec);
  // Bridge mode: creates the netns, allocates addresses and runs netavark setup; records
  // the result in rec.state["network_status"] (not saved). Undoes itself on failure.
  Status setupNetworkLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec);
  // The netavark setup split in two, so that the runtime creates the container meanwhile:
  // begin creates the namespace (recorded with an empty status) and runs netavark on a
  // thread; finish waits for it and records its status (or, on failure, removes the
  // namespace). finish of a container with nothing pending does nothing.
  struct PendingNetworkSetup {
    std::thread thread;
    Result<std::map<std::string, network::StatusBlock>> status = std::map<std::string, network::StatusBlock>{};
    ~PendingNetworkSetup() {
      if (thread.joinable()) thread.join();
    }
  };
  static bool overlapsNetworkSetup(const api::SpecGenerator& spec);
  Status beginNetworkSetupLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec);
  Status finishNetworkSetupLocked(state::ContainerRecord& rec);
  // Idempotent: netavark teardown, address release and netns removal when a netns file
  // exists; nothing otherwise. netavark's failures are logged, not returned.
  Status teardownNetworkLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec);
  // --network slirp4netns: slirp4netns on the bound netns, ports through its API socket.
  Status setupSlirpLocked(state::ContainerRecord& rec, const api::SpecGenerator& spec);
  Status teardownSlirpLocked(state::ContainerRecord& rec);
  // <run_dir>/hosts and <run_dir>/resolv.conf from the network status and the spec.
  Status writeNetworkFiles(const state::ContainerRecord& rec, const api::SpecGenerator& spec,
                           const std::string& hostname, bool in_place = false);
  // inspect's NetworkSettings in podman's shape.
  Json networkSettings(const state::ContainerRecord& rec, const api::SpecGenerator& spec);
  // start: the monitor starts the container too (`run --detach`); hold_output: and keeps its
  // output unread until the attach connection of the caller comes.
  // With `restore`, the monitor's first run is the runtime's restore of those CRIU images.
  struct MonitorRestore {
    std::string image_path;
    bool tcp_established = false, file_locks = false;
  };
  Result<int> startMonitor(state::ContainerRecord& rec, bool start, bool hold_output,
                           const MonitorRestore* restore = nullptr);
  // startMonitor in two steps: the monitor spawned (with `early`, before initLocked has
  // written the bundle: it waits for the go), then released (the go, its report, the pid
  // files the user asked for).
  Result<PendingMonitor> spawnContainerMonitor(state::ContainerRecord& rec, bool start, bool hold_output,
                                               const MonitorRestore* restore, bool early);
  Result<int> releaseContainerMonitor(state::ContainerRecord& rec, PendingMonitor& monitor);
  // container_checkpoint.cc
  // `report`: podman's CheckpointReport when req.print_stats.
  Status checkpointLocked(state::ContainerRecord& rec, const api::CheckpointRequest& req,
                          std::optional<Json>* report = nullptr);
  Status exportCheckpoint(const state::ContainerRecord& rec, const api::CheckpointRequest& req);
  // `rootfs_diff`: a layer tar applied to the mounted rootfs first (restore --import).
  Status restoreLocked(state::ContainerRecord& rec, const api::RestoreRequest& req, const std::string& rootfs_diff,
                       std::optional<Json>* report = nullptr);
  Result<std::string> importCheckpoint(const api::RestoreRequest& req, std::optional<Json>* report = nullptr);
  // With `overlap_network`, a netavark setup is only started (beginNetworkSetupLocked): the
  // caller creates the container, then finishOverlappedNetworkLocked, then starts it.
  Status initLocked(state::ContainerRecord& rec, bool overlap_network = false);
  Status finishOverlappedNetworkLocked(state::ContainerRecord& rec);
  // The record of a run that just started (its monitor's pid file read).
  void recordRunning(state::ContainerRecord& rec, int pid);
  // `op` on each selected container under its lock: an error is that container's result,
  // false leaves it out of the results (--all's filter).
  Result<std::vector<api::NameResult>> eachLocked(const std::vector<std::string>& names, bool all,
                                                  const std::function<Result<bool>(state::ContainerRecord&)>& op);
  // A start that failed after initLocked: undoes it, records the container exited with `e`.
  Error undoFailedStartLocked(state::ContainerRecord& rec, Error e);
  // Streams between the attach socket and the caller's fds until the container
  // exits (returns its exit code) or the detach keys are typed (returns -1).
  Result<int> attachStreams(const state::ContainerRecord& rec, UniqueFd sock, const api::AttachStreams& s);
  Result<std::optional<Json>> readExitFile(const std::string& id) const;
  // The runtime exec argv for `req` in running container `rec` (state, command and user checked).
  Result<std::vector<std::string>> execArgv(const state::ContainerRecord& rec, const api::ExecRequest& req);
  // Exit codes of removed containers, kept a few minutes under <runroot>/exits.
  void retainExitCode(const std::string& id, int code);
  std::optional<int> retainedExitCode(const std::string& id) const;
  // What an exec needs, checked: the running container, its OCI process,
  // the runtime exec options and the resolved -u user (uid, gid).
  struct ExecPlan {
    state::ContainerRecord rec;
    Json process;
    runtime::ExecOptions opts;
    std::optional<std::pair<uint32_t, uint32_t>> user;
  };
  Result<ExecPlan> planExec(const api::ExecRequest& req);
  Result<ExecPlan> planExec(state::ContainerRecord rec, const api::ExecRequest& req);
  // The attaching terminal's size while start() prepares a -t container: its bundle gets it as
  // process.consoleSize, so the first ioctl in the container sees it (no race with the resize).
  std::optional<std::pair<unsigned, unsigned>> console_size_;
  std::map<std::string, std::unique_ptr<PendingNetworkSetup>> pending_network_;  // by container ID
  Result<std::vector<state::ContainerRecord>> select(const std::vector<std::string>& names, bool all,
                                                     std::vector<api::NameResult>& results);

  // container_copy.cc: a container's file system opened for cp.
  friend class ContainerFs;

  Engine& e_;
  // --preserve-fds of the containers this process created: fds 3..3+N-1 of this process.
  std::map<std::string, int> preserve_fds_;
  // list()'s records, read again only after the database changed (the API service's lists).
  state::SummaryCache summaries_;
};

}  // namespace berth::engine
