// Containers: create, list, inspect, remove, rename, prune, name resolution.
#include "engine/container_service.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <unordered_set>

#include "base/fs.h"
#include "base/json_access.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "engine/engine.h"
#include "engine/filters.h"
#include "engine/image_service.h"
#include "engine/names.h"
#include "engine/pod_service.h"
#include "image/image_config.h"
#include "image/reference.h"
#include "runtime/select.h"
#include "specgen/specgen.h"
#include "state/images.h"
#include "state/pods.h"
#include "state/volumes.h"
#include "sys/mounts.h"

namespace berth::engine {

std::string_view api_statusName(api::ContainerStatus s);

Result<ContainerLock> ContainerLock::take(const std::string& runroot, const std::string& id) {
  std::string dir = runroot + "/locks";
  TRY(fs::mkdirAll(dir, 0700));
  std::string path = dir + "/" + id;
  UniqueFd fd = TRY(fs::openFd(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errnoError("lock container {}", id);
  return ContainerLock(std::move(fd));
}

bool ContainerLock::busy(const std::string& runroot, const std::string& id) {
  UniqueFd fd(::open((runroot + "/locks/" + id).c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return false;
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return false;  // released as fd closes
  return errno == EWOULDBLOCK;
}

ContainerPaths LocalContainerService::paths(const std::string& id) const {
  const auto& o = e_.options();
  ContainerPaths p;
  p.static_dir = o.root + "/containers/" + id;
  p.run_dir = o.runroot + "/containers/" + id;
  p.merged = p.run_dir + "/merged";
  p.upper = p.static_dir + "/upper";
  p.work = p.static_dir + "/work";
  p.log = p.static_dir + "/ctr.log";
  p.exit_file = p.run_dir + "/exit";
  p.pid_file = p.run_dir + "/pidfile";
  p.monitor_pid_file = p.run_dir + "/monitor.pid";
  p.ctl = p.run_dir + "/ctl";
  // Unix socket paths are limited to 108 bytes: keep this one short.
  p.socket = o.runroot + "/s/" + id.substr(0, 12);
  p.config_json = p.run_dir + "/config.json";
  p.netns = o.runroot + "/netns/" + id;
  p.shm = p.run_dir + "/shm";
  return p;
}

Result<runtime::OciRuntime> LocalContainerService::runtimeFor(const state::ContainerRecord& rec) const {
  std::string name = rec.config.value("runtime", "");
  std::string path = rec.config.value("runtime_path", "");
  if (path.empty()) path = TRY(runtime::findRuntime(name));
  runtime::RuntimeConfig cfg;
  cfg.name = name;
  cfg.path = path;
  cfg.global_args = {"--root", e_.options().runroot + "/runtime/" + name};
  // podman's --runtime-flag: "--" is prepended to each.
  for (auto& f : e_.options().runtime_flags) cfg.global_args.push_back("--" + f);
  cfg.log_path = e_.options().runroot + "/runtime/" + name + ".log";
  return runtime::OciRuntime(cfg);
}

Status LocalContainerService::saveState(state::ContainerRecord& rec) {
  return e_.db().transaction([&]() -> Status { return state::updateContainerState(e_.db(), rec.id, rec.state); });
}

Result<std::string> LocalContainerService::resolveId(const std::string& name) {
  auto rec = TRY(state::findContainer(e_.db(), name));
  return rec.id;
}

Result<std::string> LocalContainerService::latestId() {
  auto all = TRY(state::listContainers(e_.db()));
  if (all.empty()) return makeError(Code::kNotFound, "no containers to operate on: no such container");
  return all.back().id;
}

Result<bool> LocalContainerService::exists(const std::string& name, bool external) {
  auto r = state::findContainer(e_.db(), name);
  if (r.ok()) return true;
  if (r.error().code() != Code::kNotFound) return std::move(r).error();
  return external && TRY(findForeign(name)).has_value();
}

// --- create -----------------------------------------------------------------

namespace {

Result<std::pair<std::string, std::string>> chooseRuntime(const std::string& requested) {
  if (!requested.empty()) {
    std::string path = TRY(runtime::findRuntime(requested));
    std::string name = requested.substr(requested.rfind('/') + 1);
    return std::make_pair(name, path);
  }
  auto choice = TRY(runtime::chooseDefaultRuntime(runtime::detectCgroupLayout()));
  std::string path = TRY(runtime::findRuntime(choice.name));
  return std::make_pair(choice.name, path);
}

bool validName(const std::string& n) {
  if (n.empty() || !isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'; });
}

// The spec's namespace of each kind a pod can share (podman's --share names).
std::vector<std::pair<std::string, api::Namespace*>> podNamespaces(api::SpecGenerator& s) {
  return {{"net", &s.netns}, {"ipc", &s.ipcns}, {"uts", &s.utsns}, {"pid", &s.pidns}, {"cgroup", &s.cgroupns},
          {"user", &s.userns}};
}

LocalPodService& podService(Engine& e) { return static_cast<LocalPodService&>(e.pods()); }

}  // namespace

api::SpecGenerator storedSpec(const Json& config) {
  api::SpecGenerator s;
  auto it = config.find("spec");
  if (it == config.end() || !it->is_object()) return s;
  const Json& doc = *it;
  if (!doc.contains("rlimits") && api::decodeSpecGeneratorInto(doc, s).ok()) return s;
  // Key by key, so one bad or renamed key costs only itself.
  s = api::SpecGenerator{};
  for (auto kv = doc.begin(); kv != doc.end(); ++kv) {
    std::string key = kv.key() == "rlimits" && !doc.contains("r_limits") ? "r_limits" : kv.key();
    Json one = Json::object();
    one[key] = kv.value();
    if (auto st = api::decodeSpecGeneratorInto(one, s); !st.ok())
      LOG_WARN("stored container spec: ignoring {}", st.error().what());
  }
  return s;
}

Status LocalContainerService::completeNamespaces(api::SpecGenerator& spec) {
  using api::NamespaceMode;
  // podman's SetupUserNS: keep-id and nomap map the invoking user, which only rootless has.
  if (::geteuid() == 0) {
    if (spec.userns.is(NamespaceMode::kKeepId))
      return makeError(Code::kInvalidArgument, "keep-id is only supported in rootless mode");
    if (spec.userns.is(NamespaceMode::kNoMap))
      return makeError(Code::kInvalidArgument, "nomap is only supported in rootless mode");
  }
  // container:NAME is recorded by ID, so the donor's later renames do not matter.
  for (auto [ns, what] : {std::pair{&spec.ipcns, "ipc"}, {&spec.pidns, "pid"}, {&spec.utsns, "uts"},
                          {&spec.userns, "user"}, {&spec.cgroupns, "cgroup"}}) {
    if (!ns->is(NamespaceMode::kContainer)) continue;
    auto found = state::findContainer(e_.db(), ns->value);
    if (!found.ok())
      return std::move(found).error().context(fmt::format("looking up container to share {} namespace with", what));
    ns->value = found->id;
    if (ns == &spec.ipcns) {
      // podman's NoShmShare: a private IPC namespace is not for joining.
      auto donor = TRY(state::getContainer(e_.db(), found->id));
      if (donor && storedSpec(donor->config).ipcns.is(NamespaceMode::kPrivate))
        return makeError(Code::kInvalidArgument,
                         "joining IPC of container {} is not allowed: non-shareable IPC (hint: use IpcMode:shareable "
                         "for the donor container)",
                         found->id);
    }
  }
  return {};
}

namespace {

// The image config's Healthcheck (Docker schema2; types checked by parseImageConfig, read
// again here through the checked accessors): nullopt when absent or without a Test. A
// negative duration or retry count, or a Test not starting CMD, CMD-SHELL or NONE, is
// kInvalidArgument naming the field.
Result<std::optional<api::Schema2HealthConfig>> imageHealthcheck(const Json& config) {
  auto it = config.find("Healthcheck");
  if (it == config.end() || it->is_null()) return std::optional<api::Schema2HealthConfig>();
  const std::string where = "config.Healthcheck";
  TRY(json::checkObject(*it, where));
  api::Schema2HealthConfig h;
  h.test = TRY(json::optStrings(*it, "Test", where));
  if (h.test.empty()) return std::optional<api::Schema2HealthConfig>();
  if (h.test[0] != "CMD" && h.test[0] != "CMD-SHELL" && h.test[0] != "NONE")
    return makeError(Code::kInvalidArgument, "{}.Test: the first element must be CMD, CMD-SHELL or NONE, not {:?}",
                     where, h.test[0]);
  if (h.test[0] != "NONE" && h.test.size() < 2)
    return makeError(Code::kInvalidArgument, "{}.Test: {} needs a command", where, h.test[0]);
  for (auto [key, out] : {std::pair{"Interval", &h.interval}, {"Timeout", &h.timeout},
                          {"StartPeriod", &h.start_period}, {"StartInterval", &h.start_interval}}) {
    int64_t v = TRY(json::optInt(*it, key, where));
    if (v < 0) return makeError(Code::kInvalidArgument, "{}.{}: must not be negative, got {}", where, key, v);
    *out = std::chrono::nanoseconds(v);
  }
  h.retries = TRY(json::optInt(*it, "Retries", where));
  if (h.retries < 0)
    return makeError(Code::kInvalidArgument, "{}.Retries: must not be negative, got {}", where, h.retries);
  return std::optional<api::Schema2HealthConfig>(std::move(h));
}

}  // namespace

Result<api::ContainerCreateReport> LocalContainerService::create(const api::ContainerCreateRequest& req) {
  api::SpecGenerator spec = req.spec;
  // A pod member joins the namespaces its pod shares ("pod" mode, checked by validateSpec
  // as podman does), held by the pod's infra container.
  std::optional<state::PodRecord> pod;
  std::string pod_infra;
  if (!spec.pod.empty()) {
    pod = TRY(podService(e_).find(spec.pod));
    if (!req.pod_infra && pod->state.contains("creating"))
      return makeError(Code::kFailedPrecondition, "pod {} is still being created", pod->name);
    spec.pod = pod->id;
    pod_infra = pod->config.value("infra_id", std::string());
    if (!req.pod_infra && !pod_infra.empty()) {
      std::vector<std::string> shared = pod->config.value("shared", std::vector<std::string>{});
      for (auto& [kind, ns] : podNamespaces(spec))
        if (ns->isDefault() && std::find(shared.begin(), shared.end(), kind) != shared.end())
          ns->nsmode = api::NamespaceMode::kPod;
    }
  }
  TRY(specgen::validateSpec(spec));
  // --requires: stored as IDs, started before this container, and kept from removal.
  for (auto& dep : spec.dependency_containers) dep = TRY(state::findContainer(e_.db(), dep)).id;
  if (spec.netns.is(api::NamespaceMode::kSlirp4netns)) TRY(slirpOptions(spec));
  for (auto& [kind, ns] : podNamespaces(spec))
    if (ns->is(api::NamespaceMode::kPod)) {
      if (pod_infra.empty() || req.pod_infra)
        return makeError(Code::kInvalidArgument, "cannot join the {} namespace of pod {}: {}", kind,
                         pod ? pod->name : spec.pod, pod ? "the pod has no infra container" : "no pod given (--pod)");
      *ns = api::Namespace{api::NamespaceMode::kContainer, pod_infra};
    }
  // An image, or with --rootfs a directory of the host: no image, no layers, no image config.
  state::ImageRecord img;
  std::string image_name;
  image::ImageConfig image_cfg;
  if (spec.image.empty() && !spec.rootfs.empty()) {
    if (spec.rootfs[0] != '/' || !fs::isDir(spec.rootfs))
      return makeError(Code::kInvalidArgument, "rootfs {:?}: not an absolute path to a directory", spec.rootfs);
    if (spec.rootfs_overlay.value_or(false) && spec.rootfs.find_first_of(",:") != std::string::npos)
      return makeError(Code::kInvalidArgument, "rootfs {:?}: an overlay (:O) cannot take a path with ',' or ':'",
                       spec.rootfs);
  } else {
    std::string image_ref = spec.image;
    if (image_ref.empty()) return makeError(Code::kInvalidArgument, "no image specified: an image is required");
    auto all_images = TRY(state::listImages(e_.db()));
    auto resolved = lookupImage(all_images, image_ref);
    if (!resolved.ok()) {
      if (resolved.error().code() == Code::kNotFound)
        return makeError(Code::kNotFound, "{}: image not known", image_ref);
      return std::move(resolved).error();
    }
    img = resolved->rec;
    image_name = resolved->matched_name.empty() ? img.id : resolved->matched_name;
    std::string cfg_raw = TRY(e_.content().readAll("sha256:" + img.id));
    image_cfg = TRY_CTX(image::parseImageConfig(cfg_raw), "image config sha256:{}", img.id);
  }
  const Json& image_config = image_cfg.config;
  if (spec.seccomp_policy == "image" && !image_cfg.labels.count(std::string(kSeccompImageLabel)))
    return makeError(Code::kInvalidArgument, "no seccomp policy defined by image");

  std::string name = spec.name;
  if (!name.empty() && !validName(name))
    return makeError(Code::kInvalidArgument,
                     "container name {:?} is invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  if (name.empty()) {
    for (int i = 0; i < 20 && name.empty(); ++i) {
      std::string n = randomName();
      if (!TRY(exists(n))) name = n;
    }
  }
  if (req.replace) {
    auto old = state::findContainer(e_.db(), name);
    if (old.ok() && old->name == name) {
      api::ContainerRemoveRequest rm;
      rm.names = {old->id};
      rm.force = true;
      auto res = TRY(remove(rm));
      for (auto& r : res)
        if (r.error) return *r.error;
    }
  }
  auto [rt_name, rt_path] =
      TRY(chooseRuntime(spec.oci_runtime.empty() ? e_.options().runtime : spec.oci_runtime));
  auto command = TRY(specgen::makeCommand(spec, image_config));
  if (command.empty())
    return makeError(Code::kInvalidArgument, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");

  std::vector<std::string> warnings;
  // podman's CompleteSpec warning (printed by the CLI).
  if ((spec.netns.is(api::NamespaceMode::kHost) || spec.netns.is(api::NamespaceMode::kContainer) ||
       spec.netns.is(api::NamespaceMode::kPod) || spec.netns.is(api::NamespaceMode::kNone)) &&
      !spec.portmappings.empty())
    warnings.push_back(
        "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use");
  TRY(completeNamespaces(spec));
  TRY(completeNetworkSpec(spec, image_config));
  // The image's HEALTHCHECK when the spec has none, with podman's default interval and
  // timeout; a NONE test (--no-healthcheck, --health-cmd none) disables it.
  if (!spec.healthconfig) {
    spec.healthconfig = TRY_CTX(imageHealthcheck(image_config), "image config sha256:{}", img.id);
    if (spec.healthconfig) {
      if (spec.healthconfig->interval.count() == 0) spec.healthconfig->interval = std::chrono::seconds(30);
      if (spec.healthconfig->timeout.count() == 0) spec.healthconfig->timeout = std::chrono::seconds(30);
    }
  }
  if (spec.healthconfig && (spec.healthconfig->test.empty() || spec.healthconfig->test[0] == "NONE"))
    spec.healthconfig.reset();
  Json secret_config = Json::object();
  auto secret_copies = TRY(resolveSecrets(spec, secret_config));
  TRY(addVolumesFrom(spec));
  Undo undo_volumes;
  TRY(prepareVolumes(spec, image_config, undo_volumes));
  state::ContainerRecord rec;
  rec.id = req.id.empty() ? randomId() : req.id;
  if (!req.id.empty()) {
    if (req.id.size() != 64 || req.id.find_first_not_of("0123456789abcdef") != std::string::npos)
      return makeError(Code::kInvalidArgument, "container ID {:?}: not 64 lower-case hex digits", req.id);
    if (TRY(state::getContainer(e_.db(), req.id)))
      return makeError(Code::kAlreadyExists, "ID {} is already in use by another container", req.id.substr(0, 12));
  }
  rec.name = name;
  rec.image_id = img.id;
  rec.created = nowNanos();
  spec.name = name;
  Json c;
  c["spec"] = api::encodeSpecGenerator(spec);
  c["image_name"] = image_name;
  c["image_digest"] = img.digest;
  c["image_config"] = image_config;
  // The creating process's environment as podman's create reads it: all of it with
  // --env-host, else the proxy variables unless --http-proxy=false. Kept with the record so
  // every later start (restart policy, `start` from another shell) gives the same env.
  {
    Json host_env = Json::array();
    bool env_host = spec.env_host.value_or(false), proxy = spec.http_proxy.value_or(true);
    static const std::set<std::string> kProxyVars = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
                                                     "ftp_proxy",  "FTP_PROXY",  "no_proxy",    "NO_PROXY"};
    if (env_host || proxy)
      for (char** e = environ; e && *e; ++e) {
        std::string kv = *e;
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        if (env_host || kProxyVars.count(kv.substr(0, eq))) host_env.push_back(kv);
      }
    if (!host_env.empty()) c["host_environ"] = std::move(host_env);
    // --pidfile is no part of the SpecGenerator's JSON (podman's json:"-"): kept beside it.
    if (!spec.pid_file.empty()) c["pid_file"] = spec.pid_file;
  }
  c["runtime"] = rt_name;
  c["runtime_path"] = rt_path;
  // inspect's OCIRuntime: the runtime as the user named it (podman keeps a given path).
  if (!spec.oci_runtime.empty()) c["oci_runtime"] = spec.oci_runtime;
  // Not part of the stored SpecGenerator (podman's json:"-"): the creating process's fds
  // 3..3+N-1, handed to the runtime when this process starts the container.
  if (spec.preserve_fds > 0) preserve_fds_[rec.id] = int(spec.preserve_fds);
  c["command"] = command;
  c["tty"] = spec.terminal.value_or(false);
  c["stdin"] = spec.stdin.value_or(false);
  c["remove"] = spec.remove.value_or(false);
  c["top_layer"] = img.top_layer;
  Json layers = Json::array();
  for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) layers.push_back(it->chain_id);
  c["layers_top_first"] = layers;
  std::string stop_signal = spec.stop_signal ? std::to_string(*spec.stop_signal)
                                             : (image_cfg.stop_signal.empty() ? "SIGTERM" : image_cfg.stop_signal);
  c["stop_signal"] = TRY(specgen::parseSignal(stop_signal));
  c["stop_timeout"] = spec.stop_timeout.value_or(10);
  for (auto& [k, v] : secret_config.items()) c[k] = v;
  if (req.service) c["is_service"] = true;
  rec.config = c;
  rec.state = Json{{"status", "configured"}, {"pid", 0}, {"started_at", 0}, {"finished_at", 0},
                   {"exit_code", 0}, {"restarts", 0}, {"error", ""}};
  // The record first, then its directory: a directory without a record is then always
  // garbage (see sweepOrphans), never a container being created.
  auto p = paths(rec.id);
  // The image is checked again in the transaction that records the container: an `rmi`
  // deletes the image in its own transaction only when no container uses it, so either it
  // sees this container or this sees the image gone, never a container without its layers.
  TRY(e_.db().transaction([&]() -> Status {
    if (!rec.image_id.empty() && !TRY(state::getImage(e_.db(), rec.image_id)))
      return makeError(Code::kNotFound, "image {} was removed while container {} was being created",
                       rec.image_id.substr(0, 12), rec.name);
    // Likewise a pod: `pod rm` sees this member, or this sees the pod gone.
    if (pod && !TRY(state::getPod(e_.db(), pod->id)))
      return makeError(Code::kNotFound, "pod {} was removed while container {} was being created", pod->name,
                       rec.name);
    // Likewise a volume: `volume rm` sees this container, or this sees the volume gone.
    for (auto& v : spec.volumes)
      if (!TRY(state::getVolume(e_.db(), v.name)))
        return makeError(Code::kNotFound, "volume {} was removed while container {} was being created", v.name,
                         rec.name);
    return state::insertContainer(e_.db(), rec);
  }));
  Status dirs = [&]() -> Status {
    TRY(fs::mkdirAll(p.static_dir, 0700));
    if (e_.driver() == "overlay") {
      TRY(fs::mkdirAll(p.upper, 0755));
      TRY(fs::mkdirAll(p.work, 0700));
    }
    TRY(writeSecretCopies(secret_copies, p.static_dir));
    return {};
  }();
  if (!dirs.ok()) {
    // Undo the record; a leftover directory is garbage for sweepOrphans, never a container.
    if (auto s = e_.db().transaction([&]() -> Status { return state::deleteContainer(e_.db(), rec.id); }); !s.ok())
      LOG_WARN("create {}: undo the record: {}", rec.id, s.error().what());
    else if (auto s2 = sys::removeAllOnOneMount(p.static_dir); !s2.ok())
      LOG_WARN("create {}: {}", rec.id, s2.error().what());
    return std::move(dirs).error();
  }
  undo_volumes.commit();
  emitContainerEvent(rec, "create");
  return api::ContainerCreateReport{rec.id, std::move(warnings)};
}

// --- list / inspect ---------------------------------------------------------

namespace {

api::ContainerStatus parseStatus(const std::string& s) {
  if (s == "created") return api::ContainerStatus::kCreated;
  if (s == "running") return api::ContainerStatus::kRunning;
  if (s == "paused") return api::ContainerStatus::kPaused;
  if (s == "stopped") return api::ContainerStatus::kStopped;
  if (s == "exited") return api::ContainerStatus::kExited;
  if (s == "removing") return api::ContainerStatus::kRemoving;
  if (s == "stopping") return api::ContainerStatus::kStopping;
  return api::ContainerStatus::kConfigured;
}

// The inode numbers of a process's namespaces ("net:[4026532265]" -> "4026532265");
// a namespace the kernel does not have, or a process that is gone, is left out.
std::map<std::string, std::string> namespaceInodes(int pid) {
  std::map<std::string, std::string> out;
  for (const char* ns : {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"}) {
    char buf[64];
    std::string link = fmt::format("/proc/{}/ns/{}", pid, ns);
    ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n <= 0) continue;
    std::string v(buf, size_t(n));
    auto l = v.find('['), r = v.find(']');
    if (l != std::string::npos && r != std::string::npos && r > l) out[ns] = v.substr(l + 1, r - l - 1);
  }
  return out;
}

// A container of a `build` step: berth's counterpart of buildah's working containers,
// which podman leaves out of ps -a, rm -a and the like and lists with ps --external.
bool isBuildStep(const state::ContainerRecord& r) {
  auto spec = r.config.find("spec");
  if (spec == r.config.end() || !spec->is_object()) return false;
  auto ann = spec->find("annotations");
  return ann != spec->end() && ann->is_object() && ann->contains(kBuildStepAnnotation);
}

api::ContainerSummary summarize(const state::ContainerRecord& r) {
  api::ContainerSummary s;
  s.id = r.id;
  s.names = {r.name};
  s.image = r.config.value("image_name", "");
  s.image_id = r.image_id;
  if (r.config.contains("command")) s.command = r.config["command"].get<std::vector<std::string>>();
  s.created = r.created;
  s.started_at = r.state.value("started_at", int64_t(0));
  s.exited_at = r.state.value("finished_at", int64_t(0));
  s.status = parseStatus(shownStatus(r.state));
  s.exit_code = r.state.value("exit_code", 0);
  s.exited = s.status == api::ContainerStatus::kExited || s.status == api::ContainerStatus::kStopped;
  s.pid = r.state.value("pid", 0);
  s.auto_remove = r.config.value("remove", false);
  s.restarts = r.state.value("restarts", 0);
  if (auto h = r.state.find("health"); h != r.state.end() && h->is_object())
    if (auto hs = h->find("Status"); hs != h->end() && hs->is_string()) s.health = hs->get<std::string>();
  // Listing reads only the labels (the SQL summary extracts them), not the whole spec.
  if (auto sp = r.config.find("spec"); sp != r.config.end() && sp->is_object())
    if (auto labels = sp->find("labels"); labels != sp->end() && labels->is_object())
      for (auto& [k, v] : labels->items())
        if (v.is_string()) s.labels[k] = v.get<std::string>();
  if (auto sp = r.config.find("spec"); sp != r.config.end() && sp->is_object()) {
    if (auto pm = sp->find("portmappings"); pm != sp->end() && pm->is_array())
      for (auto& m : *pm) {
        if (!m.is_object()) continue;
        api::PortMapping p;
        p.host_ip = m.value("host_ip", "");
        p.container_port = m.value("container_port", uint16_t(0));
        p.host_port = m.value("host_port", uint16_t(0));
        p.range = m.value("range", uint16_t(1));
        p.protocol = m.value("protocol", "tcp");
        s.ports.push_back(p);
      }
    if (auto nets = sp->find("Networks"); nets != sp->end() && nets->is_object())
      for (auto& [k, v] : nets->items()) s.networks.push_back(k);
    if (auto pod = sp->find("pod"); pod != sp->end() && pod->is_string()) s.pod = pod->get<std::string>();
  }
  return s;
}

}  // namespace

Result<std::vector<api::ContainerSummary>> LocalContainerService::list(const api::ContainerListRequest& req) {
  LOG_PHASE("list containers");
  std::optional<log::PhaseTimer> phase_db(std::in_place, "list: read the records");
  auto rows = TRY(summaries_.get(e_.db()));
  const std::vector<state::ContainerRecord>& all = *rows;
  phase_db.reset();
  std::vector<api::ContainerSummary> out;
  // Filters: key=value, AND across keys, OR within a key except label (every label given
  // must match, as podman's MatchLabelFilters: compose selects by project AND service).
  std::map<std::string, std::vector<std::string>> filters;
  static const std::set<std::string> kKeys = {"id", "name", "label", "status", "exited", "ancestor",
                                              "before", "since", "restart-policy", "pod", "volume", "network", "health"};
  for (auto& f : req.filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return makeError(Code::kInvalidArgument, "invalid filter {:?}: want KEY=VALUE", f);
    std::string k = f.substr(0, eq);
    if (!kKeys.count(k)) return makeError(Code::kInvalidArgument, "invalid filter {:?}: unknown key {:?}", f, k);
    filters[k].push_back(f.substr(eq + 1));
  }
  static const std::set<std::string> kStatuses = {"created", "running", "paused", "exited", "unknown",
                                                  "stopped", "configured", "removing"};
  if (auto it = filters.find("status"); it != filters.end())
    for (auto& st : it->second)
      if (!kStatuses.count(st)) return makeError(Code::kInvalidArgument, "{:?} is not a valid status", st);
  // restart-policy values as podman's RestartPolicyMap: "none" is no policy given.
  if (auto it = filters.find("restart-policy"); it != filters.end())
    for (auto& v : it->second) {
      static const std::map<std::string, std::string> kPolicies = {
          {"none", ""}, {"no", "no"}, {"on-failure", "on-failure"}, {"always", "always"},
          {"unless-stopped", "unless-stopped"}};
      auto p = kPolicies.find(v);
      if (p == kPolicies.end()) return makeError(Code::kInvalidArgument, "{} invalid restart policy", v);
      v = p->second;
    }
  std::map<std::string, int64_t> ref_created;
  for (auto* key : {"before", "since"})
    if (auto it = filters.find(key); it != filters.end())
      for (auto& v : it->second) ref_created[v] = TRY(state::findContainer(e_.db(), v)).created;
  // The images only matter to the ancestor filter.
  std::vector<state::ImageRecord> all_images;
  if (filters.count("ancestor")) {
    log::PhaseTimer phase_images("list: read the images");
    all_images = TRY(state::listImages(e_.db()));
  }
  out.reserve(all.size());

  auto idMatches = [](const state::ContainerRecord& r, const std::string& v) { return r.id.rfind(v, 0) == 0; };
  auto nameMatches = [](const state::ContainerRecord& r, const std::string& v) {
    return r.name == v || r.name.find(v) != std::string::npos;
  };
  // The ID and the name never change in a sync: a container they exclude is not synced.
  auto excludedBy = [&](const char* key, const state::ContainerRecord& r, auto matches) {
    auto f = filters.find(key);
    return f != filters.end() &&
           std::none_of(f->second.begin(), f->second.end(), [&](const std::string& v) { return matches(r, v); });
  };
  // The containers with a run directory, listed once: a record without one has no monitor.pid
  // to look for below (a container never started has none), which spares a thousand stats.
  std::unordered_set<std::string> run_dirs;
  bool run_dirs_known = false;
  if (auto names = fs::listDir(e_.options().runroot + "/containers"); names.ok()) {
    run_dirs.insert(names->begin(), names->end());
    run_dirs_known = true;
  } else if (names.error().code() == Code::kNotFound) {
    run_dirs_known = true;
  }
  for (auto& r0 : all) {
    if (excludedBy("id", r0, idMatches) || excludedBy("name", r0, nameMatches)) continue;
    if (isBuildStep(r0)) {
      if (req.external) {
        api::ContainerSummary s = summarize(r0);
        s.status = api::ContainerStatus::kStorage;
        s.command = {"buildah"};
        out.push_back(std::move(s));
      }
      continue;
    }
    // Only containers that may have changed behind our back (a process that
    // could have exited) need the lock and a sync; the rest are read as listed.
    std::string st0 = r0.state.value("status", "configured");
    std::optional<state::ContainerRecord> synced;
    if (st0 == "running" || st0 == "paused" || st0 == "created" ||
        ((!run_dirs_known || run_dirs.count(r0.id)) &&
         fs::exists(e_.options().runroot + "/containers/" + r0.id + "/monitor.pid"))) {  // paths().monitor_pid_file
      auto l = loadSynced(r0.id);
      if (!l.ok()) {
        if (l.error().code() == Code::kNotFound) continue;  // removed meanwhile (e.g. --rm)
        return std::move(l).error();
      }
      synced = std::move(*l);
    }
    const state::ContainerRecord& r = synced ? *synced : r0;
    api::ContainerSummary s = summarize(r);
    std::string status(api_statusName(s.status));
    bool running = s.status == api::ContainerStatus::kRunning || s.status == api::ContainerStatus::kPaused ||
                   s.status == api::ContainerStatus::kStopping;
    // As podman (and docker): a status filter looks at every container, other filters at the running ones.
    if (!req.all && !running && !filters.count("status") && !req.latest && req.last < 0) continue;
    bool ok = true;
    for (auto& [k, vals] : filters) {
      if (k == "label") {
        ok &= matchLabels(vals, s.labels);
        continue;
      }
      bool any = false;
      for (auto& v : vals) {
        if (k == "id") any |= idMatches(r, v);
        else if (k == "name") any |= nameMatches(r, v); else if (k == "status") any |= status == v || (v == "stopped" && status == "exited");
        else if (k == "exited") any |= s.exited && std::to_string(s.exit_code) == v;
        else if (k == "ancestor") {
          auto m = lookupImage(all_images, v);
          any |= (m.ok() && m->rec.id == r.image_id) || s.image == v || r.image_id.rfind(v, 0) == 0;
        } else if (k == "before") any |= r.created < ref_created[v];
        else if (k == "since") any |= r.created > ref_created[v];
        else if (k == "restart-policy") any |= storedSpec(r.config).restart_policy == v;
        else if (k == "health") any |= v == "none" ? s.health.empty() : s.health == v;
        else if (k == "pod") {
          if (s.pod.empty()) continue;
          if (s.pod.rfind(v, 0) == 0) any = true;
          else if (auto p = state::getPod(e_.db(), s.pod); p.ok() && *p && (*p)->name == v) any = true;
        }
      }
      ok &= any;
    }
    if (!ok) continue;
    if (req.size) {
      auto p = paths(r.id);
      s.size_rw = int64_t(fs::dirSize(p.upper));
      auto img = state::getImage(e_.db(), r.image_id);
      s.size_root_fs = s.size_rw + ((img.ok() && *img) ? (*img)->size : 0);
    }
    if (req.namespaces && s.pid > 0) s.namespaces = namespaceInodes(s.pid);
    if (!s.pod.empty())
      if (auto p = state::getPod(e_.db(), s.pod); p.ok() && *p) {
        s.pod_name = (*p)->name;
        auto infra = (*p)->config.find("infra_id");
        s.is_infra = infra != (*p)->config.end() && infra->is_string() && *infra == r.id;
      }
    out.push_back(std::move(s));
  }
  if (req.latest && !out.empty()) out = {out.back()};
  if (req.last >= 0 && int(out.size()) > req.last) out.erase(out.begin(), out.end() - req.last);
  if (req.external)
    for (auto& s : TRY(foreignSummaries())) out.push_back(std::move(s));
  return out;
}

std::string_view api_statusName(api::ContainerStatus s) { return api::statusName(s); }

namespace {
// go-units HumanSize: 4 significant digits, decimal units ("1.234MB", "0B").
std::string humanSize(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double v = double(bytes < 0 ? 0 : bytes);
  size_t i = 0;
  while (v >= 1000 && i + 1 < std::size(kUnits)) {
    v /= 1000;
    ++i;
  }
  return fmt::format("{:.4g}{}", v, kUnits[i]);
}

std::string goTime(int64_t ns) {
  return ns == 0 ? std::string("0001-01-01T00:00:00Z") : formatRfc3339Nano(ns);
}
}  // namespace


namespace {

// podman's HostConfig resource fields, from the spec's limits (podman's defaults when unset).
void addResourceFields(Json& hc, const api::SpecGenerator& spec) {
  const auto& r = spec.resource_limits;
  const api::LinuxCPU cpu = r && r->cpu ? *r->cpu : api::LinuxCPU{};
  const api::LinuxMemory mem = r && r->memory ? *r->memory : api::LinuxMemory{};
  auto devices = [](const auto& m, const char* value_key, auto value) {
    Json a = Json::array();
    for (const auto& [path, v] : m) a.push_back({{"Path", path}, {value_key, value(v)}});
    return a;
  };
  auto rate = [](const api::LinuxThrottleDevice& v) { return v.rate; };
  hc["BlkioWeight"] = r && r->block_io && r->block_io->weight ? *r->block_io->weight : 0;
  hc["BlkioWeightDevice"] =
      devices(spec.weight_device, "Weight", [](const api::LinuxWeightDevice& v) { return v.weight.value_or(0); });
  hc["BlkioDeviceReadBps"] = devices(spec.throttle_read_bps_device, "Rate", rate);
  hc["BlkioDeviceWriteBps"] = devices(spec.throttle_write_bps_device, "Rate", rate);
  hc["BlkioDeviceReadIOps"] = devices(spec.throttle_read_iops_device, "Rate", rate);
  hc["BlkioDeviceWriteIOps"] = devices(spec.throttle_write_iops_device, "Rate", rate);
  uint64_t period = cpu.period.value_or(spec.cpu_period);
  int64_t quota = cpu.quota.value_or(spec.cpu_quota);
  hc["CpuPeriod"] = period;
  hc["CpuQuota"] = quota;
  hc["CpuRealtimePeriod"] = cpu.realtime_period.value_or(0);
  hc["CpuRealtimeRuntime"] = cpu.realtime_runtime.value_or(0);
  hc["CpuShares"] = cpu.shares.value_or(0);
  hc["CpusetCpus"] = cpu.cpus;
  hc["CpusetMems"] = cpu.mems;
  hc["NanoCpus"] = period > 0 && quota > 0 ? int64_t(double(quota) / double(period) * 1e9) : int64_t(0);
  hc["Memory"] = mem.limit.value_or(0);
  hc["MemoryReservation"] = mem.reservation.value_or(0);
  hc["MemorySwap"] = mem.swap.value_or(0);
  hc["MemorySwappiness"] = mem.swappiness ? int64_t(*mem.swappiness) : int64_t(-1);
  hc["OomKillDisable"] = mem.disable_oom_killer.value_or(false);
  int64_t pids = r && r->pids && r->pids->limit && *r->pids->limit != 0 ? *r->pids->limit : 2048;
  hc["PidsLimit"] = pids < 0 ? 0 : pids;
}

}  // namespace

Result<Json> LocalContainerService::inspect(const std::string& name, bool size) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto r = TRY(loadSynced(found.id));
  auto p = paths(r.id);
  const api::SpecGenerator spec = storedSpec(r.config);
  const Json& st = r.state;
  std::string status = st.value("status", "configured");
  std::vector<std::string> cmd = r.config.value("command", std::vector<std::string>{});
  Json j;
  j["Id"] = r.id;
  j["Created"] = formatRfc3339Nano(r.created);
  j["Path"] = cmd.empty() ? "" : cmd[0];
  j["Args"] = cmd.size() > 1 ? Json(std::vector<std::string>(cmd.begin() + 1, cmd.end())) : Json::array();
  j["State"] = {{"OciVersion", "1.0.2-dev"},
                {"Status", status == "configured" ? "created" : shownStatus(st)},
                {"Running", status == "running"},
                {"Paused", status == "paused"},
                {"Restarting", false},
                {"OOMKilled", st.value("oom_killed", false)},
                {"Dead", false},
                {"Pid", status == "running" || status == "paused" ? st.value("pid", 0) : 0},
                {"ConmonPid", status == "running" || status == "paused" ? st.value("monitor_pid", 0) : 0},
                {"ExitCode", st.value("exit_code", 0)},
                {"Error", st.value("error", "")},
                {"StartedAt", goTime(st.value("started_at", int64_t(0)))},
                {"FinishedAt", goTime(st.value("finished_at", int64_t(0)))},
                {"Health", st.contains("health") && st["health"].is_object()
                               ? st["health"]
                               : Json{{"Status", ""}, {"FailingStreak", 0}, {"Log", nullptr}}},
                {"Checkpointed", st.value("checkpointed", false)},
                {"CheckpointedAt", goTime(st.value("checkpointed_at", int64_t(0)))},
                {"Restored", st.value("restored", false)},
                {"RestoredAt", goTime(st.value("restored_at", int64_t(0)))}};
  if (st.value("checkpointed", false) || st.value("restored", false)) {
    j["State"]["CheckpointPath"] = p.static_dir + "/checkpoint";
    j["State"]["CheckpointLog"] = p.static_dir + "/dump.log";
  }
  if (st.value("restored", false)) j["State"]["RestoreLog"] = p.static_dir + "/restore.log";
  j["Image"] = r.image_id;
  j["ImageDigest"] = r.config.value("image_digest", "");
  j["ImageName"] = r.config.value("image_name", "");
  j["Rootfs"] = "";
  j["Pod"] = "";
  j["ResolvConfPath"] = p.run_dir + "/resolv.conf";
  j["HostnamePath"] = p.run_dir + "/hostname";
  j["HostsPath"] = p.run_dir + "/hosts";
  j["StaticDir"] = p.static_dir;
  j["OCIConfigPath"] = p.config_json;
  j["OCIRuntime"] = r.config.value("oci_runtime", r.config.value("runtime", ""));
  j["ConmonPidFile"] = spec.conmon_pid_file.empty() ? p.monitor_pid_file : spec.conmon_pid_file;
  j["PidFile"] = r.config.contains("pid_file") && r.config["pid_file"].is_string()
                     ? r.config["pid_file"].get<std::string>()
                     : p.pid_file;
  j["Name"] = r.name;
  j["RestartCount"] = st.value("restarts", 0);
  j["Driver"] = e_.driver();
  j["MountLabel"] = "";
  j["ProcessLabel"] = "";
  j["AppArmorProfile"] = "";
  Json caps = Json::array();
  if (auto cfg = fs::readFile(p.config_json); cfg.ok()) {
    Json oci = Json::parse(*cfg, nullptr, false);
    if (oci.is_object() && oci.contains("process") && oci["process"].contains("capabilities"))
      caps = oci["process"]["capabilities"].value("effective", Json::array());
  }
  j["EffectiveCaps"] = caps;
  j["BoundingCaps"] = caps;
  j["ExecIDs"] = Json::array();
  Json gd = Json::object();
  if (e_.driver() == "overlay") {
    gd["MergedDir"] = p.merged;
    gd["UpperDir"] = p.upper;
    gd["WorkDir"] = p.work;
  }
  j["GraphDriver"] = {{"Name", e_.driver()}, {"Data", gd}};
  Json binds;
  j["Mounts"] = inspectMounts(spec, binds);
  j["Dependencies"] = Json::array();
  std::string netmode = spec.netns.isDefault() ? "bridge" : std::string(api::namespaceModeName(spec.netns.nsmode));
  if (spec.netns.is(api::NamespaceMode::kContainer)) netmode = "container:" + spec.netns.value;
  if (spec.netns.is(api::NamespaceMode::kPath)) netmode = "ns:" + spec.netns.value;
  j["NetworkSettings"] = networkSettings(r, spec);
  Json port_bindings = Json::object();
  for (auto& [k, v] : j["NetworkSettings"]["Ports"].items())
    if (v.is_array()) port_bindings[k] = v;
  j["Namespace"] = "";
  bool infra = false;
  if (!spec.pod.empty())
    if (auto pod = state::getPod(e_.db(), spec.pod); pod.ok() && *pod)
      infra = (**pod).config.value("infra_id", std::string()) == r.id;
  j["IsInfra"] = infra;
  j["IsService"] = r.config.value("is_service", false);
  const Json& ic = r.config["image_config"];
  Json env = Json::array();
  if (auto cfg = fs::readFile(p.config_json); cfg.ok()) {
    Json oci = Json::parse(*cfg, nullptr, false);
    if (oci.is_object() && oci.contains("process")) env = oci["process"].value("env", Json::array());
  } else {
    // Not initialized yet (created, or exited and cleaned up): the environment it will get.
    std::vector<std::string> image_env, host_env;
    if (ic.is_object() && ic.contains("Env") && ic["Env"].is_array())
      for (auto& e : ic["Env"])
        if (e.is_string()) image_env.push_back(e.get<std::string>());
    if (r.config.contains("host_environ") && r.config["host_environ"].is_array())
      for (auto& e : r.config["host_environ"])
        if (e.is_string()) host_env.push_back(e.get<std::string>());
    env = specgen::processEnvPreview(spec, image_env, host_env);
  }
  Json labels = spec.labels.empty() ? Json(nullptr) : Json(spec.labels);
  auto strings = [](const std::vector<std::string>& v) {
    Json a = Json::array();
    for (const auto& s : v) a.push_back(s);
    return a;
  };
  j["Config"] = {{"Hostname", spec.hostname.empty() ? r.id.substr(0, 12) : spec.hostname},
                 {"Domainname", ""},
                 {"User", spec.user.empty() ? json::optString(ic, "User", "").valueOr("") : spec.user},
                 {"AttachStdin", false},
                 {"AttachStdout", false},
                 {"AttachStderr", false},
                 {"Tty", r.config.value("tty", false)},
                 {"OpenStdin", r.config.value("stdin", false)},
                 {"StdinOnce", false},
                 {"Env", env},
                 {"Cmd", !spec.command.empty() ? strings(spec.command) : ic.value("Cmd", Json(nullptr))},
                 {"Image", r.config.value("image_name", "")},
                 {"Volumes", nullptr},
                 {"WorkingDir", !spec.work_dir.empty() ? spec.work_dir : json::optString(ic, "WorkingDir", "", "/").valueOr("/")},
                 {"Entrypoint", !spec.entrypoint.empty() ? strings(spec.entrypoint) : ic.value("Entrypoint", Json(""))},
                 {"OnBuild", nullptr},
                 {"Labels", labels},
                 {"Annotations", Json(spec.annotations)},
                 {"StopSignal", r.config.value("stop_signal", 15)},
                 {"CreateCommand", strings(spec.container_create_command)},
                 {"Umask", spec.umask.empty() ? "0022" : spec.umask},
                 {"Timeout", 0},
                 {"StopTimeout", r.config.value("stop_timeout", 10)}};
  if (j["Config"]["WorkingDir"] == "") j["Config"]["WorkingDir"] = "/";
  if (spec.healthconfig) {
    // manifest.Schema2HealthConfig with Go's omitempty.
    const auto& h = *spec.healthconfig;
    Json hc = {{"Test", h.test}};
    if (h.start_period.count()) hc["StartPeriod"] = int64_t(h.start_period.count());
    if (h.interval.count()) hc["Interval"] = int64_t(h.interval.count());
    if (h.timeout.count()) hc["Timeout"] = int64_t(h.timeout.count());
    if (h.retries) hc["Retries"] = h.retries;
    j["Config"]["Healthcheck"] = hc;
  }
  j["Config"]["HealthcheckOnFailureAction"] = std::string(api::healthOnFailureName(spec.health_check_on_failure_action));
  if (auto sec = r.config.find("secrets"); sec != r.config.end() && sec->is_array() && !sec->empty()) {
    // podman's InspectSecret: the mount secrets only, never their data.
    Json arr = Json::array();
    for (auto& m : *sec)
      if (m.is_object())
        arr.push_back({{"Name", m.value("Name", "")}, {"ID", m.value("ID", "")}, {"UID", m.value("UID", 0u)},
                       {"GID", m.value("GID", 0u)}, {"Mode", m.value("Mode", 0444u)}});
    j["Config"]["Secrets"] = arr;
  }
  std::string log_driver = spec.log_configuration && !spec.log_configuration->driver.empty()
                               ? spec.log_configuration->driver
                               : "k8s-file";
  j["HostConfig"] = {{"Binds", binds},
                     {"CgroupManager", "cgroupfs"},
                     {"CgroupMode", "private"},
                     {"ContainerIDFile", ""},
                     {"LogConfig", {{"Type", log_driver},
                                    // podman has no log file for these drivers
                                    {"Config", nullptr}, {"Path", log_driver == "none" || log_driver == "journald" ? "" : p.log}, {"Tag", ""},
                                    {"Size", humanSize(spec.log_configuration ? spec.log_configuration->size : 0)}}},
                     {"NetworkMode", netmode},
                     {"PortBindings", port_bindings},
                     {"RestartPolicy", {{"Name", spec.restart_policy},
                                        {"MaximumRetryCount", spec.restart_tries.value_or(0)}}},
                     {"AutoRemove", r.config.value("remove", false)},
                     {"CapAdd", strings(spec.cap_add)},
                     {"CapDrop", strings(spec.cap_drop)},
                     {"Privileged", spec.privileged.value_or(false)},
                     {"ReadonlyRootfs", spec.read_only_filesystem.value_or(false)},
                     {"Runtime", "oci"},
                     {"ShmSize", spec.shm_size.value_or(int64_t(65536000))}};
  addResourceFields(j["HostConfig"], spec);
  if (size) {
    j["SizeRw"] = int64_t(fs::dirSize(p.upper));
    auto img = state::getImage(e_.db(), r.image_id);
    j["SizeRootFs"] = j["SizeRw"].get<int64_t>() + ((img.ok() && *img) ? (*img)->size : 0);
  }
  return j;
}

// --- rename / prune / remove --------------------------------------------------

Status LocalContainerService::rename(const std::string& name, const std::string& new_name) {
  if (!validName(new_name))
    return makeError(Code::kInvalidArgument, "container name {:?} is invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", new_name);
  auto rec = TRY(state::findContainer(e_.db(), name));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, rec.id));
  TRY(e_.db().transaction([&]() -> Status { return state::renameContainer(e_.db(), rec.id, new_name); }));
  rec.name = new_name;
  emitContainerEvent(rec, "rename");
  return {};
}

namespace {

template <typename T>
void takeIfSet(std::optional<T>& into, const std::optional<T>& from) {
  if (from) into = from;
}

// `patch`'s resource settings over `spec`'s: what the patch leaves unset stays.
void mergeResources(api::SpecGenerator& spec, const api::SpecGenerator& patch) {
  if (patch.resource_limits) {
    const auto& p = *patch.resource_limits;
    auto& r = spec.resource_limits ? *spec.resource_limits : spec.resource_limits.emplace();
    if (p.cpu) {
      auto& c = r.cpu ? *r.cpu : r.cpu.emplace();
      takeIfSet(c.shares, p.cpu->shares);
      takeIfSet(c.quota, p.cpu->quota);
      takeIfSet(c.period, p.cpu->period);
      takeIfSet(c.realtime_runtime, p.cpu->realtime_runtime);
      takeIfSet(c.realtime_period, p.cpu->realtime_period);
      if (!p.cpu->cpus.empty()) c.cpus = p.cpu->cpus;
      if (!p.cpu->mems.empty()) c.mems = p.cpu->mems;
    }
    if (p.memory) {
      auto& m = r.memory ? *r.memory : r.memory.emplace();
      takeIfSet(m.limit, p.memory->limit);
      takeIfSet(m.reservation, p.memory->reservation);
      takeIfSet(m.swap, p.memory->swap);
      takeIfSet(m.swappiness, p.memory->swappiness);
      takeIfSet(m.disable_oom_killer, p.memory->disable_oom_killer);
    }
    if (p.pids) r.pids = p.pids;
    if (p.block_io) {
      auto& b = r.block_io ? *r.block_io : r.block_io.emplace();
      takeIfSet(b.weight, p.block_io->weight);
      takeIfSet(b.leaf_weight, p.block_io->leaf_weight);
    }
  }
  for (auto& [k, v] : patch.weight_device) spec.weight_device[k] = v;
  for (auto& [k, v] : patch.throttle_read_bps_device) spec.throttle_read_bps_device[k] = v;
  for (auto& [k, v] : patch.throttle_write_bps_device) spec.throttle_write_bps_device[k] = v;
  for (auto& [k, v] : patch.throttle_read_iops_device) spec.throttle_read_iops_device[k] = v;
  for (auto& [k, v] : patch.throttle_write_iops_device) spec.throttle_write_iops_device[k] = v;
}

}  // namespace

Result<std::string> LocalContainerService::update(const std::string& name, const api::SpecGenerator& patch) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto lock = TRY(ContainerLock::take(e_.options().runroot, found.id));
  auto cur = TRY(state::getContainer(e_.db(), found.id));
  if (!cur) return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name);
  TRY(syncLocked(*cur));
  api::SpecGenerator spec = storedSpec(cur->config);
  mergeResources(spec, patch);
  TRY_CTX(specgen::validateSpec(spec), "update of container {}", cur->name);
  // Resolved now (device paths to numbers) so a bad device fails before anything changes.
  Json resources = TRY_CTX(specgen::resourcesForUpdate(spec), "update of container {}", cur->name);
  std::string status = cur->state.value("status", "configured");
  if (status == "running" || status == "paused") {
    auto p = paths(cur->id);
    std::string file = p.run_dir + "/update-resources.json";
    TRY(fs::writeFileReplace(file, resources.dump()));
    auto rt = TRY(runtimeFor(*cur));
    Status st = rt.update(cur->id, file);
    ::unlink(file.c_str());
    TRY_CTX(std::move(st), "update of container {}", cur->name);
  }
  cur->config["spec"] = api::encodeSpecGenerator(spec);
  TRY(e_.db().transaction([&]() -> Status { return state::updateContainerConfig(e_.db(), cur->id, cur->config); }));
  emitContainerEvent(*cur, "update");
  return cur->id;
}

