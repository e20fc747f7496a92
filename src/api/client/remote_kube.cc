// RemoteKube: kube play, down and generate over the libpod routes, as podman's bindings call them.
#include "api/client/conn.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"

namespace berth::api::client {

namespace {

// The IDs of a teardown report list ({"Id": ...} entries).
Result<std::vector<std::string>> ids(const Json& obj, const char* field, std::string_view where) {
  std::vector<std::string> out;
  if (!obj.contains(field) || obj[field].is_null()) return out;
  for (const Json* e : TRY(arrayOf(obj[field], fmt::format("{}.{}", where, field)))) {
    std::string id;
    TRY(TRY(Fields::of(*e, std::string(where))).str("Id", id));
    out.push_back(id);
  }
  return out;
}

}  // namespace

Result<KubePlayReport> RemoteKube::play(const KubePlayRequest& req) {
  if (req.service_container) return remoteUnsupported("kube play --service-container");
  Query q = {{"start", boolStr(req.start)}};
  if (req.no_hosts) q.emplace_back("noHosts", "true");
  if (req.network) {
    const auto& n = *req.network;
    if (n.netns.is(NamespaceMode::kHost)) q.emplace_back("network", "host");
    else if (n.netns.is(NamespaceMode::kNone)) q.emplace_back("network", "none");
    for (auto& [name, opts] : n.networks) q.emplace_back("network", name == "default" ? "bridge" : name);
  }
  for (auto& ip : req.static_ips) q.emplace_back("staticIPs", ip);
  for (auto& mac : req.static_macs) q.emplace_back("staticMACs", mac);
  if (!req.log_driver.empty()) q.emplace_back("logDriver", req.log_driver);
  for (auto& o : req.log_options) q.emplace_back("logOptions", o);
  if (!req.annotations.empty()) q.emplace_back("annotations", Json(req.annotations).dump());
  if (!req.configmap_files.empty() || !req.userns.empty() || !req.seccomp_profile_root.empty())
    return remoteUnsupported("kube play --configmap, --userns or --seccomp-profile-root");
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/play/kube", q, req.yaml), "kube play"));
  KubePlayReport out;
  if (j.contains("Pods") && !j["Pods"].is_null())
    for (const Json* p : TRY(arrayOf(j["Pods"], "play/kube.Pods"))) {
      KubePlayPod pod;
      auto f = TRY(Fields::of(*p, "play/kube.Pods"));
      TRY(f.str("ID", pod.id));
      TRY(f.strings("Containers", pod.containers));
      TRY(f.strings("InitContainers", pod.init_containers));
      TRY(f.strings("ContainerErrors", pod.container_errors));
      out.pods.push_back(std::move(pod));
    }
  if (j.contains("Volumes") && !j["Volumes"].is_null())
    for (const Json* v : TRY(arrayOf(j["Volumes"], "play/kube.Volumes"))) {
      std::string name;
      TRY(TRY(Fields::of(*v, "play/kube.Volumes")).str("Name", name));
      out.volumes.push_back(name);
    }
  return out;
}

Result<KubeDownReport> RemoteKube::down(const std::string& yaml, const std::string&, bool force) {
  Query q;
  if (force) q.emplace_back("force", "true");
  Json j = TRY(orUnsupported(callJson(c_, "DELETE", "/play/kube", q, yaml), "kube down"));
  KubeDownReport out;
  out.stopped_pods = TRY(ids(j, "StopReport", "play/kube"));
  out.removed_pods = TRY(ids(j, "RmReport", "play/kube"));
  return out;
}

Result<std::string> RemoteKube::generate(const KubeGenerateRequest& req) {
  Query q;
  for (auto& n : req.names) q.emplace_back("names", n);
  if (req.service) q.emplace_back("service", "true");
  if (req.type != "pod") q.emplace_back("type", req.type);
  auto r = TRY(orUnsupported(call(c_, "GET", "/generate/kube", q), "kube generate"));
  return std::move(r.body);
}

}  // namespace berth::api::client
