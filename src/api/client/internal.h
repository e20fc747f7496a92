// Calls shared by the bindings and the remote services that are not public API.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/bindings/connection.h"

namespace berth::api::client {

// Attaches to container `id` (whose tty flag the caller knows), runs `before_start`
// once attached, then pumps the streams. 0 when the stream ended, -1 after a detach.
// kUnimplemented for a command the service has no route for: "<command> is not supported
// in remote mode: ...", so nothing falls back silently to something else.
Error remoteUnsupported(std::string_view command);

// `r`, with a kUnimplemented answer (the service has no route for the call) turned into
// remoteUnsupported(command).
template <typename T>
Result<T> orUnsupported(Result<T> r, std::string_view command) {
  if (!r.ok() && r.error().code() == Code::kUnimplemented) return remoteUnsupported(command);
  return r;
}

Result<int> attachTo(bindings::Connection& c, const std::string& id, bool tty, const AttachStreams& streams,
                     const std::function<Status()>& before_start);

}  // namespace berth::api::client
