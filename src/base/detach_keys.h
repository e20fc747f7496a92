// podman's --detach-keys: "ctrl-p,ctrl-q", "a,ctrl-@" -> the bytes that detach.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace berth {

// The key sequence as bytes; "" disables detaching. kInvalidArgument naming the key for
// anything but single characters and ctrl-[a-z@[\]^_].
Result<std::string> parseDetachKeys(std::string_view spec);

}  // namespace berth
