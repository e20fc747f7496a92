// Applies `--change` Dockerfile instructions (import, commit) to an image config.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::engine {

// Applies CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER,
// VOLUME and WORKDIR to `config` (the image config's "config" object, Docker
// capitalised keys). kInvalidArgument names the change and what is wrong.
Status applyChanges(Json& config, const std::vector<std::string>& changes);

}  // namespace berth::engine
