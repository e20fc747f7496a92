// Helpers shared by the registries.conf files (not part of the public interface).
#pragma once

#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"
#include "config/registries.h"

namespace berth::config::internal {

// The length of `prefix` matched at the start of `ref`, or -1 (containers/
// image refMatchingPrefix; "*.example.com" prefixes match subdomains).
long refMatchingPrefix(std::string_view ref, std::string_view prefix);

// Checks that `name` is a short name without tag or digest (kInvalidArgument).
Status validateShortName(std::string_view name);
// Parses an alias value: fully qualified, no tag or digest; returns it normalised.
Result<std::string> parseAliasValue(std::string_view value);

// Reads the [aliases] table of `doc` (parsed from `path`) into `out`.
Status mergeAliases(const Json& doc, const std::string& path,
                    std::map<std::string, Alias, std::less<>>& out);

}  // namespace berth::config::internal
