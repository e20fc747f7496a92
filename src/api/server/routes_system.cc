// System routes: _ping, version, info (both trees).
#include <sys/utsname.h>

#include "api/server/call.h"
#include "api/server/routes.h"
#include "api/server/server.h"
#include "base/fs.h"
#include "base/timefmt.h"
#include "engine/engine.h"
#include "engine/system_service.h"

namespace berth::api::server {

namespace {

// podman's compat.Ping, the same for both trees: clients test these headers.
Status ping(Call& c) {
  c.res.header("Buildkit-Version", "");
  c.res.header("Builder-Version", "");
  c.res.header("Docker-Experimental", "true");
  c.res.header("Cache-Control", "no-cache");
  c.res.header("Pragma", "no-cache");
  c.res.header("Libpod-Buildah-Version", "1.28.0");
  return c.res.send(200, "text/plain; charset=utf-8", "OK");
}

std::string osRelease(const std::string& key) {
  auto text = fs::readFile("/etc/os-release");
  if (!text.ok()) return "";
  size_t i = 0;
  while (i < text->size()) {
    size_t nl = text->find('\n', i);
    std::string line = text->substr(i, nl == std::string::npos ? std::string::npos : nl - i);
    i = nl == std::string::npos ? text->size() : nl + 1;
    if (line.rfind(key + "=", 0) == 0) {
      std::string v = line.substr(key.size() + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "";
}

Status version(Call& c) {
  auto eng = TRY(c.engine());
  auto info = TRY(eng->system().info());
  struct utsname u;
  ::uname(&u);
  const Json& host = info["host"];
  std::string kernel = u.release;
  std::string build_time = "1970-01-01T00:00:00Z";
  Json components = Json::array();
  components.push_back(Json{{"Name", "Podman Engine"},
                            {"Version", engine::VersionInfo::kVersion},
                            {"Details",
                             {{"APIVersion", engine::VersionInfo::kApiVersion},
                              {"Arch", "amd64"},
                              {"BuildTime", build_time},
                              {"Experimental", "false"},
                              {"GitCommit", ""},
                              {"GoVersion", "n/a (C++20)"},
                              {"KernelVersion", kernel},
                              {"MinAPIVersion", "4.0.0"},
                              {"Os", "linux"}}}});
  components.push_back(Json{{"Name", "Conmon"},
                            {"Version", std::string("berth-monitor version ") + engine::VersionInfo::kVersion},
                            {"Details", {{"Package", "berth"}}}});
  if (host.contains("ociRuntime") && host["ociRuntime"].is_object()) {
    const Json& rt = host["ociRuntime"];
    components.push_back(Json{{"Name", "OCI Runtime (" + rt.value("name", "") + ")"},
                              {"Version", rt.value("version", "")},
                              {"Details", {{"Package", rt.value("path", "")}}}});
  }
  Json doc = {{"Platform", {{"Name", "linux/amd64/" + osRelease("ID") + "-" + osRelease("VERSION_ID")}}},
              {"Components", components},
              {"Version", engine::VersionInfo::kVersion},
              {"ApiVersion", "1.41"},
              {"MinAPIVersion", "1.24"},
              {"GitCommit", ""},
              {"GoVersion", "n/a (C++20)"},
              {"Os", "linux"},
              {"Arch", "amd64"},
              {"KernelVersion", kernel},
              {"BuildTime", build_time}};
  return c.json(200, doc);
}

Status libpodInfo(Call& c) {
  auto eng = TRY(c.engine());
  Json info = TRY(eng->system().info());
  std::string uri = c.state().opts.remote_uri;
  if (info.contains("host") && info["host"].is_object()) {
    Json rs = {{"path", uri}, {"exists", true}};
    info["host"]["remoteSocket"] = rs;
    info["host"]["serviceIsRemote"] = false;
  }
  return c.json(200, info);
}

// Docker's /info (types.Info) from podman's info document.
Status compatInfo(Call& c) {
  auto eng = TRY(c.engine());
  Json info = TRY(eng->system().info());
  const Json& h = info["host"];
  const Json& s = info["store"];
  auto num = [](const Json& j, const char* a, const char* b) -> int64_t {
    if (!j.contains(a) || !j[a].is_object()) return 0;
    auto v = j[a].value(b, Json());
    return v.is_number() ? v.get<int64_t>() : 0;
  };
  std::string rt_name = h.contains("ociRuntime") ? h["ociRuntime"].value("name", "") : "";
  std::string rt_path = h.contains("ociRuntime") ? h["ociRuntime"].value("path", "") : "";
  Json runtimes = Json::object();
  if (!rt_name.empty()) runtimes[rt_name] = {{"path", rt_path}};
  Json doc = {
      {"ID", ""},
      {"Containers", num(s, "containerStore", "number")},
      {"ContainersRunning", num(s, "containerStore", "running")},
      {"ContainersPaused", num(s, "containerStore", "paused")},
      {"ContainersStopped", num(s, "containerStore", "stopped")},
      {"Images", num(s, "imageStore", "number")},
      {"Driver", s.value("graphDriverName", "")},
      {"DriverStatus", Json::array()},
      {"Plugins", {{"Volume", {"local"}}, {"Network", {"bridge", "macvlan", "ipvlan"}}, {"Authorization", nullptr},
                   {"Log", {"k8s-file", "none", "passthrough"}}}},
      {"MemoryLimit", true},
      {"SwapLimit", true},
      {"KernelMemory", false},
      {"CpuCfsPeriod", true},
      {"CpuCfsQuota", true},
      {"CPUShares", true},
      {"CPUSet", true},
      {"PidsLimit", true},
      {"IPv4Forwarding", true},
      {"BridgeNfIptables", false},
      {"BridgeNfIp6tables", false},
      {"Debug", false},
      {"NFd", 0},
      {"OomKillDisable", false},
      {"NGoroutines", 0},
      {"SystemTime", ""},
      {"LoggingDriver", "json-file"},
      {"CgroupDriver", h.value("cgroupManager", "cgroupfs")},
      {"CgroupVersion", h.value("cgroupVersion", "v1") == "v2" ? "2" : "1"},
      {"NEventsListener", 0},
      {"KernelVersion", h.value("kernel", "")},
      {"OperatingSystem", osRelease("PRETTY_NAME")},
      {"OSVersion", osRelease("VERSION_ID")},
      {"OSType", "linux"},
      {"Architecture", "x86_64"},
      {"IndexServerAddress", "https://index.docker.io/v1/"},
      {"RegistryConfig", nullptr},
      {"NCPU", h.value("cpus", 0)},
      {"MemTotal", h.value("memTotal", int64_t(0))},
      {"GenericResources", nullptr},
      {"DockerRootDir", s.value("graphRoot", "")},
      {"HttpProxy", ""},
      {"HttpsProxy", ""},
      {"NoProxy", ""},
      {"Name", h.value("hostname", "")},
      {"Labels", Json::array()},
      {"ExperimentalBuild", true},
      {"ServerVersion", engine::VersionInfo::kVersion},
      {"Runtimes", runtimes},
      {"DefaultRuntime", rt_name},
      {"Swarm", {{"NodeID", ""}, {"NodeAddr", ""}, {"LocalNodeState", "inactive"}, {"ControlAvailable", false},
                 {"Error", ""}, {"RemoteManagers", nullptr}}},
      {"LiveRestoreEnabled", false},
      {"Isolation", ""},
      {"InitBinary", ""},
      {"ContainerdCommit", {{"ID", ""}, {"Expected", ""}}},
      {"RuncCommit", {{"ID", ""}, {"Expected", ""}}},
      {"InitCommit", {{"ID", ""}, {"Expected", ""}}},
      {"SecurityOptions", {"name=seccomp,profile=default"}},
      {"Warnings", Json::array()},
  };
  return c.json(200, doc);
}

// podman's entities.SystemDfReport (Created as RFC 3339 times).
Json libpodDf(const DfReport& rep) {
  Json images = Json::array(), ctrs = Json::array(), vols = Json::array();
  for (auto& i : rep.images)
    images.push_back(Json{{"Repository", i.repository}, {"Tag", i.tag}, {"ImageID", i.image_id},
                          {"Created", formatRfc3339Nano(i.created * 1000000000)}, {"Size", i.size},
                          {"SharedSize", i.shared_size}, {"UniqueSize", i.unique_size}, {"Containers", i.containers}});
  for (auto& k : rep.containers)
    ctrs.push_back(Json{{"ContainerID", k.container_id}, {"Image", k.image}, {"Command", k.command},
                        {"LocalVolumes", k.local_volumes}, {"Size", k.size}, {"RWSize", k.rw_size},
                        {"Created", formatRfc3339Nano(k.created * 1000000000)}, {"Status", k.status},
                        {"Names", k.names}});
  for (auto& v : rep.volumes)
    vols.push_back(Json{{"VolumeName", v.volume_name}, {"Links", v.links}, {"Size", v.size},
                        {"ReclaimableSize", v.reclaimable_size}});
  return Json{{"Images", images}, {"Containers", ctrs}, {"Volumes", vols}};
}

// Docker's types.DiskUsage as podman's compat.GetDiskUsage fills it from the same report.
Json compatDf(const DfReport& rep) {
  Json images = Json::array(), ctrs = Json::array(), vols = Json::array();
  for (auto& i : rep.images)
    images.push_back(Json{{"Containers", i.containers}, {"Created", i.created}, {"Id", i.image_id},
                          {"Labels", Json::object()}, {"ParentId", ""}, {"RepoDigests", nullptr},
                          {"RepoTags", Json::array({i.tag})}, {"SharedSize", i.shared_size}, {"Size", i.size},
                          {"VirtualSize", i.size - i.unique_size}});
  for (auto& k : rep.containers) {
    std::string cmd;
    for (auto& a : k.command) cmd += (cmd.empty() ? "" : " ") + a;
    ctrs.push_back(Json{{"Id", k.container_id}, {"Names", Json::array({k.names})}, {"Image", k.image},
                        {"ImageID", k.image}, {"Command", cmd}, {"Created", k.created}, {"Ports", nullptr},
                        {"SizeRw", k.rw_size}, {"SizeRootFs", k.size}, {"Labels", Json::object()},
                        {"State", k.status}, {"Status", k.status}, {"HostConfig", Json::object()},
                        {"NetworkSettings", nullptr}, {"Mounts", nullptr}});
  }
  for (auto& v : rep.volumes)
    vols.push_back(Json{{"CreatedAt", ""}, {"Driver", ""}, {"Labels", Json::object()}, {"Mountpoint", ""},
                        {"Name", v.volume_name}, {"Options", nullptr}, {"Scope", "local"},
                        {"UsageData", {{"RefCount", v.links}, {"Size", v.size}}}});
  return Json{{"LayersSize", 0}, {"Images", images}, {"Containers", ctrs}, {"Volumes", vols},
              {"BuildCache", Json::array()}, {"BuilderSize", 0}};
}

Status df(Call& c) {
  auto eng = TRY(c.engine());
  auto rep = TRY(eng->system().df());
  return c.json(200, c.libpod() ? libpodDf(rep) : compatDf(rep));
}

// podman's reports.PruneReport list ({"Id","Size"}); null when empty, as Go encodes a nil slice.
Json pruneReports(const std::vector<PruneItem>& items) {
  if (items.empty()) return nullptr;
  Json arr = Json::array();
  for (auto& i : items) arr.push_back(Json{{"Id", i.id}, {"Size", i.size}});
  return arr;
}

// POST /libpod/system/prune: query all, volumes, filters (label=, until=); podman's
// entities.SystemPruneReport.
Status systemPrune(Call& c) {
  SystemPruneRequest req;
  req.all = TRY(c.boolean("all", false));
  req.volumes = TRY(c.boolean("volumes", false));
  req.filters = TRY(c.filters());
  auto eng = TRY(c.engine());
  auto rep = TRY(eng->system().prune(req));
  Json pods = nullptr;
  if (!rep.pods.empty()) {
    pods = Json::array();
    for (auto& p : rep.pods) pods.push_back(Json{{"Err", nullptr}, {"Id", p.id}});
  }
  Json nets = nullptr;
  if (!rep.networks.empty()) {
    nets = Json::array();
    for (auto& n : rep.networks) nets.push_back(Json{{"Name", n}, {"Error", nullptr}});
  }
  return c.json(200, Json{{"PodPruneReport", pods},
                          {"ContainerPruneReports", pruneReports(rep.containers)},
                          {"ImagePruneReports", pruneReports(rep.images)},
                          {"NetworkPruneReports", nets},
                          {"VolumePruneReports", pruneReports(rep.volumes)},
                          {"ReclaimedSpace", rep.reclaimed}});
}

}  // namespace

void registerSystemRoutes(Router& r) {
  both(r, "GET", "/_ping", ping);
  both(r, "HEAD", "/_ping", ping);
  both(r, "GET", "/version", version);
  r.add("GET", Tree::kLibpod, "/info", libpodInfo);
  r.add("GET", Tree::kCompat, "/info", compatInfo);
  both(r, "GET", "/system/df", df);
  r.add("POST", Tree::kLibpod, "/system/prune", systemPrune);
  registerEventRoutes(r);
}

void registerAllRoutes(Router& r) {
  registerSystemRoutes(r);
  registerImageRoutes(r);
  registerStatsRoutes(r);
  registerContainerRoutes(r);
  registerExecRoutes(r);
  registerVolumeRoutes(r);
  registerNetworkRoutes(r);
  registerSecretRoutes(r);
  registerPodRoutes(r);
  registerBuildRoutes(r);
  registerKubeRoutes(r);
  registerFileRoutes(r);
  // Answered from the database and memory: served on the event loop, no thread hop.
  // (version is not: info asks the runtime for its version.)
  for (const char* get : {"/_ping", "/containers/json", "/containers/{name}/json", "/containers/{name}/exists",
                          "/images/json", "/images/{name:.*}/json", "/images/{name:.*}/exists"})
    r.markInline("GET", get);
  r.markInline("HEAD", "/_ping");
}

}  // namespace berth::api::server
