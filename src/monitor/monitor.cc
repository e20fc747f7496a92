// The monitor's recipe: set up, create, report, pump stdio, record exit, restart.
#include "monitor/monitor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <ctime>
#include <iterator>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "monitor/exit_record.h"
#include "monitor/log_writer.h"
#include "monitor/sockets.h"
#include "monitor/stdin_buffer.h"
#include "runtime/attach_protocol.h"
#include "runtime/child_process.h"
#include "runtime/oci_runtime.h"

namespace berth::monitor {

namespace {

// The executable's read-only ranges (addStartupRange), unmapped by idleWait.
struct Range {
  uintptr_t start;
  size_t len;
};
Range g_startup_ranges[8];
int g_startup_range_count = 0;

#if defined(__x86_64__)
// System calls made without libc, whose wrappers sit elsewhere in the code: after the unmap,
// each page run is mapped again with its 64 kB neighbourhood (fault-around).
__attribute__((always_inline)) inline long rawSyscall4(long nr, long a, long b, long c, long d) {
  long r;
  register long r10 asm("r10") = d;
  asm volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
  return r;
}

// The loop's first blocking wait once the container runs and the engine has its start report:
// the start-up's code and constants are unmapped, then the wait begins, with nothing between
// them that runs code elsewhere (raw system calls, and this function in a section of its own),
// so that an idle monitor has this one page of code mapped, and what the loop runs once an
// event comes.
__attribute__((noinline, section(".text.hot.berth_idle"))) int idleWait(int ep, struct epoll_event* evs, int max,
                                                                     int timeout) {
  for (int i = 0; i < g_startup_range_count; ++i)
    (void)rawSyscall4(SYS_madvise, long(g_startup_ranges[i].start), long(g_startup_ranges[i].len), MADV_DONTNEED, 0);
  long r = rawSyscall4(SYS_epoll_wait, ep, reinterpret_cast<long>(evs), max, timeout);
  if (r < 0) {
    errno = int(-r);
    return -1;
  }
  return int(r);
}
#else
int idleWait(int ep, struct epoll_event* evs, int max, int timeout) {
  for (int i = 0; i < g_startup_range_count; ++i)
    (void)::madvise(reinterpret_cast<void*>(g_startup_ranges[i].start), g_startup_ranges[i].len, MADV_DONTNEED);
  return ::epoll_wait(ep, evs, max, timeout);
}
#endif

}  // namespace

void addStartupRange(uintptr_t start, size_t len) {
  if (g_startup_range_count < int(std::size(g_startup_ranges))) g_startup_ranges[g_startup_range_count++] = {start, len};
}

namespace {

using runtime::ChildProcess;
using runtime::OciRuntime;

// epoll tags (high 32 bits of epoll_event.data.u64; the fd is the low 32).
enum Tag : uint32_t { kSignal = 1, kStdout, kStderr, kPty, kStdin, kListen, kClient, kCtl };

// Output back-pressure: while a client has more than kClientHighWater bytes
// queued the container's output is not read (the container blocks in
// write), until every client is below kClientLowWater. A client that takes
// nothing for kClientStallMs while holding output back is dropped, so a
// stopped client cannot stall the container (and its log) for ever.
constexpr size_t kClientHighWater = 1 << 20;
constexpr size_t kClientLowWater = 256 << 10;
constexpr int64_t kClientStallMs = 30000;
// At exit, queued output gets this long per client without progress.
constexpr int64_t kFinalFlushStallMs = 5000;

int64_t monotonicUs() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
int64_t monotonicMs() { return monotonicUs() / 1000; }

uint64_t key(Tag t, int fd) { return (uint64_t(t) << 32) | uint32_t(fd); }

Status setNonblock(int fd) {
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return errnoError("fcntl O_NONBLOCK");
  return {};
}

struct Pipe {
  UniqueFd r, w;
};
Result<Pipe> makePipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

// A runtime call that failed: the runtime's message and exit code, which
// the sync message carries to the engine.
struct LaunchError {
  std::string message;
  int code;
};

// One run of the container (restarts make several).
struct Run {
  pid_t pid = -1;
  UniqueFd out, err;  // read ends of stdout/stderr pipes
  UniqueFd in;        // write end of the stdin pipe (--stdin, no tty)
  UniqueFd pty;       // pty master (--tty): output and input
  bool exited = false;
  int status = 0;
};

class Monitor {
 public:
  explicit Monitor(const Options& o)
      : o_(o), rt_({o.runtime.substr(o.runtime.rfind('/') + 1), o.runtime, o.runtime_args,
                    o.runtime_log}) {}

