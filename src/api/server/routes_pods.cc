// Pod routes (libpod only, as podman has them): /libpod/pods/...
#include <algorithm>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "api/server/stream.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

PodService& pods(engine::Engine* e) { return e->pods(); }

using PodOp = std::function<Result<std::vector<PodReport>>(PodService&, const std::string& id)>;

// One pod operation on the route's pod: 304 when `unchanged` says the pod's state makes it a
// no-op (podman's answer to starting a running pod), else the operation, answered as podman's
// Pod*Report {"Errs": [], "Id"}. A missing pod is 404; a failed member 409, as podman has it.
Status podOp(Call& c, const std::function<bool(const std::string&)>& unchanged, const PodOp& op) {
  auto eng = TRY(c.engine());
  std::string id = TRY(pods(eng).resolveId(c.param("name")));
  if (unchanged) {
    Json doc = TRY(pods(eng).inspect(id));
    if (unchanged(doc.value("State", ""))) return c.empty(304);
  }
  for (auto& r : TRY(op(pods(eng), id)))
    if (r.error) return c.fail(*r.error, r.error->code() == Code::kNotFound ? 404 : 409);
  return c.json(200, Json{{"Errs", Json::array()}, {"Id", id}});
}

// Body: podman's PodSpecGenerator.
Status create(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.objectBody());
  PodCreateRequest req = TRY(podSpecFromJson(body));
  return c.json(201, Json{{"Id", TRY(pods(eng).create(req))}});
}

Status list(Call& c) {
  auto eng = TRY(c.engine());
  Json arr = Json::array();
  for (auto& p : TRY(pods(eng).list(TRY(c.filters())))) arr.push_back(podSummaryToJson(p));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  return c.json(200, TRY(pods(eng).inspect(c.param("name"))));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  if (!TRY(pods(eng).exists(c.param("name"))))
    return makeError(Code::kNotFound, "no pod with name or ID {} found: no such pod", c.param("name"));
  return c.empty(204);
}

Status start(Call& c) {
  return podOp(c, [](const std::string& st) { return st == kPodRunning; },
               [](PodService& s, const std::string& id) { return s.start({id}, false); });
}

Status stop(Call& c) {
  PodStopRequest req;
  auto t = TRY(c.optInteger(c.has("t") ? "t" : "timeout"));
  if (t) req.timeout = int(std::clamp<int64_t>(*t, 0, 1 << 30));
  return podOp(c, [](const std::string& st) { return st != kPodRunning && st != kPodDegraded && st != kPodPaused; },
               [&](PodService& s, const std::string& id) {
                 req.names = {id};
                 return s.stop(req);
               });
}

Status restart(Call& c) {
  return podOp(c, nullptr, [](PodService& s, const std::string& id) { return s.restart({id}, false); });
}

Status kill(Call& c) {
  std::string sig = c.str("signal", "SIGKILL");
  return podOp(c, nullptr, [&](PodService& s, const std::string& id) { return s.kill({id}, false, sig); });
}

Status pause(Call& c) {
  return podOp(c, nullptr, [](PodService& s, const std::string& id) { return s.pause({id}, false); });
}

Status unpause(Call& c) {
  return podOp(c, nullptr, [](PodService& s, const std::string& id) { return s.unpause({id}, false); });
}

// podman's PodRmReport {"Id"}; running members need force (409 otherwise).
Status remove(Call& c) {
  auto eng = TRY(c.engine());
  PodRemoveRequest req;
  req.names = {c.param("name")};
  req.force = TRY(c.boolean("force", false));
  if (auto t = TRY(c.optInteger("timeout"))) req.timeout = int(std::clamp<int64_t>(*t, 0, 1 << 30));
  auto reports = TRY(pods(eng).remove(req));
  std::string id = c.param("name");
  for (auto& r : reports) {
    if (r.error) return *r.error;
    if (!r.id.empty()) id = r.id;
  }
  return c.json(200, Json{{"Id", id}});
}

Status prune(Call& c) {
  auto eng = TRY(c.engine());
  Json arr = Json::array();
  for (auto& r : TRY(pods(eng).prune())) {
    Json e = {{"Id", r.id.empty() ? r.name : r.id}};
    e["Err"] = r.error ? Json(r.error->what()) : Json();
    arr.push_back(e);
  }
  return c.json(200, arr);
}

Status top(Call& c) {
  auto eng = TRY(c.engine());
  auto desc = topDescriptors(c);
  return topRoute(c, [&] { return pods(eng).top(c.param("name"), desc); });
}

// podman's PodStats: namesOrIDs (repeated) or all; stream (default false) writes another
// array every `delay` seconds (default 5).
Status stats(Call& c) {
  auto eng = TRY(c.engine());
  PodStatsRequest req;
  req.names = c.all("namesOrIDs");
  req.all = TRY(c.boolean("all", false));
  bool stream = TRY(c.boolean("stream", false));
  int64_t delay = TRY(c.integer("delay", 5));
  if (req.all && !req.names.empty())
    return makeError(Code::kInvalidArgument, "--all, --latest and arguments cannot be used together");
  if (delay < 1) return makeError(Code::kInvalidArgument, "\"delay\" parameter of value {} < 1", delay);
  std::map<std::string, ContainerStats> previous;
  auto toJson = [](const std::vector<PodStatsReport>& reps) {
    Json arr = Json::array();
    for (auto& r : reps) arr.push_back(podStatsToJson(r));
    return arr;
  };
  auto first = TRY(pods(eng).stats(req, previous));
  if (!stream) return c.json(200, toJson(first));
  TRY(c.res.startStream(200, "application/json"));
  bool ok = c.res.write(toJson(first).dump() + "\n");
  while (ok && pauseStream(c.res, c.state().stopping, delay * 1000)) {
    auto next = pods(eng).stats(req, previous);
    if (!next.ok()) break;
    ok = c.res.write(toJson(*next).dump() + "\n");
  }
  return c.res.endStream();
}

}  // namespace

void registerPodRoutes(Router& r) {
  auto add = [&](std::string_view method, std::string_view pattern, Handler h) {
    r.add(method, Tree::kLibpod, pattern, std::move(h));
  };
  add("POST", "/pods/create", create);
  add("GET", "/pods/json", list);
  add("POST", "/pods/prune", prune);
  add("GET", "/pods/stats", stats);
  add("GET", "/pods/{name}/json", inspect);
  add("GET", "/pods/{name}/exists", exists);
  add("POST", "/pods/{name}/start", start);
  add("POST", "/pods/{name}/stop", stop);
  add("POST", "/pods/{name}/restart", restart);
  add("POST", "/pods/{name}/kill", kill);
  add("POST", "/pods/{name}/pause", pause);
  add("POST", "/pods/{name}/unpause", unpause);
  add("GET", "/pods/{name}/top", top);
  add("DELETE", "/pods/{name}", remove);
}

}  // namespace berth::api::server
