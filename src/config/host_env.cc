// HostEnv::current reads the process environment once.
#include "config/host_env.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace berth::config {

namespace {
constexpr const char* kVars[] = {
    "HOME",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "DOCKER_CONFIG",
    "REGISTRY_AUTH_FILE",
    "CONTAINERS_REGISTRIES_CONF",
    "CONTAINERS_CONF",
};
}  // namespace

HostEnv HostEnv::current() {
  HostEnv env;
  env.euid = ::geteuid();
  for (const char* name : kVars) {
    if (const char* v = std::getenv(name)) env.vars.emplace(name, v);
  }
  env.home = env.get("HOME");
  if (env.home.empty()) {
    struct passwd pw {};
    struct passwd* out = nullptr;
    char buf[4096];
    if (::getpwuid_r(env.euid, &pw, buf, sizeof buf, &out) == 0 && out != nullptr)
      env.home = out->pw_dir;
  }
  return env;
}

std::string HostEnv::get(std::string_view name) const {
  auto it = vars.find(name);
  return it == vars.end() ? std::string() : it->second;
}

}  // namespace berth::config
