// fork+execve of helper binaries with explicit stdio and a clean signal state.
#include "runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "sys/mntns_top.h"

extern char** environ;

// close_range(2) flag (Linux 5.11); older kernels fail the call and spawn
// falls back to one fcntl per fd.
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
constexpr unsigned kCloseRangeCloexec = 1u << 2;

namespace berth::runtime {

namespace {

std::mutex g_sealed_mu;
std::map<std::string, int> g_sealed;  // path -> sealed copy (-1: registered, not made yet)

// What a child that failed before its execve reports on the error pipe: the errno and, for
// the mount namespace set-up, the step (a string literal: the same address in the parent).
struct ChildFailure {
  int err;
  const char* step;
};

// The memfd seals crun checks for (F_GET_SEALS == all four) before it skips its re-exec.
constexpr int kSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

int makeSealedCopy(const std::string& path) {
  UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!src || ::fstat(src.get(), &st) < 0 || !S_ISREG(st.st_mode)) return -1;
  UniqueFd mem(::memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem) return -1;
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = ::sendfile(mem.get(), src.get(), &off, size_t(st.st_size - off));
    if (n <= 0) return -1;
  }
  if (::fchmod(mem.get(), 0555) < 0 || ::fcntl(mem.get(), F_ADD_SEALS, kSeals) < 0) return -1;
  return mem.release();
}

// The sealed copy of argv[0], or -1.
int sealedCopyFor(const std::string& path) {
  std::lock_guard lock(g_sealed_mu);
  auto it = g_sealed.find(path);
  if (it == g_sealed.end()) return -1;
  if (it->second == -1) it->second = makeSealedCopy(path);
  if (it->second == -1) it->second = -2;  // failed once: plain execve from now on
  return it->second >= 0 ? it->second : -1;
}

}  // namespace

