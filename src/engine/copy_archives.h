// `cp` over a ContainerService's archive methods (statPath, copyToArchive, copyFromArchive)
// instead of the container's file system: what `berth --remote cp` runs, podman's cp
// semantics on both ends, with the host side done here.
#pragma once

#include "berth/api/containers.h"

namespace berth::engine {

Status copyThroughArchives(api::ContainerService& svc, const api::CopyRequest& req);

}  // namespace berth::engine
