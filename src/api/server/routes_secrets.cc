// Secret routes: libpod (/libpod/secrets/...) and Docker-compatible (/secrets/...). The
// secret's data is never part of an answer.
#include "api/server/call.h"
#include "api/server/routes.h"
#include "base/base64.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

SecretService& secrets(engine::Engine* e) { return e->secrets(); }

// podman's SecretInfoReport; Docker's answer adds {"Version": {"Index": 1}}.
Json secretDoc(const Call& c, const SecretInfo& s) {
  Json j = secretToJson(s);
  if (!c.libpod()) j["Version"] = Json{{"Index", 1}};
  return j;
}

// libpod: the data is the raw body; name, driver, driveropts and labels are query parameters.
Status create(Call& c) {
  auto eng = TRY(c.engine());
  SecretCreateRequest req;
  req.name = c.str("name");
  req.driver = c.str("driver", "file");
  req.driver_options = TRY(c.stringMap("driveropts"));
  req.labels = TRY(c.stringMap("labels"));
  req.data = c.req.body;
  return c.json(200, Json{{"ID", TRY(secrets(eng).create(req))}});
}

// Docker: a SecretSpec body {"Name", "Data" (base64), "Labels", "Driver": {"Name", "Options"}}.
Status compatCreate(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  SecretCreateRequest req;
  std::string data;
  TRY(getString(body, "Name", req.name));
  TRY(getString(body, "Data", data));
  TRY(getStringMap(body, "Labels", req.labels));
  if (const Json* d = TRY(getObject(body, "Driver"))) {
    TRY(getString(*d, "Name", req.driver));
    TRY(getStringMap(*d, "Options", req.driver_options));
  }
  if (req.driver.empty()) req.driver = "file";
  auto decoded = base64Decode(data);
  if (!decoded.ok()) return makeError(Code::kInvalidArgument, "Data: {}", decoded.error().message());
  req.data = std::move(*decoded);
  return c.json(201, Json{{"ID", TRY(secrets(eng).create(req))}});
}

Status list(Call& c) {
  auto eng = TRY(c.engine());
  Json arr = Json::array();
  for (auto& s : TRY(secrets(eng).list(TRY(c.filters())))) arr.push_back(secretDoc(c, s));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  return c.json(200, secretDoc(c, TRY(secrets(eng).inspect(c.param("name")))));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  if (!TRY(secrets(eng).exists(c.param("name"))))
    return makeError(Code::kNotFound, "no secret with name or id {:?}: no such secret", c.param("name"));
  return c.empty(204);
}

Status remove(Call& c) {
  auto eng = TRY(c.engine());
  bool all = c.libpod() && TRY(c.boolean("all", false));
  std::vector<std::string> names;
  if (!all) names.push_back(c.param("name"));
  TRY(firstError(TRY(secrets(eng).remove(names, all))));
  return c.empty(204);
}

}  // namespace

void registerSecretRoutes(Router& r) {
  r.add("POST", Tree::kLibpod, "/secrets/create", create);
  r.add("GET", Tree::kLibpod, "/secrets/json", list);
  r.add("GET", Tree::kLibpod, "/secrets/{name}/json", inspect);
  r.add("GET", Tree::kLibpod, "/secrets/{name}/exists", exists);
  both(r, "DELETE", "/secrets/{name}", remove);

  r.add("POST", Tree::kCompat, "/secrets/create", compatCreate);
  r.add("GET", Tree::kCompat, "/secrets", list);
  r.add("GET", Tree::kCompat, "/secrets/{name}", inspect);
}

}  // namespace berth::api::server
