// Network namespace creation in a helper thread: unshare(CLONE_NEWNET) only moves that
// thread, whose namespace is then bind-mounted from /proc/thread-self/ns/net.
#include "sys/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <thread>

#include "base/fd.h"

namespace berth::sys {

namespace {

// Sets "lo" up in the calling thread's network namespace (SIOCSIFFLAGS, netdevice(7)).
Status loopbackUp() {
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return errnoError("socket for loopback setup");
  struct ifreq ifr {};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) return errnoError("get flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) return errnoError("set lo up");
  return {};
}

// Runs in its own thread: a new netns for this thread only, bound at `path`.
Status newNetnsInThread(const std::string& path) {
  if (::unshare(CLONE_NEWNET) < 0) return errnoError("unshare network namespace");
  TRY(loopbackUp());
  if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) < 0)
    return errnoError("bind network namespace at {}", path);
  return {};
}

}  // namespace

Status createNetns(const std::string& path) {
  UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444));
  if (!f) return errnoError("create network namespace file {}", path);
  f.reset();
  std::optional<Error> err;
  std::thread t([&] {
    auto s = newNetnsInThread(path);
    if (!s.ok()) err = std::move(s).error();
  });
  t.join();
  if (err) {
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
    return std::move(*err);
  }
  return {};
}

bool isNetns(const std::string& path) {
  struct statfs st;
  return ::statfs(path.c_str(), &st) == 0 && st.f_type == NSFS_MAGIC;
}

Status removeNetns(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
    return errnoError("unmount network namespace {}", path);
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return errnoError("remove {}", path);
  return {};
}

}  // namespace berth::sys
