// SystemService: version and info.
#pragma once

#include "base/json.h"
#include "base/result.h"

namespace berth::api {

class SystemService {
 public:
  virtual ~SystemService() = default;
  // podman info's document (host, store, registries, version).
  virtual Result<Json> info() = 0;
};

}  // namespace berth::api
