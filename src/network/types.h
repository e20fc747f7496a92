// netavark's JSON types (containers/common libnetwork/types): network definitions, the
// setup/teardown options and the status netavark returns, with typed, checked decoding.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "network/ip.h"

namespace berth::network {

inline constexpr std::string_view kDriverBridge = "bridge";
inline constexpr std::string_view kDriverMacvlan = "macvlan";
inline constexpr std::string_view kDriverIpvlan = "ipvlan";
inline constexpr std::string_view kIpamDriverKey = "driver";
inline constexpr std::string_view kIpamHostLocal = "host-local";
inline constexpr std::string_view kIpamDhcp = "dhcp";
inline constexpr std::string_view kIpamNone = "none";

struct LeaseRange {
  std::optional<IpAddr> start_ip, end_ip;
};

struct Subnet {
  Cidr subnet;
  std::optional<IpAddr> gateway;
  std::optional<LeaseRange> lease_range;
};

// One network definition: a file <config dir>/<name>.json.
struct Network {
  std::string name;
  std::string id;  // 64 hex
  std::string driver;
  std::string network_interface;  // bridge name, or macvlan parent
  int64_t created = 0;            // unix ns
  std::vector<Subnet> subnets;
  bool ipv6_enabled = false;
  bool internal = false;
  bool dns_enabled = false;
  std::vector<IpAddr> network_dns_servers;  // upstream servers for aardvark-dns
  std::map<std::string, std::string> labels, options, ipam_options;

  std::string ipamDriver() const;
  // Whether berth allocates addresses for it (host-local IPAM with subnets).
  bool needsIpam() const;
};

// How a container attaches to one network.
struct PerNetworkOptions {
  std::vector<IpAddr> static_ips;
  std::vector<std::string> aliases;
  std::optional<MacAddr> static_mac;
  std::string interface_name;
};

struct PortMapping {
  std::string host_ip;  // "" = all addresses
  uint16_t container_port = 0;
  uint16_t host_port = 0;
  uint16_t range = 1;
  std::string protocol = "tcp";  // tcp, udp, sctp or a comma list
};

// What netavark setup/teardown read on stdin.
struct NetavarkOptions {
  std::string container_id;
  std::string container_name;
  std::vector<PortMapping> port_mappings;
  std::map<std::string, PerNetworkOptions> networks;
  std::map<std::string, Network> network_info;
  std::vector<IpAddr> dns_servers;
};

struct NetAddress {
  Cidr ipnet;  // the container's address with the subnet's prefix
  std::optional<IpAddr> gateway;
};

struct NetInterface {
  std::string mac_address;
  std::vector<NetAddress> subnets;
};

// netavark's result for one network.
struct StatusBlock {
  std::map<std::string, NetInterface> interfaces;  // by interface name (eth0)
  std::vector<IpAddr> dns_server_ips;
  std::vector<std::string> dns_search_domains;
};

// Encoders: podman's field order and omitempty rules.
Json toJson(const Network& n);
Json toJson(const Subnet& s);
Json toJson(const PerNetworkOptions& o);
Json toJson(const PortMapping& p);
Json toJson(const NetavarkOptions& o);
Json toJson(const StatusBlock& s);

// Decoders: a wrong type or a bad address is kInvalidArgument naming the field
// ("subnets[0].gateway: invalid IP address: x"). Unknown fields are ignored, as
// Go's decoder does.
Result<Network> networkFromJson(const Json& j);
Result<PerNetworkOptions> perNetworkOptionsFromJson(const Json& j);
Result<PortMapping> portMappingFromJson(const Json& j);
Result<NetavarkOptions> netavarkOptionsFromJson(const Json& j);
Result<StatusBlock> statusBlockFromJson(const Json& j);
// netavark's setup output: {network name: StatusBlock}.
Result<std::map<std::string, StatusBlock>> statusFromJson(const Json& j);

}  // namespace berth::network
