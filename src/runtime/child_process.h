// ChildProcess: fork+execve of a helper binary with chosen stdio, owned until reaped.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/fd.h"
#include "base/result.h"

namespace berth::runtime {

// What the child gets. A negative fd means /dev/null. The fds are not taken
// over: the caller keeps (and closes) its copies after spawn().
struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is the absolute path executed.
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Extra environment entries ("K=V") appended to the caller's environment.
  std::vector<std::string> extra_env;
  // Further fds the child gets: {fd number in the child (>= 3), caller's fd}.
  // Every other fd of the caller stays out (all are O_CLOEXEC).
  std::vector<std::pair<int, int>> extra_fds;
  // The child calls setsid(): it leaves the caller's session and process
  // group, so the terminal's signals (^C) and job control do not reach it.
  bool new_session = false;
  // argv[0] is executed as it is, never from its sealed copy (runFromSealedCopy): for a call
  // nobody waits for, making the copy would cost the caller more than the extra exec costs it.
  bool plain_exec = false;
  // For a runtime that creates a container: when berth's root is not the top
  // of its mount namespace (a chroot), the child first moves into a mount
  // namespace whose top is that root (sys::makeRootMountNamespaceTop), so
  // that `runtime exec`, which joins the container with setns, lands in the
  // container and not on the filesystem around the chroot.
  bool root_as_mount_ns_top = false;
  // spawn() returns right after the fork instead of waiting for the child's execve: the
  // caller works on while the child execs, and confirmExec() reports a failed execve later.
  bool defer_exec_check = false;
};

// Runs `path`, whenever a spawn's argv[0] names it, from a sealed in-memory copy made on
// first use (once per process). For crun: every crun process first re-executes itself from
// such a copy (its guard against CVE-2019-5736, a container overwriting the host's runtime
// through /proc/self/exe) unless it already runs from one; handing it the copy spares that
// second exec on every runtime call with the same protection. A copy that cannot be made
// leaves the plain execve.
void runFromSealedCopy(const std::string& path);
// Makes the copies not made yet now, ahead of the spawn that needs them (berth-monitor, while
// it waits for the engine's go).
void prepareSealedCopies();
// Closes the copies made so far (the next spawn makes them again): a long-lived process
// (berth-monitor) does not keep half a megabyte of crun per container between calls.
void dropSealedCopies();

// A spawned child. The child starts with all signals at their default
// disposition and an empty signal mask (the monitor blocks SIGCHLD and
// ignores SIGTERM; none of that may leak into the runtime or container).
// Destroying an unreaped ChildProcess kills it (SIGKILL) and reaps it.
class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  static Result<ChildProcess> spawn(const SpawnSpec& spec);

  pid_t pid() const { return pid_; }
  // Gives up ownership: the caller reaps the returned pid (a subreaper's wait loop).
  pid_t release() {
    pid_t p = pid_;
    pid_ = -1;
    return p;
  }
  // Blocks until the child exits; returns the raw wait status.
  Result<int> wait();
  // With SpawnSpec::defer_exec_check: blocks until the child has executed its program, or
  // returns why it could not (the child is reaped then). A no-op otherwise, or once done.
  Status confirmExec();

 private:
  pid_t pid_ = -1;
  UniqueFd exec_check_;  // the error pipe's read end until confirmExec()
  std::string exec_what_;  // argv[0], for confirmExec's error
};

// The exit code a shell would report: WEXITSTATUS, or 128+signal.
int exitCodeFromStatus(int wait_status);

struct CommandOutput {
  int exit_code = 0;  // exitCodeFromStatus()
  std::string out;
  std::string err;
};

// Spawns argv with stdout and stderr captured, stdin from stdin_fd (or
// /dev/null), and waits for it. Fails only when it cannot run the program;
// a non-zero exit is reported in exit_code.
Result<CommandOutput> runCaptured(const std::vector<std::string>& argv, int stdin_fd = -1);

}  // namespace berth::runtime
