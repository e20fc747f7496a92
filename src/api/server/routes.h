// Route registration, one function per resource family.
#pragma once

#include "api/server/router.h"

namespace berth::api::server {

void registerSystemRoutes(Router& r);
void registerImageRoutes(Router& r);
void registerContainerRoutes(Router& r);
void registerExecRoutes(Router& r);
// Everything above.
void registerAllRoutes(Router& r);

// The same handler on both trees.
inline void both(Router& r, std::string_view method, std::string_view pattern, Handler h,
                 BodyMode body = BodyMode::kBuffer) {
  r.add(method, Tree::kCompat, pattern, h, body);
  r.add(method, Tree::kLibpod, pattern, std::move(h), body);
}

}  // namespace berth::api::server
