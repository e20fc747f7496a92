// OciRuntime: the adapter to an OCI runtime command line (crun, runc).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/result.h"
#include "runtime/child_process.h"

namespace berth::runtime {

struct RuntimeConfig {
  std::string name;                     // "crun" or "runc"; used in messages.
  std::string path;                     // absolute path of the binary.
  std::vector<std::string> global_args;  // e.g. {"--root", "<runroot>/runtime-state"}.
  // When set, every call passes `--log <log_path> --log-format json` and
  // failures quote the error lines the runtime logged there.
  std::string log_path;
};

struct CreateOptions {
  std::string bundle;
  std::string pid_file;
  std::string console_socket;  // empty: no terminal.
  // Extra fds handed over with --preserve-fds (they must be at 3.. in the child).
  int preserve_fds = 0;
};

struct ExecOptions {
  std::string process_json;  // --process: a runtime-spec "process" object.
  std::string pid_file;
  std::string console_socket;  // with tty
  bool detach = false;
  bool tty = false;
  std::vector<std::string> env;  // extra --env K=V
  std::string cwd;
  std::string user;  // uid[:gid]
};

// `checkpoint` (CRIU through the runtime): the images go to image_path, CRIU's log and
// statistics to work_path.
struct CheckpointOptions {
  std::string image_path;
  std::string work_path;
  bool leave_running = false;
  bool tcp_established = false;
  bool file_locks = false;
  // Only the dump's statistics are wanted for a pre-copy: the container keeps running.
  bool pre_dump = false;
  std::string parent_path;  // --parent-path: a previous pre-dump, relative to image_path
};

// `restore --detach`: the container's processes from image_path, in the bundle's config.
struct RestoreOptions {
  std::string image_path;
  std::string work_path;
  std::string bundle;
  std::string pid_file;
  std::string console_socket;
  bool tcp_established = false;
  bool file_locks = false;
};

// `runtime state` output.
struct ContainerState {
  std::string status;  // created | running | stopped | paused
  pid_t pid = 0;
  std::string bundle;
};

class PendingCall;

// The result of a runtime call that did not run to success.
// Errors quote the runtime's own message: the "msg" of the last error line
// it logged (runc/crun JSON log), else its trimmed stderr.
//   kNotFound            the container does not exist
//   kFailedPrecondition  the container is in the wrong state (not running, ...)
//   kUnknown             any other non-zero exit
//   errno codes          the binary could not be executed
class OciRuntime {
 public:
  // crun runs from a sealed copy (see runFromSealedCopy): one exec per call instead of two.
  explicit OciRuntime(RuntimeConfig cfg);
  const RuntimeConfig& config() const { return cfg_; }

  // argv builders: what the monitor executes itself (it owns the stdio).
  std::vector<std::string> createArgv(const std::string& id, const CreateOptions& o) const;
  std::vector<std::string> startArgv(const std::string& id) const;
  // `run --detach`: create and start in one runtime call (one process less than both).
  std::vector<std::string> runDetachedArgv(const std::string& id, const CreateOptions& o) const;
  std::vector<std::string> execArgv(const std::string& id, const ExecOptions& o) const;
  std::vector<std::string> deleteArgv(const std::string& id, bool force) const;
  std::vector<std::string> checkpointArgv(const std::string& id, const CheckpointOptions& o) const;
  std::vector<std::string> restoreArgv(const std::string& id, const RestoreOptions& o) const;

  // Runs `create` with the given stdio (negative = /dev/null) and waits for it.
  Status create(const std::string& id, const CreateOptions& o, int stdin_fd = -1,
                int stdout_fd = -1, int stderr_fd = -1) const;
  Status start(const std::string& id) const;
  Result<ContainerState> state(const std::string& id) const;
  Status kill(const std::string& id, int signal, bool all = false) const;
  Status remove(const std::string& id, bool force = false) const;  // `delete`
  // `delete` started, not waited for: the caller finishes it after its own work.
  Result<PendingCall> removeAsync(const std::string& id, bool force = false) const;
  // `delete` left to finish on its own, in a session of its own (a ^C for the caller does not
  // stop it half-way), its output discarded: for a process about to exit, which nothing after
  // waits for that container's deletion. Only the spawn can fail.
  Status removeInBackground(const std::string& id, bool force = false) const;
  Status pause(const std::string& id) const;
  Status resume(const std::string& id) const;
  // `checkpoint`: CRIU dumps the container; it is gone from the runtime afterwards unless
  // o.leave_running (or o.pre_dump).
  Status checkpoint(const std::string& id, const CheckpointOptions& o) const;
  // `update --resources FILE`: FILE holds linux.resources JSON.
  Status update(const std::string& id, const std::string& resources_file) const;
  // `runtime --version` first line, e.g. "runc version 1.1.5".
  Result<std::string> version() const;

  // The error for a call that exited with `exit_code`: reads the runtime
  // log from `log_offset` (its size before the call) and falls back to stderr.
  Error failure(std::string_view verb, int exit_code, std::string_view stderr_text,
                off_t log_offset) const;
  // Current size of the runtime log (0 when none): pass to failure().
  off_t logOffset() const;

 private:
  std::vector<std::string> base() const;
  Status runSimple(std::string_view verb, std::vector<std::string> argv) const;

  RuntimeConfig cfg_;
};

// A runtime call left running while the caller does other work (OciRuntime::removeAsync).
class PendingCall {
 public:
  PendingCall(OciRuntime rt, std::string verb, off_t log_offset, ChildProcess child, UniqueFd err)
      : rt_(std::move(rt)), verb_(std::move(verb)), log_offset_(log_offset), child_(std::move(child)),
        err_(std::move(err)) {}
  PendingCall(PendingCall&&) noexcept = default;
  PendingCall& operator=(PendingCall&&) = delete;
  // Waits, never kills: a runtime stopped half-way would leave its state half-deleted.
  ~PendingCall();
  // Waits for the call and reports as the synchronous call would.
  Status finish();

 private:
  OciRuntime rt_;
  std::string verb_;
  off_t log_offset_;
  ChildProcess child_;
  UniqueFd err_;
  bool done_ = false;
};

// Extracts the error message from runtime log text: the "msg" of the last
// JSON line with level "error" (or "fatal"); empty when there is none.
std::string lastLoggedError(std::string_view log_text);

// Maps a runtime error message to a canonical code (see OciRuntime).
// The runtime's text is the only signal it gives; this is the one place
// that reads it.
Code codeFromRuntimeMessage(std::string_view msg);

}  // namespace berth::runtime
