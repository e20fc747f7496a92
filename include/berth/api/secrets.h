// SecretService: the secret operations behind `berth secret ...` (podman's secrets with the
// file driver: metadata in the state DB, the data in 0600 files under the root).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::api {

// One secret as podman's entities.SecretInfoReport shows it; never its data.
struct SecretInfo {
  std::string id;  // 25 hex characters, as podman's
  std::string name;
  int64_t created = 0;  // unix ns
  int64_t updated = 0;  // unix ns
  std::string driver = "file";
  std::map<std::string, std::string> driver_options;  // file: "path" (the data directory)
  std::map<std::string, std::string> labels;
};

// SecretInfoReport JSON: ID, CreatedAt, UpdatedAt, Spec{Name, Driver{Name, Options}, Labels}.
Json secretToJson(const SecretInfo& s);
// The inverse, for the remote client; kInvalidArgument naming a field of the wrong type.
Result<SecretInfo> secretFromJson(const Json& j);

struct SecretCreateRequest {
  std::string name;
  std::string data;  // 1 byte to 512000 bytes
  std::string driver = "file";
  std::map<std::string, std::string> driver_options;
  std::map<std::string, std::string> labels;
};

struct SecretRemoveReport {
  std::string id;  // the removed secret's ID, or the name as given when it failed
  std::optional<Error> error;
};

class SecretService {
 public:
  virtual ~SecretService() = default;
  // Returns the new ID. kInvalidArgument for a bad name ("only 64 [a-zA-Z0-9-_.] characters
  // allowed, ..."), driver ("invalid driver") or size; kAlreadyExists "NAME: secret name in use".
  virtual Result<std::string> create(const SecretCreateRequest& req) = 0;
  // Filters key=value: name (prefix/regex as podman's), id (prefix). Sorted by creation.
  virtual Result<std::vector<SecretInfo>> list(const std::vector<std::string>& filters) = 0;
  // By exact name, full ID or unique ID prefix. kNotFound "no secret with name or id
  // \"X\": no such secret".
  virtual Result<SecretInfo> inspect(const std::string& name_or_id) = 0;
  virtual Result<bool> exists(const std::string& name_or_id) = 0;
  // One report per name (or per secret with `all`).
  virtual Result<std::vector<SecretRemoveReport>> remove(const std::vector<std::string>& names, bool all) = 0;
};

}  // namespace berth::api
