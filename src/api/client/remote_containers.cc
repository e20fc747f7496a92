// RemoteContainers: ContainerService over the libpod container routes.
#include <fcntl.h>

#include "api/client/conn.h"
#include "base/fs.h"
#include "base/tempfile.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"
#include "berth/api/specgen.h"
#include "berth/bindings/containers.h"

namespace berth::api::client {

namespace {

// The create body: the SpecGenerator document (the request carries it typed or as JSON).
[[maybe_unused]] Json specDocument(const Json& j) { return j; }
[[maybe_unused]] Json specDocument(const SpecGenerator& s) { return encodeSpecGenerator(s); }

bool running(const ContainerSummary& s) {
  return s.status == ContainerStatus::kRunning || s.status == ContainerStatus::kPaused ||
         s.status == ContainerStatus::kStopping;
}

bool ttyOf(const Json& doc) {
  auto it = doc.find("Config");
  if (it == doc.end() || !it->is_object()) return false;
  auto t = it->find("Tty");
  return t != it->end() && t->is_boolean() && t->get<bool>();
}

std::string stateOf(const Json& doc) {
  auto it = doc.find("State");
  if (it == doc.end() || !it->is_object()) return "";
  auto s = it->find("Status");
  return s != it->end() && s->is_string() ? s->get<std::string>() : "";
}

}  // namespace

void attachServices(bindings::Connection& c) {
  auto& impl = c.impl();
  impl.containers = std::make_unique<RemoteContainers>(c);
  impl.images = std::make_unique<RemoteImages>(c);
  impl.system = std::make_unique<RemoteSystem>(c);
  impl.networks = std::make_unique<RemoteNetworks>(c);
  impl.volumes = std::make_unique<RemoteVolumes>(c);
  impl.secrets = std::make_unique<RemoteSecrets>(c);
  impl.pods = std::make_unique<RemotePods>(c);
}

Result<ContainerCreateReport> RemoteContainers::create(const ContainerCreateRequest& req) {
  if (req.replace) {
    // podman --replace: remove a container of the same name first.
    Json doc = specDocument(req.spec);
    if (auto n = doc.find("name"); n != doc.end() && n->is_string() && !n->get<std::string>().empty()) {
      containers::RemoveOptions ro;
      ro.force = true;
      ro.ignore = true;
      TRY(containers::remove(c_, n->get<std::string>(), ro));
    }
  }
  return containers::createWithJson(c_, specDocument(req.spec));
}

Result<int> RemoteContainers::start(const std::string& name, const AttachStreams* attach) {
  if (!attach) {
    TRY(containers::start(c_, name));
    return 0;
  }
  Json doc = TRY(containers::inspect(c_, name, false));
  std::string id = doc.value("Id", name);
  int r = TRY(attachTo(c_, id, ttyOf(doc), *attach, [&]() -> Status {
    containers::StartOptions so;
    so.detach_keys = attach->detach_keys;
    return containers::start(c_, id, so);
  }));
  if (r < 0) return -1;
  return containers::wait(c_, id);
}

Result<int> RemoteContainers::attach(const std::string& name, const AttachStreams& streams) {
  Json doc = TRY(containers::inspect(c_, name, false));
  std::string state = stateOf(doc);
  if (state != "running" && !(streams.allow_created && state == "created"))
    return makeError(Code::kFailedPrecondition, "you can only attach to running containers");
  std::string id = doc.value("Id", name);
  int r = TRY(attachTo(c_, id, ttyOf(doc), streams, {}));
  if (r < 0) return -1;
  return containers::wait(c_, id);
}

Result<std::vector<NameResult>> RemoteContainers::selectAll(const std::function<bool(const ContainerSummary&)>& keep) {
  containers::ListOptions lo;
  lo.all = true;
  std::vector<NameResult> out;
  for (auto& s : TRY(containers::list(c_, lo)))
    if (!keep || keep(s)) out.push_back(NameResult{s.id, s.id, std::nullopt});
  return out;
}

Result<std::vector<NameResult>> RemoteContainers::each(const std::vector<std::string>& names, bool all,
                                                       const std::function<bool(const ContainerSummary&)>& keep,
                                                       const std::function<Status(const std::string&)>& op) {
  std::vector<NameResult> out;
  if (all) out = TRY(selectAll(keep));
  else
    for (auto& n : names) out.push_back(NameResult{n, n, std::nullopt});
  for (auto& r : out) {
    auto s = op(r.id);
    if (!s.ok()) r.error = std::move(s).error();
  }
  return out;
}

Result<std::vector<NameResult>> RemoteContainers::stop(const ContainerStopRequest& req) {
  containers::StopOptions so;
  so.ignore = req.ignore;
  so.timeout = req.timeout;
  return each(req.names, req.all, running, [&](const std::string& n) { return containers::stop(c_, n, so); });
}

Result<std::vector<NameResult>> RemoteContainers::kill(const std::vector<std::string>& names, bool all,
                                                       const std::string& signal) {
  return each(names, all, running, [&](const std::string& n) { return containers::kill(c_, n, signal); });
}

Result<std::vector<NameResult>> RemoteContainers::restart(const std::vector<std::string>& names, bool all,
                                                          std::optional<int> timeout) {
  return each(names, all, nullptr, [&](const std::string& n) { return containers::restart(c_, n, timeout); });
}

Result<std::vector<NameResult>> RemoteContainers::pause(const std::vector<std::string>& names, bool all) {
  return each(names, all, [](const ContainerSummary& s) { return s.status == ContainerStatus::kRunning; },
              [&](const std::string& n) { return containers::pause(c_, n); });
}

namespace {
// --print-stats: each container's report from the service, by the ID it was asked by.
void attachReports(std::vector<NameResult>& results, std::map<std::string, Json>& reports) {
  for (auto& r : results)
    if (auto it = reports.find(r.id); it != reports.end()) r.report = std::move(it->second);
}
}  // namespace

Result<std::vector<NameResult>> RemoteContainers::checkpoint(const CheckpointRequest& req) {
  if (req.export_path.empty()) {
    std::map<std::string, Json> reports;
    auto res = TRY(each(req.names, req.all, running, [&](const std::string& n) -> Status {
      reports[n] = TRY(containers::checkpoint(c_, n, req));
      return {};
    }));
    if (req.print_stats) attachReports(res, reports);
    return res;
  }
  if (req.all || req.names.size() != 1)
    return makeError(Code::kInvalidArgument, "--export can only be used with a single container");
  // The archive comes back in the answer: written beside its name, renamed once complete.
  auto tmp = TRY(fs::createTempBeside(req.export_path, 0600));
  Status got;
  if (auto r = containers::checkpoint(c_, req.names[0], req, tmp.fd.get()); !r.ok()) got = std::move(r).error();
  if (got.ok() && ::fsync(tmp.fd.get()) < 0) got = errnoError("sync {}", tmp.path);
  if (got.ok() && ::rename(tmp.path.c_str(), req.export_path.c_str()) < 0)
    got = errnoError("rename {} to {}", tmp.path, req.export_path);
  if (!got.ok()) ::unlink(tmp.path.c_str());
  std::vector<NameResult> out{{req.names[0], req.names[0], std::nullopt}};
  if (!got.ok()) out[0].error = std::move(got).error();
  return out;
}

Result<std::vector<NameResult>> RemoteContainers::restore(const RestoreRequest& req) {
  if (req.import_path.empty()) {
    std::map<std::string, Json> reports;
    auto res = TRY(each(req.names, req.all, [](const ContainerSummary& s) { return s.status == ContainerStatus::kExited; },
                        [&](const std::string& n) -> Status {
                          reports[n] = TRY(containers::restore(c_, n, req));
                          return {};
                        }));
    if (req.print_stats) attachReports(res, reports);
    return res;
  }
  UniqueFd in = TRY_CTX(fs::openFd(req.import_path, O_RDONLY | O_CLOEXEC), "open checkpoint archive {}",
                        req.import_path);
  Json rep = TRY(containers::restore(c_, "", req, in.get()));
  std::string id = rep.value("Id", std::string());
  std::vector<NameResult> out{{id, id, std::nullopt}};
  if (req.print_stats) out[0].report = std::move(rep);
  return out;
}

Result<std::vector<NameResult>> RemoteContainers::unpause(const std::vector<std::string>& names, bool all) {
  return each(names, all, [](const ContainerSummary& s) { return s.status == ContainerStatus::kPaused; },
              [&](const std::string& n) { return containers::unpause(c_, n); });
}

Result<std::vector<NameResult>> RemoteContainers::remove(const ContainerRemoveRequest& req) {
  containers::RemoveOptions ro;
  ro.force = req.force;
  ro.ignore = req.ignore;
  ro.volumes = req.volumes;
  ro.timeout = req.timeout;
  std::vector<NameResult> targets;
  if (req.all) targets = TRY(selectAll(nullptr));
  else
    for (auto& n : req.names) targets.push_back(NameResult{n, n, std::nullopt});
  std::vector<NameResult> out;
  for (auto& t : targets) {
    auto ids = containers::remove(c_, t.id, ro);
    if (!ids.ok()) {
      if (req.ignore && ids.error().code() == Code::kNotFound) continue;
      t.error = std::move(ids).error();
    } else if (ids->empty() && req.ignore) {
      continue;  // nothing by that name: ignored
    } else if (!ids->empty()) {
      t.id = ids->front();
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<ContainerSummary>> RemoteContainers::list(const ContainerListRequest& req) {
  containers::ListOptions lo;
  lo.all = req.all || req.latest;
  lo.size = req.size;
  lo.last = req.latest ? 1 : req.last;
  lo.filters = req.filters;
  lo.external = req.external;
  return containers::list(c_, lo);
}

Result<Json> RemoteContainers::inspect(const std::string& name, bool size) {
  return containers::inspect(c_, name, size);
}

Result<int> RemoteContainers::wait(const std::string& name, const std::vector<std::string>& conditions,
                                   int64_t interval_ms) {
  containers::WaitOptions wo;
  wo.conditions = conditions;
  if (interval_ms > 0) wo.interval = std::to_string(interval_ms) + "ms";
  return containers::wait(c_, name, wo);
}

Status RemoteContainers::logs(const LogsRequest& req, const std::function<void(int, std::string_view)>& sink) {
  containers::LogOptions lo;
  lo.follow = req.follow;
  lo.timestamps = req.timestamps;
  lo.tail = req.tail;
  lo.since = req.since;
  lo.until = req.until;
  for (auto& name : req.names) {
    std::string prefix;
    if (req.names_prefix) {
      Json doc = TRY(containers::inspect(c_, name, false));
      std::string shown = req.use_names ? doc.value("Name", name) : doc.value("Id", name).substr(0, 12);
      prefix = shown + " ";
    }
    std::string line;
    TRY(containers::logs(c_, name, lo, [&](int stream, std::string_view text) {
      if (prefix.empty()) {
        sink(stream, text);
      } else {
        line = prefix;
        line.append(text);
        sink(stream, line);
      }
      return true;
    }));
  }
  return {};
}

namespace {

containers::ExecConfig execConfig(const ExecRequest& req) {
  containers::ExecConfig cfg;
  cfg.cmd = req.cmd;
  cfg.env = req.env;
  cfg.user = req.user;
  cfg.workdir = req.workdir;
  cfg.detach_keys = req.detach_keys;
  cfg.attach_stdin = req.interactive;
  cfg.tty = req.tty;
  cfg.privileged = req.privileged;
  return cfg;
}

}  // namespace

Result<std::string> RemoteContainers::execDetached(const ExecRequest& req) {
  ExecRequest detached = req;
  detached.interactive = false;
  std::string session = TRY(containers::execCreate(c_, req.container, execConfig(detached)));
  TRY(containers::execStart(c_, session));
  return session;
}

Result<std::string> RemoteContainers::execCreate(const ExecRequest& req) {
  return containers::execCreate(c_, req.container, execConfig(req));
}

Result<int> RemoteContainers::execStart(const std::string& session_id, const AttachStreams* streams) {
  if (!streams) {
    TRY(containers::execStart(c_, session_id));
    return 0;
  }
  int r = TRY(containers::execStartAndAttach(c_, session_id, *streams));
  if (r < 0) return 0;
  auto info = TRY(execInspect(session_id));
  return info.exit_code;
}

Result<ExecSessionInfo> RemoteContainers::execInspect(const std::string& session_id) {
  Json doc = TRY(containers::execInspect(c_, session_id));
  ExecSessionInfo info;
  info.id = session_id;
  if (auto v = doc.find("ContainerID"); v != doc.end() && v->is_string()) info.container_id = v->get<std::string>();
  if (auto v = doc.find("Running"); v != doc.end() && v->is_boolean()) info.running = v->get<bool>();
  if (auto v = doc.find("ExitCode"); v != doc.end() && v->is_number_integer()) info.exit_code = int(v->get<int64_t>());
  if (auto v = doc.find("Pid"); v != doc.end() && v->is_number_integer()) info.pid = int(v->get<int64_t>());
  if (auto v = doc.find("CanRemove"); v != doc.end() && v->is_boolean()) info.can_remove = v->get<bool>();
  info.exited = !info.running && info.pid != 0;
  return info;
}

Status RemoteContainers::execResize(const std::string& session_id, int height, int width) {
  return containers::execResize(c_, session_id, height, width);
}

Status RemoteContainers::resize(const std::string& name, int height, int width) {
  return containers::resize(c_, name, height, width);
}

Status RemoteContainers::copy(const CopyRequest&) { return remoteUnsupported("cp"); }
Result<ContainerPathStat> RemoteContainers::statPath(const std::string& name, const std::string& path) {
  return containers::statPath(c_, name, path);
}
Status RemoteContainers::copyToArchive(const std::string& name, const std::string& path, int out_fd) {
  return containers::getArchive(c_, name, path, out_fd);
}
Status RemoteContainers::copyFromArchive(const std::string& name, const std::string& path, int in_fd,
                                         const ArchivePutOptions& opts) {
  return containers::putArchive(c_, name, path, in_fd, opts);
}
Result<std::vector<FileChange>> RemoteContainers::diff(const std::string& name) {
  return containers::changes(c_, name);
}
Status RemoteContainers::exportFs(const std::string& name, int out_fd) { return containers::exportFs(c_, name, out_fd); }
Result<std::string> RemoteContainers::commit(const CommitRequest& req) { return containers::commit(c_, req); }
Result<std::string> RemoteContainers::mount(const std::string&) { return remoteUnsupported("mount"); }
Status RemoteContainers::unmount(const std::string&, bool) { return remoteUnsupported("unmount"); }
Result<std::vector<MountedContainer>> RemoteContainers::mounted() { return remoteUnsupported("mount"); }
// POST /libpod/containers/{name}/update with the patch's resource_limits (an OCI
// LinuxResources document), as podman 4.3.1's client sends it.
Result<std::string> RemoteContainers::update(const std::string& name, const SpecGenerator& patch) {
  if (!patch.weight_device.empty() || !patch.throttle_read_bps_device.empty() ||
      !patch.throttle_write_bps_device.empty() || !patch.throttle_read_iops_device.empty() ||
      !patch.throttle_write_iops_device.empty())
    return remoteUnsupported("update with per-device block I/O limits");
  Json body = patch.resource_limits ? toJson(*patch.resource_limits) : Json::object();
  Json id = TRY(orUnsupported(callJson(c_, "POST", "/containers/" + pathEscape(name) + "/update", {}, body.dump()),
                              "update"));
  if (!id.is_string()) return Error(Code::kDataLoss, "containers/update: want the container's ID as a string");
  return id.get<std::string>();
}

namespace {

Status u64(const Fields& f, std::string_view key, uint64_t& out) {
  const Json* v = f.get(key);
  if (!v || v->is_null()) return {};
  if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<int64_t>() < 0))
    return f.bad(key, "unsigned integer", *v);
  out = v->get<uint64_t>();
  return {};
}

Status f64(const Fields& f, std::string_view key, double& out) {
  const Json* v = f.get(key);
  if (!v || v->is_null()) return {};
  if (!v->is_number()) return f.bad(key, "number", *v);
  out = v->get<double>();
  return {};
}

// podman's define.ContainerStats.
Result<ContainerStats> decodeStats(const Json& j, std::string what) {
  auto f = TRY(Fields::of(j, std::move(what)));
  ContainerStats s;
  TRY(f.str("ContainerID", s.id));
  TRY(f.str("Name", s.name));
  TRY(f64(f, "CPU", s.cpu));
  TRY(f64(f, "AvgCPU", s.avg_cpu));
  TRY(u64(f, "CPUNano", s.cpu_nano));
  TRY(u64(f, "CPUSystemNano", s.cpu_system_nano));
  TRY(u64(f, "SystemNano", s.system_nano));
  if (const Json* pc = f.get("PerCPU"); pc && pc->is_array())
    for (auto& v : *pc)
      if (v.is_number_unsigned()) s.per_cpu.push_back(v.get<uint64_t>());
  TRY(u64(f, "MemUsage", s.mem_usage));
  TRY(u64(f, "MemLimit", s.mem_limit));
  TRY(f64(f, "MemPerc", s.mem_perc));
  TRY(u64(f, "NetInput", s.net_input));
  TRY(u64(f, "NetOutput", s.net_output));
  TRY(u64(f, "BlockInput", s.block_input));
  TRY(u64(f, "BlockOutput", s.block_output));
  TRY(u64(f, "PIDs", s.pids));
  TRY(u64(f, "UpTime", s.up_time));
  return s;
}

}  // namespace

// One sample from GET /libpod/containers/stats?stream=false. The service samples afresh on
// every request, so CPU % since the caller's previous sample is computed here from the
// counters (as the local service does).
Result<std::vector<ContainerStats>> RemoteContainers::stats(const StatsRequest& req,
                                                            std::map<std::string, ContainerStats>& previous) {
  Query q = {{"stream", "false"}};
  std::vector<std::string> names = req.names;
  if (req.latest) names = {TRY(latestId())};
  for (auto& n : names) q.emplace_back("containers", n);
  std::optional<Json> answer;
  TRY(orUnsupported(callJsonLines(c_, "GET", "/containers/stats", q, {},
                                  [&](const Json& j) {
                                    answer = j;
                                    return false;
                                  }),
                    "stats"));
  if (!answer || !answer->is_object()) return Error(Code::kDataLoss, "containers/stats: want a report object");
  if (auto e = answer->find("Error"); e != answer->end() && !e->is_null()) {
    std::string msg = e->is_string() ? e->get<std::string>() : e->dump();
    return Error(Code::kInternal, msg);
  }
  std::vector<ContainerStats> out;
  size_t i = 0;
  static const Json kNull;
  auto stats_it = answer->find("Stats");
  const Json& stats = stats_it == answer->end() ? kNull : *stats_it;
  for (const Json* e : TRY(arrayOf(stats, "containers/stats Stats"))) {
    auto s = TRY(decodeStats(*e, fmt::format("containers/stats Stats[{}]", i++)));
    auto prev = previous.find(s.id);
    if (prev != previous.end() && s.system_nano > prev->second.system_nano && s.cpu_nano >= prev->second.cpu_nano)
      s.cpu = double(s.cpu_nano - prev->second.cpu_nano) / double(s.system_nano - prev->second.system_nano) * 100;
    if (s.system_nano) previous[s.id] = s;
    out.push_back(std::move(s));
  }
  return out;
}

Result<int> RemoteContainers::exec(const ExecRequest& req) {
  auto cfg = execConfig(req);
  std::string session = TRY(containers::execCreate(c_, req.container, cfg));
  if (req.detach) {
    TRY(containers::execStart(c_, session));
    return 0;
  }
  AttachStreams st;
  st.in = req.interactive ? 0 : -1;
  st.tty = req.tty;
  st.detach_keys = req.detach_keys;
  int r = TRY(containers::execStartAndAttach(c_, session, st));
  if (r < 0) return 0;
  Json info = TRY(containers::execInspect(c_, session));
  auto ec = info.find("ExitCode");
  if (ec == info.end() || !ec->is_number_integer())
    return Error(Code::kDataLoss, "exec/json: the service reported no exit code");
  return int(ec->get<int64_t>());
}

Result<std::vector<std::vector<std::string>>> RemoteContainers::top(const std::string& name,
                                                                    const std::vector<std::string>& descriptors) {
  return containers::top(c_, name, descriptors);
}

Status RemoteContainers::rename(const std::string& name, const std::string& new_name) {
  return containers::rename(c_, name, new_name);
}

Result<bool> RemoteContainers::exists(const std::string& name, bool external) {
  return containers::exists(c_, name, external);
}

Status RemoteContainers::init(const std::string& name) { return containers::init(c_, name); }

Status RemoteContainers::cleanup(const std::string& name, bool rm) {
  // The service's monitor cleans up after the container; the client's part is --rm.
  if (!rm) return {};
  containers::RemoveOptions ro;
  ro.volumes = true;
  auto r = containers::remove(c_, name, ro);
  if (!r.ok() && r.error().code() != Code::kNotFound) return std::move(r).error();
  return {};
}

Result<std::vector<std::pair<std::string, int64_t>>> RemoteContainers::prune(const std::vector<std::string>& filters) {
  return containers::prune(c_, filters);
}

Result<std::string> RemoteContainers::resolveId(const std::string& name) {
  Json doc = TRY(containers::inspect(c_, name, false));
  auto id = doc.find("Id");
  if (id == doc.end() || !id->is_string()) return Error(Code::kDataLoss, "containers/json: no Id");
  return id->get<std::string>();
}

Result<std::string> RemoteContainers::latestId() {
  containers::ListOptions lo;
  lo.all = true;
  lo.last = 1;
  auto l = TRY(containers::list(c_, lo));
  if (l.empty()) return makeError(Code::kNotFound, "no containers to act on: no such container");
  return l.front().id;
}

Result<std::string> RemoteContainers::healthcheckRun(const std::string& name) {
  Json j = TRY(orUnsupported(callJson(c_, "GET", "/containers/" + pathEscape(name) + "/healthcheck"), "healthcheck run"));
  std::string status;
  TRY(TRY(Fields::of(j, "containers/healthcheck")).str("Status", status));
  if (status != "healthy" && status != "unhealthy")
    return Error(Code::kDataLoss, fmt::format("containers/healthcheck: unexpected Status {:?}", status));
  return status;
}

}  // namespace berth::api::client
