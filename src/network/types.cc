// netavark JSON types: encoding in podman's field order, checked decoding.
#include "network/types.h"

#include "base/timefmt.h"

namespace berth::network {

std::string Network::ipamDriver() const {
  auto it = ipam_options.find(std::string(kIpamDriverKey));
  return it == ipam_options.end() ? "" : it->second;
}

bool Network::needsIpam() const {
  auto d = ipamDriver();
  return (d.empty() || d == kIpamHostLocal) && !subnets.empty();
}

namespace {

// Reads fields of one JSON object; errors name the field's path.
class Reader {
 public:
  Reader(const Json& j, std::string path) : j_(j), path_(std::move(path)) {}

  static Result<Reader> object(const Json& j, std::string path) {
    if (!j.is_object())
      return makeError(Code::kInvalidArgument, "{}: expected an object, got {}", path.empty() ? "value" : path,
                       j.type_name());
    return Reader(j, std::move(path));
  }

  std::string at(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  // The field, or nullptr when absent or null.
  const Json* get(std::string_view key) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  Error typeError(std::string_view key, std::string_view want) const {
    return makeError(Code::kInvalidArgument, "{}: expected {}, got {}", at(key), want, get(key)->type_name());
  }

  Result<std::string> str(std::string_view key, bool required = false) const {
    const Json* v = get(key);
    if (!v) {
      if (required) return makeError(Code::kInvalidArgument, "{}: missing", at(key));
      return std::string();
    }
    if (!v->is_string()) return typeError(key, "a string");
    return v->get<std::string>();
  }
  Result<bool> boolean(std::string_view key) const {
    const Json* v = get(key);
    if (!v) return false;
    if (!v->is_boolean()) return typeError(key, "a boolean");
    return v->get<bool>();
  }
  Result<uint16_t> u16(std::string_view key) const {
    const Json* v = get(key);
    if (!v) return uint16_t{0};
    if (!v->is_number_integer()) return typeError(key, "an integer");
    int64_t n = v->is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(v->get<uint64_t>(), 1u << 20))
                                        : v->get<int64_t>();
    if (n < 0 || n > 65535) return makeError(Code::kInvalidArgument, "{}: {} is out of range 0-65535", at(key), n);
    return static_cast<uint16_t>(n);
  }
  Result<std::map<std::string, std::string>> strMap(std::string_view key) const {
    std::map<std::string, std::string> out;
    const Json* v = get(key);
    if (!v) return out;
    if (!v->is_object()) return typeError(key, "an object");
    for (auto& [k, val] : v->items()) {
      if (!val.is_string())
        return makeError(Code::kInvalidArgument, "{}.{}: expected a string, got {}", at(key), k, val.type_name());
      out[k] = val.get<std::string>();
    }
    return out;
  }
  Result<std::vector<std::string>> strList(std::string_view key) const {
    std::vector<std::string> out;
    const Json* v = get(key);
    if (!v) return out;
    if (!v->is_array()) return typeError(key, "an array");
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string())
        return makeError(Code::kInvalidArgument, "{}[{}]: expected a string, got {}", at(key), i,
                         (*v)[i].type_name());
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  Result<std::optional<IpAddr>> ip(std::string_view key) const {
    auto s = TRY(str(key));
    if (s.empty()) return std::optional<IpAddr>();
    return std::optional<IpAddr>(TRY_CTX(IpAddr::parse(s), "{}", at(key)));
  }
  Result<std::vector<IpAddr>> ipList(std::string_view key) const {
    std::vector<IpAddr> out;
    auto list = TRY(strList(key));
    for (size_t i = 0; i < list.size(); ++i)
      out.push_back(TRY_CTX(IpAddr::parse(list[i]), "{}[{}]", at(key), i));
    return out;
  }
  Result<Cidr> cidr(std::string_view key) const {
    auto s = TRY(str(key, true));
    return TRY_CTX(Cidr::parse(s), "{}", at(key));
  }
  // Iterates an array field of objects.
  template <typename F>
  Status eachObject(std::string_view key, F&& f) const {
    const Json* v = get(key);
    if (!v) return {};
    if (!v->is_array()) return typeError(key, "an array");
    for (size_t i = 0; i < v->size(); ++i) {
      auto r = TRY(Reader::object((*v)[i], fmt::format("{}[{}]", at(key), i)));
      TRY(f(r));
    }
    return {};
  }
  // Iterates an object field whose values are objects.
  template <typename F>
  Status eachEntry(std::string_view key, F&& f) const {
    const Json* v = get(key);
    if (!v) return {};
    if (!v->is_object()) return typeError(key, "an object");
    for (auto& [k, val] : v->items()) {
      auto r = TRY(Reader::object(val, at(key) + "." + k));
      TRY(f(k, r));
    }
    return {};
  }

