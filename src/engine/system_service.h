// LocalSystemService: `info` for the local engine.
#pragma once

#include "berth/api/system.h"

namespace berth::engine {

class Engine;

class LocalSystemService : public api::SystemService {
 public:
  explicit LocalSystemService(Engine& e) : e_(e) {}
  Result<Json> info() override;
  Status events(const api::EventsRequest& req, const std::function<bool(const api::Event&)>& sink) override;
  // system_admin.cc
  Result<api::DfReport> df() override;
  Result<api::SystemPruneReport> prune(const api::SystemPruneRequest& req) override;
  Status reset() override;
  Status migrate(const std::string& new_runtime) override;
  Status renumber() override;
  // system_check.cc
  Result<api::SystemCheckReport> check(const api::SystemCheckRequest& req) override;

 private:
  Engine& e_;
};

// berth's version, shared by `version`, `info` and the API.
struct VersionInfo {
  static constexpr const char* kVersion = "0.1.0";
  static constexpr const char* kApiVersion = "4.3.1";  // libpod API level we serve
};

}  // namespace berth::engine
