// Network definition completion and validation.
#include "network/create.h"

#include <fcntl.h>
#include <sys/random.h>

#include <algorithm>
#include <charconv>

namespace berth::network {

namespace {

constexpr std::string_view kNameRule = "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*";

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool intersectsAny(const Cidr& n, const std::vector<Cidr>& used) {
  for (auto& u : used)
    if (n.intersects(u)) return true;
  return false;
}

Result<int> parseInt(std::string_view s, std::string_view what) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return makeError(Code::kInvalidArgument, "strconv.Atoi: parsing {:?}: invalid syntax", s);
  return v;
}

Status checkMtu(const std::string& v) {
  if (v.empty()) return {};
  int m = TRY(parseInt(v, "mtu"));
  if (m < 0) return makeError(Code::kInvalidArgument, "mtu {} is less than zero", m);
  return {};
}

Result<std::string> parseGoBool(const std::string& v) {
  // strconv.ParseBool; netavark only understands "true"/"false".
  static const char* kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char* kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (auto* t : kTrue)
    if (v == t) return std::string("true");
  for (auto* f : kFalse)
    if (v == f) return std::string("false");
  return makeError(Code::kInvalidArgument, "strconv.ParseBool: parsing {:?}: invalid syntax", v);
}

Status bridgeOptions(Network& n) {
  for (auto& [key, value] : n.options) {
    if (key == "mtu") {
      TRY(checkMtu(value));
    } else if (key == "vlan") {
      if (value.empty()) continue;
      int v = TRY(parseInt(value, "vlan"));
      if (v < 0 || v > 4094) return makeError(Code::kInvalidArgument, "vlan ID {} must be between 0 and 4094", v);
    } else if (key == "isolate") {
      value = TRY(parseGoBool(value));
    } else if (key == "metric") {
      int v = TRY(parseInt(value, "metric"));
      if (v < 0) return makeError(Code::kInvalidArgument, "metric {} is less than zero", v);
    } else {
      return makeError(Code::kInvalidArgument, "unsupported bridge network option {}", key);
    }
  }
  return {};
}

Status createBridge(Network& n, const CreateContext& ctx, const std::vector<Cidr>& used) {
  if (!n.network_interface.empty()) {
    for (auto& e : ctx.existing)
      if (e.driver == kDriverBridge && e.network_interface == n.network_interface)
        return makeError(Code::kInvalidArgument, "bridge name {} already in use", n.network_interface);
    if (!validName(n.network_interface))
      return makeError(Code::kInvalidArgument, "bridge name {} invalid: {}: invalid argument", n.network_interface,
                       kNameRule);
    // IFNAMSIZ: the kernel refuses longer link names, and netavark would fail only at setup.
    if (n.network_interface.size() > 15)
      return makeError(Code::kInvalidArgument, "bridge name {} invalid: longer than 15 characters",
                       n.network_interface);
  } else {
    n.network_interface = TRY(freeDeviceName(ctx.existing, ctx.host.interfaces));
  }
  auto ipam = n.ipamDriver();
  if (ipam.empty() || ipam == kIpamHostLocal) {
    if (n.subnets.empty()) n.subnets.push_back(TRY(freeIpv4Subnet(used, ctx.pools)));
    if (n.ipv6_enabled) {
      bool v4 = false, v6 = false;
      for (auto& s : n.subnets) (s.subnet.isV6() ? v6 : v4) = true;
      if (!v4) n.subnets.push_back(TRY(freeIpv4Subnet(used, ctx.pools)));
      if (!v6) n.subnets.push_back(TRY(freeIpv6Subnet(used)));
    }
    n.ipam_options[std::string(kIpamDriverKey)] = std::string(kIpamHostLocal);
  }
  return bridgeOptions(n);
}

Status createMacvlan(Network& n, const CreateContext& ctx) {
  if (!n.network_interface.empty() && !contains(ctx.host.interfaces, n.network_interface))
    return makeError(Code::kInvalidArgument, "parent interface {} does not exist", n.network_interface);
  auto ipam = n.ipamDriver();
  if (ipam.empty()) {
    if (n.subnets.empty())
      return makeError(Code::kInvalidArgument,
                       "macvlan driver needs at least one subnet specified, DHCP is not yet supported with netavark");
    n.ipam_options[std::string(kIpamDriverKey)] = std::string(kIpamHostLocal);
  } else if (ipam == kIpamHostLocal && n.subnets.empty()) {
    return makeError(Code::kInvalidArgument,
                     "macvlan driver needs at least one subnet specified, when the host-local ipam driver is set");
  }
  for (auto& [key, value] : n.options) {
    if (key == "mode") {
      if (value != "bridge" && value != "private" && value != "vepa" && value != "passthru")
        return makeError(Code::kInvalidArgument, "unknown macvlan mode {:?}", value);
    } else if (key == "mtu") {
      TRY(checkMtu(value));
    } else {
      return makeError(Code::kInvalidArgument, "unsupported macvlan network option {}", key);
    }
  }
  return {};
}

Status validateIpamDriver(const Network& n) {
  auto d = n.ipamDriver();
  if (d.empty() || d == kIpamHostLocal) return {};
  if (d == kIpamNone) {
    if (!n.subnets.empty()) return makeError(Code::kInvalidArgument, "none ipam driver is set but subnets are given");
    return {};
  }
  if (d == kIpamDhcp) return makeError(Code::kInvalidArgument, "dhcp ipam driver is not yet supported with netavark");
  return makeError(Code::kInvalidArgument, "unsupported ipam driver {:?}", d);
}

Status validateSubnets(Network& n, bool add_gateway, const std::vector<Cidr>& used) {
  for (auto& s : n.subnets) {
    TRY(validateSubnet(s, add_gateway, used));
    if (s.subnet.isV6()) n.ipv6_enabled = true;
  }
  return {};
}

}  // namespace

