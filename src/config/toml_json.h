// TOML parsing into berth::Json, so toml++ stays in one translation unit.
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"

namespace berth::config {

// Parses TOML `text` into JSON: tables become objects, arrays arrays, strings,
// integers, floats and booleans their JSON kinds, dates and times strings.
// A syntax error is kInvalidArgument "<what>: line L, column C: <reason>".
Result<Json> parseToml(std::string_view text, std::string_view what);

// `s` as a TOML basic string, quoted and escaped.
std::string tomlQuote(std::string_view s);

}  // namespace berth::config
