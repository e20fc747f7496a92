// LocalKubeService: Kubernetes YAML from and to the local engine's pods, containers and
// volumes (podman's libpod/kube.go, pkg/specgen/generate/kube and abi/play.go).
#pragma once

#include <string>
#include <vector>

#include <functional>
#include <optional>

#include "base/json.h"
#include "berth/api/images.h"
#include "berth/api/kube.h"

namespace berth::engine {

class Engine;

// The Kubernetes kinds kube play handles; the rest are skipped.
inline constexpr const char* kKubeDefaultNetwork = "podman-default-kube-network";
// Kubernetes' limit on an annotation value (podman's define.MaxKubeAnnotation).
inline constexpr size_t kMaxKubeAnnotation = 63;

// The documents of a kube YAML file, in the order podman plays them (volumes, secrets and
// config maps before the pods that use them), each checked to be a mapping with a string
// "kind". kInvalidArgument naming `source` and the document's position.
Result<std::vector<Json>> kubeDocuments(const std::string& yaml, const std::string& source);

// The image a played container runs: `image` under its imagePullPolicy ("Always",
// "IfNotPresent", "Never" or "", any case), pulled with `pull` (its reference set here) when the
// policy asks. `build`, when given, may make the image instead (it gets whether it exists and
// returns the name built, or nothing). kInvalidArgument for an unknown policy, kNotFound for a
// missing image under "Never".
Result<std::string> kubeImage(api::ImageService& images, const std::string& image, const std::string& policy,
                              api::ImagePullRequest pull,
                              const std::function<Result<std::optional<std::string>>(bool have)>& build = {});

// A pod name as Kubernetes' pod: podman's removeUnderscores.
std::string kubeName(std::string name);

class LocalKubeService : public api::KubeService {
 public:
  explicit LocalKubeService(Engine& e) : e_(e) {}
  Result<std::string> generate(const api::KubeGenerateRequest& req) override;
  Result<api::KubePlayReport> play(const api::KubePlayRequest& req) override;
  Result<api::KubeDownReport> down(const std::string& yaml, const std::string& source, bool force) override;

 private:
  Engine& e_;
};

}  // namespace berth::engine