std::vector<SubnetPool> defaultSubnetPools() {
  std::vector<SubnetPool> pools;
  for (auto* base : {"10.89.0.0/16", "10.90.0.0/15", "10.92.0.0/14", "10.96.0.0/11", "10.128.0.0/9"})
    pools.push_back({Cidr::parse(base).value(), 24});
  return pools;
}

bool validName(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || !alnum(name[0])) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

bool isReservedName(std::string_view name) {
  for (auto* r : {"none", "host", "bridge", "private", "slirp4netns", "pasta", "container", "ns"})
    if (name == r) return true;
  return false;
}

Result<std::string> freeDeviceName(const std::vector<Network>& existing, const std::vector<std::string>& links) {
  std::vector<std::string> used = links;
  for (auto& n : existing) {
    used.push_back(n.name);  // a generated name must not collide with a network's name either
    if (n.driver == kDriverBridge) used.push_back(n.network_interface);
  }
  for (int i = 1; i < 1000000; ++i) {
    std::string name = "podman" + std::to_string(i);
    if (!contains(used, name)) return name;
  }
  return makeError(Code::kInternal, "could not find free device name, to many iterations");
}

Result<Subnet> freeIpv4Subnet(const std::vector<Cidr>& used, const std::vector<SubnetPool>& pools) {
  for (auto& pool : pools) {
    Cidr n = Cidr(pool.base.network().ip(), pool.size).network();
    while (pool.base.contains(n.ip())) {
      if (!intersectsAny(n, used)) return Subnet{n, std::nullopt, std::nullopt};
      auto next = n.nextSubnet();
      if (!next.ok()) break;
      n = *next;
    }
  }
  return makeError(Code::kUnavailable, "could not find free subnet from subnet pools");
}