  const Json& json() const { return j_; }
  const std::string& path() const { return path_; }

 private:
  const Json& j_;
  std::string path_;
};

Json strMapJson(const std::map<std::string, std::string>& m) {
  Json o = Json::object();
  for (auto& [k, v] : m) o[k] = v;  // std::map: sorted keys, as Go's encoder writes maps
  return o;
}

Json ipListJson(const std::vector<IpAddr>& ips) {
  Json a = Json::array();
  for (auto& ip : ips) a.push_back(ip.str());
  return a;
}

Result<Subnet> subnetFrom(const Reader& r) {
  Subnet s;
  s.subnet = TRY(r.cidr("subnet"));
  s.gateway = TRY(r.ip("gateway"));
  if (const Json* lr = r.get("lease_range")) {
    auto lrr = TRY(Reader::object(*lr, r.at("lease_range")));
    LeaseRange range;
    range.start_ip = TRY(lrr.ip("start_ip"));
    range.end_ip = TRY(lrr.ip("end_ip"));
    s.lease_range = range;
  }
  return s;
}

Result<Network> networkFrom(const Reader& r) {
  Network n;
  n.name = TRY(r.str("name"));
  n.id = TRY(r.str("id"));
  n.driver = TRY(r.str("driver"));
  n.network_interface = TRY(r.str("network_interface"));
  if (auto created = TRY(r.str("created")); !created.empty())
    n.created = TRY_CTX(parseRfc3339(created), "{}", r.at("created"));
  TRY(r.eachObject("subnets", [&](const Reader& sr) -> Status {
    n.subnets.push_back(TRY(subnetFrom(sr)));
    return {};
  }));
  n.ipv6_enabled = TRY(r.boolean("ipv6_enabled"));
  n.internal = TRY(r.boolean("internal"));
  n.dns_enabled = TRY(r.boolean("dns_enabled"));
  n.network_dns_servers = TRY(r.ipList("network_dns_servers"));
  n.labels = TRY(r.strMap("labels"));
  n.options = TRY(r.strMap("options"));
  n.ipam_options = TRY(r.strMap("ipam_options"));
  return n;
}

Result<PerNetworkOptions> perNetworkFrom(const Reader& r) {
  PerNetworkOptions o;
  o.static_ips = TRY(r.ipList("static_ips"));
  o.aliases = TRY(r.strList("aliases"));
  if (auto mac = TRY(r.str("static_mac")); !mac.empty())
    o.static_mac = TRY_CTX(MacAddr::parse(mac), "{}", r.at("static_mac"));
  o.interface_name = TRY(r.str("interface_name"));
  return o;
}

Result<PortMapping> portMappingFrom(const Reader& r) {
  PortMapping p;
  p.host_ip = TRY(r.str("host_ip"));
  p.container_port = TRY(r.u16("container_port"));
  p.host_port = TRY(r.u16("host_port"));
  p.range = TRY(r.u16("range"));
  p.protocol = TRY(r.str("protocol"));
  return p;
}

Result<StatusBlock> statusBlockFrom(const Reader& r) {
  StatusBlock s;
  TRY(r.eachEntry("interfaces", [&](const std::string& name, const Reader& ir) -> Status {
    NetInterface iface;
    iface.mac_address = TRY(ir.str("mac_address"));
    TRY(ir.eachObject("subnets", [&](const Reader& ar) -> Status {
      NetAddress a;
      a.ipnet = TRY(ar.cidr("ipnet"));
      a.gateway = TRY(ar.ip("gateway"));
      iface.subnets.push_back(a);
      return {};
    }));
    s.interfaces[name] = std::move(iface);
    return {};
  }));
  s.dns_server_ips = TRY(r.ipList("dns_server_ips"));
  s.dns_search_domains = TRY(r.strList("dns_search_domains"));
  return s;
}

}  // namespace

Json toJson(const Subnet& s) {
  Json j = Json::object();
  j["subnet"] = s.subnet.str();
  if (s.gateway) j["gateway"] = s.gateway->str();
  if (s.lease_range) {
    Json lr = Json::object();
    if (s.lease_range->start_ip) lr["start_ip"] = s.lease_range->start_ip->str();
    if (s.lease_range->end_ip) lr["end_ip"] = s.lease_range->end_ip->str();
    j["lease_range"] = lr;
  }
  return j;
}

Json toJson(const Network& n) {
  Json j = Json::object();
  j["name"] = n.name;
  j["id"] = n.id;
  j["driver"] = n.driver;
  if (!n.network_interface.empty()) j["network_interface"] = n.network_interface;
  j["created"] = formatRfc3339Nano(n.created);
  if (!n.subnets.empty()) {
    Json a = Json::array();
    for (auto& s : n.subnets) a.push_back(toJson(s));
    j["subnets"] = a;
  }
  j["ipv6_enabled"] = n.ipv6_enabled;
  j["internal"] = n.internal;
  j["dns_enabled"] = n.dns_enabled;
  if (!n.network_dns_servers.empty()) j["network_dns_servers"] = ipListJson(n.network_dns_servers);
  if (!n.labels.empty()) j["labels"] = strMapJson(n.labels);
  if (!n.options.empty()) j["options"] = strMapJson(n.options);
  if (!n.ipam_options.empty()) j["ipam_options"] = strMapJson(n.ipam_options);
  return j;
}

Json toJson(const PerNetworkOptions& o) {
  Json j = Json::object();
  if (!o.static_ips.empty()) j["static_ips"] = ipListJson(o.static_ips);
  if (!o.aliases.empty()) j["aliases"] = o.aliases;
  if (o.static_mac) j["static_mac"] = o.static_mac->str();
  j["interface_name"] = o.interface_name;
  return j;
}

Json toJson(const PortMapping& p) {
  Json j = Json::object();
  j["host_ip"] = p.host_ip;
  j["container_port"] = p.container_port;
  j["host_port"] = p.host_port;
  j["range"] = p.range;
  j["protocol"] = p.protocol;
  return j;
}

Json toJson(const NetavarkOptions& o) {
  Json j = Json::object();
  j["container_id"] = o.container_id;
  j["container_name"] = o.container_name;
  if (!o.port_mappings.empty()) {
    Json a = Json::array();
    for (auto& p : o.port_mappings) a.push_back(toJson(p));
    j["port_mappings"] = a;
  }
  Json nets = Json::object();
  for (auto& [name, opts] : o.networks) nets[name] = toJson(opts);
  j["networks"] = nets;
  if (!o.dns_servers.empty()) j["dns_servers"] = ipListJson(o.dns_servers);
  Json info = Json::object();
  for (auto& [name, n] : o.network_info) info[name] = toJson(n);
  j["network_info"] = info;
  return j;
}

Json toJson(const StatusBlock& s) {
  Json j = Json::object();
  if (!s.interfaces.empty()) {
    Json ifs = Json::object();
    for (auto& [name, iface] : s.interfaces) {
      Json i = Json::object();
      if (!iface.subnets.empty()) {
        Json a = Json::array();
        for (auto& addr : iface.subnets) {
          Json aj = Json::object();
          aj["ipnet"] = addr.ipnet.ip().str() + "/" + std::to_string(addr.ipnet.prefix());
          if (addr.gateway) aj["gateway"] = addr.gateway->str();
          a.push_back(aj);
        }
        i["subnets"] = a;
      }
      i["mac_address"] = iface.mac_address;
      ifs[name] = i;
    }
    j["interfaces"] = ifs;
  }
  if (!s.dns_server_ips.empty()) j["dns_server_ips"] = ipListJson(s.dns_server_ips);
  if (!s.dns_search_domains.empty()) j["dns_search_domains"] = s.dns_search_domains;
  return j;
}

Result<Network> networkFromJson(const Json& j) { return networkFrom(TRY(Reader::object(j, ""))); }

Result<PerNetworkOptions> perNetworkOptionsFromJson(const Json& j) {
  return perNetworkFrom(TRY(Reader::object(j, "")));
}

Result<PortMapping> portMappingFromJson(const Json& j) { return portMappingFrom(TRY(Reader::object(j, ""))); }

Result<NetavarkOptions> netavarkOptionsFromJson(const Json& j) {
  auto r = TRY(Reader::object(j, ""));
  NetavarkOptions o;
  o.container_id = TRY(r.str("container_id"));
  o.container_name = TRY(r.str("container_name"));
  TRY(r.eachObject("port_mappings", [&](const Reader& pr) -> Status {
    o.port_mappings.push_back(TRY(portMappingFrom(pr)));
    return {};
  }));
  TRY(r.eachEntry("networks", [&](const std::string& name, const Reader& nr) -> Status {
    o.networks[name] = TRY(perNetworkFrom(nr));
    return {};
  }));
  TRY(r.eachEntry("network_info", [&](const std::string& name, const Reader& nr) -> Status {
    o.network_info[name] = TRY(networkFrom(nr));
    return {};
  }));
  o.dns_servers = TRY(r.ipList("dns_servers"));
  return o;
}

Result<StatusBlock> statusBlockFromJson(const Json& j) { return statusBlockFrom(TRY(Reader::object(j, ""))); }

Result<std::map<std::string, StatusBlock>> statusFromJson(const Json& j) {
  TRY(Reader::object(j, "netavark status"));
  std::map<std::string, StatusBlock> out;
  for (auto& [name, v] : j.items()) {
    auto br = TRY(Reader::object(v, name));
    out[name] = TRY(statusBlockFrom(br));
  }
  return out;
}

}  // namespace berth::network
