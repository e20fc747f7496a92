// fork+execve of helper binaries with explicit stdio and a clean signal state.
#include "runtime/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace berth::runtime {

ChildProcess::ChildProcess(ChildProcess&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    this->~ChildProcess();
    pid_ = o.pid_;
    o.pid_ = -1;
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

// Moves fd above 2 so that dup2 onto 0..2 in the child never clobbers
// another source fd. Returns -1 for "use /dev/null".
static Result<UniqueFd> stdioSource(int fd, int flags) {
  int src = fd;
  UniqueFd null_fd;
  if (src < 0) {
    src = ::open("/dev/null", flags | O_CLOEXEC);
    if (src < 0) return errnoError("open /dev/null");
    null_fd.reset(src);
  }
  int high = ::fcntl(src, F_DUPFD_CLOEXEC, 3);
  if (high < 0) return errnoError("dup fd {}", src);
  return UniqueFd(high);
}

Result<ChildProcess> ChildProcess::spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return makeError(Code::kInvalidArgument, "spawn: empty argv");
  UniqueFd in = TRY(stdioSource(spec.stdin_fd, O_RDONLY));
  UniqueFd out = TRY(stdioSource(spec.stdout_fd, O_WRONLY));
  UniqueFd err = TRY(stdioSource(spec.stderr_fd, O_WRONLY));

  // Everything the child touches is prepared before fork: after fork only
  // async-signal-safe calls are allowed.
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

  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork");
  if (pid == 0) {
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    int srcs[3] = {in.get(), out.get(), err.get()};
    for (int i = 0; i < 3; ++i)
      if (::dup2(srcs[i], i) < 0) goto fail;
    ::execve(argv[0], argv.data(), envp.data());
  fail:
    int e = errno;
    (void)!::write(err_w.get(), &e, sizeof e);
    ::_exit(127);
  }
  ChildProcess child(pid);
  err_w.reset();
  int child_errno = 0;
  ssize_t n;
  while ((n = ::read(err_r.get(), &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  if (n == sizeof child_errno) {
    (void)child.wait();
    return sysError(child_errno, fmt::format("exec {}", spec.argv[0]));
  }
  return child;
}

Result<CommandOutput> runCaptured(const std::vector<std::string>& argv, int stdin_fd) {
  int p_out[2], p_err[2];
  if (::pipe2(p_out, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd out_r(p_out[0]), out_w(p_out[1]);
  if (::pipe2(p_err, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd err_r(p_err[0]), err_w(p_err[1]);
  SpawnSpec spec{argv, stdin_fd, out_w.get(), err_w.get(), {}};
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
