// Error formatting and errno/code mapping.
#include "base/result.h"

#include <cstring>

namespace berth {

namespace {
constexpr std::pair<Code, std::string_view> kNames[] = {
    {Code::kOk, "ok"},
    {Code::kCancelled, "cancelled"},
    {Code::kUnknown, "unknown"},
    {Code::kInvalidArgument, "invalid_argument"},
    {Code::kNotFound, "not_found"},
    {Code::kAlreadyExists, "already_exists"},
    {Code::kPermissionDenied, "permission_denied"},
    {Code::kFailedPrecondition, "failed_precondition"},
    {Code::kConflict, "conflict"},
    {Code::kUnavailable, "unavailable"},
    {Code::kInternal, "internal"},
    {Code::kUnimplemented, "unimplemented"},
    {Code::kDataLoss, "data_loss"},
    {Code::kDeadlineExceeded, "deadline_exceeded"},
    {Code::kCannotInvoke, "cannot_invoke"},
    {Code::kCommandNotFound, "command_not_found"},
};
}  // namespace

std::string_view codeName(Code code) {
  for (auto& [c, n] : kNames)
    if (c == code) return n;
  return "unknown";
}

std::optional<Code> codeFromName(std::string_view name) {
  for (auto& [c, n] : kNames)
    if (n == name) return c;
  return std::nullopt;
}

std::string Error::what() const {
  if (errno_ == 0) return message_;
  return message_ + ": " + std::strerror(errno_);
}

Error& Error::context(std::string_view ctx) & {
  message_ = std::string(ctx) + ": " + message_;
  return *this;
}

Error&& Error::context(std::string_view ctx) && {
  message_ = std::string(ctx) + ": " + message_;
  return std::move(*this);
}

Code codeFromErrno(int e) {
  switch (e) {
    case 0: return Code::kOk;
    case ENOENT: case ESRCH: case ENXIO: return Code::kNotFound;
    case EEXIST: case ENOTEMPTY: return Code::kAlreadyExists;
    case EACCES: case EPERM: case EROFS: return Code::kPermissionDenied;
    case EINVAL: case ENAMETOOLONG: case ELOOP: case ENOTDIR: case EISDIR: case EXDEV:
      return Code::kInvalidArgument;
    case EBUSY: return Code::kConflict;
    case EAGAIN: case EINTR: case ECONNREFUSED: case ECONNRESET: case EPIPE: case ENOSPC:
      return Code::kUnavailable;
    case ETIMEDOUT: return Code::kDeadlineExceeded;
    case ENOSYS: case EOPNOTSUPP: return Code::kUnimplemented;
    default: return Code::kInternal;
  }
}

Error sysError(int e, std::string what) { return Error(codeFromErrno(e), std::move(what), e); }

}  // namespace berth
