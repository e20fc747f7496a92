// Errors from the service's answers: the one table from HTTP status to canonical code,
// refined by berth's Berth-Error-Code header when the service is berth. Never by wording.
#pragma once

#include "api/client/http.h"
#include "base/result.h"

namespace berth::api::client {

// The header a berth service puts on error answers: the canonical code's name.
inline constexpr const char* kErrorCodeHeader = "berth-error-code";

// 400 InvalidArgument, 401/403 PermissionDenied, 404 NotFound, 409 Conflict,
// 413 InvalidArgument, 500 Internal, 501 Unimplemented, 503 Unavailable,
// 504 DeadlineExceeded, any other status Unknown.
Code codeFromHttpStatus(int status);

// The Error a non-2xx answer stands for: the code from Berth-Error-Code when it names a
// known code, else from the status table; the message from the body's "message"
// (libpod {"cause","message","response"}, Docker {"message"}), else the status line.
Error errorFromResponse(const HttpResponse& r);

}  // namespace berth::api::client
