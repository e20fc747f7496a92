// What the host's network already uses: interface names, addresses and routes.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "network/ip.h"

namespace berth::network {

struct HostNetInfo {
  std::vector<std::string> interfaces;  // every link name
  std::vector<Cidr> subnets;            // interface address networks and non-default routes
};

// Reads getifaddrs(3), /proc/net/route and /proc/net/ipv6_route of the
// caller's network namespace.
Result<HostNetInfo> readHostNetInfo();

// Parses the text of /proc/net/route and /proc/net/ipv6_route (default routes skipped).
std::vector<Cidr> parseProcRoutes(const std::string& route4, const std::string& route6);

}  // namespace berth::network
