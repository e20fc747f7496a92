// A fast reader for JSON that berth wrote itself (its database rows), into the same Json
// (nlohmann::ordered_json) nlohmann's parser gives.
//
// nlohmann's lexer costs about 150 instructions a byte; listing 1000 containers parsed
// 257 kB of rows in 40 M instructions, a third of `ps -a`. This reader gives the same value
// for every document it accepts (unit-tested against nlohmann on random documents) and
// refuses, so that the caller parses with nlohmann instead, whatever it is not sure of:
// invalid UTF-8, control characters, integers beyond 64 bits, nesting beyond 512 levels,
// duplicate keys, trailing bytes.
#pragma once

#include <optional>
#include <string_view>

#include "base/json.h"

namespace berth {

// The document in `text`, or nullopt where nlohmann must decide.
std::optional<Json> parseJsonFast(std::string_view text);

// parseJsonFast, else nlohmann's parse without exceptions (a discarded value on error).
Json parseJsonTrusted(std::string_view text);

}  // namespace berth
