// `info`: host, store and version facts, in podman's document shape.
#include "engine/system_service.h"

#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/fs.h"
#include "engine/engine.h"
#include "state/images.h"

namespace berth::engine {

namespace {

std::string cgroupVersion() {
  struct statfs s;
  if (::statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == 0x63677270 /* CGROUP2_SUPER_MAGIC */)
    return "v2";
  return "v1";
}

std::string findInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  for (const char* d : {"/usr/local/bin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"}) {
    std::string p = std::string(d) + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

}  // namespace

Result<Json> LocalSystemService::info() {
  struct utsname u;
  ::uname(&u);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  struct sysinfo si;
  ::sysinfo(&si);
  std::string runtime = e_.options().runtime.empty() ? "crun" : e_.options().runtime;
  Json j;
  Json h;
  h["arch"] = "amd64";
  h["cgroupManager"] = "cgroupfs";
  h["cgroupVersion"] = cgroupVersion();
  h["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  h["hostname"] = host;
  h["kernel"] = u.release;
  h["memFree"] = int64_t(si.freeram) * si.mem_unit;
  h["memTotal"] = int64_t(si.totalram) * si.mem_unit;
  h["ociRuntime"] = {{"name", runtime}, {"path", findInPath(runtime)}};
  h["os"] = "linux";
  h["uptime"] = fmt::format("{}h {}m {}s", si.uptime / 3600, si.uptime / 60 % 60, si.uptime % 60);
  j["host"] = h;
  auto images = TRY(state::listImages(e_.db()));
  Json s;
  s["configFile"] = "/etc/containers/storage.conf";
  s["containerStore"] = {{"number", 0}, {"paused", 0}, {"running", 0}, {"stopped", 0}};
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
