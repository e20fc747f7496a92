// Container and exec routes: libpod (/libpod/containers/..., /libpod/exec/...) and
// Docker-compatible (/containers/..., /exec/...).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "api/server/call.h"
#include "api/server/compat_containers.h"
#include "api/server/compat_images.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "api/server/stream.h"
#include "api/server/websocket.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/engine.h"

namespace berth::api::server {

namespace {

ContainerService& containers(engine::Engine* e) { return e->containers(); }

// The container's state and tty flag from its inspect document.
struct CtrFacts {
  std::string id, state;
  bool tty = false;
};
Result<CtrFacts> facts(engine::Engine* e, const std::string& name) {
  Json doc = TRY(containers(e).inspect(name, false));
  CtrFacts f;
  f.id = doc.value("Id", "");
  if (doc.contains("State") && doc["State"].is_object()) f.state = doc["State"].value("Status", "");
  if (doc.contains("Config") && doc["Config"].is_object()) f.tty = doc["Config"].value("Tty", false);
  return f;
}

// Go's time.ParseDuration for the simple forms clients send ("250ms", "1s", "1m30s").
Result<int64_t> parseDurationMs(const std::string& s, std::string_view what) {
  if (s.empty()) return int64_t(0);
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    if (j == i) return makeError(Code::kInvalidArgument, "invalid {}: time: invalid duration {:?}", what, s);
    double v = std::atof(s.substr(i, j - i).c_str());
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    std::string unit = s.substr(j, k - j);
    double ms = unit == "ns" ? 1e-6 : unit == "us" || unit == "µs" ? 1e-3 : unit == "ms" ? 1 : unit == "s" ? 1000
              : unit == "m" ? 60000 : unit == "h" ? 3600000 : -1;
    if (ms < 0) return makeError(Code::kInvalidArgument, "invalid {}: time: invalid duration {:?}", what, s);
    total += v * ms;
    i = k;
  }
  return int64_t(total);
}

// Docker's since/until: unix seconds, optionally fractional, or RFC 3339.
Result<int64_t> parseTimestampNs(const std::string& s, std::string_view what) {
  if (s.empty()) return int64_t(0);
  bool numeric = std::all_of(s.begin(), s.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.'; });
  if (numeric) {
    auto dot = s.find('.');
    int64_t secs = std::atoll(s.substr(0, dot).c_str());
    int64_t frac = 0;
    if (dot != std::string::npos) {
      std::string f = s.substr(dot + 1, 9);
      while (f.size() < 9) f.push_back('0');
      frac = std::atoll(f.c_str());
    }
    return secs * 1000000000 + frac;
  }
  // Go's zero time ("0001-01-01T00:00:00Z", what podman's client sends for "unset") is no bound.
  if (s.rfind("0001-01-01", 0) == 0) return int64_t(0);
  auto t = parseRfc3339(s);
  if (!t.ok()) return makeError(Code::kInvalidArgument, "invalid {} {:?}: want unix seconds or RFC 3339", what, s);
  return std::max<int64_t>(*t, 0);
}

// --- create, list, inspect, exists -----------------------------------------------------

Status create(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.jsonBody(Json()));
  if (!body.is_object()) return makeError(Code::kInvalidArgument, "decode request body: want a JSON object");
  std::vector<std::string> warnings;
  SpecGenerator spec;
  if (c.libpod()) {
    spec = TRY(decodeSpecGenerator(body));
  } else {
    spec = TRY(specFromDockerCreate(body, c.str("name"), warnings));
    spec.image = TRY(normalizeToDockerHub(spec.image, [&](const std::string& n) {
      auto e = eng->images().exists(n);
      return e.ok() && *e;
    }));
    if (!TRY(eng->images().exists(spec.image)))
      return makeError(Code::kNotFound, "No such image: {}", spec.image);
  }
  if (spec.image.empty() && spec.rootfs.empty())
    return makeError(Code::kInvalidArgument, "must provide an image or rootfs to create a container");
  ContainerCreateRequest req;
  req.spec = std::move(spec);
  auto rep = TRY(containers(eng).create(req));
  for (auto& w : rep.warnings) warnings.push_back(w);
  return c.json(201, Json{{"Id", rep.id}, {"Warnings", warnings}});
}

Status list(Call& c) {
  auto eng = TRY(c.engine());
  ContainerListRequest req;
  req.all = TRY(c.boolean("all", false));
  req.size = TRY(c.boolean("size", false));
  req.external = TRY(c.boolean("external", false));
  int64_t limit = TRY(c.integer(c.has("last") ? "last" : "limit", -1));
  if (limit > 0) req.last = int(std::min<int64_t>(limit, 1 << 30));
  req.filters = TRY(c.filters());
  auto list = TRY(containers(eng).list(req));
  int64_t now = nowNanos();
  Json arr = Json::array();
  const std::string& dflt = eng->networkStore().options().default_network;
  for (auto& s : list) arr.push_back(c.libpod() ? libpodContainerSummary(s, now) : dockerContainerSummary(s, now, dflt));
  return c.json(200, arr);
}

Status inspect(Call& c) {
  auto eng = TRY(c.engine());
  Json doc = TRY(containers(eng).inspect(c.param("name"), TRY(c.boolean("size", false))));
  return c.json(200, c.libpod() ? doc : dockerContainerInspect(doc));
}

Status exists(Call& c) {
  auto eng = TRY(c.engine());
  if (!TRY(containers(eng).exists(c.param("name"), TRY(c.boolean("external", false)))))
    return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", c.param("name"));
  return c.empty(204);
}

// --- lifecycle ----------------------------------------------------------------------------

Status start(Call& c) {
  auto eng = TRY(c.engine());
  auto f = TRY(facts(eng, c.param("name")));
  if (f.state == "running" || f.state == "paused") return c.empty(304);
  TRY(containers(eng).start(c.param("name"), nullptr));
  return c.empty(204);
}

Status init(Call& c) {
  auto eng = TRY(c.engine());
  auto f = TRY(facts(eng, c.param("name")));
  if (f.state == "created" || f.state == "running" || f.state == "paused") return c.empty(304);
  TRY(containers(eng).init(c.param("name")));
  return c.empty(204);
}

Status stop(Call& c) {
  auto eng = TRY(c.engine());
  ContainerStopRequest req;
  req.names = {c.param("name")};
  req.ignore = TRY(c.boolean("ignore", false));
  auto t = TRY(c.optInteger(c.libpod() && c.has("timeout") ? "timeout" : "t"));
  if (!t) t = TRY(c.optInteger("timeout"));
  if (t) req.timeout = int(std::clamp<int64_t>(*t, -1, 1 << 30));
  auto f = facts(eng, c.param("name"));
  if (!f.ok()) {
    if (req.ignore && f.error().code() == Code::kNotFound) return c.empty(204);
    return std::move(f).error();
  }
  if (f->state != "running" && f->state != "paused" && f->state != "stopping") return c.empty(304);
  auto res = TRY(containers(eng).stop(req));
  TRY(firstError(res));
  return c.empty(204);
}

Status kill(Call& c) {
  auto eng = TRY(c.engine());
  std::string sig = c.str("signal", "KILL");
  auto f = TRY(facts(eng, c.param("name")));
  if (f.state != "running" && f.state != "paused")
    return makeError(Code::kConflict, "Cannot kill container {}: container is not running: container state improper",
                     c.param("name"));
  auto res = TRY(containers(eng).kill({c.param("name")}, false, sig));
  TRY(firstError(res));
  return c.empty(204);
}

Status restart(Call& c) {
  auto eng = TRY(c.engine());
  auto t = TRY(c.optInteger(c.has("timeout") ? "timeout" : "t"));
  std::optional<int> timeout;
  if (t) timeout = int(std::clamp<int64_t>(*t, -1, 1 << 30));
  auto res = TRY(containers(eng).restart({c.param("name")}, false, timeout));
  TRY(firstError(res));
  return c.empty(204);
}

Status pause(Call& c) {
  auto eng = TRY(c.engine());
  TRY(firstError(TRY(containers(eng).pause({c.param("name")}, false))));
  return c.empty(204);
}

Status unpause(Call& c) {
  auto eng = TRY(c.engine());
  TRY(firstError(TRY(containers(eng).unpause({c.param("name")}, false))));
  return c.empty(204);
}

Status remove(Call& c) {
  auto eng = TRY(c.engine());
  ContainerRemoveRequest req;
  req.names = {c.param("name")};
  req.force = TRY(c.boolean("force", false));
  req.volumes = TRY(c.boolean("v", false));
  req.ignore = TRY(c.boolean("ignore", false));
  auto t = TRY(c.optInteger("timeout"));
  if (t) req.timeout = int(std::clamp<int64_t>(*t, 0, 1 << 30));
  auto res = TRY(containers(eng).remove(req));
  TRY(firstError(res));
  if (!c.libpod()) return c.empty(204);
  Json arr = Json::array();
  for (auto& r : res) arr.push_back(Json{{"Id", r.id}});
  return c.json(200, arr);
}

Status rename(Call& c) {
  auto eng = TRY(c.engine());
  std::string to = c.str("name");
  if (to.empty()) return makeError(Code::kInvalidArgument, "name parameter is required to rename a container");
  TRY(containers(eng).rename(c.param("name"), to));
  return c.empty(204);
}

// POST /libpod/containers/{name}/update: the body is an OCI LinuxResources document; podman
// 4.3.1 answers 201 with the container's ID.
Status libpodUpdate(Call& c) {
  Json body = TRY(c.objectBody());
  SpecGenerator patch;
  TRY_CTX(decodeSpecGeneratorInto(Json{{"resource_limits", body}}, patch), "decode update body");
  auto eng = TRY(c.engine());
  return c.json(201, Json(TRY(containers(eng).update(c.param("name"), patch))));
}

// POST /containers/{name}/update: Docker's container.UpdateConfig resource fields (0 or
// absent leaves a value as it is). Answers {"Warnings": [...]}.
Status compatUpdate(Call& c) {
  Json body = TRY(c.objectBody());
  LinuxResources res = TRY(dockerResources(body));
  Json warnings = Json::array();
  if (auto rp = TRY(getObject(body, "RestartPolicy")); rp && !rp->value("Name", std::string()).empty())
    warnings.push_back("the restart policy of an existing container is not changed by this service");
  auto eng = TRY(c.engine());
  std::string id = TRY(containers(eng).resolveId(c.param("name")));
  if (res != LinuxResources{}) {
    SpecGenerator patch;
    patch.resource_limits = res;
    TRY(containers(eng).update(id, patch));
  }
  return c.json(200, Json{{"Warnings", warnings}});
}

Status prune(Call& c) {
  auto eng = TRY(c.engine());
  auto removed = TRY(containers(eng).prune(TRY(c.filters())));
  if (c.libpod()) {
    Json arr = Json::array();
    for (auto& [id, size] : removed) arr.push_back(Json{{"Id", id}, {"Size", size}});
    return c.json(200, arr);
  }
  Json ids = Json::array();
  int64_t total = 0;
  for (auto& [id, size] : removed) {
    ids.push_back(id);
    total += size;
  }
  return c.json(200, Json{{"ContainersDeleted", removed.empty() ? Json(nullptr) : ids}, {"SpaceReclaimed", total}});
}

Status wait(Call& c) {
  auto eng = TRY(c.engine());
  std::vector<std::string> conds = c.all("condition");
  std::erase(conds, std::string());
  int64_t interval = TRY(parseDurationMs(c.str("interval", "250ms"), "interval"));
  if (!c.libpod()) {
    std::string cond = conds.empty() ? "not-running" : conds.front();
    if (cond == "not-running") conds = {"configured", "created", "exited", "stopped"};
    else if (cond == "next-exit" || cond == "removed") conds = {cond};
    else return makeError(Code::kInvalidArgument, "invalid condition {:?}: want not-running, next-exit or removed", cond);
    // The container must exist now (404 before the 200 starts). Docker clients
    // read the headers before they start the container: send them at once.
    TRY(facts(eng, c.param("name")));
    TRY(c.res.startStream(200, "application/json"));
    auto code = containers(eng).wait(c.param("name"), conds, interval);
    Json body = code.ok() ? Json{{"StatusCode", *code}, {"Error", nullptr}}
                          : Json{{"StatusCode", -1}, {"Error", {{"Message", code.error().what()}}}};
    c.res.write(body.dump() + "\n");
    return c.res.endStream();
  }
  int code = TRY(containers(eng).wait(c.param("name"), conds, interval));
  return c.json(200, code);
}

Status top(Call& c) {
  auto eng = TRY(c.engine());
  auto desc = topDescriptors(c);
  return topRoute(c, [&] { return containers(eng).top(c.param("name"), desc); });
}

// podman's RunHealthCheck: the result of one run as HealthCheckResults (only Status filled, as
// podman fills it); 404 for a missing container, 409 for one stopped or without a healthcheck.
Status healthcheck(Call& c) {
  auto eng = TRY(c.engine());
  std::string status = TRY(containers(eng).healthcheckRun(c.param("name")));
  return c.json(200, Json{{"Status", status}, {"FailingStreak", 0}, {"Log", nullptr}});
}

Status resize(Call& c) {
  auto eng = TRY(c.engine());
  int64_t h = TRY(c.integer("h", 0)), w = TRY(c.integer("w", 0));
  auto st = containers(eng).resize(c.param("name"), int(h), int(w));
  // Docker clients resize right after start; a container that has already exited is no error to them.
  if (!st.ok() && st.error().code() != Code::kConflict) return st;
  return c.libpod() ? c.json(200, Json::object()) : c.empty(200);
}

// --- streams: logs and attach ------------------------------------------------------------

Status logs(Call& c) {
  auto eng = TRY(c.engine());
  bool out = TRY(c.boolean("stdout", false)), err = TRY(c.boolean("stderr", false));
  if (!out && !err) {
    if (c.libpod()) out = err = true;
    else return makeError(Code::kInvalidArgument, "Bad parameters: you must choose at least one stream");
  }
  auto f = TRY(facts(eng, c.param("name")));
  LogsRequest req;
  req.names = {f.id};
  req.follow = TRY(c.boolean("follow", false));
  req.timestamps = TRY(c.boolean("timestamps", false));
  std::string tail = c.str("tail", "all");
  if (tail != "all" && !tail.empty()) {
    auto n = TRY(c.integer("tail", -1));
    req.tail = n < 0 ? -1 : n;
  }
  req.since = TRY(parseTimestampNs(c.str("since"), "since"));
  req.until = TRY(parseTimestampNs(c.str("until"), "until"));
  bool frames = c.libpod() || !f.tty;
  std::atomic<bool>& stopping = c.state().stopping;
  req.cancelled = [&]() { return c.res.broken() || c.res.clientGone() || stopping.load(); };
  TRY(c.res.startStream(200, frames && !c.libpod() && c.versionAtLeast(1, 42)
                                 ? "application/vnd.docker.multiplexed-stream"
                                 : "application/vnd.docker.raw-stream"));
  auto st = containers(eng).logs(req, [&](int stream, std::string_view line) {
    if ((stream == 2 && !err) || (stream != 2 && !out)) return;
    if (frames) c.res.write(muxFrame(stream == 2 ? 2 : 1, line));
    else c.res.write(line);
  });
  if (!st.ok()) LOG_INFO("logs of {}: {}", f.id.substr(0, 12), st.error().what());
  return c.res.endStream();
}

// Hijack headers as podman writes them (Docker's literal header).
std::string hijackContentType(Call& c, bool tty) {
  if (!tty && (c.libpod() ? c.versionAtLeast(4, 7) : c.versionAtLeast(1, 42)))
    return "application/vnd.docker.multiplexed-stream";
  return "application/vnd.docker.raw-stream";
}

bool wantsUpgrade(Call& c) {
  std::string conn = c.req.header("connection");
  for (auto& ch : conn) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return conn.find("upgrade") != std::string::npos && !c.req.header("upgrade").empty();
}

// The query of an attach (plain or WebSocket) and its container, prepared: as podman, a
// container that is not running is initialized so the attach can come before its start,
// which is how Docker clients run containers.
struct AttachPlan {
  CtrFacts f;
  bool stream = false, logs = false, in = false, out = false, err = false;
  bool wants(int stream_id) const { return stream_id == 2 ? err : out; }
};

Result<AttachPlan> planAttach(Call& c, engine::Engine* eng) {
  AttachPlan p;
  p.stream = TRY(c.boolean("stream", false));
  p.logs = TRY(c.boolean("logs", false));
  p.in = TRY(c.boolean("stdin", false));
  p.out = TRY(c.boolean("stdout", false));
  p.err = TRY(c.boolean("stderr", false));
  if (!p.stream && !p.logs) p.stream = true;  // podman attaches when neither is given
  p.f = TRY(facts(eng, c.param("name")));
  if (p.f.state != "running" && p.f.state != "paused") {
    auto st = containers(eng).init(p.f.id);
    if (!st.ok() && st.error().code() != Code::kFailedPrecondition)
      return Error(st.error().code() == Code::kNotFound ? Code::kNotFound : Code::kConflict,
                   fmt::format("preparing container {} for attach: {}", p.f.id, st.error().what()));
  }
  return p;
}

// Attaches (stream=true) with `in` as stdin and `write` taking each piece of output
// (already filtered by stream). `answer` (the hijack) runs once the attach is connected to
// the container, so the client's start that follows loses no output; then the logs are
// replayed (logs=true). An error before `answer` is the request's error (the HTTP status
// says it); after it, attach errors go to `write`.
Status runAttach(Call& c, engine::Engine* eng, const AttachPlan& p, int in, int hangup_fd,
                 const std::function<Status()>& answer, const std::function<bool(int, std::string_view)>& write) {
  bool answered = false;
  auto connected = [&]() -> Status {
    TRY(answer());
    answered = true;
    if (p.logs) {
      LogsRequest lr;
      lr.names = {p.f.id};
      (void)containers(eng).logs(lr, [&](int s, std::string_view line) {
        if (p.wants(s == 2 ? 2 : 1)) write(s == 2 ? 2 : 1, line);
      });
    }
    return {};
  };
  if (!p.stream) return connected();
  AttachStreams s;
  s.in = p.in ? in : -1;
  s.tty = p.f.tty;
  s.proxy_signals = false;
  s.allow_created = true;
  s.hangup_fd = hangup_fd;
  s.on_connected = connected;
  if (c.has("detachKeys")) s.detach_keys = c.str("detachKeys");
  s.output = [&](int stream_id, std::string_view data) { return !p.wants(stream_id) || write(stream_id, data); };
  auto r = containers(eng).attach(p.f.id, s);
  if (!r.ok() && !answered && r.error().code() == Code::kFailedPrecondition) {
    // It exited since it was looked at: prepared again and attached, as podman's compat
    // attach does for an exited container (a start that follows runs it once more).
    if (containers(eng).init(p.f.id).ok()) r = containers(eng).attach(p.f.id, s);
  }
  if (r.ok()) return {};
  if (!answered) {
    // The container stopped before the attach reached it (a not-running container is a
    // conflict, as podman answers), or the attach failed: the client gets a status.
    if (r.error().code() == Code::kFailedPrecondition) return Error(Code::kConflict, r.error().message());
    return std::move(r).error();
  }
  LOG_INFO("attach to {}: {}", p.f.id.substr(0, 12), r.error().what());
  write(2, r.error().what() + "\n");
  return {};
}

Status attach(Call& c) {
  auto eng = TRY(c.engine());
  auto p = TRY(planAttach(c, eng));
  return runAttach(
      c, eng, p, c.res.fd(), c.res.fd(), [&] { return c.res.hijack(wantsUpgrade(c), hijackContentType(c, p.f.tty)); },
      [&](int stream_id, std::string_view data) {
        return p.f.tty ? c.res.writeRaw(data) : c.res.writeRaw(muxFrame(stream_id, data));
      });
}

// GET /containers/{name}/attach/ws (Docker's; podman does not serve it): the attach over a
// WebSocket. Output goes out raw (not multiplexed) in text frames as Docker sends them;
// the client's data frames are the container's stdin.
Status attachWs(Call& c) {
  std::string key = c.req.header("sec-websocket-key");
  std::string upgrade = c.req.header("upgrade");
  for (auto& ch : upgrade) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (upgrade != "websocket" || key.empty())
    return makeError(Code::kInvalidArgument, "attach/ws needs a WebSocket handshake (Upgrade: websocket, Sec-WebSocket-Key)");
  auto eng = TRY(c.engine());
  auto p = TRY(planAttach(c, eng));
  int fd = c.res.fd();
  std::mutex wmu;
  auto send = [&](WsOpcode op, std::string_view data) {
    std::lock_guard<std::mutex> lk(wmu);
    return c.res.writeRaw(wsFrame(op, data));
  };
  int pp[2];
  if (::pipe2(pp, O_CLOEXEC) != 0) return errnoError("create pipe");
  UniqueFd stdin_rd(pp[0]), stdin_wr(pp[1]);
  std::atomic<bool> closed{false};
  // The reader: client frames to the stdin pipe; ping -> pong; close -> the end.
  auto read_frames = [&] {
    WsReader r([&](std::string_view d) { (void)fs::writeAll(stdin_wr.get(), d); },
               [&](WsOpcode op, std::string_view d) {
                 if (op == kWsPing) send(kWsPong, d);
                 if (op == kWsClose) closed = true;
               });
    Status st = r.feed(c.res.pending());
    char buf[65536];
    while (st.ok() && !closed) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      st = r.feed(std::string_view(buf, size_t(n)));
    }
    if (!st.ok()) send(kWsClose, std::string("\x03\xea", 2) + st.error().message());
    else if (closed) send(kWsClose, std::string("\x03\xe8", 2));
    // The client is done: the attach sees the socket's hangup and ends as a detach (the
    // stdin pipe stays open until then, so the container's stdin is not closed).
    ::shutdown(fd, SHUT_RDWR);
  };
  std::thread reader;
  auto handshake = [&]() -> Status {
    c.res.header("Sec-WebSocket-Accept", wsAcceptKey(key));
    TRY(c.res.hijack(true, "application/octet-stream"));
    reader = std::thread(read_frames);
    return {};
  };
  Status st = runAttach(c, eng, p, stdin_rd.get(), fd, handshake,
                        [&](int, std::string_view data) { return send(kWsText, data); });
  if (reader.joinable()) {
    send(kWsClose, std::string("\x03\xe8", 2));
    ::shutdown(fd, SHUT_RDWR);
    reader.join();
  }
  stdin_wr.reset();
  return st;
}

