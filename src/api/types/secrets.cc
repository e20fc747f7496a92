// JSON of the public secret types (include/berth/api/secrets.h): podman's SecretInfoReport.
#include "berth/api/secrets.h"

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

}  // namespace berth::api
