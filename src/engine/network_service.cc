// LocalNetworkService: network create/ls/inspect/rm/prune/exists over network::Store.
#include "engine/network_service.h"


#include <algorithm>
#include <map>
#include <set>

#include "base/log.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/filters.h"
#include "network/spec.h"
#include "state/containers.h"

namespace berth::engine {

namespace {

using network::Network;
using FilterFn = std::function<bool(const Network&)>;

// label, label!, until: the filters prune accepts (libnetwork createPruneFilterFuncs).
Result<FilterFn> pruneFilter(const std::string& key, const std::vector<std::string>& values) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(), ::tolower);
  if (k == "label") return FilterFn([values](const Network& n) { return matchLabels(values, n.labels); });
  if (k == "label!") return FilterFn([values](const Network& n) { return !matchLabels(values, n.labels); });
  if (k == "until") {
    if (values.size() != 1) return makeError(Code::kInvalidArgument, "specify exactly one timestamp for until");
    int64_t until = TRY(parseTimestampArg(values[0]));
    return FilterFn([until](const Network& n) { return n.created < until; });
  }
  return makeError(Code::kInvalidArgument, "invalid filter {:?}", key);
}

Result<FilterFn> listFilter(const std::string& key, const std::vector<std::string>& values) {
  std::string k = key;
  std::transform(k.begin(), k.end(), k.begin(), ::tolower);
  if (k == "name") return FilterFn([values](const Network& n) { return regexMatchAny(n.name, values); });
  if (k == "id") return FilterFn([values](const Network& n) { return regexMatchAny(n.id, values); });
  if (k == "driver")
    return FilterFn([values](const Network& n) {
      return std::find(values.begin(), values.end(), n.driver) != values.end();
    });
  return pruneFilter(key, values);
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> LocalNetworkService::containerNetworks() {
  auto& store = e_.networkStore();
  const std::string& dflt = store.options().default_network;
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& rec : TRY(state::listContainers(e_.db()))) {
    auto it = rec.config.find("spec");
    if (it == rec.config.end()) continue;
    auto spec = network::networkSpecFromJson(*it);
    if (!spec.ok()) {
      LOG_WARN("container {}: {}", rec.id, spec.error().what());
      continue;
    }
    for (auto& name : network::joinedNetworks(*spec, dflt)) out.emplace_back(name, rec.id);
  }
  return out;
}

Result<Network> LocalNetworkService::create(const api::NetworkCreateRequest& req) {
  if (network::isReservedName(req.network.name))
    return makeError(Code::kInvalidArgument,
                     "cannot create network with name {:?} because it conflicts with a valid network mode",
                     req.network.name);
  auto& store = e_.networkStore();
  auto n = store.create(req.network);
  if (!n.ok() && n.error().code() == Code::kAlreadyExists && req.ignore_if_exists)
    return store.get(req.network.name);
  return n;
}

Result<std::vector<Network>> LocalNetworkService::list(const api::NetworkListRequest& req) {
  auto groups = TRY(groupFilters(req.filters));
  std::vector<FilterFn> filters;
  if (auto d = groups.find("dangling"); d != groups.end()) {
    if (d->second.size() != 1)
      return makeError(Code::kInvalidArgument, "got more than one value for filter key \"dangling\"");
    bool want = TRY(parseGoBool(d->second[0], "dangling"));
    groups.erase(d);
    std::set<std::string> used = {e_.networkStore().options().default_network};
    for (auto& [net, id] : TRY(containerNetworks())) used.insert(net);
    filters.push_back([want, used](const Network& n) { return used.count(n.name) ? !want : want; });
  }
  for (auto& [key, values] : groups) filters.push_back(TRY(listFilter(key, values)));
  std::vector<Network> out;
  for (auto& n : TRY(e_.networkStore().list()))
    if (std::all_of(filters.begin(), filters.end(), [&](auto& f) { return f(n); })) out.push_back(std::move(n));
  return out;
}

