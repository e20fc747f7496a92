// JSON of the public pod types (include/berth/api/pods.h): podman's ListPodsReport,
// PodStatsReport and PodSpecGenerator.
#include "berth/api/pods.h"

#include "base/json_access.h"
#include "base/timefmt.h"

namespace berth::api {

namespace {

// The PodSpecGenerator fields that carry the infra container's network configuration; they
// have the SpecGenerator's names and types (podman copies them over by name, too).
constexpr const char* kNetworkKeys[] = {"netns",      "portmappings", "Networks", "cni_networks",
                                        "dns_server", "dns_search",   "dns_option", "hostadd",
                                        "network_options"};

Json stringMapOrEmpty(const std::map<std::string, std::string>& m) {
  return m.empty() ? Json::object() : Json(m);
}

}  // namespace

Json podSummaryToJson(const PodSummary& p) {
  Json ctrs = Json::array();
  for (auto& c : p.containers)
    ctrs.push_back(Json{{"Id", c.id}, {"Names", c.name}, {"Status", c.status}, {"RestartCount", 0}});
  return Json{{"Cgroup", p.cgroup}, {"Containers", ctrs},       {"Created", formatRfc3339Nano(p.created)},
              {"Id", p.id},         {"InfraId", p.infra_id},   {"Name", p.name},
              {"Namespace", ""},    {"Networks", p.networks},  {"Status", p.status},
              {"Labels", stringMapOrEmpty(p.labels)}};
}

Result<PodSummary> podSummaryFromJson(const Json& j) {
  TRY(json::checkObject(j, ""));
  PodSummary p;
  p.id = TRY(json::optString(j, "Id", ""));
  p.name = TRY(json::optString(j, "Name", ""));
  p.status = TRY(json::optString(j, "Status", ""));
  p.infra_id = TRY(json::optString(j, "InfraId", ""));
  p.cgroup = TRY(json::optString(j, "Cgroup", ""));
  std::string created = TRY(json::optString(j, "Created", ""));
  if (!created.empty()) p.created = TRY_CTX(parseRfc3339(created), "Created");
  p.labels = TRY(json::optStringMap(j, "Labels", ""));
  p.networks = TRY(json::optStrings(j, "Networks", ""));
  if (const Json* arr = TRY(json::optArray(j, "Containers", ""))) {
    for (size_t i = 0; i < arr->size(); ++i) {
      const Json& c = (*arr)[i];
      std::string where = json::indexPath("Containers", i);
      TRY(json::checkObject(c, where));
      PodContainer pc;
      pc.id = TRY(json::optString(c, "Id", where));
      pc.name = TRY(json::optString(c, "Names", where));
      pc.status = TRY(json::optString(c, "Status", where));
      p.containers.push_back(std::move(pc));
    }
  }
  return p;
}

Json podStatsToJson(const PodStatsReport& r) {
  return Json{{"Pod", r.pod},       {"CID", r.cid},         {"Name", r.name},
              {"CPU", r.cpu},       {"MemUsage", r.mem_usage}, {"MemUsageBytes", r.mem_usage_bytes},
              {"Mem", r.mem},       {"NetIO", r.net_io},    {"BlockIO", r.block_io},
              {"PIDS", r.pids}};
}

Result<PodStatsReport> podStatsFromJson(const Json& j) {
  TRY(json::checkObject(j, ""));
  PodStatsReport r;
  r.pod = TRY(json::optString(j, "Pod", ""));
  r.cid = TRY(json::optString(j, "CID", ""));
  r.name = TRY(json::optString(j, "Name", ""));
  r.cpu = TRY(json::optString(j, "CPU", ""));
  r.mem_usage = TRY(json::optString(j, "MemUsage", ""));
  r.mem_usage_bytes = TRY(json::optString(j, "MemUsageBytes", ""));
  r.mem = TRY(json::optString(j, "Mem", ""));
  r.net_io = TRY(json::optString(j, "NetIO", ""));
  r.block_io = TRY(json::optString(j, "BlockIO", ""));
  r.pids = TRY(json::optString(j, "PIDS", ""));
  return r;
}

Json podSpecToJson(const PodCreateRequest& req) {
  Json j = Json::object();
  if (!req.name.empty()) j["name"] = req.name;
  if (!req.hostname.empty()) j["hostname"] = req.hostname;
  if (!req.exit_policy.empty()) j["exit_policy"] = req.exit_policy;
  if (!req.labels.empty()) j["labels"] = req.labels;
  if (!req.infra) j["no_infra"] = true;
  if (!req.infra_command.empty()) j["infra_command"] = req.infra_command;
  if (!req.infra_image.empty()) j["infra_image"] = req.infra_image;
  if (!req.infra_name.empty()) j["infra_name"] = req.infra_name;
  if (req.share) {
    // A comma list with an optional leading "+" (add to the default): the engine parses it.
    j["shared_namespaces"] = Json::array();
    size_t i = 0;
    const std::string& s = *req.share;
    while (i <= s.size()) {
      size_t comma = s.find(',', i);
      std::string part = s.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
      if (!part.empty()) j["shared_namespaces"].push_back(part);
      if (comma == std::string::npos) break;
      i = comma + 1;
    }
    if (j["shared_namespaces"].empty()) j["shared_namespaces"].push_back("none");
  }
  j["share_parent"] = req.share_parent;
  if (req.replace) j["replace"] = true;  // berth's own: podman's client removes the pod first
  if (!req.create_command.empty()) j["pod_create_command"] = req.create_command;
  SpecGenerator net;
  static_cast<ContainerNetworkConfig&>(net) = req.network;
  Json spec = encodeSpecGenerator(net);
  for (const char* k : kNetworkKeys) {
    auto it = spec.find(k);
    if (it == spec.end() || it->is_null() || (it->is_object() && it->empty())) continue;
    j[k] = *it;
  }
  return j;
}

Result<PodCreateRequest> podSpecFromJson(const Json& j) {
  TRY(json::checkObject(j, ""));
  PodCreateRequest req;
  req.name = TRY(json::optString(j, "name", ""));
  req.hostname = TRY(json::optString(j, "hostname", ""));
  req.exit_policy = TRY(json::optString(j, "exit_policy", ""));
  req.labels = TRY(json::optStringMap(j, "labels", ""));
  req.infra = !TRY(json::optBool(j, "no_infra", ""));
  req.infra_image = TRY(json::optString(j, "infra_image", ""));
  req.infra_command = TRY(json::optStrings(j, "infra_command", ""));
  req.infra_name = TRY(json::optString(j, "infra_name", ""));
  if (j.contains("shared_namespaces") && !j["shared_namespaces"].is_null()) {
    std::string share;
    for (auto& ns : TRY(json::optStrings(j, "shared_namespaces", ""))) share += (share.empty() ? "" : ",") + ns;
    req.share = share;
  }
  req.share_parent = TRY(json::optBool(j, "share_parent", "", true));
  req.replace = TRY(json::optBool(j, "replace", ""));
  req.create_command = TRY(json::optStrings(j, "pod_create_command", ""));
  Json net = Json::object();
  for (const char* k : kNetworkKeys)
    if (auto it = j.find(k); it != j.end()) net[k] = *it;
  SpecGenerator spec = TRY(decodeSpecGenerator(net));
  req.network = static_cast<ContainerNetworkConfig&>(spec);
  return req;
}

}  // namespace berth::api
