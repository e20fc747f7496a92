// Kubernetes YAML routes (libpod, as podman 4.3 has them): POST and DELETE /play/kube and
// /kube/play (the YAML is the body), GET /generate/kube and /kube/generate.
#include "api/server/call.h"
#include "api/server/routes.h"
#include "engine/engine.h"
#include "engine/kube_service.h"

namespace berth::api::server {

namespace {

constexpr size_t kMaxYaml = 16 << 20;

// podman's PlayKubeReport: Pods, Volumes, the teardown reports and Secrets.
Json playReport(const KubePlayReport& r) {
  Json pods = Json::array();
  for (auto& p : r.pods)
    pods.push_back(Json{{"ID", p.id},
                        {"Containers", p.containers},
                        {"InitContainers", p.init_containers},
                        {"Logs", Json::array()},
                        {"ContainerErrors", p.container_errors}});
  Json volumes = Json::array();
  for (auto& v : r.volumes) volumes.push_back(Json{{"Name", v}});
  Json secrets = Json::array();
  for (auto& s : r.secrets) secrets.push_back(Json{{"CreateReport", Json{{"ID", s}}}});
  return Json{{"Pods", pods}, {"Volumes", volumes}, {"StopReport", nullptr}, {"RmReport", nullptr},
              {"Secrets", secrets}};
}

Result<std::string> yamlBody(const Call& c) {
  if (c.req.body.empty()) return makeError(Code::kInvalidArgument, "no YAML in the request body");
  if (c.req.body.size() > kMaxYaml) return makeError(Code::kInvalidArgument, "YAML larger than {} bytes", kMaxYaml);
  return c.req.body;
}

// `network`: what `kube play --network` takes through the bindings: host, none, bridge, or
// network names (several values or a comma list).
Result<std::optional<ContainerNetworkConfig>> networkParam(const Call& c) {
  std::vector<std::string> values;
  for (auto& v : c.all("network"))
    for (size_t start = 0; start <= v.size();) {
      size_t comma = std::min(v.find(',', start), v.size());
      if (comma > start) values.push_back(v.substr(start, comma - start));
      start = comma + 1;
    }
  if (values.empty()) return std::optional<ContainerNetworkConfig>{};
  ContainerNetworkConfig n;
  if (values.size() == 1 && (values[0] == "host" || values[0] == "none")) {
    n.netns = {values[0] == "host" ? NamespaceMode::kHost : NamespaceMode::kNone, ""};
    return std::optional<ContainerNetworkConfig>{n};
  }
  n.netns = {NamespaceMode::kBridge, ""};
  for (auto& v : values) {
    if (v == "host" || v == "none" || v.find(':') != std::string::npos)
      return makeError(Code::kInvalidArgument, "network {:?}: only network names, bridge, host or none are taken here", v);
    n.networks[v == "bridge" ? "default" : v] = {};
  }
  return std::optional<ContainerNetworkConfig>{n};
}

Status play(Call& c) {
  auto eng = TRY(c.engine());
  KubePlayRequest req;
  req.yaml = TRY(yamlBody(c));
  req.source = "the request body";
  req.start = TRY(c.boolean("start", true));
  req.no_hosts = TRY(c.boolean("noHosts", false));
  req.quiet = true;
  req.network = TRY(networkParam(c));
  req.static_ips = c.all("staticIPs");
  req.static_macs = c.all("staticMACs");
  req.log_driver = c.str("logDriver");
  req.log_options = c.all("logOptions");
  req.annotations = TRY(c.stringMap("annotations"));
  RegistryAccess access;
  if (c.has("tlsVerify")) access.tls_verify = TRY(c.boolean("tlsVerify", true));
  req.ensure_image = [&](const std::string& image, const std::string& policy) -> Result<std::string> {
    ImagePullRequest pr;
    pr.access = access;
    return engine::kubeImage(eng->images(), image, policy, pr);
  };
  auto report = eng->kube().play(req);
  if (!report.ok()) return c.fail(std::move(report).error().context("playing YAML file"));
  return c.json(200, playReport(*report));
}

Status down(Call& c) {
  auto eng = TRY(c.engine());
  std::string yaml = TRY(yamlBody(c));
  auto r = eng->kube().down(yaml, "the request body", TRY(c.boolean("force", false)));
  if (!r.ok()) return c.fail(std::move(r).error().context("tearing down YAML file"));
  Json stops = Json::array(), rms = Json::array();
  for (auto& id : r->stopped_pods) stops.push_back(Json{{"Errs", Json::array()}, {"Id", id}});
  for (auto& id : r->removed_pods) rms.push_back(Json{{"Err", nullptr}, {"Id", id}});
  return c.json(200, Json{{"Pods", nullptr}, {"Volumes", nullptr}, {"StopReport", stops}, {"RmReport", rms},
                          {"Secrets", nullptr}});
}

Status generate(Call& c) {
  auto eng = TRY(c.engine());
  KubeGenerateRequest req;
  req.names = c.all("names");
  if (req.names.empty()) return makeError(Code::kInvalidArgument, "no pod, container or volume named (names)");
  req.service = TRY(c.boolean("service", false));
  if (c.has("type")) req.type = c.str("type");
  auto yaml = eng->kube().generate(req);
  if (!yaml.ok()) return c.fail(std::move(yaml).error().context("generating YAML"));
  return c.res.send(200, "text/vnd.yaml", *yaml);
}

}  // namespace

void registerKubeRoutes(Router& r) {
  for (const char* path : {"/play/kube", "/kube/play"}) {
    r.add("POST", Tree::kLibpod, path, play);
    r.add("DELETE", Tree::kLibpod, path, down);
  }
  for (const char* path : {"/generate/kube", "/kube/generate"}) r.add("GET", Tree::kLibpod, path, generate);
}

}  // namespace berth::api::server
