// JSON: nlohmann::ordered_json keeps field order, so output matches podman's struct order.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "base/result.h"

namespace berth {

using Json = nlohmann::ordered_json;

// Parses `text`; a syntax error is kInvalidArgument naming `what` and the position.
Result<Json> parseJson(std::string_view text, std::string_view what);

}  // namespace berth
