// Route registration, one function per resource family.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/server/router.h"
#include "base/json.h"
#include "base/result.h"

namespace berth::api::server {

class Call;

void registerSystemRoutes(Router& r);
void registerImageRoutes(Router& r);
void registerContainerRoutes(Router& r);
void registerExecRoutes(Router& r);
void registerVolumeRoutes(Router& r);
void registerNetworkRoutes(Router& r);
void registerSecretRoutes(Router& r);
void registerPodRoutes(Router& r);
void registerBuildRoutes(Router& r);
void registerKubeRoutes(Router& r);
void registerFileRoutes(Router& r);
void registerEventRoutes(Router& r);
void registerStatsRoutes(Router& r);
// Everything above.
void registerAllRoutes(Router& r);

// The same handler on both trees.
inline void both(Router& r, std::string_view method, std::string_view pattern, Handler h,
                 BodyMode body = BodyMode::kBuffer) {
  r.add(method, Tree::kCompat, pattern, h, body);
  r.add(method, Tree::kLibpod, pattern, std::move(h), body);
}

// The first error of per-object reports (anything with an optional `error`), or OK.
template <typename Report>
Status firstError(const std::vector<Report>& reports) {
  for (auto& r : reports)
    if (r.error) return *r.error;
  return {};
}

// The top routes' ps_args: descriptors separated by commas or spaces; none for ps's own
// options ("-ef").
std::vector<std::string> topDescriptors(const Call& c);
// {"Processes","Titles"} from top's rows (the header row first).
Json topBody(const std::vector<std::vector<std::string>>& rows);
// podman's TopContainer/PodTop: query stream and delay (seconds, default 5; below 1 is
// kInvalidArgument). One answer, or with stream=true a body every `delay` seconds until the
// client goes or `read` fails.
Status topRoute(Call& c, const std::function<Result<std::vector<std::vector<std::string>>>()>& read);

}  // namespace berth::api::server
