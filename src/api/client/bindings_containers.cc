// berth::containers: the libpod container and exec routes.
#include <algorithm>
#include <cstdlib>

#include "api/client/attach.h"
#include "api/client/conn.h"
#include "api/client/errors.h"
#include "api/client/wire.h"
#include "api/types/json_codec.h"
#include "api/client/internal.h"
#include "base/timefmt.h"
#include "berth/bindings/containers.h"

namespace berth::containers {

using api::client::boolStr;
using api::client::call;
using api::client::callJson;
using api::client::Query;

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/containers/" + api::client::pathEscape(name) + std::string(tail);
}

Result<api::ContainerCreateReport> createReport(const Json& j) {
  auto f = TRY(api::client::Fields::of(j, "containers/create"));
  api::ContainerCreateReport rep;
  TRY(f.str("Id", rep.id));
  TRY(f.strings("Warnings", rep.warnings));
  if (rep.id.empty()) return Error(Code::kDataLoss, "containers/create: the service returned no Id");
  return rep;
}

// "1700000000.000000001": unix seconds with nanoseconds, which podman's and berth's
// services both parse for since/until.
std::string unixTime(int64_t ns) { return fmt::format("{}.{:09d}", ns / 1000000000, ns % 1000000000); }

}  // namespace

Result<api::ContainerCreateReport> createWithJson(Connection& c, const Json& spec) {
  Json j = TRY(callJson(c, "POST", "/containers/create", {}, spec.dump(-1, ' ', false, Json::error_handler_t::replace)));
  return createReport(j);
}

Result<api::ContainerCreateReport> createWithSpec(Connection& c, const api::SpecGenerator& spec) {
  return createWithJson(c, api::encodeSpecGenerator(spec));
}

Status start(Connection& c, const std::string& name, const StartOptions& opts) {
  Query q;
  if (!opts.detach_keys.empty()) q.emplace_back("detachKeys", opts.detach_keys);
  TRY(call(c, "POST", path(name, "/start"), q));
  return {};
}

Result<int> wait(Connection& c, const std::string& name, const WaitOptions& opts) {
  Query q;
  for (auto& cond : opts.conditions) q.emplace_back("condition", cond);
  if (!opts.interval.empty()) q.emplace_back("interval", opts.interval);
  Json j = TRY(callJson(c, "POST", path(name, "/wait"), q));
  if (!j.is_number_integer())
    return Error(Code::kDataLoss, fmt::format("containers/wait: want an exit code, got {}", api::codec::describe(j)));
  int64_t code = j.get<int64_t>();
  if (code < INT32_MIN || code > INT32_MAX) return Error(Code::kDataLoss, "containers/wait: exit code out of range");
  return int(code);
}

Status logs(Connection& c, const std::string& name, const LogOptions& opts,
            const std::function<bool(int, std::string_view)>& sink) {
  Query q;
  q.emplace_back("follow", boolStr(opts.follow));
  q.emplace_back("stdout", boolStr(opts.stdout_stream));
  q.emplace_back("stderr", boolStr(opts.stderr_stream));
  q.emplace_back("timestamps", boolStr(opts.timestamps));
  if (opts.tail >= 0) q.emplace_back("tail", std::to_string(opts.tail));
  if (opts.since) q.emplace_back("since", unixTime(opts.since));
  if (opts.until) q.emplace_back("until", unixTime(opts.until));
  // The libpod logs stream is always framed: 8-byte headers, one line per frame.
  std::string hdr;
  std::string frame;
  size_t left = 0;
  int stream = 1;
  std::optional<Error> bad;
  TRY(api::client::callStream(c, "GET", path(name, "/logs"), q, {}, [&](std::string_view data) {
    while (!data.empty()) {
      if (left == 0 && hdr.size() < 8) {
        size_t take = std::min(data.size(), 8 - hdr.size());
        hdr.append(data.substr(0, take));
        data.remove_prefix(take);
        if (hdr.size() < 8) return true;
        auto* h = reinterpret_cast<const unsigned char*>(hdr.data());
        stream = h[0];
        left = (size_t(h[4]) << 24) | (size_t(h[5]) << 16) | (size_t(h[6]) << 8) | size_t(h[7]);
        if (stream > 3) {
          bad = Error(Code::kDataLoss, fmt::format("logs: unrecognized channel '{}' in header, 0-3 supported", stream));
          return false;
        }
        if (left > (64u << 20)) {
          bad = Error(Code::kDataLoss, "logs: a frame larger than 64 MiB");
          return false;
        }
        if (left == 0) hdr.clear();
        continue;
      }
      size_t take = std::min(data.size(), left);
      frame.append(data.substr(0, take));
      data.remove_prefix(take);
      left -= take;
      if (left > 0) return true;
      hdr.clear();
      if (stream == 3) {
        bad = Error(Code::kInternal, frame);
        return false;
      }
      if (!sink(stream == 2 ? 2 : 1, frame)) return false;
      frame.clear();
    }
    return true;
  }));
  if (bad) return *bad;
  return {};
}

