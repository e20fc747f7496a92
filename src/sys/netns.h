// Network namespaces kept alive by a bind mount (ip netns style), for netavark to configure.
#pragma once

#include <string>

#include "base/result.h"

namespace berth::sys {

// Creates a new network namespace with its loopback interface up and binds it
// at `path`, which must not exist (its directory must). On failure nothing is
// left behind. kAlreadyExists when `path` exists.
Status createNetns(const std::string& path);
// Unmounts the namespace at `path` and removes the file. A missing path is
// fine; the namespace itself goes away when no process is left in it.
Status removeNetns(const std::string& path);
// Whether `path` is a bound network namespace.
bool isNetns(const std::string& path);

}  // namespace berth::sys
