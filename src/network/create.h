// Completing and validating a network definition for `network create` (podman's
// libnetwork rules): name and bridge allocation, free subnets, gateways, driver options.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "network/host.h"
#include "network/types.h"

namespace berth::network {

// containers.conf default_subnet_pools: subnets of `size` bits carved from `base`.
struct SubnetPool {
  Cidr base;
  int size = 24;
};
std::vector<SubnetPool> defaultSubnetPools();

// Network and interface names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool validName(std::string_view name);
// Names that are --network modes and cannot name a network.
bool isReservedName(std::string_view name);

// The first free "podmanN" (N >= 1) not used as a bridge or link name.
Result<std::string> freeDeviceName(const std::vector<Network>& existing, const std::vector<std::string>& links);
// The first subnet of the pools that intersects none of `used`.
Result<Subnet> freeIpv4Subnet(const std::vector<Cidr>& used, const std::vector<SubnetPool>& pools);
// A random fdxx:xxxx:xxxx:xxxx::/64 that intersects none of `used` (RFC 4193).
Result<Subnet> freeIpv6Subnet(const std::vector<Cidr>& used);

// Checks one subnet, normalises it to its network address and fills the
// gateway (first address) when `add_gateway` and none is set.
Status validateSubnet(Subnet& s, bool add_gateway, const std::vector<Cidr>& used);

struct CreateContext {
  std::vector<Network> existing;  // every known network, the default included
  HostNetInfo host;
  std::vector<SubnetPool> pools = defaultSubnetPools();
  std::string id;                 // the new network's ID (64 hex); empty for the default network
  int64_t now = 0;                // creation time, unix ns
  bool is_default = false;        // the default network: no check against used subnets
};

// Fills in `req` (a partial network: name, driver, subnets, flags, options)
// the way podman's NetworkCreate does, or explains what is wrong:
// kAlreadyExists for a taken name, kInvalidArgument for bad input.
Result<Network> completeNetwork(Network req, const CreateContext& ctx);

// Checks a network read from a config file (ID, subnets) and fills the
// defaults podman fills when loading; kInvalidArgument when unusable.
Status normalizeLoaded(Network& n);

// A random 64-hex network ID.
std::string randomNetworkId();

}  // namespace berth::network
