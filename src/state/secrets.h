// Secret records in the state DB: name, ID, times and the driver's configuration as JSON.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "state/db.h"

namespace berth::state {

struct SecretRecord {
  std::string id;
  std::string name;
  int64_t created = 0;
  int64_t updated = 0;
  Json config;  // driver, driver_options, labels
};

// By creation time.
Result<std::vector<SecretRecord>> listSecrets(Db& db);
// kAlreadyExists "NAME: secret name in use" (podman's text).
Status insertSecret(Db& db, const SecretRecord& rec);
// A missing secret is fine.
Status deleteSecret(Db& db, const std::string& id);
// By exact name, full ID or unique ID prefix. kNotFound "no secret with name or id \"X\": no
// such secret"; an ambiguous prefix is kInvalidArgument.
Result<SecretRecord> findSecret(Db& db, const std::string& name_or_id);

}  // namespace berth::state
