// LocalSecretService: SecretService over the state DB and the file driver's data directory.
#pragma once

#include <string>
#include <vector>

#include "berth/api/secrets.h"
#include "state/secrets.h"

namespace berth::engine {

class Engine;

// The file driver: <root>/secrets/filedriver/<id>, mode 0600 in a 0700 directory. The data
// is written (temp, fsync, rename) before the record is inserted and deleted after the record
// is, so a kill -9 at any point leaves at worst a data file without a record, which no
// command shows and the next `secret rm` of that ID or create of a new one never meets.
class LocalSecretService : public api::SecretService {
 public:
  explicit LocalSecretService(Engine& e) : e_(e) {}
  Result<std::string> create(const api::SecretCreateRequest& req) override;
  Result<std::vector<api::SecretInfo>> list(const std::vector<std::string>& filters) override;
  Result<api::SecretInfo> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<std::vector<api::SecretRemoveReport>> remove(const std::vector<std::string>& names, bool all) override;

  // --- for the container service ---

  // The secret and its data (read from the driver, at most 512000 bytes). kNotFound as inspect.
  Result<std::pair<api::SecretInfo, std::string>> lookupData(const std::string& name_or_id);

  // podman's secret name rule: 1 to 64 of [a-zA-Z0-9-_.], starting and ending alphanumeric.
  static bool validName(const std::string& name);

 private:
  std::string dataDir() const;
  api::SecretInfo fromRecord(const state::SecretRecord& r) const;

  Engine& e_;
};

}  // namespace berth::engine
