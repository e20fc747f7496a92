// podman's exit-code conventions.
#include "cli/exit_codes.h"

namespace berth::cli {

int exitCode(const Error& e, Phase phase) {
  switch (phase) {
    case Phase::kStart:
      return kExitEngineError;
    case Phase::kRunStart:
      return e.code() == Code::kCommandNotFound ? kExitCommandNotFound : kExitCannotInvoke;
    case Phase::kCommand:
      break;
  }
  switch (e.code()) {
    case Code::kCommandNotFound:
      return kExitCommandNotFound;
    case Code::kCannotInvoke:
      return kExitCannotInvoke;
    default:
      return kExitEngineError;
  }
}

void RemoveExitCode::add(const Error& e) {
  failed_ = true;
  switch (e.code()) {
    case Code::kNotFound:
      missing_ = true;
      break;
    // A running container is a conflict (kConflict), an image used by a
    // container a failed precondition: both are podman's exit 2 for their kind.
    case Code::kConflict:
      if (kind_ == Kind::kContainer) in_use_ = true;
      else other_ = true;
      break;
    case Code::kFailedPrecondition:
      in_use_ = true;
      break;
    default:
      other_ = true;
  }
}

int RemoveExitCode::code() const {
  if (!failed_) return 0;
  if (kind_ == Kind::kContainer) {
    if (missing_) return 1;
    if (in_use_) return 2;
    return kExitEngineError;
  }
  if (in_use_) return 2;
  if (missing_ && !other_) return 1;
  return kExitEngineError;
}

}  // namespace berth::cli
