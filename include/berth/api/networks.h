// NetworkService: the network operations behind `berth network ...` and the networks REST routes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "berth/api/specgen.h"
#include "network/types.h"

namespace berth::api {

// A partial network (netavark's Network JSON, as the libpod create route takes
// it): name, driver, subnets, gateways, ranges, internal, dns_enabled,
// ipv6_enabled, labels, options, ipam_options, network_interface,
// network_dns_servers. The rest is filled in by the engine.
struct NetworkCreateRequest {
  network::Network network;
  bool ignore_if_exists = false;  // return the existing network instead of kAlreadyExists
};

struct NetworkListRequest {
  // key=value: name (regex), id (regex), driver, label, label!, until, dangling.
  std::vector<std::string> filters;
};

struct NetworkRemoveRequest {
  std::vector<std::string> names;
  bool force = false;          // also remove the containers using them
  std::optional<int> timeout;  // stop timeout for those containers
};

// One result per network: the name as given, or why it failed.
struct NetworkReport {
  std::string name;
  std::optional<Error> error;
};

// network connect: how the container joins (aliases, static_ips, static_mac).
struct NetworkConnectRequest {
  std::string network;
  std::string container;
  PerNetworkOptions options;
};

class NetworkService {
 public:
  virtual ~NetworkService() = default;
  // kAlreadyExists for a taken name, kInvalidArgument for bad input.
  virtual Result<network::Network> create(const NetworkCreateRequest& req) = 0;
  // Every matching network, sorted by name. kInvalidArgument for a bad filter.
  virtual Result<std::vector<network::Network>> list(const NetworkListRequest& req) = 0;
  // By name, ID or unique ID prefix; kNotFound
  // "unable to find network with name or ID X: network not found".
  virtual Result<network::Network> inspect(const std::string& name_or_id) = 0;
  virtual Result<bool> exists(const std::string& name_or_id) = 0;
  // Stops at the first network in use without `force` (kConflict: "X has
  // associated containers with it. Use -f to forcibly delete containers and
  // pods: network is being used"); per-network errors otherwise.
  virtual Result<std::vector<NetworkReport>> remove(const NetworkRemoveRequest& req) = 0;
  // Removes the networks no container uses (never the default one) that
  // match the filters (label, label!, until).
  virtual Result<std::vector<NetworkReport>> prune(const std::vector<std::string>& filters) = 0;
  // Joins a bridge-mode container to the network, at once when it runs (netavark setup of
  // that network in its netns). kNotFound for the network or container; kConflict "container
  // X is already connected to network Y: network is already connected"; kInvalidArgument
  // for a container not in bridge mode.
  virtual Status connect(const NetworkConnectRequest& req) = 0;
  // Leaves the network (netavark teardown of it when running). kNotFound when not connected.
  virtual Status disconnect(const std::string& network, const std::string& container, bool force) = 0;
  // network reload: sets the networks of running containers up again (firewall rules that were
  // flushed come back) with the same addresses and MACs. Per container: its ID or the error.
  virtual Result<std::vector<std::pair<std::string, std::optional<Error>>>> reload(
      const std::vector<std::string>& containers, bool all) {
    return makeError(Code::kUnimplemented, "network reload is not supported by this service");
  }
};

}  // namespace berth::api