Result<std::vector<state::ContainerRecord>> LocalContainerService::select(
    const std::vector<std::string>& names, bool all, std::vector<api::NameResult>& results) {
  std::vector<state::ContainerRecord> out;
  if (all) {
    out = TRY(state::listContainers(e_.db()));
    std::erase_if(out, [](const state::ContainerRecord& r) { return isBuildStep(r); });
    for (auto& r : out) results.push_back(api::NameResult{r.id, r.id, std::nullopt});
    return out;
  }
  for (auto& n : names) {
    auto r = state::findContainer(e_.db(), n);
    if (!r.ok()) {
      results.push_back(api::NameResult{n, "", std::move(r).error()});
      out.push_back(state::ContainerRecord{});
      continue;
    }
    results.push_back(api::NameResult{n, r->id, std::nullopt});
    out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<std::string>> LocalContainerService::dependents(const std::string& id) {
  auto self = TRY(state::getContainer(e_.db(), id));
  std::string name = self ? self->name : std::string();
  std::vector<std::string> out;
  for (auto& r : TRY(state::listPossibleDependents(e_.db(), id))) {
    auto sp = storedSpec(r.config);
    bool depends = std::find(sp.dependency_containers.begin(), sp.dependency_containers.end(), id) !=
                   sp.dependency_containers.end();
    for (const api::Namespace* ns : {&sp.netns, &sp.ipcns, &sp.pidns, &sp.utsns, &sp.cgroupns, &sp.userns})
      depends |= ns->is(api::NamespaceMode::kContainer) && !ns->value.empty() &&
                 (ns->value == name || id.rfind(ns->value, 0) == 0);
    if (depends) out.push_back(r.id);
  }
  return out;
}

Result<std::vector<api::NameResult>> LocalContainerService::remove(const api::ContainerRemoveRequest& req) {
  std::vector<api::NameResult> results;
  auto recs = TRY(select(req.names, req.all, results));
  // Dependents go before what they depend on: with --depend (all of them, transitively)
  // and with --all (the selection, reordered); otherwise a container that others
  // depend on is refused, as podman does.
  if (req.depend || req.all) {
    std::vector<state::ContainerRecord> ordered;
    std::vector<api::NameResult> ordered_results;
    std::set<std::string> placed;
    std::function<Status(const state::ContainerRecord&, const api::NameResult&)> place =
        [&](const state::ContainerRecord& r, const api::NameResult& res) -> Status {
      if (!placed.insert(r.id).second) return {};
      for (auto& dep : TRY(dependents(r.id))) {
        auto d = state::getContainer(e_.db(), dep);
        if (!d.ok() || !*d) continue;
        bool selected = std::any_of(recs.begin(), recs.end(), [&](auto& x) { return x.id == dep; });
        if (!selected && !req.depend) continue;
        TRY(place(**d, api::NameResult{dep, dep, std::nullopt}));
      }
      ordered.push_back(r);
      ordered_results.push_back(res);
      return {};
    };
    for (size_t i = 0; i < recs.size(); ++i) {
      if (results[i].error) {
        ordered.push_back(recs[i]);
        ordered_results.push_back(results[i]);
        continue;
      }
      TRY(place(recs[i], results[i]));
    }
    recs = std::move(ordered);
    results = std::move(ordered_results);
  }
  for (size_t i = 0; i < recs.size(); ++i) {
    // Not berth's: a container of another tool in containers/storage (buildah's), as podman.
    if (results[i].error && results[i].error->code() == Code::kNotFound && !req.all) {
      if (auto foreign = findForeignOrWarn(results[i].name)) {
        auto s = foreign->storage.remove(foreign->c, req.force);
        results[i].id = foreign->c.id;
        results[i].error = s.ok() ? std::nullopt : std::optional<Error>(std::move(s).error());
        continue;
      }
    }
    if (results[i].error) {
      if (req.ignore && results[i].error->code() == Code::kNotFound) results[i].error.reset();
      continue;
    }
    // A pod's infra container goes only with its pod: with --depend or --all the pod is
    // removed (podman's RemoveDepend), otherwise refused. Checked before its lock is taken:
    // removing the pod takes it again.
    if (!req.removing_pod) {
      std::string pod_id = storedSpec(recs[i].config).pod;
      auto pod = pod_id.empty() ? Result<std::optional<state::PodRecord>>(std::nullopt) : state::getPod(e_.db(), pod_id);
      if (pod.ok() && *pod && (**pod).config.value("infra_id", std::string()) == recs[i].id) {
        if (!req.depend && !req.all) {
          results[i].error = makeError(Code::kInvalidArgument,
                                       "container {} is the infra container of pod {} and cannot be removed without "
                                       "removing the pod",
                                       recs[i].id, (**pod).id);
          continue;
        }
        std::vector<std::string> removed;
        auto s = podService(e_).removePod(**pod, req.force, req.timeout, &removed);
        if (!s.ok()) {
          results[i].error = std::move(s).error();
          continue;
        }
        for (auto& id : removed) {
          bool listed = false;
          for (auto& r : results) listed |= r.id == id;
          if (!listed) results.push_back(api::NameResult{id, id, std::nullopt});
        }
        continue;
      }
    }
    // A service container goes with the last pod it serves (pod rm), or with --all/--depend,
    // which remove those pods first.
    if (recs[i].config.value("is_service", false)) {
      auto served = podService(e_).servedPods(recs[i].id);
      if (!served.ok()) {
        results[i].error = std::move(served).error();
        continue;
      }
      if (!served->empty() && !req.depend && !req.all) {
        std::vector<std::string> ids;
        for (auto& p : *served) ids.push_back(p.id);
        results[i].error = makeError(Code::kAlreadyExists,
                                     "container {} is the service container of pod(s) {} and cannot be removed without "
                                     "removing the pod(s)",
                                     recs[i].id, fmt::join(ids, ","));
        continue;
      }
      Status s;
      for (auto& p : *served)
        if (s.ok()) s = podService(e_).removePod(p, req.force, req.timeout);
      if (!s.ok()) {
        results[i].error = std::move(s).error();
        continue;
      }
    }
    if (!req.depend) {
      // Those that depend on it and are not removed before it in this same call.
      std::vector<std::string> blocking;
      auto deps = dependents(recs[i].id);
      if (!deps.ok()) {
        results[i].error = std::move(deps).error();
        continue;
      }
      for (auto& d : *deps) {
        bool earlier = false;
        for (size_t k = 0; k < i; ++k) earlier |= recs[k].id == d && !results[k].error;
        if (!earlier) blocking.push_back(d);
      }
      if (!blocking.empty()) {
        // podman's ErrCtrExists: exit 125, not the "in use" 2 of a running container.
        results[i].error = makeError(Code::kAlreadyExists,
                                     "container {} has dependent containers which must be removed before it: {}: "
                                     "container already exists",
                                     recs[i].id, fmt::join(blocking, ","));
        continue;
      }
    }
    auto lock = ContainerLock::take(e_.options().runroot, recs[i].id);
    if (!lock.ok()) {
      results[i].error = std::move(lock).error();
      continue;
    }
    auto cur = state::getContainer(e_.db(), recs[i].id);
    if (!cur.ok()) {
      results[i].error = std::move(cur).error();
      continue;
    }
    if (!*cur) continue;  // already gone (e.g. --rm)
    auto s = removeLocked(**cur, req.force, req.timeout, req.volumes);
    if (!s.ok()) results[i].error = std::move(s).error();
  }
  if (req.all) sweepOrphans();
  return results;
}

void LocalContainerService::sweepOrphans() {
  const auto& o = e_.options();
  std::vector<std::string> dirs;
  for (auto* base : {&o.root, &o.runroot})
    if (auto names = fs::listDir(*base + "/containers"); names.ok())
      for (auto& n : *names) dirs.push_back(*base + "/containers/" + n);
  // Listed before the records are read: a directory seen here was made after its record.
  auto all = state::listContainers(e_.db());
  if (!all.ok()) return;
  std::set<std::string> ids;
  for (auto& r : *all) ids.insert(r.id);
  for (auto& d : dirs) {
    std::string id = d.substr(d.rfind('/') + 1);
    if (ids.count(id)) continue;
    if (d.rfind(o.runroot, 0) == 0 && !o.runroot.empty()) {
      std::string merged = d + "/merged";
      for (int i = 0; i < 4 && sys::isMountPoint(merged); ++i)
        if (auto s = sys::unmount(merged, i > 0); !s.ok()) LOG_WARN("orphan container files: {}", s.error().what());
    }
    if (auto s = sys::removeAllOnOneMount(d); !s.ok()) {
      LOG_WARN("orphan container files: {}", s.error().what());
      continue;
    }
    ::unlink((o.runroot + "/locks/" + id).c_str());
  }
}

Result<std::vector<std::pair<std::string, int64_t>>> LocalContainerService::prune(const std::vector<std::string>& filters) {
  // podman's prune filters: label (all must match), label! (none may), until.
  auto list_req = api::ContainerListRequest{true, -1, false, false, {}};
  std::vector<std::string> not_labels;
  int64_t until = 0;
  for (auto& f : filters) {
    auto eq = f.find('=');
    std::string key = f.substr(0, eq);
    if (eq == std::string::npos || (key != "label" && key != "label!" && key != "until"))
      return makeError(Code::kInvalidArgument, "{} is an invalid filter", f);
    if (key == "label") list_req.filters.push_back(f);
    else if (key == "label!") not_labels.push_back(f.substr(eq + 1));
    else until = TRY(parseTimestampArg(f.substr(eq + 1)));
  }
  auto has_label = [](const api::ContainerSummary& c, const std::string& want) {
    auto eq = want.find('=');
    auto it = c.labels.find(want.substr(0, eq));
    return it != c.labels.end() && (eq == std::string::npos || it->second == want.substr(eq + 1));
  };
  auto all = TRY(list(list_req));
  std::vector<std::pair<std::string, int64_t>> out;
  for (auto& c : all) {
    if (c.status == api::ContainerStatus::kRunning || c.status == api::ContainerStatus::kPaused ||
        c.status == api::ContainerStatus::kStopping)
      continue;
    if (until && c.created >= until) continue;
    if (std::any_of(not_labels.begin(), not_labels.end(), [&](const std::string& l) { return has_label(c, l); }))
      continue;
    int64_t size = int64_t(fs::dirSize(paths(c.id).upper));
    api::ContainerRemoveRequest rm;
    rm.names = {c.id};
    auto res = TRY(remove(rm));
    if (!res.empty() && res[0].error) return *res[0].error;
    out.emplace_back(c.id, size);
  }
  // Directories (and mounts) of containers whose record is gone are garbage too.
  sweepOrphans();
  return out;
}

}  // namespace berth::engine
