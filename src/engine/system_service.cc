// `info`: host, store and version facts, in podman's document shape.
#include "engine/system_service.h"

#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/fs.h"
#include "engine/engine.h"
#include "runtime/oci_runtime.h"
#include "runtime/select.h"
#include "state/containers.h"
#include "state/images.h"

namespace berth::engine {

namespace {

// /etc/os-release's ID, VERSION_ID and VERSION_CODENAME, as podman reports them
// (host.distribution); "unknown" when the file is missing, as podman does.
Json distribution() {
  Json d = {{"distribution", "unknown"}, {"version", "unknown"}};
  auto text = fs::readFile("/etc/os-release");
  if (!text.ok()) return d;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq), val = line.substr(eq + 1);
    if (val.size() >= 2 && (val.front() == '"' || val.front() == '\'') && val.back() == val.front())
      val = val.substr(1, val.size() - 2);
    if (key == "ID") d["distribution"] = std::string(val);
    else if (key == "VERSION_ID") d["version"] = std::string(val);
    else if (key == "VERSION_CODENAME" && !val.empty()) d["codename"] = std::string(val);
  }
  return d;
}

}  // namespace

Result<Json> LocalSystemService::info() {
  struct utsname u;
  ::uname(&u);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  struct sysinfo si;
  ::sysinfo(&si);
  auto mode = runtime::detectCgroupMode();
  std::string runtime_name = e_.options().runtime, runtime_path, reason;
  if (runtime_name.empty()) {
    auto choice = runtime::chooseDefaultRuntime(runtime::detectCgroupLayout());
    if (choice.ok()) {
      runtime_name = choice->name;
      runtime_path = choice->path;
      reason = choice->reason;
    } else {
      reason = choice.error().what();
    }
  } else {
    reason = "chosen with --runtime";
    auto p = runtime::findRuntime(runtime_name);
    if (p.ok()) runtime_path = *p;
  }
  std::string runtime_version;
  if (!runtime_path.empty()) {
    runtime::OciRuntime rt(runtime::RuntimeConfig{runtime_name, runtime_path, {}, ""});
    if (auto v = rt.version(); v.ok()) runtime_version = *v;
  }
  Json j;
  Json h;
  h["arch"] = "amd64";
  h["cgroupManager"] = "cgroupfs";
  h["cgroupVersion"] = mode == runtime::CgroupMode::kUnified ? "v2" : "v1";
  h["cgroupMode"] = std::string(runtime::cgroupModeName(mode));
  h["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  h["distribution"] = distribution();
  h["eventLogger"] = e_.options().events_backend;
  h["hostname"] = host;
  h["kernel"] = u.release;
  h["logDriver"] = "k8s-file";  // berth's default log driver (containers.conf's log_driver is not read)
  h["memFree"] = int64_t(si.freeram) * si.mem_unit;
  h["memTotal"] = int64_t(si.totalram) * si.mem_unit;
  h["networkBackend"] = "netavark";
  h["ociRuntime"] = {{"name", runtime_name}, {"path", runtime_path}, {"version", runtime_version},
                     {"reason", reason}};
  h["os"] = "linux";
  h["security"] = {{"rootless", ::geteuid() != 0}};
  h["swapFree"] = int64_t(si.freeswap) * si.mem_unit;
  h["swapTotal"] = int64_t(si.totalswap) * si.mem_unit;
  h["uptime"] = fmt::format("{}h {}m {}s", si.uptime / 3600, si.uptime / 60 % 60, si.uptime % 60);
  j["host"] = h;
  auto images = TRY(state::listImages(e_.db()));
  Json s;
  s["configFile"] = "/etc/containers/storage.conf";
  int64_t running = 0, paused = 0, stopped = 0;
  auto containers = TRY(state::listContainers(e_.db()));
  for (auto& c : containers) {
    std::string st = c.state.value("status", "");
    if (st == "running") running++;
    else if (st == "paused") paused++;
    else stopped++;
  }
  s["containerStore"] = {{"number", containers.size()}, {"paused", paused}, {"running", running}, {"stopped", stopped}};
  s["graphDriverName"] = e_.driver();
  // --storage-opt values are not kept: no graph options, and no driver status reported yet.
  s["graphOptions"] = Json::object();
  s["graphStatus"] = Json::object();
  s["graphRoot"] = e_.options().root;
  s["imageStore"] = {{"number", images.size()}};
  s["runRoot"] = e_.options().runroot;
  s["volumePath"] = e_.options().volume_path.empty() ? e_.options().root + "/volumes" : e_.options().volume_path;
  j["store"] = s;
  j["registries"] = Json::object();
  j["version"] = {{"APIVersion", VersionInfo::kApiVersion},
                  {"Version", VersionInfo::kVersion},
                  {"GoVersion", "n/a (C++20)"},
                  {"GitCommit", ""},
                  {"BuiltTime", __DATE__ " " __TIME__},
                  {"Built", 0},
                  {"OsArch", "linux/amd64"},
                  {"Os", "linux"}};
  return j;
}

}  // namespace berth::engine