Result<Json> inspect(Connection& c, const std::string& name, bool size) {
  Query q;
  if (size) q.emplace_back("size", "true");
  Json j = TRY(callJson(c, "GET", path(name, "/json"), q));
  if (!j.is_object()) return Error(Code::kDataLoss, "containers/json: want an object");
  return j;
}

Result<bool> exists(Connection& c, const std::string& name, bool external) {
  Query q;
  if (external) q.emplace_back("external", "true");
  auto r = call(c, "GET", path(name, "/exists"), q);
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return std::move(r).error();
  }
  return true;
}

Result<std::vector<api::ContainerSummary>> list(Connection& c, const ListOptions& opts) {
  Query q;
  q.emplace_back("all", boolStr(opts.all));
  if (opts.last > 0) q.emplace_back("last", std::to_string(opts.last));
  if (opts.size) q.emplace_back("size", "true");
  if (opts.sync) q.emplace_back("sync", "true");
  if (opts.external) q.emplace_back("external", "true");
  if (!opts.filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(opts.filters)));
  Json j = TRY(callJson(c, "GET", "/containers/json", q));
  std::vector<api::ContainerSummary> out;
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(j, "containers/json")))
    out.push_back(TRY(api::client::decodeListContainer(*e, fmt::format("containers/json[{}]", i++))));
  return out;
}

Result<std::vector<std::string>> remove(Connection& c, const std::string& name, const RemoveOptions& opts) {
  Query q;
  if (opts.force) q.emplace_back("force", "true");
  if (opts.volumes) q.emplace_back("v", "true");
  if (opts.ignore) q.emplace_back("ignore", "true");
  if (opts.depend) q.emplace_back("depend", "true");
  if (opts.timeout) q.emplace_back("timeout", std::to_string(*opts.timeout));
  auto r = TRY(call(c, "DELETE", path(name), q));
  std::vector<std::string> ids;
  if (r.body.find_first_not_of(" \r\n\t") == std::string::npos) return ids;  // 204 from older services
  auto j = parseJson(r.body, "containers/remove answer");
  if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
  size_t i = 0;
  for (const Json* e : TRY(api::client::arrayOf(*j, "containers/remove"))) {
    auto f = TRY(api::client::Fields::of(*e, fmt::format("containers/remove[{}]", i++)));
    std::string id, err;
    TRY(f.str("Id", id));
    if (const Json* ev = f.get("Err"); ev && ev->is_string()) err = ev->get<std::string>();
    if (!err.empty()) return Error(Code::kInternal, err);
    ids.push_back(id);
  }
  return ids;
}

Status stop(Connection& c, const std::string& name, const StopOptions& opts) {
  Query q;
  if (opts.ignore) q.emplace_back("ignore", "true");
  if (opts.timeout) q.emplace_back("timeout", std::to_string(*opts.timeout));
  TRY(call(c, "POST", path(name, "/stop"), q));
  return {};
}

Status kill(Connection& c, const std::string& name, const std::string& signal) {
  TRY(call(c, "POST", path(name, "/kill"), {{"signal", signal}}));
  return {};
}

Status pause(Connection& c, const std::string& name) {
  TRY(call(c, "POST", path(name, "/pause")));
  return {};
}

Status unpause(Connection& c, const std::string& name) {
  TRY(call(c, "POST", path(name, "/unpause")));
  return {};
}

Status restart(Connection& c, const std::string& name, std::optional<int> timeout) {
  Query q;
  if (timeout) q.emplace_back("t", std::to_string(*timeout));
  TRY(call(c, "POST", path(name, "/restart"), q));
  return {};
}

Status rename(Connection& c, const std::string& name, const std::string& new_name) {
  TRY(call(c, "POST", path(name, "/rename"), {{"name", new_name}}));
  return {};
}

Status init(Connection& c, const std::string& name) {
  TRY(call(c, "POST", path(name, "/init")));
  return {};
}

Result<std::vector<std::vector<std::string>>> top(Connection& c, const std::string& name,
                                                  const std::vector<std::string>& descriptors) {
  Query q;
  if (!descriptors.empty()) q.emplace_back("ps_args", fmt::format("{}", fmt::join(descriptors, ",")));
  Json j = TRY(callJson(c, "GET", path(name, "/top"), q));
  return api::client::decodeTop(j, "containers/top");
}

Result<std::vector<std::pair<std::string, int64_t>>> prune(Connection& c, const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(api::client::filtersJson(filters)));
  Json j = TRY(callJson(c, "POST", "/containers/prune", q));
  return api::client::decodePruneReports(j, "containers/prune");
}

Status resize(Connection& c, const std::string& name, int height, int width) {
  TRY(call(c, "POST", path(name, "/resize"),
           {{"h", std::to_string(height)}, {"w", std::to_string(width)}, {"running", "true"}}));
  return {};
}