  int run();

 private:
  bool awaitGo();
  Status setup();
  // create (+ start), leaving run_ ready for the loop. On failure returns
  // the runtime's message and exit code.
  std::optional<LaunchError> launch(bool start);
  std::optional<LaunchError> runRuntime(std::string_view verb, const std::vector<std::string>& argv,
                                        int in, int out, int err, int preserve_fds = 0,
                                        int err_read = -1);
  void reportSync(const std::string& line);
  Status loop();
  void onOutput(Stream s, int fd);
  void onSignal();
  void onAccept();
  void onClient(int fd, uint32_t events);
  void readClientInput(AttachClients::Client& c);
  void onStdinWritable();
  void onCtl();
  void drainOutput();
  int stdinFd() const { return run_.pty ? run_.pty.get() : run_.in.get(); }
  void closeStdin();
  void closeOutput(UniqueFd& fd);
  void epollAdd(int fd, Tag t, uint32_t events = EPOLLIN);
  void epollDel(int fd);
  // Registers `fd` for exactly `events` (0: not registered), skipping
  // epoll_ctl when nothing changed.
  void arm(int fd, Tag t, uint32_t events);
  // Recomputes what every fd waits for (input paused while stdin is full,
  // output paused while a client lags) and drops stalled or finished clients.
  void rearm();
  int epollTimeoutMs() const;
  void flushClientsAtExit();
  void finish();
  // --hold-output-ms: no attach client has come yet and the hold has not run out.
  bool holdingOutput() const {
    return hold_until_ms_ >= 0 && clients_.all().empty() && monotonicMs() < hold_until_ms_;
  }

  const Options& o_;
  OciRuntime rt_;
  LogWriter log_;
  UniqueFd ep_, sigfd_, listen_, ctl_;
  std::string ctl_buf_;
  AttachClients clients_;
  StdinBuffer stdin_;
  bool stdin_eof_ = false;      // a client ended its input: close stdin once drained
  bool output_paused_ = false;  // a client lags: leave the container's output unread
  std::vector<char> recv_buf_;  // client packets; allocated on the first one
  std::unordered_map<int, uint32_t> armed_;  // events registered per fd (not clients)
  Run run_;
  bool preserved_fds_open_ = true;
  bool restoring_ = !o_.restore_path.empty();  // the first launch restores (--restore)
  bool steady_hook_due_ = false;  // idleWait is the loop's next blocking wait
  int64_t hold_until_ms_ = -1;  // --hold-output-ms: until when (monotonic); -1 once a client came
  int64_t deadline_ms_ = -1;  // --timeout: when the container is killed (monotonic)
  bool timed_out_ = false;
  // Healthcheck schedule: the next check (monotonic ms, -1 none) and the running one.
  int64_t next_health_ms_ = -1;
  pid_t health_pid_ = -1;
  void startHealthcheck();
};

// The exit command with --healthcheck, as a child of the monitor (reaped by onSignal).
// The monitor's signal mask and dispositions are not inherited (ChildProcess resets them).
void Monitor::startHealthcheck() {
  next_health_ms_ = -1;
  if (o_.exit_command.empty()) return;
  runtime::SpawnSpec sp;
  sp.argv.push_back(o_.exit_command);
  sp.argv.push_back("--healthcheck");
  for (auto& a : o_.exit_command_args) sp.argv.push_back(a);
  sp.new_session = true;
  auto child = runtime::ChildProcess::spawn(sp);
  if (!child.ok()) {
    LOG_WARN("healthcheck: {}", child.error().what());
    next_health_ms_ = monotonicMs() + o_.health_interval_ms;
    return;
  }
  // Reaped by onSignal (we are the subreaper and wait for every child), not by the object.
  health_pid_ = child->release();
}

Status Monitor::setup() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return errnoError("PR_SET_CHILD_SUBREAPER");
  // SIGCHLD is read from a signalfd. SIGTERM/SIGINT are ignored: the
  // container's life is driven through the runtime, not by signalling us.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return errnoError("sigprocmask");
  sigfd_.reset(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd_) return errnoError("signalfd");
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::signal(s, SIG_IGN);

  if (!o_.monitor_pid_file.empty())
    TRY(fs::writeFileReplace(o_.monitor_pid_file, std::to_string(::getpid())));
  log_ = TRY(LogWriter::open(o_.log_driver, o_.log_path, o_.log_max_size));

