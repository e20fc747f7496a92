// Calls shared by the bindings and the remote services that are not public API.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/bindings/connection.h"

namespace berth::api::client {

// Attaches to container `id` (whose tty flag the caller knows), runs `before_start`
// once attached, then pumps the streams. 0 when the stream ended, -1 after a detach.
Result<int> attachTo(bindings::Connection& c, const std::string& id, bool tty, const AttachStreams& streams,
                     const std::function<Status()>& before_start);

}  // namespace berth::api::client
