// TOML parsing into berth::Json, so toml++ stays in one translation unit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::config {

// Parses TOML `text` into JSON: tables become objects, arrays arrays, strings,
// integers, floats and booleans their JSON kinds, dates and times strings.
// A syntax error is kInvalidArgument "<what>: line L, column C: <reason>".
Result<Json> parseToml(std::string_view text, std::string_view what);

// Sets the value at `path` (nested table keys; missing tables are created) in the TOML
// document `text`, or removes it when `value` is null, and returns the whole document
// re-serialised. Comments and formatting are not kept (podman rewrites its
// containers.conf the same way); every other key is. JSON objects become tables, arrays
// arrays, strings, integers, floats and booleans their TOML kinds.
// kInvalidArgument for a syntax error (as parseToml) or a path through a non-table.
Result<std::string> tomlSet(std::string_view text, std::string_view what, const std::vector<std::string>& path,
                            const Json& value);

// `s` as a TOML basic string, quoted and escaped.
std::string tomlQuote(std::string_view s);

}  // namespace berth::config
