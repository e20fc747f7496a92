// berth::containers: the libpod container routes (podman's pkg/bindings/containers).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/api/files.h"
#include "berth/api/specgen.h"
#include "berth/bindings/connection.h"

namespace berth::containers {

using bindings::Connection;

// POST /containers/create: the container's ID and the service's warnings.
Result<api::ContainerCreateReport> createWithSpec(Connection& c, const api::SpecGenerator& spec);
// The same with the SpecGenerator as a JSON document (sent as given).
Result<api::ContainerCreateReport> createWithJson(Connection& c, const Json& spec);

struct StartOptions {
  std::string detach_keys;  // "" = the service's default
};
// Starts the container; starting a running one is no error (304).
Status start(Connection& c, const std::string& name, const StartOptions& opts = {});

struct WaitOptions {
  std::vector<std::string> conditions;  // "stopped", "exited", "running", ...; none = stopped/exited
  std::string interval;                 // Go duration ("250ms"); "" = the service's default
};
// Blocks until a condition holds; returns the container's exit code.
Result<int> wait(Connection& c, const std::string& name, const WaitOptions& opts = {});

struct LogOptions {
  bool follow = false, timestamps = false;
  bool stdout_stream = true, stderr_stream = true;
  int64_t tail = -1;   // lines from the end; -1 = all
  int64_t since = 0;   // unix ns; 0 = no bound
  int64_t until = 0;   // unix ns; 0 = no bound
};
// Calls `sink` with each log line (stream 1 stdout, 2 stderr), newline included; with
// follow, until the container stops or `sink` returns false.
Status logs(Connection& c, const std::string& name, const LogOptions& opts,
            const std::function<bool(int stream, std::string_view line)>& sink);

// podman's container inspect document.
Result<Json> inspect(Connection& c, const std::string& name, bool size = false);
// kNotFound is not an error here: false.
// With `external`, containers/storage's containers of other tools (buildah's) count too.
Result<bool> exists(Connection& c, const std::string& name, bool external = false);

struct ListOptions {
  bool all = false, size = false, sync = false, external = false;
  int last = -1;
  std::vector<std::string> filters;  // key=value
};
Result<std::vector<api::ContainerSummary>> list(Connection& c, const ListOptions& opts = {});

struct RemoveOptions {
  bool force = false, volumes = false, ignore = false, depend = false;
  std::optional<int> timeout;
};
// Returns the IDs removed (with depend, the dependent containers too).
Result<std::vector<std::string>> remove(Connection& c, const std::string& name, const RemoveOptions& opts = {});

struct StopOptions {
  bool ignore = false;
  std::optional<int> timeout;  // seconds; unset = the container's stop timeout
};
Status stop(Connection& c, const std::string& name, const StopOptions& opts = {});
Status kill(Connection& c, const std::string& name, const std::string& signal = "SIGKILL");
Status pause(Connection& c, const std::string& name);
Status unpause(Connection& c, const std::string& name);
Status restart(Connection& c, const std::string& name, std::optional<int> timeout = {});
Status rename(Connection& c, const std::string& name, const std::string& new_name);
Status init(Connection& c, const std::string& name);
// ps output: titles first, then one row per process.
Result<std::vector<std::vector<std::string>>> top(Connection& c, const std::string& name,
                                                  const std::vector<std::string>& descriptors = {});
// Removes stopped containers; returns (ID, bytes reclaimed) per container removed.
Result<std::vector<std::pair<std::string, int64_t>>> prune(Connection& c, const std::vector<std::string>& filters = {});
// The terminal size of a container started with a tty.
Status resize(Connection& c, const std::string& name, int height, int width);

// --- file systems: the archive routes behind `cp`, export, changes and commit ---
// HEAD /containers/{name}/archive: the item at `path` (links resolved). kNotFound when the
// container or the path does not exist.
Result<api::ContainerPathStat> statPath(Connection& c, const std::string& name, const std::string& path);
// GET /containers/{name}/archive: the item at `path` as a tar stream written to `fd`.
Status getArchive(Connection& c, const std::string& name, const std::string& path, int fd);
// PUT /containers/{name}/archive: the (compressed) tar stream read from `fd` to its end,
// extracted into the directory `path`.
Status putArchive(Connection& c, const std::string& name, const std::string& path, int fd,
                  const api::ArchivePutOptions& opts = {});
// GET /containers/{name}/export: the container's whole file system as a tar stream to `fd`.
Status exportFs(Connection& c, const std::string& name, int fd);
// POST /libpod/containers/{name}/checkpoint: CRIU dumps the container. With
// opts.export_path set (any non-empty value) the archive comes back and is written to
// `export_fd`. Returns podman's CheckpointReport ("Id", with print_stats the durations and
// "criu_statistics").
Result<Json> checkpoint(Connection& c, const std::string& name, const api::CheckpointRequest& opts,
                        int export_fd = -1);
// POST /libpod/containers/{name}/restore: of a checkpointed container, or with `import_fd`
// (>= 0) a new container from the checkpoint archive read from it. Returns podman's
// RestoreReport ("Id", ...).
Result<Json> restore(Connection& c, const std::string& name, const api::RestoreRequest& opts, int import_fd = -1);
// GET /containers/{name}/changes: the changes against the image, in path order.
Result<std::vector<api::FileChange>> changes(Connection& c, const std::string& name);
// POST /commit: a new image from the container; returns its ID.
Result<std::string> commit(Connection& c, const api::CommitRequest& req);

// Attaches to a running container (or, with `before_start`, one about to be started:
// `before_start` runs once the connection is attached, e.g. to start it). Streams the
// container's output to streams.out/err (or streams.output) and streams.in to it until
// the container stops or the detach keys are typed. Returns 0, or -1 after a detach.
Result<int> attach(Connection& c, const std::string& name, const api::AttachStreams& streams,
                   const std::function<Status()>& before_start = {});

// Exec sessions (POST /containers/{name}/exec, /exec/{id}/...).
struct ExecConfig {
  std::vector<std::string> cmd, env;
  std::string user, workdir, detach_keys;
  bool attach_stdin = false, attach_stdout = true, attach_stderr = true;
  bool tty = false, privileged = false;
};
Result<std::string> execCreate(Connection& c, const std::string& name, const ExecConfig& cfg);
// Starts a session without attaching to it.
Status execStart(Connection& c, const std::string& session);
// Starts a session attached to `streams` and returns when its output ends (0, or -1
// after a detach); execInspect then has the exit code.
Result<int> execStartAndAttach(Connection& c, const std::string& session, const api::AttachStreams& streams);
// podman's exec inspect document (ExitCode, Running, ProcessConfig, ...).
Result<Json> execInspect(Connection& c, const std::string& session);
Status execResize(Connection& c, const std::string& session, int height, int width);

}  // namespace berth::containers