  ep_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!ep_) return errnoError("epoll_create1");
  epollAdd(sigfd_.get(), kSignal);
  if (!o_.socket_path.empty()) {
    listen_ = TRY_CTX(listenUnix(o_.socket_path, SOCK_SEQPACKET), "attach socket");
    epollAdd(listen_.get(), kListen);
  }
  if (!o_.ctl_path.empty()) {
    ::unlink(o_.ctl_path.c_str());
    if (::mkfifo(o_.ctl_path.c_str(), 0600) < 0) return errnoError("mkfifo {}", o_.ctl_path);
    // O_RDWR: we hold a writer ourselves, so the fifo never reads EOF
    // between engine writes.
    ctl_ = TRY(fs::openFd(o_.ctl_path, O_RDWR | O_NONBLOCK));
    epollAdd(ctl_.get(), kCtl);
  }
  return {};
}

void Monitor::epollAdd(int fd, Tag t, uint32_t events) {
  struct epoll_event ev {};
  ev.events = events;
  ev.data.u64 = key(t, fd);
  if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) < 0)
    LOG_WARN("epoll add fd {}: {}", fd, std::strerror(errno));
}

void Monitor::epollDel(int fd) {
  ::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
  armed_.erase(fd);
}

void Monitor::arm(int fd, Tag t, uint32_t events) {
  auto it = armed_.find(fd);
  uint32_t cur = it == armed_.end() ? 0 : it->second;
  if (it != armed_.end() && cur == events) return;
  if (events == 0) {
    epollDel(fd);
    return;
  }
  struct epoll_event ev {};
  ev.events = events;
  ev.data.u64 = key(t, fd);
  int op = it == armed_.end() ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(ep_.get(), op, fd, &ev) < 0) {
    LOG_WARN("epoll fd {}: {}", fd, std::strerror(errno));
    return;
  }
  armed_[fd] = events;
}

std::optional<LaunchError> Monitor::runRuntime(std::string_view verb,
                                               const std::vector<std::string>& argv, int in,
                                               int out, int err, int preserve_fds, int err_read) {
  off_t off = rt_.logOffset();
  runtime::SpawnSpec spec;
  spec.argv = argv;
  spec.stdin_fd = in;
  spec.stdout_fd = out;
  spec.stderr_fd = err;
  for (int fd = 3; fd < 3 + preserve_fds; ++fd) spec.extra_fds.emplace_back(fd, fd);
  // create (or run): the container's pivot_root must leave it at its namespace's top.
  spec.root_as_mount_ns_top = verb == "create" || verb == "run";
  auto child = ChildProcess::spawn(spec);
  if (!child.ok()) return LaunchError{child.error().what(), 127};
  auto st = child->wait();
  if (!st.ok()) return LaunchError{st.error().what(), 1};
  int code = runtime::exitCodeFromStatus(*st);
  if (code == 0) return std::nullopt;
  // What the runtime printed before the container had its stdio (a bad option, say) is in
  // the container's stderr pipe: `err_read`, its read end.
  std::string printed;
  if (err_read >= 0 && setNonblock(err_read).ok()) {
    char buf[4096];
    ssize_t n;
    while (printed.size() < 65536 && (n = ::read(err_read, buf, sizeof buf)) > 0) printed.append(buf, size_t(n));
  }
  return LaunchError{rt_.failure(verb, code, printed, off).message(), code};
}

