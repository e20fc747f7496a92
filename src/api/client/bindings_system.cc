// berth::system and berth::networks: the libpod system and network routes.
#include "api/client/conn.h"
#include "api/client/wire.h"
#include "berth/bindings/networks.h"
#include "berth/bindings/system.h"

namespace berth::system {

Result<Json> info(Connection& c) {
  Json j = TRY(api::client::callJson(c, "GET", "/info"));
  if (!j.is_object()) return Error(Code::kDataLoss, "info: want an object");
  return j;
}

Result<Json> version(Connection& c) {
  Json j = TRY(api::client::callJson(c, "GET", "/version"));
  if (!j.is_object()) return Error(Code::kDataLoss, "version: want an object");
  return j;
}

Status ping(Connection& c) {
  TRY(api::client::call(c, "GET", "/_ping"));
  return {};
}

}  // namespace berth::system

namespace berth::networks {

using api::client::callJson;
using api::client::Query;

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/networks/" + api::client::pathEscape(name) + std::string(tail);
}

Result<network::Network> decodeNetwork(const Json& j, std::string_view what) {
  auto n = network::networkFromJson(j);
  if (!n.ok()) return Error(Code::kDataLoss, fmt::format("{}: {}", what, n.error().message()));
  return std::move(*n);
}

Result<std::vector<api::NetworkReport>> reports(const Json& j, std::string_view what, std::string_view err_key) {
  std::vector<api::NetworkReport> out;
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(j, what))) {
    auto f = TRY(api::client::Fields::of(*e, fmt::format("{}[{}]", what, i++)));
    api::NetworkReport r;
    TRY(f.str("Name", r.name));
    if (const Json* ev = f.get(err_key); ev && ev->is_string() && !ev->get<std::string>().empty())
      r.error = Error(Code::kInternal, ev->get<std::string>());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<network::Network> create(Connection& c, const api::NetworkCreateRequest& req) {
  Query q;
  if (req.ignore_if_exists) q.emplace_back("ignoreIfExists", "true");
  Json j = TRY(callJson(c, "POST", "/networks/create", q, network::toJson(req.network).dump()));
  return decodeNetwork(j, "networks/create");
}

Result<std::vector<network::Network>> list(Connection& c, const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(filters)));
  Json j = TRY(callJson(c, "GET", "/networks/json", q));
  std::vector<network::Network> out;
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(j, "networks/json")))
    out.push_back(TRY(decodeNetwork(*e, fmt::format("networks/json[{}]", i++))));
  return out;
}

Result<network::Network> inspect(Connection& c, const std::string& name) {
  Json j = TRY(callJson(c, "GET", path(name, "/json")));
  return decodeNetwork(j, "networks/inspect");
}

Result<bool> exists(Connection& c, const std::string& name) {
  auto r = api::client::call(c, "GET", path(name, "/exists"));
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return std::move(r).error();
  }
  return true;
}

Result<std::vector<api::NetworkReport>> remove(Connection& c, const std::string& name, bool force,
                                               std::optional<int> timeout) {
  Query q;
  if (force) q.emplace_back("force", "true");
  if (timeout) q.emplace_back("timeout", std::to_string(*timeout));
  Json j = TRY(callJson(c, "DELETE", path(name), q));
  return reports(j, "networks/remove", "Err");
}

Result<std::vector<api::NetworkReport>> prune(Connection& c, const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(filters)));
  Json j = TRY(callJson(c, "POST", "/networks/prune", q));
  return reports(j, "networks/prune", "Error");
}

Status connect(Connection& c, const api::NetworkConnectRequest& req) {
  // podman's NetworkConnectOptions: the container, and PerNetworkOptions inline.
  Json body = {{"container", req.container}};
  const auto& o = req.options;
  if (!o.static_ips.empty()) body["static_ips"] = o.static_ips;
  if (!o.aliases.empty()) body["aliases"] = o.aliases;
  if (!o.static_mac.empty()) body["static_mac"] = o.static_mac;
  if (!o.interface_name.empty()) body["interface_name"] = o.interface_name;
  TRY(api::client::call(c, "POST", path(req.network, "/connect"), {}, body.dump()));
  return {};
}

Status disconnect(Connection& c, const std::string& network, const std::string& container, bool force) {
  Json body = {{"Container", container}, {"Force", force}};
  TRY(api::client::call(c, "POST", path(network, "/disconnect"), {}, body.dump()));
  return {};
}

}  // namespace berth::networks
