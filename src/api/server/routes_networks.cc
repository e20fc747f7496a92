// Network routes: libpod (/libpod/networks/...) and Docker-compatible (/networks/...).
#include <algorithm>

#include "api/server/call.h"
#include "api/server/compat_containers.h"
#include "api/server/routes.h"
#include "base/timefmt.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

NetworkService& networks(engine::Engine* e) { return e->networks(); }

// The route's network; Docker's "bridge" is the default network, as podman maps it.
std::string networkName(Call& c, engine::Engine* e) {
  const std::string& name = c.param("name");
  if (!c.libpod() && name == "bridge") return e->networkStore().options().default_network;
  return name;
}

// --- libpod ---------------------------------------------------------------------------------

// Body: a partial netavark Network (name, driver, subnets, ...); the engine completes it.
Status create(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  NetworkCreateRequest req;
  req.network = TRY(network::networkFromJson(body));
  req.ignore_if_exists = TRY(c.boolean("ignoreIfExists", false));
  return c.json(200, network::toJson(TRY(networks(eng).create(req))));
}

Status list(Call& c) {
  auto eng = TRY(c.engine());
  NetworkListRequest req;
  req.filters = TRY(c.filters());
  Json arr = Json::array();
  for (auto& n : TRY(networks(eng).list(req))) arr.push_back(network::toJson(n));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  return c.json(200, network::toJson(TRY(networks(eng).inspect(c.param("name")))));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  if (!TRY(networks(eng).exists(c.param("name"))))
    return makeError(Code::kNotFound, "unable to find network with name or ID {}: network not found", c.param("name"));
  return c.empty(204);
}

// 404 for a missing network, 409 for one in use without force; the libpod answer lists the
// removed network as [{"Name"}], Docker's is empty.
Status remove(Call& c) {
  auto eng = TRY(c.engine());
  NetworkRemoveRequest req;
  req.names = {networkName(c, eng)};
  req.force = TRY(c.boolean("force", false));
  if (auto t = TRY(c.optInteger("timeout"))) req.timeout = int(std::clamp<int64_t>(*t, 0, 1 << 30));
  auto reports = TRY(networks(eng).remove(req));
  TRY(firstError(reports));
  if (!c.libpod()) return c.empty(204);
  Json arr = Json::array();
  for (auto& r : reports) arr.push_back(Json{{"Name", r.name}});
  return c.json(200, arr);
}

// Body: podman's NetworkConnectOptions: "container" and the PerNetworkOptions inline.
Status connect(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  NetworkConnectRequest req;
  req.network = c.param("name");
  TRY(getString(body, "container", req.container));
  TRY(getStrings(body, "static_ips", req.options.static_ips));
  TRY(getStrings(body, "aliases", req.options.aliases));
  TRY(getString(body, "static_mac", req.options.static_mac));
  TRY(getString(body, "interface_name", req.options.interface_name));
  if (req.container.empty()) return makeError(Code::kInvalidArgument, "container: a container name or ID is required");
  TRY(networks(eng).connect(req));
  return c.json(200, "OK");
}

// Body (both trees): Docker's NetworkDisconnect {"Container", "Force"}.
Status disconnect(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  std::string container;
  bool force = false;
  TRY(getString(body, "Container", container));
  TRY(getBool(body, "Force", force));
  if (container.empty()) return makeError(Code::kInvalidArgument, "Container: a container name or ID is required");
  TRY(networks(eng).disconnect(networkName(c, eng), container, force));
  return c.json(200, "OK");
}

Status prune(Call& c) {
  auto eng = TRY(c.engine());
  auto reports = TRY(networks(eng).prune(TRY(c.filters())));
  if (!c.libpod()) {
    Json deleted = Json::array();
    for (auto& r : reports)
      if (!r.error) deleted.push_back(r.name);
    return c.json(200, Json{{"NetworksDeleted", deleted}});
  }
  Json arr = Json::array();
  for (auto& r : reports) {
    Json e = {{"Name", r.name}};
    if (r.error) e["Error"] = r.error->what();
    arr.push_back(e);
  }
  return c.json(200, arr);
}

// --- Docker -----------------------------------------------------------------------------------

