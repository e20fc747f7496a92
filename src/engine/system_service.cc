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
    auto choice = runtime::chooseDefaultRuntime(mode);
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
  h["hostname"] = host;
  h["kernel"] = u.release;
  h["memFree"] = int64_t(si.freeram) * si.mem_unit;
  h["memTotal"] = int64_t(si.totalram) * si.mem_unit;
  h["ociRuntime"] = {{"name", runtime_name}, {"path", runtime_path}, {"version", runtime_version},
                     {"reason", reason}};
  h["os"] = "linux";
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
  s["graphRoot"] = e_.options().root;
  s["imageStore"] = {{"number", images.size()}};
  s["runRoot"] = e_.options().runroot;
  s["volumePath"] = e_.options().root + "/volumes";
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
