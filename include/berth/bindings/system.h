// berth::system: the libpod system routes (podman's pkg/bindings/system).
#pragma once

#include "base/json.h"
#include "base/result.h"
#include "berth/bindings/connection.h"

namespace berth::system {

using bindings::Connection;

// podman's info document (host, store, registries, version).
Result<Json> info(Connection& c);
// The service's version document (Components, Version, ApiVersion, ...).
Result<Json> version(Connection& c);
// GET /_ping: the service answers.
Status ping(Connection& c);

}  // namespace berth::system
