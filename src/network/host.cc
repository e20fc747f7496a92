// Host interfaces, addresses and routes.
#include "network/host.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <sstream>

#include "base/fs.h"

namespace berth::network {

namespace {

int maskBits(const sockaddr* mask) {
  if (!mask) return -1;
  const uint8_t* b;
  int n;
  if (mask->sa_family == AF_INET) {
    b = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    n = 4;
  } else if (mask->sa_family == AF_INET6) {
    b = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    n = 16;
  } else {
    return -1;
  }
  int bits = 0;
  for (int i = 0; i < n; ++i) bits += __builtin_popcount(b[i]);
  return bits;
}

bool hexByte(std::string_view s, uint8_t& out) {
  if (s.size() != 2) return false;
  unsigned v = 0;
  for (char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return false;
  }
  out = static_cast<uint8_t>(v);
  return true;
}

}  // namespace

std::vector<Cidr> parseProcRoutes(const std::string& route4, const std::string& route6) {
  std::vector<Cidr> out;
  // /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; hex, host byte order (LE).
  std::istringstream in4(route4);
  std::string line;
  std::getline(in4, line);  // header
  while (std::getline(in4, line)) {
    std::istringstream f(line);
    std::string iface, dest, gw, flags, ref, use, metric, mask;
    if (!(f >> iface >> dest >> gw >> flags >> ref >> use >> metric >> mask)) continue;
    if (dest.size() != 8 || mask.size() != 8) continue;
    uint8_t d[4], m[4];
    bool ok = true;
    for (int i = 0; i < 4; ++i)  // little-endian: byte 0 of the address is the last pair
      ok = ok && hexByte(std::string_view(dest).substr(6 - 2 * i, 2), d[i]) &&
           hexByte(std::string_view(mask).substr(6 - 2 * i, 2), m[i]);
    if (!ok) continue;
    int bits = 0;
    for (auto b : m) bits += __builtin_popcount(b);
    if (bits == 0) continue;  // default route
    out.push_back(Cidr(IpAddr::v4(d[0], d[1], d[2], d[3]), bits).network());
  }
  // /proc/net/ipv6_route: dest(32 hex) dest_prefix(hex) src src_prefix next_hop metric ref use flags iface
  std::istringstream in6(route6);
  while (std::getline(in6, line)) {
    std::istringstream f(line);
    std::string dest, plen;
    if (!(f >> dest >> plen) || dest.size() != 32 || plen.size() != 2) continue;
    uint8_t d[16], p;
    bool ok = hexByte(plen, p);
    for (int i = 0; i < 16 && ok; ++i) ok = hexByte(std::string_view(dest).substr(2 * i, 2), d[i]);
    if (!ok || p == 0 || p > 128) continue;
    out.push_back(Cidr(IpAddr::fromBytes(d, true), p).network());
  }
  return out;
}

Result<HostNetInfo> readHostNetInfo() {
  HostNetInfo info;
  struct ifaddrs* ifa = nullptr;
  if (::getifaddrs(&ifa) < 0) return errnoError("list network interfaces");
  for (auto* p = ifa; p; p = p->ifa_next) {
    if (p->ifa_name && std::find(info.interfaces.begin(), info.interfaces.end(), p->ifa_name) == info.interfaces.end())
      info.interfaces.push_back(p->ifa_name);
    if (!p->ifa_addr) continue;
    int bits = maskBits(p->ifa_netmask);
    if (bits < 0) continue;
    if (p->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in*>(p->ifa_addr)->sin_addr);
      info.subnets.push_back(Cidr(IpAddr::fromBytes(a, false), bits).network());
    } else if (p->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<const uint8_t*>(&reinterpret_cast<sockaddr_in6*>(p->ifa_addr)->sin6_addr);
      info.subnets.push_back(Cidr(IpAddr::fromBytes(a, true), bits).network());
    }
  }
  ::freeifaddrs(ifa);
  // Links without addresses are listed by getifaddrs as AF_PACKET entries; if_nameindex covers the rest.
  if (auto* names = ::if_nameindex()) {
    for (auto* n = names; n->if_index != 0; ++n)
      if (std::find(info.interfaces.begin(), info.interfaces.end(), n->if_name) == info.interfaces.end())
        info.interfaces.push_back(n->if_name);
    ::if_freenameindex(names);
  }
  auto r4 = fs::readFile("/proc/net/route");
  auto r6 = fs::readFile("/proc/net/ipv6_route");
  for (auto& c : parseProcRoutes(r4.ok() ? *r4 : "", r6.ok() ? *r6 : "")) info.subnets.push_back(c);
  return info;
}

}  // namespace berth::network
