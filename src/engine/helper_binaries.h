// Locates berth's helper executables (berth-monitor, berth-cleanup).
#pragma once

#include <string>

#include "base/result.h"

namespace berth::engine {

// Looks in $BERTH_HELPER_DIR, beside the running executable, the build tree's
// src/monitor and src/cli, then /usr/local/libexec/berth and /usr/libexec/berth.
Result<std::string> helperBinary(const std::string& name);

}  // namespace berth::engine
