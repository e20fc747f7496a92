// Standard base64 (RFC 4648, with padding) for auth.json "auth" fields.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace berth::config {

std::string base64Encode(std::string_view data);
// Decodes standard base64 (Go's base64.StdEncoding: padding required, no
// whitespace). Errors: kInvalidArgument "illegal base64 data at input byte N".
Result<std::string> base64Decode(std::string_view text);

}  // namespace berth::config
