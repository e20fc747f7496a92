// Typed, checked reads of the service's JSON answers (they are hostile like any input):
// a wrong type is kDataLoss naming the field; missing or null fields keep their default.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/api/images.h"

namespace berth::api::client {

class Fields {
 public:
  // `what` names the document in errors ("containers/json[3]").
  Fields(const Json& obj, std::string what) : obj_(obj), what_(std::move(what)) {}
  static Result<Fields> of(const Json& doc, std::string what);

  Status str(std::string_view key, std::string& out) const;
  Status i64(std::string_view key, int64_t& out) const;
  Status i32(std::string_view key, int& out) const;
  Status boolean(std::string_view key, bool& out) const;
  Status strings(std::string_view key, std::vector<std::string>& out) const;
  Status stringMap(std::string_view key, std::map<std::string, std::string>& out) const;
  // An RFC 3339 time string, or a unix-seconds number, as unix ns (Go's zero time: 0).
  Status timeNs(std::string_view key, int64_t& out) const;
  const Json* get(std::string_view key) const;
  Error bad(std::string_view key, std::string_view want, const Json& got) const;

 private:
  const Json& obj_;
  std::string what_;
};

// An array answer (kDataLoss when it is not one; null is an empty array).
Result<std::vector<const Json*>> arrayOf(const Json& doc, std::string_view what);

// libpod answers -> API reports.
Result<ContainerSummary> decodeListContainer(const Json& j, std::string what);
Result<ImageSummary> decodeImageSummary(const Json& j, std::string what);
Result<ImageHistoryEntry> decodeHistory(const Json& j, std::string what);
// A top answer {"Titles", "Processes"} as rows, the titles first.
Result<std::vector<std::vector<std::string>>> decodeTop(const Json& j, std::string_view what);
// [{"Id","Size","Err"}] -> (id, size); an entry with an error fails with it.
Result<std::vector<std::pair<std::string, int64_t>>> decodePruneReports(const Json& j, std::string what);

}  // namespace berth::api::client
