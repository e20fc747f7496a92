// Docker Engine API image shapes built from berth's (podman's) image documents: pure
// functions, unit-tested.
#pragma once

#include <functional>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "berth/api/images.h"

namespace berth::api::server {

// podman's entities.ImageSummary (libpod /images/json).
Json libpodImageSummary(const ImageSummary& s);
// Docker's types.ImageSummary (compat /images/json): Id is "sha256:<hex>".
Json dockerImageSummary(const ImageSummary& s);
// Docker's types.ImageInspect from podman's image inspect document.
Json dockerImageInspect(const Json& podman);
// Both trees' history entries ({"Id","Created","CreatedBy","Tags","Size","Comment"}).
Json historyJson(const ImageHistoryEntry& h);

// podman's NormalizeToDockerHub for compat routes: a name that names a local image
// (by ID, name or short name) stays as given; any other name becomes its fully
// qualified docker.io form ("busybox" -> "docker.io/library/busybox").
Result<std::string> normalizeToDockerHub(const std::string& name,
                                         const std::function<bool(const std::string&)>& exists_locally);

}  // namespace berth::api::server
