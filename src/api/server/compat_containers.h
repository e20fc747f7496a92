// Container shapes of the two APIs and the Docker create body -> SpecGenerator
// conversion: pure functions, unit-tested.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/api/specgen.h"

namespace berth::api::server {

// Docker's ContainerCreateConfig (Config + HostConfig + NetworkingConfig) as a
// SpecGenerator, as podman's compat create does. A field of the wrong type is
// kInvalidArgument naming it; what berth cannot honour yet is refused or, when
// Docker clients send it by default, reported in `warnings`.
Result<SpecGenerator> specFromDockerCreate(const Json& body, const std::string& name,
                                           std::vector<std::string>& warnings);

// podman's entities.ListContainer (libpod /containers/json).
Json libpodContainerSummary(const ContainerSummary& s, int64_t now_ns);
// Docker's types.Container (compat /containers/json).
Json dockerContainerSummary(const ContainerSummary& s, int64_t now_ns);
// Docker's ContainerJSON from podman's inspect document. k8s-file logs are
// reported as json-file (docker-py streams output only for json-file/journald).
Json dockerContainerInspect(const Json& podman);
// Docker's status text: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created".
std::string dockerStatusText(const ContainerSummary& s, int64_t now_ns);
// Docker's wording for a state: configured -> created, stopped -> exited.
std::string dockerState(std::string_view podman_state);

}  // namespace berth::api::server
