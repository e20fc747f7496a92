// Standard base64 (RFC 4648 with padding, Go's base64.StdEncoding) on OpenSSL's EVP block codec.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace berth {

std::string base64Encode(std::string_view data);
// Decodes standard base64: padding required, no whitespace or line breaks.
// Errors: kInvalidArgument "illegal base64 data at input byte N", N being the
// first offending byte as Go reports it.
Result<std::string> base64Decode(std::string_view text);

}  // namespace berth
