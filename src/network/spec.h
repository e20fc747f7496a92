// The SpecGenerator's network fields (podman's ContainerNetworkConfig), read with checked
// types, and what they mean: the networks a container joins.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "network/types.h"

namespace berth::network {

struct NetworkSpec {
  std::string nsmode;   // netns.nsmode: "" (default), bridge, none, host, path, container, pod, private, ...
  std::string nsvalue;  // netns.value: path or container
  std::map<std::string, PerNetworkOptions> networks;  // "Networks"
  std::vector<PortMapping> port_mappings;              // "portmappings"
  bool publish_image_ports = false;
  std::map<uint16_t, std::string> expose;  // port -> protocols
  std::vector<IpAddr> dns_servers;         // "dns_server"
  std::vector<std::string> dns_search, dns_options, host_add;
  bool use_image_hosts = false, use_image_resolve_conf = false;
  std::string hostname;

  // Whether netavark configures the container (bridge mode, podman's rootful default).
  bool usesNetavark() const { return nsmode.empty() || nsmode == "bridge"; }
};

// Reads the network fields of a SpecGenerator document; a wrong type is
// kInvalidArgument naming the field.
Result<NetworkSpec> networkSpecFromJson(const Json& spec);

// The networks the container joins, by the names it was given (podman's
// c.Networks()): the Networks keys in bridge mode, the default network when
// there are none; nothing in other modes.
std::vector<std::string> joinedNetworks(const NetworkSpec& s, const std::string& default_network);

}  // namespace berth::network