void dropSealedCopies() {
  std::lock_guard lock(g_sealed_mu);
  for (auto& [path, fd] : g_sealed) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void prepareSealedCopies() {
  std::lock_guard lock(g_sealed_mu);
  for (auto& [path, fd] : g_sealed)
    if (fd == -1 && (fd = makeSealedCopy(path)) == -1) fd = -2;  // failed: plain execve
}

void runFromSealedCopy(const std::string& path) {
  std::lock_guard lock(g_sealed_mu);
  g_sealed.emplace(path, -1);
}


ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(o.pid_), exec_check_(std::move(o.exec_check_)), exec_what_(std::move(o.exec_what_)) {
  o.pid_ = -1;
}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    this->~ChildProcess();
    pid_ = o.pid_;
    o.pid_ = -1;
    exec_check_ = std::move(o.exec_check_);
    exec_what_ = std::move(o.exec_what_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<int> ChildProcess::wait() {
  if (pid_ <= 0) return makeError(Code::kFailedPrecondition, "no child to wait for");
  int status = 0;
  for (;;) {
    if (::waitpid(pid_, &status, 0) >= 0) break;
    if (errno != EINTR) return errnoError("waitpid {}", pid_);
  }
  pid_ = -1;
  return status;
}

int exitCodeFromStatus(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

// A copy of `fd` at `min_fd` or above (O_CLOEXEC), so that the child's
// dup2() onto its target numbers never clobbers another source fd. A
// negative fd stands for /dev/null.
static Result<UniqueFd> highCopy(int fd, int flags, int min_fd) {
  int src = fd;
  UniqueFd null_fd;
  if (src < 0) {
    src = ::open("/dev/null", flags | O_CLOEXEC);
    if (src < 0) return errnoError("open /dev/null");
    null_fd.reset(src);
  }
  int high = ::fcntl(src, F_DUPFD_CLOEXEC, min_fd);
  if (high < 0) return errnoError("dup fd {}", src);
  return UniqueFd(high);
}

Result<ChildProcess> ChildProcess::spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return makeError(Code::kInvalidArgument, "spawn: empty argv");
  int min_fd = 3;
  for (auto& [target, src] : spec.extra_fds) {
    if (target < 3 || src < 0)
      return makeError(Code::kInvalidArgument, "spawn: extra fd {} <- {} is invalid", target, src);
    min_fd = std::max(min_fd, target + 1);
  }
  // Sources and targets, all prepared before fork: after fork only
  // async-signal-safe calls are allowed (no allocation).
  std::vector<UniqueFd> srcs;
  std::vector<int> targets;
  srcs.push_back(TRY(highCopy(spec.stdin_fd, O_RDONLY, min_fd)));
  srcs.push_back(TRY(highCopy(spec.stdout_fd, O_WRONLY, min_fd)));
  srcs.push_back(TRY(highCopy(spec.stderr_fd, O_WRONLY, min_fd)));
  targets = {0, 1, 2};
  for (auto& [target, src] : spec.extra_fds) {
    srcs.push_back(TRY(highCopy(src, O_RDWR, min_fd)));
    targets.push_back(target);
  }
  std::vector<int> src_fds;
  for (auto& f : srcs) src_fds.push_back(f.get());
  std::vector<char*> argv;
  for (auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; e && *e; ++e) envp.push_back(*e);
  for (auto& e : spec.extra_env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  // An error pipe reports a failed execve (CLOEXEC: closes on success).
  int errpipe[2];
  if (::pipe2(errpipe, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd err_r(errpipe[0]), err_w(errpipe[1]);
  // The error pipe's write end must not be a target either.
  if (err_w.get() < min_fd) {
    int high = ::fcntl(err_w.get(), F_DUPFD_CLOEXEC, min_fd);
    if (high < 0) return errnoError("dup error pipe");
    err_w.reset(high);
  }
  // argv[0] from its sealed copy (runFromSealedCopy), at an fd no target overwrites.
  UniqueFd exec_copy;
  if (int sealed = spec.argv.empty() || spec.plain_exec ? -1 : sealedCopyFor(spec.argv[0]); sealed >= 0) {
    int high = ::fcntl(sealed, F_DUPFD_CLOEXEC, min_fd);
    if (high >= 0) exec_copy.reset(high);
  }
  const int exec_fd = exec_copy.get();
  const size_t nfds = src_fds.size();
  const bool new_session = spec.new_session;
  const bool ns_top = spec.root_as_mount_ns_top;
  std::string cwd;
  if (ns_top) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
    if (ec || cwd.empty()) cwd = "/";
  }
  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) {
    // Signal state as a fresh process has it: dispositions first (a handler
    // must not run between unblocking and resetting), then an empty mask.
    for (int s = 1; s < NSIG; ++s) {
      struct sigaction sa;
      std::memset(&sa, 0, sizeof sa);
      sa.sa_handler = SIG_DFL;
      ::sigaction(s, &sa, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const char* step = nullptr;
    if (new_session && ::setsid() < 0) goto fail;
    if (ns_top) {
      if (int e = sys::makeRootMountNamespaceTop(cwd.c_str(), &step); e != 0) {
        errno = e;
        goto fail;
      }
    }
    // Our own fds are all O_CLOEXEC, but the caller's process may have
    // inherited some that are not: mark every fd from 3 up close-on-exec,
    // then dup2 (which clears FD_CLOEXEC on the target) makes exactly the
    // targets survive exec.
    if (::syscall(SYS_close_range, 3u, ~0u, kCloseRangeCloexec) < 0) {
      struct rlimit rl;
      rlim_t top = ::getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
      if (top > (1u << 20)) top = 1u << 20;
      for (int fd = 3; fd < int(top); ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (size_t i = 0; i < nfds; ++i)
      if (::dup2(src_fds[i], targets[i]) < 0) goto fail;
    if (exec_fd >= 0) ::syscall(SYS_execveat, exec_fd, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    else ::execve(argv[0], argv.data(), envp.data());
  fail:
    ChildFailure f{errno, step};
    (void)!::write(err_w.get(), &f, sizeof f);
    ::_exit(127);
  }
  ChildProcess child(pid);
  err_w.reset();
  child.exec_check_ = std::move(err_r);
  child.exec_what_ = spec.argv[0];
  if (!spec.defer_exec_check) TRY(child.confirmExec());
  return child;
}

Status ChildProcess::confirmExec() {
  if (!exec_check_) return {};
  ChildFailure f{0, nullptr};
  ssize_t n;
  while ((n = ::read(exec_check_.get(), &f, sizeof f)) < 0 && errno == EINTR) {
  }
  exec_check_.reset();
  if (n == sizeof f) {
    (void)wait();  // it has failed already; its status adds nothing
    if (f.step)
      return sysError(f.err,
                      fmt::format("cannot run {} with berth's root as the top of its mount "
                                  "namespace (from a chroot, `exec` would reach the filesystem "
                                  "around it; run berth outside the chroot or with /proc "
                                  "mounted and CAP_SYS_ADMIN): {}",
                                  exec_what_, f.step));
    return sysError(f.err, fmt::format("exec {}", exec_what_));
  }
  return {};
}

Result<CommandOutput> runCaptured(const std::vector<std::string>& argv, int stdin_fd) {
  int p_out[2], p_err[2];
  if (::pipe2(p_out, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd out_r(p_out[0]), out_w(p_out[1]);
  if (::pipe2(p_err, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd err_r(p_err[0]), err_w(p_err[1]);
  SpawnSpec spec;
  spec.argv = argv;
  spec.stdin_fd = stdin_fd;
  spec.stdout_fd = out_w.get();
  spec.stderr_fd = err_w.get();
  ChildProcess child = TRY(ChildProcess::spawn(spec));
  out_w.reset();
  err_w.reset();

  CommandOutput res;
  struct pollfd pfds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
  std::string* sinks[2] = {&res.out, &res.err};
  int open_count = 2;
  char buf[4096];
  while (open_count > 0) {
    if (::poll(pfds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return errnoError("poll");
    }
    for (int i = 0; i < 2; ++i) {
      if (pfds[i].fd < 0 || !pfds[i].revents) continue;
      ssize_t n = ::read(pfds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        pfds[i].fd = -1;
        --open_count;
        continue;
      }
      sinks[i]->append(buf, n);
    }
  }
  int status = TRY(child.wait());
  res.exit_code = exitCodeFromStatus(status);
  return res;
}

}  // namespace berth::runtime
