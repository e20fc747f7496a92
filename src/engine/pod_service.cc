// Pods: create (with the infra container and the local pause image), lifecycle over the
// members, remove, list, inspect.
#include "engine/pod_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "base/fs.h"
#include "base/log.h"
#include "base/scope_exit.h"
#include "base/tempfile.h"
#include "base/timefmt.h"
#include "config/containers_conf.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/names.h"
#include "engine/system_service.h"
#include "image/tar_writer.h"
#include "specgen/specgen.h"
#include "state/containers.h"

namespace berth::engine {

namespace {

bool validPodName(const std::string& n) {
  if (n.empty() || !isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
}

bool alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

bool isRunning(const std::string& status) {
  return status == "running" || status == "paused" || status == "stopping";
}

std::string infraId(const state::PodRecord& rec) { return rec.config.value("infra_id", std::string()); }

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (auto it = j.find(key); it != j.end() && it->is_array())
    for (auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::map<std::string, std::string> labelsOf(const state::PodRecord& rec) {
  std::map<std::string, std::string> out;
  if (auto it = rec.config.find("labels"); it != rec.config.end() && it->is_object())
    for (auto& [k, v] : it->items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// Where catatonit may be installed (containers.conf's helper_binaries_dir defaults and the
// distributions' packages).
Result<std::string> findCatatonit() {
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/local/libexec/podman/catatonit",
                        "/usr/lib/podman/catatonit", "/usr/bin/catatonit", "/usr/local/bin/catatonit",
                        "/usr/libexec/catatonit/catatonit"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return makeError(Code::kNotFound,
                   "building the local pause image: catatonit not found in /usr/libexec/podman, /usr/bin or "
                   "/usr/local/bin: install catatonit or use --infra-image");
}

}  // namespace

Result<std::vector<std::string>> parseShare(const std::optional<std::string>& share) {
  std::string s = share.value_or(kDefaultPodShare);
  std::vector<std::string> out;
  if (!s.empty() && s[0] == '+') {
    out = {"ipc", "net", "uts"};
    s = s.substr(1);
  }
  if (s == "none" || s.empty()) return out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string ns = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (ns == "cgroup" || ns == "ipc" || ns == "net" || ns == "pid" || ns == "uts" || ns == "user") {
      if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
    } else if (ns != "none") {
      return makeError(Code::kInvalidArgument,
                       "invalid kernel namespace to share: {}. Options are: cgroup, ipc, net, pid, uts or none", ns);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string podStatus(const std::vector<std::string>& statuses) {
  if (statuses.empty()) return api::kPodCreated;
  size_t stopped = 0, running = 0, paused = 0, errored = 0;
  for (auto& s : statuses) {
    if (s == "exited" || s == "stopped") ++stopped;
    else if (s == "running" || s == "stopping") ++running;
    else if (s == "paused") ++paused;
    else if (s == "created" || s == "configured") {
    } else ++errored;
  }
  size_t n = statuses.size();
  if (running == n) return api::kPodRunning;
  if (running > 0) return api::kPodDegraded;
  if (paused == n) return api::kPodPaused;
  if (stopped == n) return api::kPodExited;
  if (stopped > 0) return api::kPodStopped;
  if (errored > 0) return api::kPodError;
  return api::kPodCreated;
}

std::string pauseImageName() {
  return fmt::format("localhost/podman-pause:{}-{}", VersionInfo::kVersion, 0);
}

// --- helpers ----------------------------------------------------------------------------

void LocalPodService::emit(const state::PodRecord& rec, std::string_view status) {
  events::Event ev;
  ev.type = "pod";
  ev.status = std::string(status);
  ev.id = rec.id;
  ev.name = rec.name;
  emitEvent(e_, std::move(ev));
}

void LocalPodService::recoverInterrupted() {
  auto pods = state::listPods(e_.db());
  if (!pods.ok()) return;
  for (auto& p : *pods) {
    int creator = p.state.value("creating", 0);
    if (creator == 0 || creator == ::getpid() || alive(creator)) continue;
    LOG_WARN("pod {}: its creation was interrupted (process {} is gone): removing it", p.name, creator);
    if (auto s = removePod(p, true, 0); !s.ok()) LOG_WARN("pod {}: {}", p.name, s.error().what());
  }
}

Result<state::PodRecord> LocalPodService::find(const std::string& name) {
  recoverInterrupted();
  return state::findPod(e_.db(), name);
}

Result<std::vector<api::PodContainer>> LocalPodService::members(const state::PodRecord& rec) {
  api::ContainerListRequest lr;
  lr.all = true;
  lr.filters = {"pod=" + rec.id};
  auto list = TRY(e_.containers().list(lr));
  std::vector<api::PodContainer> out;
  std::string infra = infraId(rec);
  for (auto& c : list) {
    api::PodContainer pc{c.id, c.names.empty() ? "" : c.names[0], std::string(api::statusName(c.status))};
    if (c.id == infra) out.insert(out.begin(), pc);
    else out.push_back(pc);
  }
  return out;
}

Result<std::vector<state::PodRecord>> LocalPodService::select(const std::vector<std::string>& names, bool all,
                                                              std::vector<api::PodReport>& reports) {
  std::vector<state::PodRecord> out;
  if (all) {
    recoverInterrupted();
    out = TRY(state::listPods(e_.db()));
    for (auto& p : out) reports.push_back(api::PodReport{p.id, p.id, std::nullopt});
    return out;
  }
  for (auto& n : names) {
    auto p = find(n);
    if (!p.ok()) {
      reports.push_back(api::PodReport{n, "", std::move(p).error()});
      out.emplace_back();
      continue;
    }
    reports.push_back(api::PodReport{n, p->id, std::nullopt});
    out.push_back(std::move(*p));
  }
  return out;
}

Status LocalPodService::eachContainer(const std::vector<std::string>& ids,
                                      const std::function<Status(api::ContainerService&, const std::string&)>& fn) {
  if (ids.size() <= 1) {
    for (auto& id : ids) TRY(fn(e_.containers(), id));
    return {};
  }
  std::vector<Status> results(ids.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i)
    threads.emplace_back([&, i] {
      // One engine (one DB connection) per thread: a connection is not shared.
      auto eng = Engine::open(e_.options());
      if (!eng.ok()) {
        results[i] = std::move(eng).error();
        return;
      }
      results[i] = fn((*eng)->containers(), ids[i]);
    });
  for (auto& t : threads) t.join();
  for (auto& r : results)
    if (!r.ok()) return r;
  return {};
}

// --- create -------------------------------------------------------------------------------

Result<std::string> LocalPodService::ensurePauseImage() {
  std::string name = pauseImageName();
  if (TRY(e_.images().exists(name))) return name;
  std::string catatonit = TRY(findCatatonit());
  UniqueFd bin(::open(catatonit.c_str(), O_RDONLY | O_CLOEXEC));
  if (!bin) return errnoError("building the local pause image: open {}", catatonit);
  struct stat st{};
  if (::fstat(bin.get(), &st) < 0) return errnoError("building the local pause image: stat {}", catatonit);
  TRY(fs::mkdirAll(e_.options().tmpdir, 0700));
  auto tmp = TRY(fs::createTempBeside(e_.options().tmpdir + "/pause.tar", 0600));
  ScopeExit unlink_tmp([&] { ::unlink(tmp.path.c_str()); });
  {
    image::TarWriter tw(tmp.fd.get());
    TRY(tw.open());
    TRY(tw.addFd("catatonit", bin.get(), uint64_t(st.st_size), 0755));
    TRY(tw.close());
  }
  api::ImageImportRequest ir;
  ir.source = tmp.path;
  ir.reference = name;
  ir.changes = {R"(ENTRYPOINT ["/catatonit", "-P"])"};
  ir.message = "berth pause image, built from " + catatonit;
  TRY_CTX(e_.images().import(ir), "building the local pause image {}", name);
  LOG_INFO("built the local pause image {} from {}", name, catatonit);
  return name;
}

Result<std::string> LocalPodService::infraImage(const api::PodCreateRequest& req) {
  std::string image = req.infra_image;
  if (image.empty()) {
    auto conf = config::loadContainersConf(config::HostEnv::current());
    if (conf.ok())
      if (auto eng = conf->find("engine"); eng != conf->end() && eng->is_object())
        if (auto ii = eng->find("infra_image"); ii != eng->end() && ii->is_string()) image = ii->get<std::string>();
  }
  if (image.empty()) return ensurePauseImage();
  if (TRY(e_.images().exists(image))) return image;
  api::ImagePullRequest pr;
  pr.reference = image;
  auto pulled = TRY(e_.images().pull(pr));
  return pulled.names.empty() ? image : pulled.names[0];
}

Result<std::string> LocalPodService::create(const api::PodCreateRequest& req) {
  auto share = TRY(parseShare(req.share));
  std::string policy = req.exit_policy.empty() ? "continue" : req.exit_policy;
  if (policy != "continue" && policy != "stop")
    return makeError(Code::kInvalidArgument, "running pod create option: invalid pod exit policy: {:?}", policy);
  std::string name = req.name;
  if (!name.empty() && !validPodName(name))
    return makeError(Code::kInvalidArgument, "pod name {:?} is invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
                     name);
  recoverInterrupted();
  if (name.empty()) {
    for (int i = 0; i < 20 && name.empty(); ++i) {
      std::string n = randomName();
      auto taken = state::findPod(e_.db(), n);
      if (!taken.ok() && taken.error().code() == Code::kNotFound) name = n;
    }
  }
  if (req.replace) {
    auto old = state::findPod(e_.db(), name);
    if (old.ok() && old->name == name) TRY(removePod(*old, true, std::nullopt));
  }
  if (!req.infra) share.clear();  // nothing holds shared namespaces without an infra container
  if (!req.infra && (!req.network.portmappings.empty() || !req.network.networks.empty()))
    return makeError(Code::kInvalidArgument, "you must have an infra container to publish port bindings to the host");
  std::string image;
  if (req.infra) image = TRY(infraImage(req));

  state::PodRecord rec;
  rec.id = randomId();
  rec.name = name;
  rec.created = nowNanos();
  Json c;
  c["hostname"] = req.hostname;
  c["exit_policy"] = policy;
  c["labels"] = req.labels;
  c["shared"] = share;
  c["infra"] = req.infra;
  c["share_parent"] = req.share_parent;
  c["create_command"] = req.create_command;
  c["infra_id"] = "";
  if (!req.service_container.empty()) c["service_container"] = req.service_container;
  rec.config = c;
  // Until the infra container is recorded the pod is "creating": a pod whose creator died
  // before that is rolled back by the next command that looks (recoverInterrupted).
  rec.state = Json{{"creating", ::getpid()}};
  TRY(e_.db().transaction([&]() -> Status { return state::insertPod(e_.db(), rec); }));
  auto undo = [&](Error err) -> Error {
    if (auto s = removePod(rec, true, 0); !s.ok()) LOG_WARN("undo pod {}: {}", rec.name, s.error().what());
    return err;
  };
  if (req.infra) {
    api::ContainerCreateRequest cr;
    api::SpecGenerator& s = cr.spec;
    static_cast<api::ContainerNetworkConfig&>(s) = req.network;
    s.name = req.infra_name.empty() ? rec.id.substr(0, 12) + "-infra" : req.infra_name;
    s.image = image;
    s.pod = rec.id;
    if (!req.infra_command.empty()) s.entrypoint = req.infra_command;
    bool share_uts = std::find(share.begin(), share.end(), "uts") != share.end();
    if (share_uts) s.hostname = req.hostname.empty() ? name : req.hostname;
    s.container_create_command = req.create_command;
    cr.pod_infra = true;
    auto made = e_.containers().create(cr);
    if (!made.ok()) return undo(std::move(made).error());
    rec.config["infra_id"] = made->id;
  }
  rec.state = Json::object();
  if (auto s = e_.db().transaction([&]() -> Status { return state::updatePod(e_.db(), rec); }); !s.ok())
    return undo(std::move(s).error());
  emit(rec, "create");
  return rec.id;
}

// --- lifecycle ----------------------------------------------------------------------------

Result<std::vector<api::PodReport>> LocalPodService::start(const std::vector<std::string>& names, bool all) {
  std::vector<api::PodReport> reports;
  auto recs = TRY(select(names, all, reports));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (reports[i].error) continue;
    auto ids = state::podMembers(e_.db(), recs[i].id);
    if (!ids.ok()) {
      reports[i].error = std::move(ids).error();
      continue;
    }
    if (auto s = startService(recs[i]); !s.ok()) {
      reports[i].error = std::move(s).error();
      continue;
    }
    // The infra container first (the others join its namespaces), then the init containers one
    // by one, each run to its end (kube play's initContainers; "once" ones are removed after
    // they succeeded), then the others at once.
    std::string infra = infraId(recs[i]);
    std::vector<std::string> others;
    std::vector<std::pair<std::string, std::string>> inits;  // ID, "always" or "once"
    for (auto& id : *ids) {
      if (id == infra) continue;
      auto c = state::getContainer(e_.db(), id);
      std::string init = c.ok() && *c ? storedSpec((*c)->config).init_container_type : "";
      if (init.empty()) others.push_back(id);
      else inits.emplace_back(id, init);
    }
    std::vector<std::string> failed;
    auto r = infra.empty() ? Result<int>(0) : e_.containers().start(infra, nullptr);
    if (!r.ok()) failed.push_back(fmt::format("starting container {}: {}", infra, r.error().what()));
    for (auto& [id, type] : inits) {
      if (!failed.empty()) break;
      auto code = e_.containers().start(id, nullptr);
      if (code.ok()) code = e_.containers().wait(id, {}, 50);
      if (!code.ok()) failed.push_back(fmt::format("starting init container {}: {}", id, code.error().what()));
      else if (*code != 0) failed.push_back(fmt::format("init container {} exited with code {}", id, *code));
      else if (type == "once") {
        api::ContainerRemoveRequest rr;
        rr.names = {id};
        rr.ignore = true;
        if (auto rm = e_.containers().remove(rr); !rm.ok()) LOG_WARN("removing init container {}: {}", id, rm.error().what());
      }
    }
    if (failed.empty()) {
      std::mutex mu;
      (void)eachContainer(others, [&](api::ContainerService& svc, const std::string& id) -> Status {
        auto started = svc.start(id, nullptr);
        if (started.ok()) return {};
        std::lock_guard<std::mutex> lock(mu);
        failed.push_back(fmt::format("starting container {}: {}", id, started.error().what()));
        return {};
      });
      std::sort(failed.begin(), failed.end());
    }
    if (!failed.empty()) {
      reports[i].error = makeError(Code::kInternal, "starting pod {}: {}", recs[i].name, fmt::join(failed, "; "));
      continue;
    }
    emit(recs[i], "start");
  }
  return reports;
}

Result<std::vector<api::PodReport>> LocalPodService::stop(const api::PodStopRequest& req) {
  std::vector<api::PodReport> reports;
  auto recs = TRY(select(req.names, req.all, reports));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (reports[i].error) {
      if (req.ignore && reports[i].error->code() == Code::kNotFound) reports[i].error.reset();
      continue;
    }
    auto ids = state::podMembers(e_.db(), recs[i].id);
    if (!ids.ok()) {
      reports[i].error = std::move(ids).error();
      continue;
    }
    std::string infra = infraId(recs[i]);
    std::vector<std::string> others;
    for (auto& id : *ids)
      if (id != infra) others.push_back(id);
    auto stopOne = [&](api::ContainerService& svc, const std::string& id) -> Status {
      api::ContainerStopRequest sr;
      sr.names = {id};
      sr.ignore = true;
      sr.timeout = req.timeout;
      auto res = TRY(svc.stop(sr));
      for (auto& r : res)
        if (r.error) return *r.error;
      return {};
    };
    // The members together, then the infra container that holds their namespaces.
    Status s = eachContainer(others, stopOne);
    if (s.ok() && !infra.empty()) s = stopOne(e_.containers(), infra);
    if (s.ok()) s = stopServiceIfDone(recs[i]);
    if (!s.ok()) {
      reports[i].error = std::move(s).error().context(fmt::format("stopping pod {}", recs[i].name));
      continue;
    }
    emit(recs[i], "stop");
  }
  return reports;
}

Result<std::vector<api::PodReport>> LocalPodService::restart(const std::vector<std::string>& names, bool all) {
  api::PodStopRequest sr;
  sr.names = names;
  sr.all = all;
  auto stopped = TRY(stop(sr));
  std::vector<std::string> ok;
  for (auto& r : stopped)
    if (!r.error) ok.push_back(r.id);
  auto started = TRY(start(ok, false));
  std::vector<api::PodReport> out;
  size_t k = 0;
  for (auto& r : stopped) {
    if (r.error) {
      out.push_back(r);
      continue;
    }
    api::PodReport rep = started[k++];
    rep.name = r.name;
    out.push_back(rep);
  }
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i].error && i < stopped.size()) {
      auto p = state::getPod(e_.db(), out[i].id);
      if (p.ok() && *p) emit(**p, "restart");
    }
  return out;
}

Result<std::vector<api::PodReport>> LocalPodService::kill(const std::vector<std::string>& names, bool all,
                                                          const std::string& signal) {
  TRY(specgen::parseSignal(signal.empty() ? "SIGKILL" : signal));
  std::vector<api::PodReport> reports;
  auto recs = TRY(select(names, all, reports));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (reports[i].error) continue;
    auto ms = members(recs[i]);
    if (!ms.ok()) {
      reports[i].error = std::move(ms).error();
      continue;
    }
    std::vector<std::string> running;
    for (auto& m : *ms)
      if (m.status == "running" || m.status == "paused") running.push_back(m.id);
    if (running.empty()) {
      reports[i].error = makeError(Code::kFailedPrecondition, "no containers running in pod {}: pod has no containers to kill",
                                   recs[i].name);
      continue;
    }
    auto res = e_.containers().kill(running, false, signal);
    if (!res.ok()) {
      reports[i].error = std::move(res).error();
      continue;
    }
    for (auto& r : *res)
      if (r.error && !reports[i].error) reports[i].error = *r.error;
    if (!reports[i].error) emit(recs[i], "kill");
  }
  return reports;
}

// pause/unpause: the members in `from` status go to the other; one report per pod.
Result<std::vector<api::PodReport>> LocalPodService::setPaused(const std::vector<std::string>& names, bool all,
                                                               bool pause) {
  std::vector<api::PodReport> reports;
  auto recs = TRY(select(names, all, reports));
  const char* from = pause ? "running" : "paused";
  for (size_t i = 0; i < recs.size(); ++i) {
    if (reports[i].error) continue;
    auto ms = members(recs[i]);
    if (!ms.ok()) {
      reports[i].error = std::move(ms).error();
      continue;
    }
    std::vector<std::string> ids;
    for (auto& m : *ms)
      if (m.status == from) ids.push_back(m.id);
    if (!ids.empty()) {
      auto res = pause ? e_.containers().pause(ids, false) : e_.containers().unpause(ids, false);
      if (!res.ok()) reports[i].error = std::move(res).error();
      else
        for (auto& r : *res)
          if (r.error && !reports[i].error) reports[i].error = *r.error;
    }
    if (!reports[i].error) emit(recs[i], pause ? "pause" : "unpause");
  }
  return reports;
}

Result<std::vector<api::PodReport>> LocalPodService::pause(const std::vector<std::string>& names, bool all) {
  return setPaused(names, all, true);
}

Result<std::vector<api::PodReport>> LocalPodService::unpause(const std::vector<std::string>& names, bool all) {
  return setPaused(names, all, false);
}

Status LocalPodService::applyExitPolicy(const std::string& pod_id) {
  auto rec = TRY(state::getPod(e_.db(), pod_id));
  if (!rec || rec->config.value("exit_policy", "continue") != "stop") return {};
  std::string infra = infraId(*rec);
  if (infra.empty()) return {};
  auto ms = TRY(members(*rec));
  bool infra_running = false, other_running = false;
  for (auto& m : ms) {
    if (m.id == infra) infra_running = isRunning(m.status);
    else other_running |= isRunning(m.status);
  }
  if (!infra_running || other_running) return {};
  api::ContainerStopRequest sr;
  sr.names = {infra};
  sr.ignore = true;
  auto res = TRY(e_.containers().stop(sr));
  for (auto& r : res)
    if (r.error) return *r.error;
  emit(*rec, "stop");
  return {};
}

Status LocalPodService::memberExited(const std::string& pod_id) {
  TRY(applyExitPolicy(pod_id));
  auto rec = TRY(state::getPod(e_.db(), pod_id));
  return rec ? stopServiceIfDone(*rec) : Status{};
}

// --- service containers (kube play --service-container) -------------------------------------

namespace {
std::string serviceId(const state::PodRecord& rec) { return rec.config.value("service_container", std::string()); }
}  // namespace

Result<std::vector<state::PodRecord>> LocalPodService::servedPods(const std::string& service_id) {
  std::vector<state::PodRecord> out;
  for (auto& p : TRY(state::listPods(e_.db())))
    if (serviceId(p) == service_id) out.push_back(std::move(p));
  return out;
}

Status LocalPodService::startService(const state::PodRecord& rec) {
  std::string sid = serviceId(rec);
  if (sid.empty()) return {};
  // A running one stays as it is.
  TRY_CTX(e_.containers().start(sid, nullptr), "starting service container of pod {}", rec.name);
  return {};
}

Status LocalPodService::stopServiceIfDone(const state::PodRecord& rec) {
  std::string sid = serviceId(rec);
  if (sid.empty()) return {};
  for (auto& p : TRY(servedPods(sid)))
    for (auto& m : TRY(members(p)))
      if (isRunning(m.status)) return {};
  api::ContainerStopRequest sr;
  sr.names = {sid};
  sr.ignore = true;
  sr.timeout = 0;
  for (auto& r : TRY(e_.containers().stop(sr)))
    if (r.error) return r.error->context(fmt::format("stopping service container of pod {}", rec.name));
  return {};
}

Status LocalPodService::removeServiceIfUnused(const std::string& service_id) {
  if (service_id.empty() || !TRY(servedPods(service_id)).empty()) return {};
  api::ContainerRemoveRequest rr;
  rr.names = {service_id};
  rr.force = true;
  rr.ignore = true;
  rr.timeout = 0;
  for (auto& r : TRY(e_.containers().remove(rr)))
    if (r.error) return *r.error;
  return {};
}

// --- remove -------------------------------------------------------------------------------

Status LocalPodService::removePod(const state::PodRecord& rec, bool force, std::optional<int> timeout,
                                  std::vector<std::string>* removed) {
  std::string infra = infraId(rec);
  // A few rounds: a container created into the pod meanwhile is removed by the next one.
  for (int round = 0; round < 5; ++round) {
    auto ids = TRY(state::podMembers(e_.db(), rec.id));
    if (ids.empty()) {
      bool gone = false;
      TRY(e_.db().transaction([&]() -> Status {
        if (!TRY(state::podMembers(e_.db(), rec.id)).empty()) return {};
        gone = true;
        return state::deletePod(e_.db(), rec.id);
      }));
      if (gone) return removeServiceIfUnused(serviceId(rec));
      continue;
    }
    // As podman: a pod whose only container is its infra container goes even when running.
    if (ids.size() == 1 && ids[0] == infra) force = true;
    if (!force) {
      auto ms = TRY(members(rec));
      for (auto& m : ms)
        if (isRunning(m.status) && m.id != infra)  // the infra container goes running, as podman's
          return makeError(Code::kFailedPrecondition,
                           "pod {} has containers that are not ready to be removed: cannot remove container {} as it "
                           "is running - running or paused containers cannot be removed without force: container "
                           "state improper",
                           rec.id, m.id);
    } else {
      // Stop the members together first: each removal then finds its container stopped.
      std::vector<std::string> others;
      for (auto& id : ids)
        if (id != infra) others.push_back(id);
      (void)eachContainer(others, [&](api::ContainerService& svc, const std::string& id) -> Status {
        api::ContainerStopRequest sr;
        sr.names = {id};
        sr.ignore = true;
        sr.timeout = timeout;
        (void)svc.stop(sr);
        return {};
      });
    }
    // Members first, the infra container (whose namespaces they join) last; it is
    // stopped even without force (podman's checkReadyForRemoval exempts it).
    auto infra_it = std::stable_partition(ids.begin(), ids.end(), [&](const std::string& id) { return id != infra; });
    for (bool infra_round : {false, true}) {
      api::ContainerRemoveRequest rm;
      rm.names = infra_round ? std::vector<std::string>(infra_it, ids.end()) : std::vector<std::string>(ids.begin(), infra_it);
      if (rm.names.empty()) continue;
      rm.force = force || infra_round;
      rm.ignore = true;
      rm.depend = false;
      rm.timeout = timeout;
      rm.volumes = false;
      rm.removing_pod = true;
      auto res = TRY(e_.containers().remove(rm));
      for (auto& r : res) {
        if (r.error) return r.error->context(fmt::format("removing pod {}", rec.id));
        if (removed) removed->push_back(r.id.empty() ? r.name : r.id);
      }
    }
  }
  return makeError(Code::kConflict, "removing pod {}: containers keep being added to it", rec.id);
}

Result<std::vector<api::PodReport>> LocalPodService::remove(const api::PodRemoveRequest& req) {
  std::vector<api::PodReport> reports;
  auto recs = TRY(select(req.names, req.all, reports));
  for (size_t i = 0; i < recs.size(); ++i) {
    if (reports[i].error) {
      if ((req.ignore || req.force) && reports[i].error->code() == Code::kNotFound) reports[i].error.reset();
      continue;
    }
    auto s = removePod(recs[i], req.force, req.timeout);
    if (!s.ok()) {
      reports[i].error = std::move(s).error();
      continue;
    }
    emit(recs[i], "remove");
  }
  return reports;
}

Result<std::vector<api::PodReport>> LocalPodService::prune() {
  std::vector<api::PodReport> out;
  for (auto& p : TRY(list({}))) {
    if (p.status != api::kPodExited && p.status != api::kPodStopped && p.status != api::kPodCreated) continue;
    if (p.status == api::kPodCreated && !p.containers.empty()) {
      bool all_created = true;
      for (auto& c : p.containers) all_created &= c.status == "created" || c.status == "configured";
      if (!all_created) continue;
    }
    auto rec = state::getPod(e_.db(), p.id);
    if (!rec.ok() || !*rec) continue;
    auto s = removePod(**rec, false, std::nullopt);
    if (!s.ok()) {
      out.push_back(api::PodReport{p.id, p.id, std::move(s).error()});
      continue;
    }
    emit(**rec, "remove");
    out.push_back(api::PodReport{p.id, p.id, std::nullopt});
  }
  return out;
}

// --- list / inspect -----------------------------------------------------------------------

Result<std::vector<api::PodSummary>> LocalPodService::list(const std::vector<std::string>& filters) {
  std::map<std::string, std::vector<std::string>> by_key;
  static const std::set<std::string> kKeys = {"id", "name", "label", "status", "ctr-names", "ctr-ids",
                                              "ctr-number", "ctr-status", "network", "until"};
  for (auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid filter {:?}: want KEY=VALUE", f);
    std::string k = f.substr(0, eq);
    if (!kKeys.count(k)) return makeError(Code::kInvalidArgument, "{:?} is an invalid filter", k);
    by_key[k].push_back(f.substr(eq + 1));
  }
  static const std::set<std::string> kStates = {"stopped", "running", "paused", "exited", "dead", "created", "degraded"};
  if (auto st = by_key.find("status"); st != by_key.end())
    for (auto& v : st->second)
      if (!kStates.count(v))
        return makeError(Code::kInvalidArgument,
                         "{:?} is not a valid status, use one of: stopped, running, paused, exited, dead, created, "
                         "degraded",
                         v);
  recoverInterrupted();
  auto pods = TRY(state::listPods(e_.db()));
  std::vector<api::PodSummary> out;
  for (auto& p : pods) {
    if (p.state.contains("creating")) continue;  // not there yet
    auto ms = members(p);
    if (!ms.ok()) {
      if (ms.error().code() == Code::kNotFound) continue;
      return std::move(ms).error();
    }
    api::PodSummary s;
    s.id = p.id;
    s.name = p.name;
    s.created = p.created;
    s.infra_id = infraId(p);
    s.labels = labelsOf(p);
    s.containers = std::move(*ms);
    std::vector<std::string> statuses;
    for (auto& c : s.containers) statuses.push_back(c.status);
    s.status = podStatus(statuses);
    if (!s.infra_id.empty()) {
      auto infra = state::getContainer(e_.db(), s.infra_id);
      if (infra.ok() && *infra)
        for (auto& [k, v] : storedSpec((*infra)->config).networks) s.networks.push_back(k);
    }
    bool ok = true;
    for (auto& [k, vals] : by_key) {
      bool any = false;
      for (auto& v : vals) {
        if (k == "id") any |= p.id.rfind(v, 0) == 0;
        else if (k == "name") {
          try {
            any |= std::regex_search(p.name, std::regex(v));
          } catch (const std::regex_error&) {
            any |= p.name == v;
          }
        } else if (k == "label") {
          auto eq = v.find('=');
          auto it = s.labels.find(v.substr(0, eq));
          any |= it != s.labels.end() && (eq == std::string::npos || it->second == v.substr(eq + 1));
        } else if (k == "status") {
          std::string st = s.status;
          std::transform(st.begin(), st.end(), st.begin(), ::tolower);
          any |= st == v;
        } else if (k == "ctr-names") {
          for (auto& c : s.containers) any |= c.name == v;
        } else if (k == "ctr-ids") {
          for (auto& c : s.containers) any |= c.id.rfind(v, 0) == 0;
        } else if (k == "ctr-number") {
          any |= std::to_string(s.containers.size()) == v;
        } else if (k == "ctr-status") {
          for (auto& c : s.containers) any |= c.status == v;
        } else if (k == "network") {
          for (auto& n : s.networks) any |= n == v;
        } else if (k == "until") {
          auto t = parseTimestampArg(v);
          any |= t.ok() && p.created < *t;
        }
      }
      ok &= any;
    }
    if (ok) out.push_back(std::move(s));
  }
  return out;
}

Result<Json> LocalPodService::inspect(const std::string& name) {
  auto rec = TRY(find(name));
  auto ms = TRY(members(rec));
  std::vector<std::string> statuses;
  Json ctrs = Json::array();
  for (auto& c : ms) {
    statuses.push_back(c.status);
    ctrs.push_back(Json{{"Id", c.id}, {"Name", c.name}, {"State", c.status}});
  }
  std::string infra = infraId(rec);
  std::vector<std::string> shared = strings(rec.config, "shared");
  Json j;
  j["Id"] = rec.id;
  j["Name"] = rec.name;
  j["Created"] = formatRfc3339Nano(rec.created);
  j["CreateCommand"] = strings(rec.config, "create_command");
  j["ExitPolicy"] = rec.config.value("exit_policy", "continue");
  j["State"] = podStatus(statuses);
  j["Hostname"] = rec.config.value("hostname", "");
  if (auto labels = labelsOf(rec); !labels.empty()) j["Labels"] = labels;
  else j["Labels"] = Json::object();
  j["CreateCgroup"] = false;
  j["CreateInfra"] = !infra.empty();
  if (!infra.empty()) {
    j["InfraContainerID"] = infra;
    auto ic = TRY(state::getContainer(e_.db(), infra));
    if (ic) {
      api::SpecGenerator spec = storedSpec(ic->config);
      Json ports = Json::object();
      for (auto& pm : spec.portmappings) {
        uint16_t n = pm.range > 1 ? pm.range : 1;
        std::string proto = pm.protocol.empty() ? "tcp" : pm.protocol;
        for (uint16_t k = 0; k < n; ++k) {
          std::string key = fmt::format("{}/{}", pm.container_port + k, proto);
          if (!ports.contains(key)) ports[key] = Json::array();
          ports[key].push_back(Json{{"HostIp", pm.host_ip}, {"HostPort", std::to_string(pm.host_port + k)}});
        }
      }
      Json ic_j;
      ic_j["PortBindings"] = ports;
      ic_j["HostNetwork"] = spec.netns.is(api::NamespaceMode::kHost);
      ic_j["StaticIP"] = "";
      ic_j["StaticMAC"] = "";
      for (auto& [n, o] : spec.networks) {
        if (!o.static_ips.empty() && ic_j["StaticIP"] == "") ic_j["StaticIP"] = o.static_ips[0];
        if (!o.static_mac.empty()) ic_j["StaticMAC"] = o.static_mac;
      }
      ic_j["NoManageResolvConf"] = spec.use_image_resolve_conf.value_or(false);
      auto listOrNull = [](const std::vector<std::string>& v) { return v.empty() ? Json(nullptr) : Json(v); };
      ic_j["DNSServer"] = listOrNull(spec.dns_server);
      ic_j["DNSSearch"] = listOrNull(spec.dns_search);
      ic_j["DNSOption"] = listOrNull(spec.dns_option);
      ic_j["NoManageHosts"] = spec.use_image_hosts.value_or(false);
      ic_j["HostAdd"] = listOrNull(spec.hostadd);
      std::vector<std::string> nets;
      for (auto& [n, o] : spec.networks) nets.push_back(n);
      ic_j["Networks"] = listOrNull(nets);
      ic_j["NetworkOptions"] = spec.network_options.empty() ? Json(nullptr) : Json(spec.network_options);
      ic_j["pid_ns"] = "private";
      ic_j["userns"] = "host";
      ic_j["uts_ns"] = "private";
      j["InfraConfig"] = ic_j;
    }
  }
  j["SharedNamespaces"] = shared.empty() ? Json(nullptr) : Json(shared);
  j["NumContainers"] = ms.size();
  j["Containers"] = ctrs;
  j["LockNumber"] = 0;
  return j;
}

Result<bool> LocalPodService::exists(const std::string& name) {
  auto r = find(name);
  if (r.ok()) return !r->state.contains("creating");
  if (r.error().code() == Code::kNotFound) return false;
  return std::move(r).error();
}

Result<std::string> LocalPodService::resolveId(const std::string& name) { return TRY(find(name)).id; }

Result<std::string> LocalPodService::latestId() {
  recoverInterrupted();
  auto pods = TRY(state::listPods(e_.db()));
  if (pods.empty()) return makeError(Code::kNotFound, "no pods to use as latest: no such pod");
  return pods.back().id;
}

Result<std::vector<std::vector<std::string>>> LocalPodService::top(const std::string& name,
                                                                   const std::vector<std::string>& descriptors) {
  auto rec = TRY(find(name));
  std::vector<std::vector<std::string>> out;
  for (auto& m : TRY(members(rec))) {
    if (m.status != "running") continue;
    auto rows = TRY(e_.containers().top(m.id, descriptors));
    // Every member's ps prints the same header: keep the first.
    for (size_t i = out.empty() ? 0 : 1; i < rows.size(); ++i) out.push_back(std::move(rows[i]));
  }
  if (out.empty()) return makeError(Code::kFailedPrecondition, "pod {} has no running containers", name);
  return out;
}

Result<std::vector<api::PodStatsReport>> LocalPodService::stats(const api::PodStatsRequest& req,
                                                                std::map<std::string, api::ContainerStats>& previous) {
  std::vector<state::PodRecord> pods;
  if (req.names.empty()) {
    recoverInterrupted();
    pods = TRY(state::listPods(e_.db()));
  }
  for (auto& n : req.names) pods.push_back(TRY(find(n)));
  std::vector<api::PodStatsReport> out;
  for (auto& p : pods) {
    api::StatsRequest sr;
    for (auto& m : TRY(members(p)))
      if (m.status == "running") sr.names.push_back(m.id);
    if (sr.names.empty()) continue;
    auto stats = e_.containers().stats(sr, previous);
    if (!stats.ok()) continue;  // a member stopped meanwhile
    auto size = [](uint64_t a, uint64_t b) { return humanSize(double(a)) + " / " + humanSize(double(b)); };
    for (auto& s : *stats) {
      api::PodStatsReport r;
      r.pod = p.id.substr(0, 12);
      r.cid = s.id.substr(0, 12);
      r.name = s.name;
      r.cpu = fmt::format("{:.2f}%", s.cpu);
      r.mem_usage = r.mem_usage_bytes = size(s.mem_usage, s.mem_limit);
      r.mem = fmt::format("{:.2f}%", s.mem_perc);
      r.net_io = size(s.net_input, s.net_output);
      r.block_io = size(s.block_input, s.block_output);
      r.pids = std::to_string(s.pids);
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace berth::engine
