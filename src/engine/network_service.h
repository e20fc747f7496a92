// LocalNetworkService: NetworkService over the network store of the engine's root.
#pragma once

#include <string>
#include <vector>

#include "berth/api/networks.h"

namespace berth::engine {

class Engine;

class LocalNetworkService : public api::NetworkService {
 public:
  explicit LocalNetworkService(Engine& e) : e_(e) {}
  Result<network::Network> create(const api::NetworkCreateRequest& req) override;
  Result<std::vector<network::Network>> list(const api::NetworkListRequest& req) override;
  Result<network::Network> inspect(const std::string& name_or_id) override;
  Result<bool> exists(const std::string& name_or_id) override;
  Result<std::vector<api::NetworkReport>> remove(const api::NetworkRemoveRequest& req) override;
  Result<std::vector<api::NetworkReport>> prune(const std::vector<std::string>& filters) override;
  Status connect(const api::NetworkConnectRequest& req) override;
  Status disconnect(const std::string& network, const std::string& container, bool force) override;
  Result<std::vector<std::pair<std::string, std::optional<Error>>>> reload(const std::vector<std::string>& containers,
                                                                          bool all) override;

 private:
  // Network name -> IDs of the containers that join it.
  Result<std::vector<std::pair<std::string, std::string>>> containerNetworks();

  Engine& e_;
};

}  // namespace berth::engine
