// LocalSystemService: `info` for the local engine.
#pragma once

#include "berth/api/system.h"

namespace berth::engine {

class Engine;

class LocalSystemService : public api::SystemService {
 public:
  explicit LocalSystemService(Engine& e) : e_(e) {}
  Result<Json> info() override;

 private:
  Engine& e_;
};

// berth's version, shared by `version`, `info` and the API.
struct VersionInfo {
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kApiVersion = "4.3.1";  // libpod API level we serve
};

}  // namespace berth::engine