namespace {

bool ttyOf(const Json& inspect) {
  auto it = inspect.find("Config");
  if (it == inspect.end() || !it->is_object()) return false;
  auto t = it->find("Tty");
  return t != it->end() && t->is_boolean() && t->get<bool>();
}

}  // namespace

Result<int> attach(Connection& c, const std::string& name, const api::AttachStreams& streams,
                   const std::function<Status()>& before_start) {
  Json doc = TRY(inspect(c, name, false));
  return api::client::attachTo(c, doc.value("Id", name), ttyOf(doc), streams, before_start);
}

Result<std::string> execCreate(Connection& c, const std::string& name, const ExecConfig& cfg) {
  Json body = Json::object();
  body["AttachStderr"] = cfg.attach_stderr;
  body["AttachStdin"] = cfg.attach_stdin;
  body["AttachStdout"] = cfg.attach_stdout;
  body["Cmd"] = cfg.cmd;
  body["DetachKeys"] = cfg.detach_keys;
  body["Env"] = cfg.env;
  body["Privileged"] = cfg.privileged;
  body["Tty"] = cfg.tty;
  body["User"] = cfg.user;
  body["WorkingDir"] = cfg.workdir;
  Json j = TRY(callJson(c, "POST", path(name, "/exec"), {}, body.dump()));
  auto f = TRY(api::client::Fields::of(j, "containers/exec"));
  std::string id;
  TRY(f.str("Id", id));
  if (id.empty()) return Error(Code::kDataLoss, "containers/exec: the service returned no Id");
  return id;
}

Status execStart(Connection& c, const std::string& session) {
  Json body = {{"Detach", true}};
  TRY(call(c, "POST", "/exec/" + api::client::pathEscape(session) + "/start", {}, body.dump()));
  return {};
}

Result<Json> execInspect(Connection& c, const std::string& session) {
  Json j = TRY(callJson(c, "GET", "/exec/" + api::client::pathEscape(session) + "/json"));
  if (!j.is_object()) return Error(Code::kDataLoss, "exec/json: want an object");
  return j;
}

Status execResize(Connection& c, const std::string& session, int height, int width) {
  TRY(call(c, "POST", "/exec/" + api::client::pathEscape(session) + "/resize",
           {{"h", std::to_string(height)}, {"w", std::to_string(width)}}));
  return {};
}

Result<int> execStartAndAttach(Connection& c, const std::string& session, const api::AttachStreams& streams) {
  Json info = TRY(execInspect(c, session));
  bool tty = false;
  if (auto pc = info.find("ProcessConfig"); pc != info.end() && pc->is_object())
    if (auto t = pc->find("tty"); t != pc->end() && t->is_boolean()) tty = t->get<bool>();
  Json body = {{"Detach", false}, {"Tty", tty}};
  int h = 0, w = 0;
  if (tty && streams.in >= 0 && api::client::terminalSize(streams.in, h, w)) {
    body["h"] = h;
    body["w"] = w;
  }
  api::client::HttpRequest req;
  req.method = "POST";
  req.target = api::client::target(c, "/exec/" + api::client::pathEscape(session) + "/start");
  req.body = body.dump();
  req.headers.emplace_back("Content-Type", "application/json");
  req.upgrade = true;
  auto conn = TRY(c.impl().http.hijack(req));
  if (!conn.fd) return api::client::errorFromResponse(conn.head);
  api::client::PumpHooks hooks;
  hooks.resize = [&](int hh, int ww) { (void)execResize(c, session, hh, ww); };
  return api::client::pumpAttach(std::move(conn), streams, tty, hooks);
}

}  // namespace berth::containers

namespace berth::api::client {

Result<int> attachTo(bindings::Connection& c, const std::string& id, bool tty, const AttachStreams& streams,
                     const std::function<Status()>& before_start) {
  TRY(detachKeyBytes(streams.detach_keys));
  Query q;
  q.emplace_back("stream", "true");
  if (!streams.detach_keys.empty()) q.emplace_back("detachKeys", streams.detach_keys);
  if (streams.in >= 0) q.emplace_back("stdin", "true");
  if (streams.out >= 0 || streams.output) q.emplace_back("stdout", "true");
  if (streams.err >= 0 || streams.output) q.emplace_back("stderr", "true");
  HttpRequest req;
  req.method = "POST";
  req.target = target(c, "/containers/" + pathEscape(id) + "/attach", q);
  req.upgrade = true;
  auto conn = TRY(c.impl().http.hijack(req));
  if (!conn.fd) return errorFromResponse(conn.head);
  if (before_start) TRY(before_start());
  PumpHooks hooks;
  hooks.resize = [&](int h, int w) { (void)containers::resize(c, id, h, w); };
  hooks.signal = [&](int sig) { (void)containers::kill(c, id, std::to_string(sig)); };
  return pumpAttach(std::move(conn), streams, tty, hooks);
}

}  // namespace berth::api::client