// --- exec -------------------------------------------------------------------------------------

Status execCreate(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.jsonBody());
  if (!body.is_object()) return makeError(Code::kInvalidArgument, "decode request body: want a JSON object");
  ExecRequest req;
  req.container = c.param("name");
  TRY(getStringOrStrings(body, "Cmd", req.cmd));
  TRY(getStrings(body, "Env", req.env));
  TRY(getString(body, "User", req.user));
  TRY(getString(body, "WorkingDir", req.workdir));
  TRY(getBool(body, "AttachStdin", req.interactive));
  TRY(getBool(body, "Tty", req.tty));
  TRY(getBool(body, "Privileged", req.privileged));
  TRY(getString(body, "DetachKeys", req.detach_keys));
  if (req.cmd.empty()) return makeError(Code::kInvalidArgument, "No exec command specified");
  std::string id = TRY(containers(eng).execCreate(req));
  return c.json(201, Json{{"Id", id}});
}

Json execInspectJson(const ExecSessionInfo& s) {
  Json args = Json::array();
  for (size_t i = 1; i < s.config.cmd.size(); ++i) args.push_back(s.config.cmd[i]);
  return Json{{"CanRemove", s.can_remove},
              {"ContainerID", s.container_id},
              {"DetachKeys", s.config.detach_keys},
              {"ExitCode", s.exit_code},
              {"ID", s.id},
              {"OpenStderr", true},
              {"OpenStdin", s.config.interactive},
              {"OpenStdout", true},
              {"Running", s.running},
              {"Pid", s.pid},
              {"ProcessConfig",
               {{"arguments", args},
                {"entrypoint", s.config.cmd.empty() ? "" : s.config.cmd[0]},
                {"privileged", s.config.privileged},
                {"tty", s.config.tty},
                {"user", s.config.user}}}};
}

