// ID-mapped mounts through open_tree + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount.
#include "sys/idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sys/mount_api.h"

namespace berth::sys {
namespace {

std::string readLink(const std::string& path) {
  char buf[256];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// One write(2), as the kernel wants for uid_map and gid_map.
Status writeProcFile(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errnoError("open {}", path);
  if (::write(fd.get(), text.data(), text.size()) != ssize_t(text.size())) return errnoError("write {}", path);
  return {};
}

std::string mapText(const std::vector<IdRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) out += fmt::format("{} {} {}\n", r.container_id, r.host_id, r.size);
  return out;
}

}  // namespace

Result<UniqueFd> makeUserNamespace(const std::vector<IdRange>& uids, const std::vector<IdRange>& gids) {
  if (uids.empty() || gids.empty()) return makeError(Code::kInvalidArgument, "a user namespace needs uid and gid maps");
  int go[2];
  if (::pipe2(go, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd go_r(go[0]), go_w(go[1]);
  // The child only unshares and waits: async-signal-safe calls in a possibly threaded process.
  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) {
    char c;
    ::close(go[1]);  // else the read below never sees the parent's end close
    if (::unshare(CLONE_NEWUSER) < 0) ::_exit(1);
    (void)!::read(go_r.get(), &c, 1);
    ::_exit(0);
  }
  go_r.reset();
  auto reap = [&] {
    go_w.reset();
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  };
  // Wait for the unshare: its user namespace differs from ours once it is done.
  std::string self_ns = readLink("/proc/self/ns/user");
  std::string proc = fmt::format("/proc/{}", pid);
  for (int i = 0; i < 2000; ++i) {
    std::string ns = readLink(proc + "/ns/user");
    if (ns.empty() || ns != self_ns) break;  // unshared (or died)
    ::usleep(100);
  }
  Status st = writeProcFile(proc + "/uid_map", mapText(uids));
  if (st.ok()) st = writeProcFile(proc + "/setgroups", "deny");
  if (st.ok()) st = writeProcFile(proc + "/gid_map", mapText(gids));
  if (!st.ok()) {
    reap();
    return std::move(st).error().context("set up the ID maps of a user namespace");
  }
  int fd = ::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
  int err = errno;
  reap();
  if (fd < 0) return makeError(codeFromErrno(err), "open the user namespace: {}", std::strerror(err));
  return UniqueFd(fd);
}

Status mountIdmapped(const std::string& source, const std::string& target, int userns_fd) {
  int tree = int(::syscall(SYS_open_tree, AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (tree < 0) {
    if (errno == ENOSYS) return makeError(Code::kUnimplemented, "ID-mapped mounts need Linux 5.12 or later");
    return errnoError("clone the mount of {}", source);
  }
  UniqueFd tree_fd(tree);
  MountAttr attr = {MOUNT_ATTR_IDMAP, 0, 0, uint64_t(userns_fd)};
  if (::syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
    if (errno == ENOSYS || errno == EINVAL)
      return makeError(Code::kUnimplemented, "the filesystem of {} cannot be ID-mapped here: {}", source,
                       std::strerror(errno));
    return errnoError("ID-map the mount of {}", source);
  }
  if (::syscall(SYS_move_mount, tree, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return errnoError("mount the ID-mapped {} at {}", source, target);
  return {};
}

int64_t hostId(const std::vector<IdRange>& ranges, uint32_t id) {
  for (const auto& r : ranges)
    if (id >= r.container_id && id - r.container_id < r.size) return int64_t(r.host_id) + (id - r.container_id);
  return -1;
}

}  // namespace berth::sys
