// berth::networks: the libpod network routes (podman's pkg/bindings/network).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "berth/api/networks.h"
#include "berth/bindings/connection.h"

namespace berth::networks {

using bindings::Connection;

Result<network::Network> create(Connection& c, const api::NetworkCreateRequest& req);
Result<std::vector<network::Network>> list(Connection& c, const std::vector<std::string>& filters = {});
Result<network::Network> inspect(Connection& c, const std::string& name);
Result<bool> exists(Connection& c, const std::string& name);
Result<std::vector<api::NetworkReport>> remove(Connection& c, const std::string& name, bool force = false,
                                               std::optional<int> timeout = {});
Result<std::vector<api::NetworkReport>> prune(Connection& c, const std::vector<std::string>& filters = {});
// POST /networks/{name}/connect: {"container", "static_ips", "aliases", "static_mac", "interface_name"}.
Status connect(Connection& c, const api::NetworkConnectRequest& req);
// POST /networks/{name}/disconnect: {"Container", "Force"}.
Status disconnect(Connection& c, const std::string& network, const std::string& container, bool force = false);

}  // namespace berth::networks