Status execInspect(Call& c) {
  auto eng = TRY(c.engine());
  auto s = TRY(containers(eng).execInspect(c.param("id")));
  return c.json(200, execInspectJson(s));
}

Status execStart(Call& c) {
  auto eng = TRY(c.engine());
  Json body = TRY(c.jsonBody());
  if (!body.is_object()) return makeError(Code::kInvalidArgument, "decode request body: want a JSON object");
  bool detach = false;
  TRY(getBool(body, "Detach", detach));
  auto info = TRY(containers(eng).execInspect(c.param("id")));
  if (info.running || info.exited)
    return makeError(Code::kConflict, "exec session {} has already been started", info.id);
  if (detach) {
    TRY(containers(eng).execStart(info.id, nullptr));
    return c.libpod() ? c.empty(200) : c.json(200, Json::object());
  }
  bool tty = info.config.tty;
  TRY(c.res.hijack(wantsUpgrade(c), hijackContentType(c, tty)));
  int fd = c.res.fd();
  AttachStreams s;
  s.in = info.config.interactive ? fd : -1;
  s.tty = tty;
  s.proxy_signals = false;
  s.hangup_fd = fd;
  s.output = [&](int stream_id, std::string_view data) {
    return tty ? c.res.writeRaw(data) : c.res.writeRaw(muxFrame(stream_id, data));
  };
  auto r = containers(eng).execStart(info.id, &s);
  if (!r.ok()) {
    LOG_INFO("exec {}: {}", info.id.substr(0, 12), r.error().what());
    std::string msg = r.error().what() + "\n";
    c.res.writeRaw(tty ? msg : muxFrame(2, msg));
  }
  return {};
}

