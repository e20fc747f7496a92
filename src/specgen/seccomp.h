// containers' seccomp.json profile format -> OCI linux.seccomp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::specgen {

// This build's architecture in Go's naming ("amd64", "arm64", ...), which the
// profile's includes/excludes "arches" use.
std::string_view nativeGoArch();

// Translates a profile in containers-common's format (defaultAction,
// defaultErrnoRet, architectures | archMap, syscalls[{name|names, action,
// errnoRet, args, includes{caps,arches}, excludes{caps,arches}}]) as
// containers/common's setupSeccomp does: architectures from the archMap entry
// of `go_arch`; a rule is kept only if none of its excluded arches is
// `go_arch`, none of its excluded caps is in `bounding_caps`, its included
// arches (if any) contain `go_arch` and all its included caps are in
// `bounding_caps`. kInvalidArgument on a malformed profile.
Result<Json> translateSeccompProfile(const Json& profile,
                                     const std::vector<std::string>& bounding_caps,
                                     std::string_view go_arch);

// Reads and translates the profile at `path` (kNotFound if missing).
Result<Json> loadSeccompProfile(const std::string& path,
                                const std::vector<std::string>& bounding_caps,
                                std::string_view go_arch);

}  // namespace berth::specgen