std::optional<LaunchError> Monitor::launch(bool start) {
  run_ = Run{};
  ::unlink(o_.pid_file.c_str());
  bool passthrough = o_.log_driver == LogDriver::kPassthrough;

  // The container's stdio: a console socket for the pty, or pipes.
  UniqueFd console;
  std::string console_path;
  Pipe out, err, in;
  if (o_.tty) {
    console_path = o_.bundle + "/console.sock";
    if (console_path.size() >= 100) console_path = fmt::format("/tmp/berth-console-{}.sock", ::getpid());
    auto l = listenUnix(console_path, SOCK_STREAM, 1);
    if (!l.ok()) return LaunchError{l.error().what(), 1};
    console = std::move(*l);
  } else if (!passthrough) {
    auto o1 = makePipe(), o2 = makePipe();
    if (!o1.ok() || !o2.ok()) return LaunchError{"pipe: " + std::string(std::strerror(errno)), 1};
    out = std::move(*o1);
    err = std::move(*o2);
    if (o_.stdin_open) {
      auto i = makePipe();
      if (!i.ok()) return LaunchError{i.error().what(), 1};
      in = std::move(*i);
    }
  }
  int cin = passthrough && o_.stdin_open ? 0 : in.r.get();
  int cout = passthrough ? 1 : out.w.get();
  int cerr = passthrough ? 2 : err.w.get();

  std::optional<LaunchError> fail;
  if (o_.exec) {
    runtime::ExecOptions eo;
    eo.process_json = o_.exec_process_json;
    eo.pid_file = o_.pid_file;
    eo.console_socket = console_path;
    eo.detach = true;  // the exec'd process is reparented to us (subreaper)
    fail = runRuntime("exec", rt_.execArgv(o_.id, eo), cin, cout, cerr);
  } else {
    // The preserved fds go to the first create only; they are closed after it.
    int preserve = preserved_fds_open_ ? o_.preserve_fds : 0;
    runtime::CreateOptions co{o_.bundle, o_.pid_file, console_path, preserve};
    // Started too: one `run --detach` instead of create and start (a runtime process less).
    int err_read = passthrough ? -1 : err.r.get();
    if (restoring_) {
      // The checkpointed processes come back with these pipes (or this console) as their
      // stdio: the runtime hands them to CRIU in place of the dumped ones.
      // CRIU's restore.log goes beside the images (their parent directory).
      size_t slash = o_.restore_path.rfind('/');
      std::string work = slash == std::string::npos || slash == 0 ? o_.bundle : o_.restore_path.substr(0, slash);
      runtime::RestoreOptions ro{o_.restore_path, work, o_.bundle, o_.pid_file, console_path,
                                 o_.restore_tcp_established, o_.restore_file_locks};
      restoring_ = false;
      fail = runRuntime("restore", rt_.restoreArgv(o_.id, ro), cin, cout, cerr, 0, err_read);
    } else if (start) {
      fail = runRuntime("run", rt_.runDetachedArgv(o_.id, co), cin, cout, cerr, preserve, err_read);
    } else {
      fail = runRuntime("create", rt_.createArgv(o_.id, co), cin, cout, cerr, preserve, err_read);
    }
    if (preserved_fds_open_) {
      for (int fd = 3; fd < 3 + o_.preserve_fds; ++fd) ::close(fd);
      preserved_fds_open_ = false;
    }
  }
  in.r.reset();
  out.w.reset();
  err.w.reset();
  if (!console_path.empty()) ::unlink(console_path.c_str());
  if (fail) return fail;

  if (o_.tty) {
    auto master = acceptConsole(console.get(), 5000);
    if (!master.ok()) return LaunchError{master.error().what(), 1};
    run_.pty = std::move(*master);
    if (auto st = setNonblock(run_.pty.get()); !st.ok()) return LaunchError{st.error().what(), 1};
  }
  auto pid_text = fs::readFile(o_.pid_file);
  if (!pid_text.ok()) return LaunchError{pid_text.error().what(), 1};
  pid_t pid = 0;
  std::from_chars(pid_text->data(), pid_text->data() + pid_text->size(), pid);
  if (pid <= 0) return LaunchError{"invalid pid file " + o_.pid_file, 1};
  run_.pid = pid;
  run_.out = std::move(out.r);
  run_.err = std::move(err.r);
  run_.in = std::move(in.w);
  // Every fd the loop touches is non-blocking: a full stdin pipe or a slow
  // reader must never stop the loop.
  for (int fd : {run_.out.get(), run_.err.get(), run_.in.get()}) {
    if (fd < 0) continue;
    if (auto st = setNonblock(fd); !st.ok()) return LaunchError{st.error().what(), 1};
  }
  stdin_.clear();
  stdin_eof_ = false;
  rearm();
  return std::nullopt;
}

void Monitor::reportSync(const std::string& line) {
  if (o_.sync_fd < 0) return;
  // The engine reads a missing report as a monitor that failed to start.
  if (auto st = fs::writeAll(o_.sync_fd, line + "\n"); !st.ok())
    LOG_ERROR("report to the engine: {}", st.error().what());
}

void Monitor::closeStdin() {
  stdin_.clear();
  stdin_eof_ = false;
  if (run_.in) {
    epollDel(run_.in.get());
    run_.in.reset();
  }
}

void Monitor::closeOutput(UniqueFd& fd) {
  epollDel(fd.get());
  fd.reset();
}

void Monitor::onOutput(Stream s, int fd) {
  char buf[runtime::kAttachMaxOutPacket - 1];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      if (auto st = log_.write(s, std::string_view(buf, n), nowNanos()); !st.ok())
        LOG_WARN("log: {}", st.error().what());
      clients_.broadcast(char(s), buf, size_t(n), monotonicMs());
      // One read per wakeup keeps the loop fair; drainOutput() loops.
      if (!run_.exited) return;
      continue;
    }
    if (n < 0 && errno == EAGAIN) return;
    // EOF, or EIO on a pty master once every slave fd is closed.
    if (run_.out.get() == fd) closeOutput(run_.out);
    if (run_.err.get() == fd) closeOutput(run_.err);
    if (run_.pty.get() == fd) {
      stdin_.clear();
      closeOutput(run_.pty);
    }
    return;
  }
}

