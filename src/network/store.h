// Store: the network definitions of one config directory (one JSON file per network, the
// default network implied), IPAM and netavark setup/teardown over one run directory.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "network/create.h"
#include "network/types.h"

namespace berth::network {

inline constexpr std::string_view kDefaultNetworkId =
    "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";  // podman's, fixed

struct StoreOptions {
  std::string config_dir;  // <root>/networks or --network-config-dir
  std::string run_dir;     // <runroot>/networks: lock, IPAM, netavark --config (aardvark-dns)
  std::string default_network = "podman";
  std::string default_subnet = "10.88.0.0/16";
  std::string default_interface = "podman0";
  std::vector<SubnetPool> pools = defaultSubnetPools();
  uint16_t dns_port = 0;  // containers.conf dns_bind_port
  std::string log_level = "warn";
};

// What netavark setup/teardown needs for one container.
struct SetupRequest {
  std::string container_id;
  std::string container_name;
  std::string netns_path;
  // By network name or ID; interface_name must be set. Setup fills static_ips
  // with the allocated addresses.
  std::map<std::string, PerNetworkOptions> networks;
  std::vector<PortMapping> port_mappings;
  std::vector<IpAddr> dns_servers;  // the container's --dns, forwarded by aardvark-dns
};

class Store {
 public:
  explicit Store(StoreOptions o) : o_(std::move(o)) {}
  const StoreOptions& options() const { return o_; }

  // Every network, the default one included (in memory unless a file defines
  // it), sorted by name. Unreadable files are skipped with a warning.
  Result<std::vector<Network>> list();
  // By name, full ID or unique ID prefix. kNotFound:
  // "unable to find network with name or ID X: network not found".
  Result<Network> get(const std::string& name_or_id);
  // Completes `partial` (see completeNetwork) and writes <config_dir>/<name>.json.
  Result<Network> create(Network partial);
  // Deletes the definition; the default network cannot be removed. Does not
  // check for containers using it (the engine does).
  Status remove(const std::string& name_or_id);

  // Allocates addresses and runs `netavark setup` on req.netns_path. Returns
  // netavark's status per network name; on failure the addresses are freed.
  Result<std::map<std::string, StatusBlock>> setup(SetupRequest req);
  // Runs `netavark teardown` and frees the addresses, also when netavark
  // fails (its error is returned). Networks whose definition vanished are
  // skipped for netavark but their addresses are freed.
  Status teardown(SetupRequest req);

 private:
  Result<std::vector<Network>> loadLocked();
  Network defaultNetwork() const;
  static Result<Network> findIn(const std::vector<Network>& nets, const std::string& name_or_id);
  Status ensureDirs();

  StoreOptions o_;
};

}  // namespace berth::network
