// Volume routes: libpod (/libpod/volumes/...) and Docker-compatible (/volumes/...).
#include <algorithm>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "base/timefmt.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

VolumeService& volumes(engine::Engine* e) { return e->volumes(); }

// Docker's types.Volume.
Json dockerVolume(const Volume& v) {
  return Json{{"CreatedAt", formatRfc3339Nano(v.created - v.created % 1000000000)},  // RFC 3339, seconds
              {"Driver", v.driver},
              {"Labels", v.labels.empty() ? Json::object() : Json(v.labels)},
              {"Mountpoint", v.mountpoint},
              {"Name", v.name},
              {"Options", v.options.empty() ? Json::object() : Json(v.options)},
              {"Scope", "local"}};
}

// Both trees' create bodies: Name, Driver, Labels (podman also takes Label), the driver's
// options under `options_key` (libpod: Options, Docker: DriverOpts), IgnoreIfExists (libpod).
Result<VolumeCreateRequest> createBody(Call& c, const char* options_key) {
  Json body = TRY(c.objectBody());
  VolumeCreateRequest req;
  TRY(getString(body, "Name", req.name));
  TRY(getString(body, "Driver", req.driver));
  if (req.driver.empty()) req.driver = "local";
  std::map<std::string, std::string> label;
  TRY(getStringMap(body, "Label", label));
  TRY(getStringMap(body, "Labels", req.labels));
  req.labels.insert(label.begin(), label.end());
  TRY(getStringMap(body, options_key, req.options));
  TRY(getBool(body, "IgnoreIfExists", req.ignore_if_exists));
  return req;
}

// --- libpod -------------------------------------------------------------------------------

// Body: podman's VolumeCreateOptions (Go field names).
Status create(Call& c) {
  auto eng = TRY(c.engine());
  VolumeCreateRequest req = TRY(createBody(c, "Options"));
  return c.json(201, volumeToJson(TRY(volumes(eng).create(req))));
}

Status list(Call& c) {
  auto eng = TRY(c.engine());
  Json arr = Json::array();
  for (auto& v : TRY(volumes(eng).list(TRY(c.filters())))) arr.push_back(volumeToJson(v));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  return c.json(200, volumeToJson(TRY(volumes(eng).inspect(c.param("name")))));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  if (!TRY(volumes(eng).exists(c.param("name"))))
    return makeError(Code::kNotFound, "no volume with name {:?} found: no such volume", c.param("name"));
  return c.empty(204);
}

Status remove(Call& c) {
  auto eng = TRY(c.engine());
  VolumeRemoveRequest req;
  req.names = {c.param("name")};
  // Docker's force only forgives a missing volume; podman's also removes the users.
  bool force = TRY(c.boolean("force", false));
  if (c.libpod()) req.force = force;
  if (auto t = TRY(c.optInteger("timeout"))) req.timeout = int(std::clamp<int64_t>(*t, 0, 1 << 30));
  Status st = firstError(TRY(volumes(eng).remove(req)));
  if (!st.ok() && !(force && !c.libpod() && st.error().code() == Code::kNotFound)) return st;
  return c.empty(204);
}

Status prune(Call& c) {
  auto eng = TRY(c.engine());
  auto reports = TRY(volumes(eng).prune(TRY(c.filters()), false));
  if (!c.libpod()) {
    TRY(firstError(reports));
    Json deleted = Json::array();
    for (auto& r : reports) deleted.push_back(r.name);
    return c.json(200, Json{{"VolumesDeleted", deleted}, {"SpaceReclaimed", 0}});
  }
  Json arr = Json::array();
  for (auto& r : reports) {
    Json e = {{"Id", r.name}, {"Size", 0}};
    if (r.error) e["Err"] = r.error->what();
    arr.push_back(e);
  }
  return c.json(200, arr);
}

// --- Docker ---------------------------------------------------------------------------------

Status compatList(Call& c) {
  auto eng = TRY(c.engine());
  Json arr = Json::array();
  for (auto& v : TRY(volumes(eng).list(TRY(c.filters())))) arr.push_back(dockerVolume(v));
  return c.json(200, Json{{"Volumes", arr}, {"Warnings", Json::array()}});
}

// Body: Docker's VolumeCreateBody. A volume of that name is returned as it is, as Docker does.
Status compatCreate(Call& c) {
  auto eng = TRY(c.engine());
  VolumeCreateRequest req = TRY(createBody(c, "DriverOpts"));
  req.ignore_if_exists = true;
  return c.json(201, dockerVolume(TRY(volumes(eng).create(req))));
}

Status compatInspect(Call& c) {
  auto eng = TRY(c.engine());
  return c.json(200, dockerVolume(TRY(volumes(eng).inspect(c.param("name")))));
}

}  // namespace

void registerVolumeRoutes(Router& r) {
  r.add("POST", Tree::kLibpod, "/volumes/create", create);
  r.add("GET", Tree::kLibpod, "/volumes/json", list);
  both(r, "POST", "/volumes/prune", prune);
  r.add("GET", Tree::kLibpod, "/volumes/{name}/json", inspect);
  r.add("GET", Tree::kLibpod, "/volumes/{name}/exists", exists);
  both(r, "DELETE", "/volumes/{name}", remove);

  r.add("GET", Tree::kCompat, "/volumes", compatList);
  r.add("POST", Tree::kCompat, "/volumes/create", compatCreate);
  r.add("GET", Tree::kCompat, "/volumes/{name}", compatInspect);
}

}  // namespace berth::api::server