Result<Network> LocalNetworkService::inspect(const std::string& name_or_id) {
  return e_.networkStore().get(name_or_id);
}

Result<bool> LocalNetworkService::exists(const std::string& name_or_id) {
  auto n = e_.networkStore().get(name_or_id);
  if (n.ok()) return true;
  if (n.error().code() == Code::kNotFound) return false;
  return std::move(n).error();
}

Result<std::vector<api::NetworkReport>> LocalNetworkService::remove(const api::NetworkRemoveRequest& req) {
  auto& store = e_.networkStore();
  std::vector<api::NetworkReport> reports;
  for (auto& name : req.names) {
    api::NetworkReport report{name, std::nullopt};
    auto n = store.get(name);
    if (!n.ok()) {
      report.error = std::move(n).error();
      reports.push_back(std::move(report));
      continue;
    }
    std::vector<std::string> users;
    for (auto& [net, id] : TRY(containerNetworks()))
      if (net == n->name || net == n->id) users.push_back(id);
    if (!users.empty() && n->name != store.options().default_network) {
      if (!req.force)
        return makeError(Code::kConflict,
                         "{:?} has associated containers with it. Use -f to forcibly delete containers and pods: "
                         "network is being used",
                         name);
      api::ContainerRemoveRequest rm;
      rm.names = users;
      rm.force = true;
      rm.timeout = req.timeout;
      for (auto& r : TRY(e_.containers().remove(rm)))
        if (r.error && r.error->code() != Code::kNotFound) return std::move(*r.error);
    }
    if (auto s = store.remove(n->name); !s.ok()) report.error = std::move(s).error();
    reports.push_back(std::move(report));
  }
  return reports;
}

Result<std::vector<api::NetworkReport>> LocalNetworkService::prune(const std::vector<std::string>& raw) {
  auto groups = TRY(groupFilters(raw));
  std::vector<FilterFn> filters;
  for (auto& [key, values] : groups) filters.push_back(TRY(pruneFilter(key, values)));
  auto& store = e_.networkStore();
  std::set<std::string> used = {store.options().default_network};
  for (auto& [net, id] : TRY(containerNetworks())) used.insert(net);
  std::vector<api::NetworkReport> reports;
  for (auto& n : TRY(store.list())) {
    if (used.count(n.name) || used.count(n.id)) continue;
    if (!std::all_of(filters.begin(), filters.end(), [&](auto& f) { return f(n); })) continue;
    api::NetworkReport r{n.name, std::nullopt};
    if (auto s = store.remove(n.name); !s.ok()) r.error = std::move(s).error();
    reports.push_back(std::move(r));
  }
  return reports;
}

Status LocalNetworkService::connect(const api::NetworkConnectRequest& req) {
  return static_cast<LocalContainerService&>(e_.containers()).networkConnect(req.network, req.container, req.options);
}

Status LocalNetworkService::disconnect(const std::string& network, const std::string& container, bool force) {
  return static_cast<LocalContainerService&>(e_.containers()).networkDisconnect(network, container, force);
}

Result<std::vector<std::pair<std::string, std::optional<Error>>>> LocalNetworkService::reload(
    const std::vector<std::string>& containers, bool all) {
  auto& ctrs = static_cast<LocalContainerService&>(e_.containers());
  std::vector<std::string> targets = containers;
  if (all) {
    targets.clear();
    for (auto& r : TRY(state::listContainers(e_.db())))
      if (r.state.value("status", "") == "running") targets.push_back(r.id);
  }
  std::vector<std::pair<std::string, std::optional<Error>>> out;
  for (auto& t : targets) {
    auto id = ctrs.networkReload(t);
    if (id.ok()) out.emplace_back(*id, std::nullopt);
    else if (!all) out.emplace_back(t, std::move(id).error());
  }
  return out;
}

}  // namespace berth::engine