Status execResize(Call& c) {
  auto eng = TRY(c.engine());
  int64_t h = TRY(c.integer("h", 0)), w = TRY(c.integer("w", 0));
  auto st = containers(eng).execResize(c.param("id"), int(h), int(w));
  if (!st.ok() && st.error().code() != Code::kConflict) return st;
  return c.libpod() ? c.json(201, Json::object()) : c.empty(201);
}

}  // namespace

std::vector<std::string> topDescriptors(const Call& c) {
  std::vector<std::string> desc;
  std::string args = c.str("ps_args");
  if (args.empty() || args[0] == '-') return desc;
  size_t i = 0;
  while (i < args.size()) {
    size_t j = args.find_first_of(", ", i);
    std::string d = args.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (!d.empty()) desc.push_back(d);
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return desc;
}

Json topBody(const std::vector<std::vector<std::string>>& rows) {
  Json titles = rows.empty() ? Json::array() : Json(rows.front());
  Json procs = Json::array();
  for (size_t i = 1; i < rows.size(); ++i) procs.push_back(rows[i]);
  return Json{{"Processes", procs}, {"Titles", titles}};
}

Status topRoute(Call& c, const std::function<Result<std::vector<std::vector<std::string>>>()>& read) {
  int64_t delay = TRY(c.integer("delay", 5));
  if (delay < 1) return makeError(Code::kInvalidArgument, "\"delay\" parameter of value {} < 1", delay);
  bool stream = TRY(c.boolean("stream", false));
  auto rows = TRY(read());  // errors (missing or stopped container) before anything is sent
  if (!stream) return c.json(200, topBody(rows));
  TRY(c.res.startStream(200, "application/json"));
  for (;;) {
    if (!c.res.write(topBody(rows).dump() + "\n")) break;
    if (!pauseStream(c.res, c.state().stopping, delay * 1000)) break;
    auto next = read();
    if (!next.ok()) break;
    rows = std::move(*next);
  }
  return c.res.endStream();
}

void registerContainerRoutes(Router& r) {
  constexpr auto L = Tree::kLibpod;
  both(r, "POST", "/containers/create", create);
  both(r, "GET", "/containers/json", list);
  both(r, "POST", "/containers/prune", prune);
  both(r, "GET", "/containers/{name}/json", inspect);
  r.add("GET", L, "/containers/{name}/exists", exists);
  both(r, "POST", "/containers/{name}/start", start);
  r.add("POST", L, "/containers/{name}/init", init);
  both(r, "POST", "/containers/{name}/stop", stop);
  both(r, "POST", "/containers/{name}/kill", kill);
  both(r, "POST", "/containers/{name}/restart", restart);
  both(r, "POST", "/containers/{name}/pause", pause);
  both(r, "POST", "/containers/{name}/unpause", unpause);
  both(r, "DELETE", "/containers/{name}", remove);
  both(r, "POST", "/containers/{name}/rename", rename);
  both(r, "POST", "/containers/{name}/wait", wait);
  both(r, "GET", "/containers/{name}/top", top);
  r.add("POST", L, "/containers/{name}/update", libpodUpdate);
  r.add("POST", Tree::kCompat, "/containers/{name}/update", compatUpdate);
  r.add("GET", Tree::kLibpod, "/containers/{name}/healthcheck", healthcheck);
  both(r, "POST", "/containers/{name}/resize", resize);
  both(r, "GET", "/containers/{name}/logs", logs);
  both(r, "POST", "/containers/{name}/attach", attach);
  r.add("GET", Tree::kCompat, "/containers/{name}/attach/ws", attachWs);
}

void registerExecRoutes(Router& r) {
  both(r, "POST", "/containers/{name}/exec", execCreate);
  both(r, "POST", "/exec/{id}/start", execStart);
  both(r, "POST", "/exec/{id}/resize", execResize);
  both(r, "GET", "/exec/{id}/json", execInspect);
}

}  // namespace berth::api::server