void Monitor::drainOutput() {
  if (run_.out) onOutput(Stream::kStdout, run_.out.get());
  if (run_.err) onOutput(Stream::kStderr, run_.err.get());
  if (run_.pty) onOutput(Stream::kStdout, run_.pty.get());
}

void Monitor::onSignal() {
  struct signalfd_siginfo si;
  while (::read(sigfd_.get(), &si, sizeof si) == sizeof si) {
  }
  // We are a subreaper: reap everything, note the container's status.
  for (;;) {
    int status;
    pid_t p = ::waitpid(-1, &status, WNOHANG);
    if (p <= 0) break;
    if (p == run_.pid) {
      run_.exited = true;
      run_.status = status;
    }
    if (p == health_pid_) {
      health_pid_ = -1;
      if (o_.health_interval_ms > 0) next_health_ms_ = monotonicMs() + o_.health_interval_ms;
    }
  }
}

void Monitor::onAccept() {
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    clients_.add(UniqueFd(fd));
  }
}

// Writes what the container's stdin takes now; at a client's EOF closes the
// stdin pipe once everything before the EOF is written.
void Monitor::onStdinWritable() {
  int fd = stdinFd();
  if (fd < 0) {
    stdin_.clear();
    return;
  }
  if (stdin_.flush(fd) == StdinBuffer::Flush::kBroken) {
    // The container closed its stdin (EPIPE) or its terminal (EIO): nothing
    // more can be delivered; later input is read and discarded.
    if (run_.in) closeStdin();
    return;
  }
  if (stdin_eof_ && stdin_.pending() == 0 && run_.in) closeStdin();
}

void Monitor::readClientInput(AttachClients::Client& c) {
  if (recv_buf_.empty()) recv_buf_.resize(runtime::kAttachRecvBuffer);
  while (!c.read_closed && stdin_.hasRoom()) {
    struct iovec iov = {recv_buf_.data(), recv_buf_.size()};
    struct msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    ssize_t n = ::recvmsg(c.fd.get(), &msg, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n > 0 && (msg.msg_flags & MSG_TRUNC)) {
      // A packet larger than the protocol allows lost its tail: the stream
      // is corrupt. Stop taking input from this client (its EOF still counts).
      LOG_ERROR("attach client sent a packet over {} bytes; its input is refused",
                runtime::kAttachMaxInPacket);
      n = 0;
    }
    if (n > 0) {
      if (stdinFd() >= 0) stdin_.append(std::string_view(recv_buf_.data(), size_t(n)));
      onStdinWritable();
      continue;
    }
    // EOF (or an error) from the client: its stdin is done. Keep it for
    // output until it hangs up. The container's stdin pipe closes once the
    // input before the EOF is written, unless told to leave it open (a pty
    // has no separate stdin to close: as conmon, the terminal stays).
    c.read_closed = true;
    if (!o_.leave_stdin_open) {
      stdin_eof_ = true;
      onStdinWritable();
    }
  }
}

void Monitor::onClient(int fd, uint32_t events) {
  auto* c = clients_.find(fd);
  if (!c) return;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) clients_.flush(*c, monotonicMs());
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readClientInput(*c);
  // A client that is gone for output keeps its unread input: it is read
  // (as space allows) before the client is removed in rearm().
  if ((events & (EPOLLHUP | EPOLLERR)) && c->read_closed) c->hung_up = true;
}

int Monitor::epollTimeoutMs() const {
  int64_t now = monotonicMs(), next = -1;
  if (deadline_ms_ >= 0 && !timed_out_) next = std::max<int64_t>(0, deadline_ms_ - now);
  if (holdingOutput()) {
    int64_t left = std::max<int64_t>(0, hold_until_ms_ - now);
    if (next < 0 || left < next) next = left;
  }
  if (next_health_ms_ >= 0 && health_pid_ < 0) {
    int64_t left = std::max<int64_t>(0, next_health_ms_ - now);
    if (next < 0 || left < next) next = left;
  }
  if (!output_paused_) return int(next < 0 ? -1 : next + 1);
  for (auto& c : clients_.all()) {
    if (c.out_bytes <= kClientLowWater) continue;
    int64_t left = std::max<int64_t>(0, c.last_progress_ms + kClientStallMs - now);
    if (next < 0 || left < next) next = left;
  }
  return int(next < 0 ? -1 : next + 1);
}

