#include "sys/cgroup_warm.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

namespace berth::sys {

namespace {

std::atomic<bool> g_in_flight{false};

// This process's cgroup.procs on the v2 tree: /sys/fs/cgroup/unified on a hybrid host,
// /sys/fs/cgroup on a unified one. "" when there is none.
std::string ownCgroupProcs() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    std::string rel = line.substr(3);
    if (rel.find("..") != std::string::npos) return "";
    if (rel == "/") rel.clear();
    for (const char* top : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
      std::string path = std::string(top) + rel + "/cgroup.procs";
      if (::access(path.c_str(), W_OK) == 0) return path;
    }
  }
  return "";
}

}  // namespace

void warmCgroupAttach() noexcept {
  if (g_in_flight.exchange(true)) return;
  try {
    std::thread([] {
      std::string path = ownCgroupProcs();
      if (!path.empty()) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
          (void)!::write(fd, "0", 1);  // "0": the writing process, into the cgroup it is in
          ::close(fd);
        }
      }
      g_in_flight = false;
    }).detach();
  } catch (...) {
    g_in_flight = false;  // no thread to be had: no warming
  }
}

}  // namespace berth::sys
