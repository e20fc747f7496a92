// Linux capability names and podman's capability merge rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace berth::specgen {

// containers.conf default_capabilities of containers-common 0.50 (podman 4).
const std::vector<std::string>& defaultCapabilities();

// Every capability 0..last_cap, in numeric order.
std::vector<std::string> allCapabilities(int last_cap);

// The capabilities whose bits are set in `mask`, in numeric order.
std::vector<std::string> capabilitiesFromMask(uint64_t mask);

// This process's bounding set (CapBnd of /proc/self/status), podman's
// capabilities.BoundingSet(). Not every host grants all capabilities.
Result<std::vector<std::string>> currentBoundingSet();

// "net_admin", "NET_ADMIN", "cap_net_admin" -> "CAP_NET_ADMIN"; "all" -> "ALL".
// kInvalidArgument `"CAP_FOO": unknown capability`.
Result<std::string> normalizeCapability(std::string_view cap);

// podman's capabilities.MergeCapabilities: base minus drops plus adds,
// sorted; "ALL" in drops keeps only adds, "ALL" in adds starts from `all`
// (the bounding set). kInvalidArgument when one capability is both added
// and dropped.
Result<std::vector<std::string>> mergeCapabilities(const std::vector<std::string>& base,
                                                   const std::vector<std::string>& adds,
                                                   const std::vector<std::string>& drops,
                                                   const std::vector<std::string>& all);

}  // namespace berth::specgen
