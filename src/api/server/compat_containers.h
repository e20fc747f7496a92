// Container shapes of the two APIs and the Docker create body -> SpecGenerator
// conversion: pure functions, unit-tested.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/containers.h"
#include "berth/api/specgen.h"

namespace berth::api::server {

// Where a Docker create body's Config.Attach{Stdin,Stdout,Stderr} are kept ("stdin,stdout,
// stderr"), as the SpecGenerator has no such fields: Docker's inspect reports them, and
// clients decide by them which streams to attach (dockerpty, so `docker-compose run`).
inline constexpr std::string_view kDockerAttachAnnotation = "io.berth.docker.attach";

// Docker's ContainerCreateConfig (Config + HostConfig + NetworkingConfig) as a
// SpecGenerator, as podman's compat create does. A field of the wrong type is
// kInvalidArgument naming it; what berth cannot honour yet is refused or, when
// Docker clients send it by default, reported in `warnings`.
Result<SpecGenerator> specFromDockerCreate(const Json& body, const std::string& name,
                                           std::vector<std::string>& warnings);

// Docker's EndpointSettings (create's NetworkingConfig.EndpointsConfig.<net>, connect's
// EndpointConfig): Aliases, IPAddress, IPAMConfig.{IPv4Address,IPv6Address}, MacAddress.
// `field` names the object in errors; the addresses are checked by the engine.
Result<PerNetworkOptions> perNetworkFromDockerEndpoint(const Json& endpoint, std::string_view field);

// Docker's Resources fields (HostConfig on create, the whole body of POST
// /containers/{id}/update) as OCI resources: 0 or absent leaves a value unset, PidsLimit -1
// is unlimited. Negative limits, NanoCpus beside CpuPeriod/CpuQuota and a BlkioWeight out of
// 10..1000 are kInvalidArgument naming the field.
Result<LinuxResources> dockerResources(const Json& obj);

// podman's entities.ListContainer (libpod /containers/json).
Json libpodContainerSummary(const ContainerSummary& s, int64_t now_ns);
// Docker's types.Container (compat /containers/json); `default_network` is reported as
// "bridge".
Json dockerContainerSummary(const ContainerSummary& s, int64_t now_ns, const std::string& default_network);
// Docker's ContainerJSON from podman's inspect document. k8s-file logs are
// reported as json-file (docker-py streams output only for json-file/journald).
Json dockerContainerInspect(const Json& podman);
// Docker's status text: "Up 3 seconds", "Exited (0) 2 minutes ago", "Created".
std::string dockerStatusText(const ContainerSummary& s, int64_t now_ns);
// Docker's wording for a state: configured -> created, stopped -> exited.
std::string dockerState(std::string_view podman_state);

}  // namespace berth::api::server
