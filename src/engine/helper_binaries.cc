// Helper executable lookup.
#include "engine/helper_binaries.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace berth::engine {

Result<std::string> helperBinary(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("BERTH_HELPER_DIR")) dirs.push_back(d);
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string exe(buf, n);
    std::string dir = exe.substr(0, exe.rfind('/'));
    dirs.push_back(dir);
    std::string parent = dir.substr(0, dir.rfind('/'));
    dirs.push_back(parent + "/monitor");
    dirs.push_back(parent + "/cli");
  }
  dirs.push_back("/usr/local/libexec/berth");
  dirs.push_back("/usr/libexec/berth");
  for (auto& d : dirs) {
    std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return makeError(Code::kNotFound, "helper program {} not found (looked beside the berth binary and in "
                                    "/usr/local/libexec/berth, /usr/libexec/berth)", name);
}

}  // namespace berth::engine
