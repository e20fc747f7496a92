// The one table from berth's canonical error codes to HTTP statuses, and the error
// bodies of the two APIs (libpod: {"cause","message","response"}; Docker: {"message"}).
#pragma once

#include <string>

#include "api/server/router.h"
#include "base/json.h"
#include "base/result.h"

namespace berth::api::server {

// NotFound 404; AlreadyExists, Conflict and FailedPrecondition (container state) 409;
// InvalidArgument 400; Unimplemented 501; everything else 500. (304 "already
// started/stopped" is decided by the handlers that podman gives it to.)
int httpStatus(Code code);

// The innermost cause of an error message: the text after its last ": "
// ("no container with name or ID \"x\" found: no such container" -> "no such container"),
// as podman's errorhandling.Cause reports the wrapped sentinel.
std::string errorCause(const std::string& message);

Json errorBody(Tree tree, int status, const Error& e);

// The header that carries the canonical code name to berth's own remote client.
inline constexpr const char* kErrorCodeHeader = "Berth-Error-Code";

}  // namespace berth::api::server
