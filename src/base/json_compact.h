// Compact JSON output for large documents (the API's lists).
#pragma once

#include <string>

#include "base/json.h"

namespace berth {

// Appends `j` as j.dump(-1, ' ', false, error_handler_t::replace) writes it, byte for
// byte, with plain ASCII strings copied whole instead of escaped a byte at a time (the
// API's lists are mostly such strings).
void appendCompactJson(std::string& out, const Json& j);

}  // namespace berth
