// LocalKubeService: Kubernetes YAML from and to the local engine's pods, containers and
// volumes (podman's libpod/kube.go, pkg/specgen/generate/kube and abi/play.go).
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
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
