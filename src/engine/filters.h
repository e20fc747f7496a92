// The --filter vocabulary shared by the list and prune operations of networks and volumes.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace berth::engine {

// Go's regexp.MatchString (unanchored) against any pattern; an invalid pattern matches nothing.
bool regexMatchAny(const std::string& s, const std::vector<std::string>& patterns);
// containers/common filters.MatchLabelFilters: every filter ("key" or "key=value", key may
// hold a * pattern) must match some label.
bool matchLabels(const std::vector<std::string>& filters, const std::map<std::string, std::string>& labels);
// podman's FilterArgumentsIntoFilters: key=value, values of one key grouped.
// kInvalidArgument "filter input must be in the form of filter=value: X is invalid".
Result<std::map<std::string, std::vector<std::string>>> groupFilters(const std::vector<std::string>& raw);
// Go's strconv.ParseBool; kInvalidArgument naming `what` otherwise.
Result<bool> parseGoBool(const std::string& v, const std::string& what);

}  // namespace berth::engine
