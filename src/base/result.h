// Result<T> and Error: errors as values with a canonical code, errno and context.
#pragma once

#include <fmt/format.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace berth {

// Canonical error codes (containerd's errdefs / gRPC codes). They cross the
// REST API as stable names and map once to CLI exit codes and HTTP statuses.
enum class Code {
  kOk = 0,
  kCancelled,
  kUnknown,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kConflict,
  kUnavailable,
  kInternal,
  kUnimplemented,
  kDataLoss,
  kDeadlineExceeded,
  // The container's command could not be invoked (podman's exit 126) or
  // was not found in the image (exit 127).
  kCannotInvoke,
  kCommandNotFound,
};

std::string_view codeName(Code code);
std::optional<Code> codeFromName(std::string_view name);

// An error: code, optional errno and a message built from the innermost cause
// outwards ("load image: unpack layer sha256:ab..: entry ../x: escapes root").
class [[nodiscard]] Error {
 public:
  Error(Code code, std::string message, int sys_errno = 0)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}

  Code code() const { return code_; }
  int sysErrno() const { return errno_; }
  const std::string& message() const { return message_; }
  // The full text: message plus strerror(errno) when there is one.
  std::string what() const;

  // Prepends "ctx: " to the message. Returns *this for chaining.
  Error& context(std::string_view ctx) &;
  Error&& context(std::string_view ctx) &&;

 private:
  Code code_;
  int errno_;
  std::string message_;
};

template <typename... Args>
Error makeError(Code code, fmt::format_string<Args...> f, Args&&... args) {
  return Error(code, fmt::format(f, std::forward<Args>(args)...));
}

// Maps an errno to its canonical code (ENOENT -> kNotFound, EEXIST ->
// kAlreadyExists, EACCES/EPERM -> kPermissionDenied, ...).
Code codeFromErrno(int e);

// An error for a failed syscall: code from errno, message `what`.
Error sysError(int e, std::string what);
template <typename... Args>
Error errnoError(fmt::format_string<Args...> f, Args&&... args) {
  int e = errno;
  return sysError(e, fmt::format(f, std::forward<Args>(args)...));
}

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  Result(const T& v) : v_(v) {}
  Result(T&& v) : v_(std::move(v)) {}
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Error> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

  // By value: TRY binds its argument to a reference, which must not dangle
  // when the argument is a temporary's context().
  Result context(std::string_view ctx) && {
    if (!ok()) std::get<1>(v_).context(ctx);
    return std::move(*this);
  }
  T valueOr(T dflt) const& { return ok() ? value() : std::move(dflt); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const {}
  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }
  Result context(std::string_view ctx) && {
    if (e_) e_->context(ctx);
    return std::move(*this);
  }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;
inline Status okStatus() { return {}; }

}  // namespace berth

// TRY(expr): evaluates a Result; on error returns the error from the
// enclosing function, else yields the value (GNU statement expression).
#define TRY(expr)                                            \
  ({                                                         \
    auto&& berth_try_r_ = (expr);                            \
    if (!berth_try_r_.ok()) return std::move(berth_try_r_).error(); \
    std::move(berth_try_r_).value();                         \
  })

// TRY_CTX(expr, fmt...): like TRY, adding context to the error.
#define TRY_CTX(expr, ...)                                              \
  ({                                                                    \
    auto&& berth_try_r_ = (expr);                                       \
    if (!berth_try_r_.ok())                                             \
      return std::move(berth_try_r_).error().context(fmt::format(__VA_ARGS__)); \
    std::move(berth_try_r_).value();                                    \
  })