Result<Subnet> freeIpv6Subnet(const std::vector<Cidr>& used) {
  for (int i = 0; i < 10000; ++i) {
    uint8_t b[16] = {};
    if (::getrandom(b + 1, 7, 0) != 7) return errnoError("read random bytes");
    b[0] = 0xfd;
    Cidr n(IpAddr::fromBytes(b, true), 64);
    if (!intersectsAny(n, used)) return Subnet{n, std::nullopt, std::nullopt};
  }
  return makeError(Code::kUnavailable, "failed to get random ipv6 subnet");
}

Status validateSubnet(Subnet& s, bool add_gateway, const std::vector<Cidr>& used) {
  Cidr n = s.subnet.network();
  if (intersectsAny(n, used))
    return makeError(Code::kInvalidArgument, "subnet {} is already used on the host or by another config", n.str());
  s.subnet = n;
  if (s.gateway) {
    if (!n.contains(*s.gateway))
      return makeError(Code::kInvalidArgument, "gateway {} not in subnet {}", s.gateway->str(), n.str());
  } else if (add_gateway) {
    s.gateway = n.firstHost();
  }
  if (s.lease_range) {
    if (s.lease_range->start_ip && !n.contains(*s.lease_range->start_ip))
      return makeError(Code::kInvalidArgument, "lease range start ip {} not in subnet {}",
                       s.lease_range->start_ip->str(), n.str());
    if (s.lease_range->end_ip && !n.contains(*s.lease_range->end_ip))
      return makeError(Code::kInvalidArgument, "lease range end ip {} not in subnet {}", s.lease_range->end_ip->str(),
                       n.str());
  }
  return {};
}

Result<Network> completeNetwork(Network n, const CreateContext& ctx) {
  if (n.driver.empty()) n.driver = std::string(kDriverBridge);
  if (!ctx.is_default) {
    if (!n.id.empty()) return makeError(Code::kInvalidArgument, "ID can not be set for network create: invalid argument");
    n.id = ctx.id;
  }
  // CommonNetworkCreate
  if (!n.name.empty()) {
    if (!validName(n.name))
      return makeError(Code::kInvalidArgument, "network name {} invalid: {}: invalid argument", n.name, kNameRule);
    for (auto& e : ctx.existing)
      if (e.name == n.name)
        return makeError(Code::kAlreadyExists, "network name {} already used: network already exists", n.name);
  } else {
    n.name = TRY(freeDeviceName(ctx.existing, ctx.host.interfaces));
    if (n.driver == kDriverBridge && n.network_interface.empty()) n.network_interface = n.name;
  }
  TRY(validateIpamDriver(n));

  std::vector<Cidr> used;
  if (!ctx.is_default && n.driver == kDriverBridge) {
    for (auto& e : ctx.existing)
      for (auto& s : e.subnets) used.push_back(s.subnet);
    for (auto& c : ctx.host.subnets) used.push_back(c);
  }
  if (n.driver == kDriverBridge) {
    TRY(createBridge(n, ctx, used));
  } else if (n.driver == kDriverMacvlan) {
    TRY(createMacvlan(n, ctx));
  } else {
    return makeError(Code::kInvalidArgument, "unsupported driver {}: invalid argument", n.driver);
  }
  if (n.ipamDriver() == kIpamNone) n.dns_enabled = false;
  TRY(validateSubnets(n, !n.internal || n.dns_enabled, used));
  n.created = ctx.now;
  return n;
}

Status normalizeLoaded(Network& n) {
  if (n.id.size() != 64 || n.id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return makeError(Code::kInvalidArgument, "invalid network ID {:?}", n.id);
  return validateSubnets(n, !n.internal || n.dns_enabled, {});
}

std::string randomNetworkId() {
  uint8_t b[32];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t r = ::getrandom(b + got, sizeof b - got, 0);
    if (r > 0) got += r;
  }
  std::string out;
  for (auto c : b) out += fmt::format("{:02x}", c);
  return out;
}

}  // namespace berth::network
