// Image configs (OCI image-spec config, Docker image JSON): one checked parse into typed fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json_access.h"
#include "base/result.h"

namespace berth::image {

struct HistoryEntry {
  std::optional<int64_t> created;  // ns since the epoch; nullopt when absent
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
};

// The fields berth uses, typed. Every field of the OCI image config and of
// Docker's image JSON that has a type is checked, including the ones berth
// only passes through (ExposedPorts, Healthcheck, container_config, ...), so
// `doc` and `config` are safe to print whole. Unknown fields are kept, as
// Go's unmarshal ignores them.
struct ImageConfig {
  Json doc;                        // the whole document
  Json config = Json::object();    // doc["config"], {} when absent or null
  std::optional<int64_t> created;  // ns since the epoch
  std::string author;
  std::string architecture;
  std::string os;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string docker_version;
  std::string comment;  // Docker's top-level comment
  // From `config`.
  std::string user;
  std::string working_dir;
  std::string stop_signal;
  std::vector<std::string> env;
  std::vector<std::string> cmd;
  std::vector<std::string> entrypoint;
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, each a valid digest
  std::vector<HistoryEntry> history;
};

// Parses and checks an image config. kInvalidArgument naming the field path
// for a wrong type ("config.User: expected string, got number"), a bad
// timestamp ("history[0].created: ...") or a bad diff_id; a missing rootfs is
// an error (every image has one). Nothing here throws.
Result<ImageConfig> parseImageConfig(std::string_view bytes);
Result<ImageConfig> imageConfigFromJson(Json doc);

// Checks the "config" object (the container defaults, OCI ImageConfig or
// Docker's container config) found at `where`.
Status checkContainerConfig(const Json& config, std::string_view where);

}  // namespace berth::image
