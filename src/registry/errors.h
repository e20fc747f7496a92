// Registry error responses ({"errors":[{"code":..,"message":..}]}) mapped to canonical codes.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace berth::registry {

// The canonical code for a distribution error code ("MANIFEST_UNKNOWN" ->
// kNotFound); falls back to the HTTP status when the code is unknown or empty.
Code codeForRegistryError(std::string_view error_code, long http_status);

// The canonical code for an HTTP status alone (404 -> kNotFound, 5xx/429 ->
// kUnavailable, 401/403 -> kPermissionDenied, ...).
Code codeForHttpStatus(long http_status);

// An error for a failed registry response. The message is the first error's
// code phrase as distribution prints it ("manifest unknown"), followed by the
// registry's message when it says more, or "unexpected HTTP status <n>" when
// the body carries no distribution errors.
Error registryError(long http_status, std::string_view body);

// True for statuses worth retrying: 429 and 5xx except 501/505.
bool isTransientStatus(long http_status);

}  // namespace berth::registry
