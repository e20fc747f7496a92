// Call: one routed request as a handler sees it: the request, the response writer,
// path parameters, typed query/body accessors and a borrowed engine.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/server/engine_pool.h"
#include "api/server/http.h"
#include "api/server/router.h"
#include "base/json.h"
#include "base/result.h"

namespace berth::api::server {

struct ServerState;

class Call {
 public:
  Call(Request& req, Response& res, RouteMatch& m, EnginePool& pool, ServerState& state)
      : req(req), res(res), tree(m.tree), version(m.version), params(std::move(m.params)), pool_(pool),
        state_(state) {}

  Request& req;
  Response& res;
  Tree tree;
  std::string version;  // from the path; "" unversioned
  std::map<std::string, std::string> params;

  bool libpod() const { return tree == Tree::kLibpod; }
  ServerState& state() { return state_; }
  const std::string& param(const std::string& name) const;

  // The engine for this request (opened on first use, returned to the pool after it).
  Result<engine::Engine*> engine();

  // --- query parameters (typed; a bad value is kInvalidArgument naming the parameter)
  // Query parameters are looked up by name, then (as podman's service matches them)
  // without regard to case.
  bool has(std::string_view name) const;
  std::string str(std::string_view name, std::string_view dflt = "") const;
  std::vector<std::string> all(std::string_view name) const;
  Result<bool> boolean(std::string_view name, bool dflt) const;
  Result<int64_t> integer(std::string_view name, int64_t dflt) const;
  Result<std::optional<int64_t>> optInteger(std::string_view name) const;
  // A map parameter as podman's bindings send one: a JSON object of strings.
  Result<std::map<std::string, std::string>> stringMap(std::string_view name) const;
  // `filters` as podman's key=value list: JSON {"k":["v"]} or Docker's {"k":{"v":true}}.
  Result<std::vector<std::string>> filters(std::string_view name = "filters") const;

  // The JSON body; an empty body is `dflt`. A syntax error is kInvalidArgument.
  Result<Json> jsonBody(Json dflt = Json::object()) const;
  // The body as a JSON object (an empty body is {}); anything else is kInvalidArgument.
  Result<Json> objectBody() const;

  // The path's API version is at least major.minor (unversioned: the current one).
  bool versionAtLeast(int major, int minor) const;

  // --- responses
  Status json(int status, const Json& doc) { return res.json(status, doc); }
  Status empty(int status) { return res.empty(status); }
  // Writes the error (status from the code table unless `status` is given).
  Status fail(const Error& e, int status = 0);

 private:
  using QueryIt = std::map<std::string, std::vector<std::string>>::const_iterator;
  QueryIt findParam(std::string_view name) const;
  EnginePool& pool_;
  ServerState& state_;
  std::optional<EnginePool::Lease> lease_;
};

// --- typed reads of request bodies ---------------------------------------------------
// Each returns kInvalidArgument naming the field when it has the wrong type; a missing
// or null field leaves the output unchanged.
Status getString(const Json& obj, std::string_view field, std::string& out);
Status getBool(const Json& obj, std::string_view field, bool& out);
Status getInt(const Json& obj, std::string_view field, int64_t& out);
Status getStrings(const Json& obj, std::string_view field, std::vector<std::string>& out);
// A string or an array of strings (Docker's Cmd/Entrypoint accept both).
Status getStringOrStrings(const Json& obj, std::string_view field, std::vector<std::string>& out);
Status getStringMap(const Json& obj, std::string_view field, std::map<std::string, std::string>& out);
// An object field (nullptr when missing or null).
Result<const Json*> getObject(const Json& obj, std::string_view field);

}  // namespace berth::api::server
