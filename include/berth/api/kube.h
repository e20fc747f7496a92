// Kubernetes YAML: kube generate, kube play and kube down (podman's pkg/domain kube entities).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <functional>

#include "base/result.h"
#include "berth/api/specgen.h"

namespace berth::api {

struct KubeGenerateRequest {
  std::vector<std::string> names;  // containers, pods or volumes
  bool service = false;            // -s: a Service per pod with its ports as NodePorts
  std::string type = "pod";        // --type pod|deployment
  int replicas = 1;                // --replicas (deployment)
};

struct KubePlayRequest {
  std::string yaml;         // the documents
  std::string source;       // where they came from (file name, URL or "-"), for errors
  bool start = true;        // --start=false creates without starting
  bool replace = false;     // removes pods of the same names first
  bool quiet = false;       // no pull progress
  bool no_hosts = false;    // --no-hosts
  // --network, parsed as `run --network` parses it; unset: every pod on the shared network
  // podman-default-kube-network (created with DNS when missing).
  std::optional<ContainerNetworkConfig> network;
  std::vector<std::string> static_ips;       // --ip, one per pod in order
  std::vector<std::string> static_macs;      // --mac-address, one per pod in order
  std::vector<std::string> configmap_files;  // --configmap
  std::map<std::string, std::string> annotations;  // --annotation, onto every container
  std::string log_driver;                   // --log-driver
  std::vector<std::string> log_options;     // --log-opt
  std::string userns;                       // --userns
  std::string seccomp_profile_root;         // --seccomp-profile-root
  // --service-container: a container "<first 12 hex digits of sha256(yaml)>-service" running the
  // pause image, tied to the pods played (PodCreateRequest::service_container).
  bool service_container = false;
  // Makes `image` available under the pull policy ("Always", "IfNotPresent", "Never" or ""),
  // returning the name to create from; the caller pulls (with its progress, auth, TLS).
  std::function<Result<std::string>(const std::string& image, const std::string& pull_policy)> ensure_image;
};

struct KubePlayPod {
  std::string id;
  std::vector<std::string> containers, init_containers;
  std::vector<std::string> container_errors;  // start failures, as podman prints them
};

struct KubePlayReport {
  std::vector<KubePlayPod> pods;
  std::vector<std::string> volumes;  // names of the volumes created from PersistentVolumeClaims
  std::vector<std::string> secrets;  // IDs of the secrets created
};

struct KubeDownReport {
  std::vector<std::string> stopped_pods, removed_pods;
  std::vector<std::string> removed_volumes;  // with force only
  std::vector<std::string> removed_secrets;
};

class KubeService {
 public:
  virtual ~KubeService() = default;
  // The YAML text podman writes (header comment included). kNotFound "name or ID X not
  // found"; kInvalidArgument for a container inside a pod or a pod with only its infra container.
  virtual Result<std::string> generate(const KubeGenerateRequest& req) = 0;
  // Creates (and starts) what the documents describe. kInvalidArgument naming the document and
  // field for bad YAML; kAlreadyExists for a pod name in use without replace.
  virtual Result<KubePlayReport> play(const KubePlayRequest& req) = 0;
  // Stops and removes the pods the documents describe (volumes of PersistentVolumeClaims only
  // with `force`).
  virtual Result<KubeDownReport> down(const std::string& yaml, const std::string& source, bool force) = 0;
};

}  // namespace berth::api
