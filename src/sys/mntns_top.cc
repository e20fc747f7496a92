// Root vs. mount-namespace top: checks by setns in a child, and the fork-time repair.
#include "sys/mntns_top.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "base/fd.h"
#include "sys/mount_api.h"

// The new mount API (Linux 5.2); defined here for older headers.

namespace berth::sys {
namespace {

bool sameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// Child side of the checks: joins `ns_fd` and reports (exit status) whether
// its "/" is `want`. 0: same, 1: different, 2+: a call failed.
[[noreturn]] void childCompare(int ns_fd, const struct stat& want) {
  if (::setns(ns_fd, CLONE_NEWNS) < 0) ::_exit(2);
  struct stat top;
  if (::stat("/", &top) < 0) ::_exit(3);
  ::_exit(sameFile(top, want) ? 0 : 1);
}

// Forks a child that joins the mount namespace `ns_path` and compares its
// new "/" with `want`.
Result<bool> compareInChild(const std::string& ns_path, const struct stat& want) {
  int fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return makeError(Code::kUnavailable,
                       "cannot verify the mount namespace: {} is missing (is /proc mounted?)",
                       ns_path);
    return errnoError("open {}", ns_path);
  }
  UniqueFd ns(fd);
  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) childCompare(ns.get(), want);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return errnoError("waitpid {}", pid);
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) > 1)
    return makeError(Code::kInternal, "cannot join the mount namespace {} to verify its root",
                     ns_path);
  return WEXITSTATUS(st) == 0;
}

}  // namespace

Result<bool> rootIsMountNamespaceTop() {
  struct stat root;
  if (::stat("/", &root) < 0) return errnoError("stat /");
  return compareInChild("/proc/self/ns/mnt", root);
}

Result<bool> processRootIsMountNamespaceTop(pid_t pid) {
  std::string root_path = "/proc/" + std::to_string(pid) + "/root/";
  struct stat root;
  if (::stat(root_path.c_str(), &root) < 0) return errnoError("stat {}", root_path);
  return compareInChild("/proc/" + std::to_string(pid) + "/ns/mnt", root);
}

int makeRootMountNamespaceTop(const char* cwd, const char** step) noexcept {
  // Every fd here is O_CLOEXEC: none survives into the runtime.
  auto fail = [&](const char* what) {
    *step = what;
    return errno ? errno : EINVAL;
  };
  int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return fail("open /");
  int ns = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail("open /proc/self/ns/mnt (is /proc mounted?)");
  struct stat want, top;
  if (::fstat(root, &want) < 0) return fail("stat /");
  // Joining our own namespace moves root and cwd to its top.
  if (::setns(ns, CLONE_NEWNS) < 0) return fail("setns to the own mount namespace");
  if (::stat("/", &top) < 0) return fail("stat the mount namespace's top");
  if (!sameFile(top, want)) {
    // A chroot: back into it, then a namespace of our own, from its top.
    if (::fchdir(root) < 0 || ::chroot(".") < 0) return fail("return to the chroot");
    if (::unshare(CLONE_NEWNS) < 0) return fail("unshare the mount namespace");
    int root2 = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int ns2 = ::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (root2 < 0 || ns2 < 0) return fail("open the new mount namespace");
    if (::setns(ns2, CLONE_NEWNS) < 0) return fail("setns to the new mount namespace");
    // Slave: the host's later mounts still arrive, ours never leave.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
      return fail("make the new mount namespace a slave");
    int tree = int(::syscall(SYS_open_tree, root2, "",
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH));
    if (tree < 0) return fail("clone the chroot's mount tree (open_tree)");
    if (::syscall(SYS_move_mount, tree, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
      return fail("mount the chroot's tree on the namespace's top (move_mount)");
    if (::fchdir(tree) < 0 || ::chroot(".") < 0) return fail("chroot into the new top");
    // Verify as runc exec will see it: joining the namespace lands on our root.
    if (::fstat(tree, &want) < 0) return fail("stat the new root");
    if (::setns(ns2, CLONE_NEWNS) < 0) return fail("setns to verify the new mount namespace");
    if (::stat("/", &top) < 0) return fail("stat the new top");
    if (!sameFile(top, want)) {
      errno = EXDEV;
      return fail("verify that the root is the new mount namespace's top");
    }
  }
  if (::chdir(cwd) < 0) return fail("return to the working directory");
  return 0;
}

}  // namespace berth::sys