// The containers on network `name` as Docker's EndpointResource, by container ID.
Result<Json> endpoints(engine::Engine* e, const std::string& name) {
  Json out = Json::object();
  ContainerListRequest lr;
  lr.all = true;
  for (auto& s : TRY(e->containers().list(lr))) {
    if (std::find(s.networks.begin(), s.networks.end(), name) == s.networks.end()) continue;
    auto doc = e->containers().inspect(s.id, false);
    if (!doc.ok()) continue;  // removed meanwhile
    const Json* nets = nullptr;
    if (auto ns = doc->find("NetworkSettings"); ns != doc->end() && ns->is_object())
      if (auto n = ns->find("Networks"); n != ns->end() && n->is_object()) nets = &*n;
    if (!nets || !nets->contains(name) || !(*nets)[name].is_object()) continue;
    const Json& d = (*nets)[name];
    auto addr = [&](const char* ip, const char* len) {
      std::string a = d.value(ip, "");
      return a.empty() ? a : a + "/" + std::to_string(d.value(len, 0));
    };
    out[s.id] = Json{{"Name", s.names.empty() ? "" : s.names[0]},
                     {"EndpointID", d.value("EndpointID", "")},
                     {"MacAddress", d.value("MacAddress", "")},
                     {"IPv4Address", addr("IPAddress", "IPPrefixLen")},
                     {"IPv6Address", addr("GlobalIPv6Address", "GlobalIPv6PrefixLen")}};
  }
  return out;
}

// Docker's types.NetworkResource, from a netavark network (podman's
// convertLibpodNetworktoDockerNetwork; the default network is called "bridge").
Result<Json> dockerNetwork(engine::Engine* e, const network::Network& n) {
  Json configs = Json::array();
  for (auto& s : n.subnets) {
    Json cfg = {{"Subnet", s.subnet.str()}};
    if (s.gateway) cfg["Gateway"] = s.gateway->str();
    configs.push_back(cfg);
  }
  std::string ipam_driver = n.ipamDriver();
  if (ipam_driver == network::kIpamHostLocal) ipam_driver = "default";
  auto options = n.options;
  options.erase("isolate");
  std::string name = n.name == e->networkStore().options().default_network ? "bridge" : n.name;
  return Json{{"Name", name},
              {"Id", n.id},
              {"Created", formatRfc3339Nano(n.created)},
              {"Scope", "local"},
              {"Driver", n.driver},
              {"EnableIPv6", n.ipv6_enabled},
              {"IPAM",
               {{"Driver", ipam_driver},
                {"Options", n.ipam_options.empty() ? Json::object() : Json(n.ipam_options)},
                {"Config", configs}}},
              {"Internal", n.internal},
              {"Attachable", false},
              {"Ingress", false},
              {"ConfigFrom", {{"Network", ""}}},
              {"ConfigOnly", false},
              {"Containers", TRY(endpoints(e, n.name))},
              {"Options", options.empty() ? Json::object() : Json(options)},
              {"Labels", n.labels.empty() ? Json::object() : Json(n.labels)}};
}

Status compatList(Call& c) {
  auto eng = TRY(c.engine());
  NetworkListRequest req;
  req.filters = TRY(c.filters());
  Json arr = Json::array();
  for (auto& n : TRY(networks(eng).list(req))) arr.push_back(TRY(dockerNetwork(eng, n)));
  return c.json(200, arr);
}

Status compatInspect(Call& c) {
  auto eng = TRY(c.engine());
  if (std::string scope = c.str("scope", "local"); scope != "local")
    return makeError(Code::kInvalidArgument, "scope {:?}: only \"local\" networks exist", scope);
  return c.json(200, TRY(dockerNetwork(eng, TRY(networks(eng).inspect(networkName(c, eng))))));
}

// Docker's IPAM.Config[i]: {"Subnet", "IPRange", "Gateway"}.
Result<network::Subnet> dockerSubnet(const Json& cfg, const std::string& field) {
  if (!cfg.is_object()) return makeError(Code::kInvalidArgument, "{}: want an object", field);
  std::string subnet, range, gateway;
  TRY(getString(cfg, "Subnet", subnet));
  TRY(getString(cfg, "IPRange", range));
  TRY(getString(cfg, "Gateway", gateway));
  network::Subnet s;
  if (!subnet.empty()) s.subnet = TRY_CTX(network::Cidr::parse(subnet), "{}.Subnet", field);
  if (!gateway.empty()) s.gateway = TRY_CTX(network::IpAddr::parse(gateway), "{}.Gateway", field);
  if (!range.empty()) {
    auto r = TRY_CTX(network::Cidr::parse(range), "{}.IPRange", field);
    s.lease_range = network::LeaseRange{r.network().firstHost(), r.network().last()};
  }
  return s;
}