void Monitor::rearm() {
  int64_t now = monotonicMs();
  auto& list = clients_.all();
  if (!list.empty()) hold_until_ms_ = -1;  // the attach client came: output flows to it
  for (auto it = list.begin(); it != list.end();) {
    auto& c = *it;
    bool stalled = output_paused_ && c.out_bytes > kClientLowWater &&
                   now - c.last_progress_ms >= kClientStallMs;
    if (stalled && !c.hung_up) {
      LOG_WARN("attach client took no output for {} s: dropped", kClientStallMs / 1000);
      c.hung_up = true;
      c.out.clear();
      c.out_bytes = 0;
    }
    // Done: takes no output and has no input left (or the input cannot be
    // read because the client vanished without EOF).
    if (c.hung_up && c.read_closed) {
      it = list.erase(it);  // closes the fd, which leaves epoll
      continue;
    }
    ++it;
  }
  size_t backlog = clients_.backlog();
  if (backlog > kClientHighWater) output_paused_ = true;
  else if (backlog <= kClientLowWater) output_paused_ = false;

  bool want_in = stdin_.hasRoom();
  for (auto& c : list) {
    uint32_t ev = 0;
    if (!c.read_closed && want_in) ev |= EPOLLIN;
    if (!c.out.empty() && !c.hung_up) ev |= EPOLLOUT;
    // A hung-up client with input left but no room for it stays out of
    // epoll: its EPOLLHUP would fire on every pass.
    if (c.armed == ev) continue;
    struct epoll_event e {};
    e.events = ev;
    e.data.u64 = key(kClient, c.fd.get());
    int op = c.armed == 0 ? EPOLL_CTL_ADD : ev == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (::epoll_ctl(ep_.get(), op, c.fd.get(), &e) < 0 && op != EPOLL_CTL_DEL)
      LOG_WARN("epoll attach client: {}", std::strerror(errno));
    c.armed = ev;
  }
  uint32_t out_ev = output_paused_ || holdingOutput() ? 0u : uint32_t(EPOLLIN);
  uint32_t in_ev = stdin_.pending() > 0 ? uint32_t(EPOLLOUT) : 0u;
  if (run_.out) arm(run_.out.get(), kStdout, out_ev);
  if (run_.err) arm(run_.err.get(), kStderr, out_ev);
  if (run_.in) arm(run_.in.get(), kStdin, in_ev);
  if (run_.pty) arm(run_.pty.get(), kPty, out_ev | in_ev);
}

void Monitor::onCtl() {
  char buf[256];
  ssize_t n;
  while ((n = ::read(ctl_.get(), buf, sizeof buf)) > 0) ctl_buf_.append(buf, n);
  size_t nl;
  while ((nl = ctl_buf_.find('\n')) != std::string::npos) {
    std::string line = ctl_buf_.substr(0, nl);
    ctl_buf_.erase(0, nl + 1);
    int type = 0, rows = 0, cols = 0;
    if (sscanf(line.c_str(), "%d %d %d", &type, &rows, &cols) < 1) continue;
    if (type == 1 && run_.pty) {
      struct winsize ws {};
      ws.ws_row = uint16_t(rows);
      ws.ws_col = uint16_t(cols);
      if (::ioctl(run_.pty.get(), TIOCSWINSZ, &ws) < 0)
        LOG_WARN("resize terminal: {}", std::strerror(errno));
    } else if (type == 2) {
      if (auto st = log_.reopen(); !st.ok()) LOG_WARN("reopen log: {}", st.error().what());
    }
  }
  if (ctl_buf_.size() > 4096) ctl_buf_.clear();
}

