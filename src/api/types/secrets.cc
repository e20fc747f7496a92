// JSON of the public secret types (include/berth/api/secrets.h): podman's SecretInfoReport.
#include "berth/api/secrets.h"

#include "base/json_access.h"
#include "base/timefmt.h"

namespace berth::api {

Json secretToJson(const SecretInfo& s) {
  Json driver = {{"Name", s.driver}, {"Options", Json(s.driver_options)}};
  if (driver["Options"].is_null()) driver["Options"] = Json::object();
  Json labels = Json(s.labels);
  if (labels.is_null()) labels = Json::object();
  return Json{{"ID", s.id},
              {"CreatedAt", formatRfc3339Nano(s.created)},
              {"UpdatedAt", formatRfc3339Nano(s.updated)},
              {"Spec", {{"Name", s.name}, {"Driver", driver}, {"Labels", labels}}}};
}

Result<SecretInfo> secretFromJson(const Json& j) {
  TRY(json::checkObject(j, ""));
  SecretInfo s;
  s.id = TRY(json::optString(j, "ID", ""));
  std::string t = TRY(json::optString(j, "CreatedAt", ""));
  if (!t.empty()) s.created = TRY_CTX(parseRfc3339(t), "CreatedAt");
  t = TRY(json::optString(j, "UpdatedAt", ""));
  if (!t.empty()) s.updated = TRY_CTX(parseRfc3339(t), "UpdatedAt");
  if (const Json* spec = TRY(json::optObject(j, "Spec", ""))) {
    s.name = TRY(json::optString(*spec, "Name", "Spec"));
    s.labels = TRY(json::optStringMap(*spec, "Labels", "Spec"));
    if (const Json* d = TRY(json::optObject(*spec, "Driver", "Spec"))) {
      s.driver = TRY(json::optString(*d, "Name", "Spec.Driver", "file"));
      s.driver_options = TRY(json::optStringMap(*d, "Options", "Spec.Driver"));
    }
  }
  return s;
}

}  // namespace berth::api