// Body: Docker's NetworkCreateRequest (Name, Driver, Internal, EnableIPv6, IPAM, Options,
// Labels), converted as podman does.
Status compatCreate(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  network::Network n;
  TRY(getString(body, "Name", n.name));
  TRY(getString(body, "Driver", n.driver));
  if (n.driver.empty()) n.driver = std::string(network::kDriverBridge);
  TRY(getStringMap(body, "Labels", n.labels));
  TRY(getBool(body, "Internal", n.internal));
  TRY(getBool(body, "EnableIPv6", n.ipv6_enabled));
  std::map<std::string, std::string> opts;
  TRY(getStringMap(body, "Options", opts));
  std::string warning;
  bool macvlan_like = n.driver == network::kDriverMacvlan || n.driver == network::kDriverIpvlan;
  for (auto& [k, v] : opts) {
    if (k == "mtu" || k == "com.docker.network.driver.mtu") n.options["mtu"] = v;
    else if (k == "com.docker.network.bridge.name" && n.driver == network::kDriverBridge) n.network_interface = v;
    else if (k == "mode" && macvlan_like) n.options[k] = v;
    else if (k == "parent" && macvlan_like) n.network_interface = v;
    else warning = fmt::format("\"{}: {}\" is not a recognized option", k, v);
  }
  n.dns_enabled = n.driver == network::kDriverBridge;
  if (const Json* ipam = TRY(getObject(body, "IPAM"))) {
    auto it = ipam->find("Config");
    if (it != ipam->end() && !it->is_null()) {
      if (!it->is_array()) return makeError(Code::kInvalidArgument, "IPAM.Config: want an array");
      for (size_t i = 0; i < it->size(); ++i)
        n.subnets.push_back(TRY(dockerSubnet((*it)[i], fmt::format("IPAM.Config[{}]", i))));
    }
  }
  if (n.name.empty()) return makeError(Code::kInvalidArgument, "Name: a network name is required");
  NetworkCreateRequest req;
  req.network = std::move(n);
  auto made = TRY(networks(eng).create(req));
  return c.json(201, Json{{"Id", made.id}, {"Warning", warning}});
}

// Body: Docker's NetworkConnect {"Container", "EndpointConfig": {"Aliases", "IPAddress",
// "IPAMConfig": {"IPv4Address", "IPv6Address"}, "MacAddress"}}.
Status compatConnect(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  NetworkConnectRequest req;
  req.network = networkName(c, eng);
  TRY(getString(body, "Container", req.container));
  if (req.container.empty()) return makeError(Code::kInvalidArgument, "Container: a container name or ID is required");
  if (const Json* ep = TRY(getObject(body, "EndpointConfig"))) req.options = TRY(perNetworkFromDockerEndpoint(*ep, "EndpointConfig"));
  TRY(networks(eng).connect(req));
  return c.json(200, "OK");
}

}  // namespace

void registerNetworkRoutes(Router& r) {
  r.add("POST", Tree::kLibpod, "/networks/create", create);
  r.add("GET", Tree::kLibpod, "/networks/json", list);
  both(r, "POST", "/networks/prune", prune);
  r.add("GET", Tree::kLibpod, "/networks/{name}/json", inspect);
  r.add("GET", Tree::kLibpod, "/networks/{name}/exists", exists);
  r.add("GET", Tree::kLibpod, "/networks/{name}", inspect);
  both(r, "DELETE", "/networks/{name}", remove);
  r.add("POST", Tree::kLibpod, "/networks/{name}/connect", connect);
  both(r, "POST", "/networks/{name}/disconnect", disconnect);

  r.add("GET", Tree::kCompat, "/networks", compatList);
  r.add("POST", Tree::kCompat, "/networks/create", compatCreate);
  r.add("GET", Tree::kCompat, "/networks/{name}", compatInspect);
  r.add("POST", Tree::kCompat, "/networks/{name}/connect", compatConnect);
}

}  // namespace berth::api::server