Status Monitor::loop() {
  onSignal();  // the container may have exited before the loop began
  struct epoll_event evs[16];
  // A container that ended while its output is held waits for the attach client (or the
  // end of the hold) before the output is drained.
  while (!run_.exited || holdingOutput()) {
    rearm();
    int timeout = epollTimeoutMs();
    int n;
    // The start-up's code goes right before a wait that blocks: what is already pending (the
    // runtime's exit, the container's first output) is handled first, else what that runs
    // would be mapped again right after.
    if (steady_hook_due_ && (n = ::epoll_wait(ep_.get(), evs, 16, 0)) != 0) {
      // handled below, as any wait's events
    } else if (steady_hook_due_) {
      steady_hook_due_ = false;
      n = idleWait(ep_.get(), evs, 16, timeout);
    } else {
      n = ::epoll_wait(ep_.get(), evs, 16, timeout);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("epoll_wait");
    }
    if (next_health_ms_ >= 0 && health_pid_ < 0 && monotonicMs() >= next_health_ms_) startHealthcheck();
    if (deadline_ms_ >= 0 && !timed_out_ && monotonicMs() >= deadline_ms_) {
      // conmon's --timeout: the container's init dies, and with it its PID namespace.
      timed_out_ = true;
      if (::kill(run_.pid, SIGKILL) < 0 && errno != ESRCH)
        LOG_WARN("timeout: kill {}: {}", run_.pid, std::strerror(errno));
    }
    // New attach clients first: one that connected before the container started must see
    // output that is ready in this same batch (else a short-lived container's output goes
    // to the log only and the client gets just EOF).
    for (int i = 0; i < n; ++i)
      if (Tag(evs[i].data.u64 >> 32) == kListen) onAccept();
    for (int i = 0; i < n; ++i) {
      Tag t = Tag(evs[i].data.u64 >> 32);
      int fd = int(uint32_t(evs[i].data.u64));
      uint32_t e = evs[i].events;
      switch (t) {
        case kSignal: onSignal(); break;
        case kStdout:
          if (run_.out.get() == fd) onOutput(Stream::kStdout, fd);
          break;
        case kStderr:
          if (run_.err.get() == fd) onOutput(Stream::kStderr, fd);
          break;
        case kStdin:
          if (run_.in.get() != fd) break;
          // EPOLLERR on a pipe's write end: the container closed its stdin.
          if (e & (EPOLLERR | EPOLLHUP)) closeStdin();
          else onStdinWritable();
          break;
        case kPty:
          if (run_.pty.get() != fd) break;
          if (e & EPOLLOUT) onStdinWritable();
          if (run_.pty && (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !output_paused_ && !holdingOutput())
            onOutput(Stream::kStdout, fd);
          else if (run_.pty && (e & (EPOLLHUP | EPOLLERR))) stdin_.clear();
          break;
        case kListen: break;  // accepted above
        case kClient: onClient(fd, e); break;
        case kCtl: onCtl(); break;
      }
    }
  }
  // Whatever the container wrote before dying is still in the pipes.
  drainOutput();
  for (UniqueFd* fd : {&run_.out, &run_.err, &run_.pty})
    if (*fd) closeOutput(*fd);
  closeStdin();
  rearm();
  return {};
}

// Sends what the clients still have queued, waiting for slow ones (but not
// for ever): the attach client must see all output before its EOF.
void Monitor::flushClientsAtExit() {
  for (;;) {
    int64_t now = monotonicMs();
    std::vector<struct pollfd> pfds;
    for (auto& c : clients_.all()) {
      if (c.hung_up || c.out.empty()) continue;
      if (now - c.last_progress_ms >= kFinalFlushStallMs) {
        c.hung_up = true;
        c.out.clear();
        c.out_bytes = 0;
        continue;
      }
      pfds.push_back({c.fd.get(), POLLOUT, 0});
    }
    if (pfds.empty()) return;
    if (::poll(pfds.data(), pfds.size(), 100) < 0 && errno != EINTR) return;
    now = monotonicMs();
    for (auto& c : clients_.all()) clients_.flush(c, now);
  }
}

void Monitor::finish() {
  flushClientsAtExit();
  clients_.clear();  // attach clients see EOF
  if (listen_) {
    listen_.reset();
    ::unlink(o_.socket_path.c_str());
  }
  if (ctl_) {
    ctl_.reset();
    ::unlink(o_.ctl_path.c_str());
  }
}

// --go-fd: what can be done before the bundle exists (the runtime's sealed copy) is done, then
// the engine's word awaited. True: go on; false: cancelled (EOF: the engine gave up or died).
bool Monitor::awaitGo() {
  if (o_.go_fd < 0) return true;
  runtime::prepareSealedCopies();
  char c = 0;
  ssize_t n;
  while ((n = ::read(o_.go_fd, &c, 1)) < 0 && errno == EINTR) {
  }
  ::close(o_.go_fd);
  return n == 1 && c == '1';
}

int Monitor::run() {
  if (!awaitGo()) {
    if (o_.sync_fd >= 0) ::close(o_.sync_fd);
    return 0;
  }
  if (auto st = setup(); !st.ok()) {
    reportSync(fmt::format("{{\"error\":{},\"code\":-1}}",
                           Json(st.error().what()).dump(-1, ' ', false, Json::error_handler_t::replace)));
    return 1;
  }
  if (o_.start && o_.hold_output_ms > 0) hold_until_ms_ = monotonicMs() + o_.hold_output_ms;
  int64_t launch_us = monotonicUs();
  auto fail = launch(o_.start);
  launch_us = monotonicUs() - launch_us;
  runtime::dropSealedCopies();  // made again should a restart need the runtime
  if (fail) {
    reportSync(fmt::format("{{\"error\":{},\"code\":{}}}",
                           Json(fail->message).dump(-1, ' ', false, Json::error_handler_t::replace),
                           fail->code));
  } else {
    reportSync(fmt::format("{{\"pid\":{},\"runtime_op\":\"{}\",\"runtime_ms\":{:.2f}}}", run_.pid,
                           o_.exec ? "exec" : !o_.restore_path.empty() ? "restore" : o_.start ? "run --detach" : "create",
                           launch_us / 1000.0));
  }
  if (o_.sync_fd >= 0) ::close(o_.sync_fd);
  // The start-up is over: its code is dropped right before the loop first blocks (idleWait),
  // so that only what the waiting loop runs is mapped again.
  steady_hook_due_ = !fail && g_startup_range_count > 0;
  if (!fail && o_.timeout_s > 0) deadline_ms_ = monotonicMs() + o_.timeout_s * 1000;
  if (!fail && o_.health_interval_ms > 0) next_health_ms_ = monotonicMs() + o_.health_interval_ms;
  if (fail) {
    LOG_ERROR("{}", fail->message);
    // A created-but-unstarted container is left for the engine to delete.
    finish();
    return 1;
  }
  // Each pass: wait for the run to end, record it, restart it or stop. The engine reads
  // a "restarting" record as not final, and "<exit-file>.restarts" for the new run.
  const std::string stopping_file = o_.exit_file + ".stopping";
  for (int restarts = 0;; ++restarts) {
    if (auto st = loop(); !st.ok()) {
      LOG_ERROR("{}", st.error().what());
      finish();
      return 1;
    }
    // A run ended by --timeout exits -1 (podman's) and is not restarted.
    ExitRecord rec{timed_out_ ? -1 : runtime::exitCodeFromStatus(run_.status), nowNanos(), false, restarts};
    rec.restarting = !timed_out_ && shouldRestart(o_, rec.exit_code, restarts, fs::exists(stopping_file));
    if (auto st = writeExitRecord(o_.exit_file, rec); !st.ok())
      LOG_ERROR("exit file: {}", st.error().what());
    if (!rec.restarting) break;
    std::optional<LaunchError> f = runRuntime("delete", rt_.deleteArgv(o_.id, true), -1, -1, -1);
    if (!f) f = launch(/*start=*/true);
    runtime::dropSealedCopies();
    if (f) {
      LOG_ERROR("restart: {}", f->message);
      rec.restarting = false;
      if (auto st = writeExitRecord(o_.exit_file, rec); !st.ok())
        LOG_ERROR("exit file after a failed restart: {}", st.error().what());
      break;
    }
    if (auto st = fs::writeFileReplace(o_.exit_file + ".restarts", std::to_string(restarts + 1)); !st.ok())
      LOG_ERROR("restarts file: {}", st.error().what());
    ::unlink(o_.exit_file.c_str());
    // A stop that came while we restarted found no process to signal: end this run now.
    if (fs::exists(stopping_file)) ::kill(run_.pid, SIGKILL);
  }
  finish();
  if (!o_.exit_command.empty()) {
    std::vector<char*> argv{const_cast<char*>(o_.exit_command.c_str())};
    for (auto& a : o_.exit_command_args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::signal(s, SIG_DFL);
    ::execv(argv[0], argv.data());
    LOG_ERROR("exec exit command {}: {}", o_.exit_command, std::strerror(errno));
    return 1;
  }
  return 0;
}

}  // namespace

Status daemonize(const Options& o) {
  pid_t p = ::fork();
  if (p < 0) return errnoError("fork");
  if (p > 0) ::_exit(0);
  if (::setsid() < 0) return errnoError("setsid");
  p = ::fork();
  if (p < 0) return errnoError("fork");
  if (p > 0) ::_exit(0);
  if (o.log_driver != LogDriver::kPassthrough) {
    int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) return errnoError("open /dev/null");
    for (int i = 0; i < 3; ++i) ::dup2(null_fd, i);
    if (null_fd > 2) ::close(null_fd);
  }
  if (::chdir("/") < 0) return errnoError("chdir /");
  return {};
}

int runMonitor(const Options& o) {
  Monitor m(o);
  return m.run();
}

}  // namespace berth::monitor
