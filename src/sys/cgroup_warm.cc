#include "sys/cgroup_warm.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string_view>
#include <chrono>
#include <string>
#include <thread>

namespace berth::sys {

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_running{false};
std::atomic<int64_t> g_deadline_ms{0};

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// This process's cgroup.procs on the v2 tree: /sys/fs/cgroup/unified on a hybrid host,
// /sys/fs/cgroup on a unified one. "" when there is none. Plain syscalls, no iostreams: the
// thread may still run while the process exits and tears its statics down.
std::string ownCgroupProcs() {
  int fd = ::open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return "";
  std::string_view text(buf, size_t(n));
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.substr(0, 3) != "0::") continue;
    std::string rel(line.substr(3));
    if (rel.find("..") != std::string::npos) return "";
    if (rel == "/") rel.clear();
    for (const char* top : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
      std::string path = std::string(top) + rel + "/cgroup.procs";
      if (::access(path.c_str(), W_OK) == 0) return path;
    }
  }
  return "";
}

// Moves this process into its own cgroup every few milliseconds until the deadline: the first
// move waits out the grace period, the next ones find the lock warm and keep it so (the kernel
// lets it go cold one grace period after its last writer).
void keepWarm() {
  std::string path = ownCgroupProcs();
  int fd = path.empty() ? -1 : ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  for (;;) {
    while (fd >= 0 && nowMs() < g_deadline_ms.load()) {
      if (::write(fd, "0", 1) < 0) {  // "0": the writing process, into the cgroup it is in
        ::close(fd);  // not allowed here: no warming from this process
        fd = -1;
        break;
      }
      struct timespec ts = {0, 5 * 1000 * 1000};
      ::nanosleep(&ts, nullptr);
    }
    g_running = false;
    // A warming asked for just as this one ended found it running and left it to this thread.
    if (fd < 0 || nowMs() >= g_deadline_ms.load() || g_running.exchange(true)) break;
  }
  if (fd >= 0) ::close(fd);
}

}  // namespace

void warmCgroupAttach() noexcept {
  // BERTH_CGROUP_WARM=0 leaves it out, for comparison (as BERTH_SECCOMP_PRECOMPILE=0 and
  // BERTH_IGZIP=0 do their parts).
  static const bool disabled = [] {
    const char* v = std::getenv("BERTH_CGROUP_WARM");
    return v && std::string_view(v) == "0";
  }();
  if (disabled) return;
  g_deadline_ms = nowMs() + 1000;  // as long as the command is starting containers, and 1 s more
  if (g_running.exchange(true)) return;
  try {
    std::thread(keepWarm).detach();
  } catch (...) {
    g_running = false;  // no thread to be had: no warming
  }
}

}  // namespace berth::sys
