// podman's exit codes, in one place: how a failed command's error becomes its exit code.
#pragma once

#include "base/result.h"

namespace berth::cli {

inline constexpr int kExitEngineError = 125;  // the engine failed (podman's ExecErrorCodeGeneric)
inline constexpr int kExitCannotInvoke = 126;  // the container's command could not be invoked
inline constexpr int kExitCommandNotFound = 127;  // the container's command was not found

// What the failed command was doing: podman maps some errors differently there.
enum class Phase {
  // Any command: 127 / 126 when a container's command was not found / could not
  // be invoked (exec, run), else 125.
  kCommand,
  // run starting the container it created: 127 when the command was not found,
  // else 126 (podman's define.ExitCode: every start failure "cannot invoke").
  kRunStart,
  // start: podman reports every failure to start as an engine error, 125.
  kStart,
};

// The exit code of a command that failed with `e`.
int exitCode(const Error& e, Phase phase = Phase::kCommand);

// The exit code of a removal that reports each object's failure and goes on
// (podman-rm(1), podman-rmi(1)): 1 for a missing object, 2 for one in use or
// in the wrong state, else 125; 0 when nothing failed.
class RemoveExitCode {
 public:
  enum class Kind {
    // Containers: "no such container" wins over every other failure (rm.go's setExitCode).
    kContainer,
    // Images: "in use" wins; "no such image" counts only when no other failure
    // happened (removeErrorsToExitCode in podman's abi/images.go).
    kImage,
  };
  explicit RemoveExitCode(Kind kind) : kind_(kind) {}
  void add(const Error& e);
  int code() const;

 private:
  Kind kind_;
  bool failed_ = false, missing_ = false, in_use_ = false, other_ = false;
};

}  // namespace berth::cli
