// Container I/O: attach, logs, exec, top.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <thread>

#include "base/fs.h"
#include "base/scope_exit.h"
#include "base/timefmt.h"
#include "engine/container_service.h"
#include "base/detach_keys.h"
#include "engine/engine.h"
#include "engine/helper_binaries.h"
#include "engine/monitor_launch.h"
#include "engine/names.h"
#include "engine/rootfs_files.h"
#include "base/log.h"
#include "runtime/attach_protocol.h"
#include "runtime/child_process.h"
#include "specgen/user.h"
#include "sys/cgroup_warm.h"
#include "sys/mntns_top.h"

namespace berth::engine {

Result<UniqueFd> connectAttach(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd) return errnoError("socket");
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return makeError(Code::kInvalidArgument, "attach socket path {} is too long", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  for (int i = 0;; ++i) {
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
    if ((errno != ENOENT && errno != ECONNREFUSED) || i >= 100) return errnoError("connect to attach socket {}", path);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return fd;
}


namespace {

volatile sig_atomic_t g_pending_signal = 0;
volatile sig_atomic_t g_winch = 0;
void onProxySignal(int sig) { g_pending_signal = sig; }
void onWinch(int) { g_winch = 1; }

// Puts a terminal in raw mode and restores it on destruction.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (::tcgetattr(fd, &saved_) == 0) {
      struct termios raw = saved_;
      ::cfmakeraw(&raw);
      raw.c_oflag |= OPOST;  // keep output processing sane
      active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  struct termios saved_ = {};
  bool active_ = false;
};

void sendWinsize(const std::string& ctl, int tty_fd) {
  struct winsize ws = {};
  if (::ioctl(tty_fd, TIOCGWINSZ, &ws) < 0) return;
  int fd = ::open(ctl.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  std::string msg = fmt::format("1 {} {}\n", ws.ws_row, ws.ws_col);
  (void)!::write(fd, msg.data(), msg.size());
  ::close(fd);
}

}  // namespace

Result<int> LocalContainerService::attachStreams(const state::ContainerRecord& rec, UniqueFd sock,
                                                 const api::AttachStreams& s) {
  auto p = paths(rec.id);
  std::string keys = TRY(parseDetachKeys(s.detach_keys));
  std::optional<RawTerminal> raw;
  bool in_tty = s.in >= 0 && ::isatty(s.in);
  if (s.tty && in_tty) {
    raw.emplace(s.in);
    sendWinsize(p.ctl, s.in);
    struct sigaction sa = {};
    sa.sa_handler = onWinch;
    ::sigaction(SIGWINCH, &sa, nullptr);
  }
  if (!s.tty && s.proxy_signals) {
    struct sigaction sa = {};
    sa.sa_handler = onProxySignal;
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) ::sigaction(sig, &sa, nullptr);
  }
  // stdin is relayed with back-pressure: one pending packet at a time, sent
  // when the socket takes it (the monitor stops reading while the
  // container's stdin is full), and output is read all the while, so a
  // container that echoes its input cannot deadlock with us.
  bool stdin_open = s.in >= 0;
  bool stdin_eof = false;  // read EOF: shut down our side once `pending` is sent
  size_t matched = 0;
  std::string held;     // detach-key prefix typed so far
  std::string pending;  // input not yet sent, in packets of at most kAttachMaxInPacket
  std::vector<char> buf(std::max(runtime::kAttachMaxInPacket, runtime::kAttachMaxOutPacket) + 1);
  bool detached = false;
  for (;;) {
    if (g_pending_signal) {
      int sig = g_pending_signal;
      g_pending_signal = 0;
      if (auto rt = runtimeFor(rec); rt.ok()) {
        if (auto k = rt->kill(rec.id, sig, false); !k.ok())
          LOG_DEBUG("forward signal {} to {}: {}", sig, rec.id.substr(0, 12), k.error().what());
      }
    }
    if (g_winch) {
      g_winch = 0;
      sendWinsize(p.ctl, s.in);
    }
    if (stdin_eof && pending.empty()) {
      stdin_eof = false;
      if (::shutdown(sock.get(), SHUT_WR) < 0 && errno != ENOTCONN)
        return errnoError("close the container's stdin");
    }
    short sock_events = POLLIN | (pending.empty() ? 0 : POLLOUT);
    bool want_stdin = stdin_open && pending.empty();
    struct pollfd fds[3] = {{sock.get(), sock_events, 0}, {want_stdin ? s.in : -1, POLLIN, 0}, {s.hangup_fd, 0, 0}};
    int n = ::poll(fds, 3, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoError("poll");
    }
    if (fds[2].revents & (POLLHUP | POLLERR)) {  // the API client is gone
      detached = true;
      break;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::recv(sock.get(), buf.data(), buf.size(), MSG_DONTWAIT);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) break;  // the container is done
      if (r > 1) {
        bool is_err = buf[0] == runtime::kAttachStderr && !s.tty;
        if (s.output) {
          if (!s.output(is_err ? 2 : 1, std::string_view(buf.data() + 1, r - 1))) {
            detached = true;
            break;
          }
        } else if (int out = is_err ? s.err : s.out; out >= 0) {
          (void)fs::writeAll(out, std::string_view(buf.data() + 1, r - 1));
        }
      }
    }
    if (!pending.empty() && (fds[0].revents & POLLOUT)) {
      size_t len = std::min(pending.size(), runtime::kAttachMaxInPacket);
      ssize_t w = ::send(sock.get(), pending.data(), len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w >= 0) {
        pending.erase(0, len);
      } else if (errno != EINTR && errno != EAGAIN) {
        if (errno != EPIPE && errno != ECONNRESET) return errnoError("write to container stdin");
        // The monitor is gone: its EOF comes on the next recv.
        stdin_open = stdin_eof = false;
        pending.clear();
      }
    }
    if (want_stdin && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t r = ::read(s.in, buf.data(), runtime::kAttachMaxInPacket);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        stdin_open = false;
        pending = std::move(held);
        held.clear();
        stdin_eof = true;
        continue;
      }
      for (ssize_t i = 0; i < r; ++i) {
        char c = buf[i];
        if (!keys.empty() && s.tty && c == keys[matched]) {
          held.push_back(c);
          if (++matched == keys.size()) {
            detached = true;
            break;
          }
          continue;
        }
        if (!held.empty()) {
          pending += held;
          held.clear();
          matched = 0;
        }
        pending.push_back(c);
      }
      if (detached) break;
    }
  }
  raw.reset();
  if (detached) return -1;
  // Wait for the exit record, then finalise through the usual sync.
  for (int i = 0; i < 2000 && !fs::exists(p.exit_file); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::optional<int> exit_code;
  if (auto ef = readExitFile(rec.id); ef.ok() && *ef && (**ef).contains("exit_code") && (**ef)["exit_code"].is_number_integer())
    exit_code = (**ef)["exit_code"].get<int>();
  auto st = loadSynced(rec.id);
  if (!st.ok()) {
    if (st.error().code() == Code::kNotFound) {
      // Removed meanwhile, by its own cleanup (--rm) or by `rm -f`: the exit file said
      // how it ended, or the code retained at the removal does.
      if (!exit_code) exit_code = retainedExitCode(rec.id);
      return exit_code.value_or(0) & 0xff;
    }
    return std::move(st).error();
  }
  if (st->state.value("status", "") == "running") {
    // Output closed but the process lives on (it closed its stdio): wait for it.
    return wait(rec.id, {}, 100);
  }
  // A process's exit status is a byte: --timeout's -1 is 255, as podman's `run` exits.
  // (A negative return means "detached" to callers.)
  return st->state.value("exit_code", 0) & 0xff;
}

// --- logs ---------------------------------------------------------------------------

namespace {

struct LogLine {
  int64_t ts = 0;
  std::string ts_text;
  int stream = 1;
  bool partial = false;
  std::string msg;
};

// k8s-file: "<RFC3339Nano> stdout|stderr F|P <msg>"
bool parseLogLine(std::string_view line, LogLine& out) {
  auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return false;
  auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  auto sp3 = line.find(' ', sp2 + 1);
  out.ts_text = std::string(line.substr(0, sp1));
  auto t = parseRfc3339(out.ts_text);
  out.ts = t.ok() ? *t : 0;
  out.stream = line.substr(sp1 + 1, sp2 - sp1 - 1) == "stderr" ? 2 : 1;
  std::string_view flag = line.substr(sp2 + 1, sp3 == std::string_view::npos ? std::string_view::npos : sp3 - sp2 - 1);
  out.partial = flag == "P";
  out.msg = sp3 == std::string_view::npos ? "" : std::string(line.substr(sp3 + 1));
  return true;
}

}  // namespace

Status LocalContainerService::logs(const api::LogsRequest& req,
                                   const std::function<void(int, std::string_view)>& sink) {
  // Every container is resolved, and its log opened, before anything is read: with
  // --follow they are read side by side (lines in the order they arrive), and a
  // --rm container that exits meanwhile stays readable through its open file.
  struct Reader {
    std::string id, prefix, log_path;
    UniqueFd fd;
    std::string pending, joined;  // incomplete last line of the file; partial lines
    std::deque<LogLine> tail;
    bool first = true, done = false, exited = false;
  };
  std::vector<Reader> readers;
  for (auto& name : req.names) {
    auto found = TRY(state::findContainer(e_.db(), name));
    if (auto log = storedSpec(found.config).log_configuration; log && log->driver == "none")
      return makeError(Code::kFailedPrecondition,
                       "this container is using the 'none' log driver, cannot read logs");
    // podman follows a journald log through journald's events: without them it cannot.
    if (auto log = storedSpec(found.config).log_configuration;
        req.follow && log && log->driver == "journald" && e_.options().events_backend != "journald")
      return makeError(Code::kFailedPrecondition,
                       "using --follow with the journald --log-driver but without the journald --events-backend "
                       "({}) is not supported",
                       e_.options().events_backend);
    Reader r;
    r.id = found.id;
    r.prefix = req.names_prefix ? (req.use_names ? found.name : found.id.substr(0, 12)) + " " : "";
    r.log_path = paths(found.id).log;
    if (auto fd = fs::openFd(r.log_path, O_RDONLY | O_CLOEXEC); fd.ok()) r.fd = std::move(*fd);
    readers.push_back(std::move(r));
  }
  auto emit = [&](Reader& r, LogLine& l) {
    if (req.since && l.ts < req.since) return;
    if (req.until && l.ts > req.until) return;
    r.joined += l.msg;
    if (l.partial) return;
    std::string text = r.prefix + (req.timestamps ? l.ts_text + " " : "") + r.joined + "\n";
    r.joined.clear();
    sink(l.stream, text);
  };
  // Reads what is new in r's log; returns whether anything was.
  auto readNew = [&](Reader& r) -> bool {
    if (!r.fd) {
      // Created but not started yet: the log appears at start.
      auto fd = fs::openFd(r.log_path, O_RDONLY | O_CLOEXEC);
      if (!fd.ok()) return false;
      r.fd = std::move(*fd);
    }
    auto data = fs::readAll(r.fd.get());
    if (!data.ok() || data->empty()) return false;
    r.pending += *data;
    size_t start = 0;
    for (size_t nl; (nl = r.pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      LogLine l;
      if (!parseLogLine(std::string_view(r.pending).substr(start, nl - start), l)) continue;
      if (r.first && req.tail >= 0) {
        r.tail.push_back(std::move(l));
        // Keep the last N full lines (partials join into the line after them).
        size_t full = std::count_if(r.tail.begin(), r.tail.end(), [](auto& x) { return !x.partial; });
        while (full > size_t(req.tail) && !r.tail.empty()) {
          if (!r.tail.front().partial) --full;
          r.tail.pop_front();
        }
      } else {
        emit(r, l);
      }
    }
    r.pending.erase(0, start);
    return true;
  };
  auto finishFirst = [&](Reader& r) {
    if (!r.first) return;
    for (auto& l : r.tail) emit(r, l);
    r.tail.clear();
    r.first = false;
  };
  if (!req.follow) {
    for (auto& r : readers) {
      readNew(r);
      finishFirst(r);
    }
    return {};
  }
  for (auto& r : readers) {
    readNew(r);
    finishFirst(r);
  }
  for (;;) {
    bool any_open = false, any_data = false;
    for (auto& r : readers) {
      if (r.done) continue;
      bool got = readNew(r);
      any_data = any_data || got;
      if (r.exited) {
        // One last read after the exit (done above), then this one is finished.
        if (!got) r.done = true;
        continue;
      }
      auto rec = state::getContainer(e_.db(), r.id);
      if (!rec.ok() || !*rec) {
        r.exited = true;  // removed (--rm): drain what is left of the open file
      } else {
        std::string st = (*rec)->state.value("status", "");
        if (st != "running" && st != "paused" && st != "created" && st != "stopping") r.exited = true;
      }
      any_open = true;
    }
    if (!any_open && std::all_of(readers.begin(), readers.end(), [](auto& r) { return r.done; })) break;
    if (req.cancelled && req.cancelled()) break;
    if (!any_data) {
      for (auto& r : readers)
        if (!r.done && !r.exited) (void)loadSynced(r.id);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return {};
}

// --- exec ---------------------------------------------------------------------------

namespace {

constexpr const char* kPrivilegedExecCaps[] = {
    "CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH", "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO", "CAP_MKNOD",     "CAP_NET_RAW",    "CAP_AUDIT_WRITE",     "CAP_SYS_TIME"};

// The runtime-spec "process" of an exec session, as `runc exec` derives it
// from the container's own process and its flags: args replaced, env and cwd
// as planExec merged them, uid:gid overridden, terminal as asked,
// --privileged capabilities added.
Json execProcess(const Json& base, const api::ExecRequest& req, const runtime::ExecOptions& o,
                 std::optional<std::pair<uint32_t, uint32_t>> user) {
  Json proc = base.is_object() ? base : Json::object();
  proc["args"] = req.cmd;
  proc["terminal"] = req.tty;
  proc["env"] = o.env;  // planExec's: the container's environment with the given keys replaced
  if (!o.cwd.empty()) proc["cwd"] = o.cwd;
  if (user) {
    if (!proc.contains("user") || !proc["user"].is_object()) proc["user"] = Json::object();
    proc["user"]["uid"] = user->first;
    proc["user"]["gid"] = user->second;
  }
  if (req.privileged && proc.contains("capabilities") && proc["capabilities"].is_object()) {
    for (const char* set : {"bounding", "effective", "permitted"}) {
      Json& caps = proc["capabilities"][set];
      if (!caps.is_array()) caps = Json::array();
      for (const char* c : kPrivilegedExecCaps)
        if (std::find(caps.begin(), caps.end(), Json(c)) == caps.end()) caps.push_back(c);
    }
  }
  proc.erase("consoleSize");
  return proc;
}

}  // namespace

// The runtime's exec joins the container's mount namespace with setns, which
// puts the process at the namespace's top: that must be the container's root.
// It is not when the container was created from a chroot without the
// protection of SpawnSpec::root_as_mount_ns_top; exec would then run on the
// filesystem around the chroot, so it is refused.
static Status checkExecLandsInContainer(const state::ContainerRecord& rec) {
  int pid = rec.state.value("pid", 0);
  if (pid <= 0) return {};
  auto top = sys::processRootIsMountNamespaceTop(pid);
  if (!top.ok()) {
    // The container's process is gone: the runtime reports that itself.
    if (top.error().sysErrno() == ENOENT || top.error().sysErrno() == ESRCH) return {};
    return std::move(top).error().context(
        fmt::format("container {}: check its mount namespace", rec.id));
  }
  if (!*top)
    return makeError(Code::kFailedPrecondition,
                     "container {}: its root is not the top of its mount namespace, so an exec'd "
                     "process would run on the filesystem around it (the container was created "
                     "from a chroot without berth's protection); recreate the container",
                     rec.id);
  return {};
}

Result<LocalContainerService::ExecPlan> LocalContainerService::planExec(const api::ExecRequest& req) {
  sys::warmCgroupAttach();  // the runtime's exec joins the container's cgroups (sys/cgroup_warm.h)
  auto found = TRY(state::findContainer(e_.db(), req.container));
  return planExec(TRY(loadSynced(found.id)), req);
}

Result<LocalContainerService::ExecPlan> LocalContainerService::planExec(state::ContainerRecord record,
                                                                       const api::ExecRequest& req) {
  ExecPlan plan;
  plan.rec = std::move(record);
  auto& rec = plan.rec;
  if (rec.state.value("status", "") != "running")
    return makeError(Code::kFailedPrecondition, "can only create exec sessions on running containers: container state improper");
  if (req.cmd.empty()) return makeError(Code::kInvalidArgument, "must provide a non-empty command to start an exec session");
  TRY(checkExecLandsInContainer(rec));
  auto p = paths(rec.id);
  std::vector<std::string> env;
  if (auto cfg = fs::readFile(p.config_json); cfg.ok()) {
    Json oci = Json::parse(*cfg, nullptr, false);
    if (oci.is_object() && oci.contains("process")) {
      plan.process = oci["process"];
      env = oci["process"].value("env", std::vector<std::string>{});
    }
  }
  // The exec's whole environment, a given key replacing the container's: crun's `exec --env`
  // replaces the process environment (runc's adds to it), so both get all of it.
  for (auto& e : req.env) {
    std::string key = e.substr(0, e.find('='));
    auto same = std::find_if(env.begin(), env.end(), [&](const std::string& c) { return c.substr(0, c.find('=')) == key; });
    if (same != env.end()) *same = e;
    else env.push_back(e);
  }
  if (!TRY(commandExistsInRoot(p.merged, req.cmd[0], env)))
    return makeError(Code::kCommandNotFound,
                     "{}: executable file `{}` not found in $PATH: No such file or directory: OCI runtime attempted "
                     "to invoke a command that was not found",
                     rec.config.value("runtime", "runtime"), req.cmd[0]);
  if (TRY(commandPathNotExecutable(p.merged, req.cmd[0])))
    return makeError(Code::kCannotInvoke, "{}: exec: {:?}: permission denied: OCI permission denied",
                     rec.config.value("runtime", "runtime"), req.cmd[0]);
  auto& o = plan.opts;
  o.tty = req.tty;
  o.env = env;  // HOME among them: crun would look it up in the container's /etc/passwd
  // The container's working directory unless --workdir: runc takes it from the config, crun's
  // exec (without --process) would start in "/".
  o.cwd = req.workdir;
  if (o.cwd.empty() && plan.process.is_object() && plan.process.contains("cwd") && plan.process["cwd"].is_string())
    o.cwd = plan.process["cwd"].get<std::string>();
  if (!req.user.empty()) {
    // runc exec --user takes only uid[:gid]: resolve names in the container's files.
    auto files = TRY(readUserFiles(p.merged));
    auto u = TRY(specgen::resolveUser(req.user, files.passwd, files.group));
    o.user = fmt::format("{}:{}", u.uid, u.gid);
    plan.user = std::make_pair(u.uid, u.gid);
  }
  return plan;
}

Result<std::vector<std::string>> LocalContainerService::execArgv(const state::ContainerRecord& rec,
                                                                  const api::ExecRequest& req) {
  auto plan = TRY(planExec(rec, req));
  auto rt = TRY(runtimeFor(plan.rec));
  auto argv = rt.execArgv(plan.rec.id, plan.opts);
  if (req.privileged) {
    // runc exec --cap adds capabilities to the exec'd process.
    std::vector<std::string> caps;
    for (const char* c : kPrivilegedExecCaps) caps.insert(caps.end(), {"--cap", c});
    argv.insert(argv.end() - 1, caps.begin(), caps.end());
  }
  for (auto& a : req.cmd) argv.push_back(a);
  return argv;
}

Result<int> LocalContainerService::exec(const api::ExecRequest& req) {
  if (req.detach) {
    TRY(execDetached(req));
    return 0;
  }
  sys::warmCgroupAttach();  // the runtime's exec joins the container's cgroups (sys/cgroup_warm.h)
  auto found = TRY(state::findContainer(e_.db(), req.container));
  auto rec = TRY(loadSynced(found.id));
  auto argv = TRY(execArgv(rec, req));
  // The runtime runs in the foreground with our stdio (it relays a tty itself).
  runtime::SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.stdin_fd = req.interactive || req.tty ? STDIN_FILENO : -1;
  spec.stdout_fd = STDOUT_FILENO;
  spec.stderr_fd = STDERR_FILENO;
  auto child = TRY(runtime::ChildProcess::spawn(spec));
  emitContainerEvent(rec, "exec");
  int status = TRY(child.wait());
  int code = runtime::exitCodeFromStatus(status);
  emitContainerEvent(rec, "exec_died", code);
  return code;
}

// A detached exec session runs under its own berth-monitor, as podman's under
// conmon: in a new session, with none of the caller's fds (its output goes to
// the "none" log driver, as podman 4.3 does for exec sessions), its exit
// recorded in <run dir>/exec/<session id>/exit.
Result<std::string> LocalContainerService::execDetached(const api::ExecRequest& req) {
  auto plan = TRY(planExec(req));
  auto& rec = plan.rec;
  auto rt = TRY(runtimeFor(rec));
  auto p = paths(rec.id);
  std::string session = randomId();
  std::string dir = p.run_dir + "/exec/" + session;
  TRY(fs::mkdirAll(dir, 0700));
  auto undo = ScopeExit([&] { (void)fs::removeAll(dir); });
  TRY(fs::writeFileReplace(dir + "/process.json", execProcess(plan.process, req, plan.opts, plan.user).dump()));
  std::string monitor = TRY(helperBinary("berth-monitor"));
  std::vector<std::string> argv = {monitor, "--id", rec.id, "--bundle", dir, "--runtime", rt.config().path};
  for (auto& a : rt.config().global_args) argv.insert(argv.end(), {"--runtime-arg", a});
  argv.insert(argv.end(), {"--exit-file", dir + "/exit", "--pid-file", dir + "/pid", "--monitor-pid-file",
                           dir + "/monitor.pid", "--log-driver", "none", "--exec", "--exec-process-json",
                           dir + "/process.json"});
  if (req.tty) argv.push_back("--tty");
  TRY(launchMonitor(std::move(argv), fmt::format("exec session {} of container {}", session.substr(0, 12),
                                                 rec.id.substr(0, 12))));
  undo.cancel();
  return session;
}

// --- top ----------------------------------------------------------------------------

namespace {
// The host's name of a uid or gid (the host's own passwd and group, trusted), else the number.
std::string hostUserName(uid_t uid) {
  struct passwd pw, *res = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(uid);
}
std::string hostGroupName(gid_t gid) {
  struct group gr, *res = nullptr;
  char buf[4096];
  if (::getgrgid_r(gid, &gr, buf, sizeof buf, &res) == 0 && res) return res->gr_name;
  return std::to_string(gid);
}
}  // namespace

Result<std::vector<std::vector<std::string>>> LocalContainerService::top(const std::string& name,
                                                                         const std::vector<std::string>& descriptors) {
  auto found = TRY(state::findContainer(e_.db(), name));
  auto rec = TRY(loadSynced(found.id));
  if (rec.state.value("status", "") != "running")
    return makeError(Code::kFailedPrecondition, "top can only be used on running containers: container state improper");
  auto rt = TRY(runtimeFor(rec));
  std::vector<std::string> argv = {rt.config().path};
  for (auto& a : rt.config().global_args) argv.push_back(a);
  argv.insert(argv.end(), {"ps", "--format", "json", rec.id});
  auto out = TRY(runtime::runCaptured(argv));
  if (out.exit_code != 0) return rt.failure("ps", out.exit_code, out.err, 0);
  Json pids = Json::parse(out.out, nullptr, false);
  if (!pids.is_array()) pids = Json::array();
  // "huser,user" is two descriptors, as psgo reads them.
  std::vector<std::string> desc;
  for (auto& d : descriptors)
    for (size_t i = 0; i <= d.size();) {
      size_t j = d.find(',', i);
      if (j == std::string::npos) j = d.size();
      if (j > i) desc.push_back(d.substr(i, j - i));
      i = j + 1;
    }
  if (desc.empty()) desc = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
  static const std::map<std::string, std::string> kHeaders = {
      {"user", "USER"}, {"pid", "PID"}, {"ppid", "PPID"}, {"pcpu", "%CPU"}, {"etime", "ELAPSED"}, {"tty", "TTY"},
      {"time", "TIME"}, {"args", "COMMAND"}, {"comm", "COMMAND"}, {"group", "GROUP"}, {"nice", "NI"},
      {"vsz", "VSZ"}, {"rss", "RSS"}, {"uid", "UID"}, {"gid", "GID"}, {"state", "STATE"},
      {"huser", "HUSER"}, {"hgroup", "HGROUP"}, {"hpid", "HPID"}};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (auto& d : desc) {
    auto it = kHeaders.find(d);
    if (it == kHeaders.end())
      return makeError(Code::kInvalidArgument, "unknown descriptor: {}", d);
    header.push_back(it->second);
  }
  rows.push_back(header);
  long hz = ::sysconf(_SC_CLK_TCK);
  double uptime = 0;
  if (auto u = fs::readFile("/proc/uptime"); u.ok()) uptime = std::atof(u->c_str());
  for (auto& pj : pids) {
    int pid = pj.get<int>();
    auto stat = fs::readFile(fmt::format("/proc/{}/stat", pid));
    if (!stat.ok()) continue;
    auto rp = stat->rfind(')');
    std::string comm = stat->substr(stat->find('(') + 1, rp - stat->find('(') - 1);
    std::vector<std::string> f;
    {
      std::string rest = stat->substr(rp + 2);
      size_t i = 0;
      while (i < rest.size()) {
        size_t sp = rest.find(' ', i);
        f.push_back(rest.substr(i, sp == std::string::npos ? std::string::npos : sp - i));
        if (sp == std::string::npos) break;
        i = sp + 1;
      }
    }
    auto field = [&](size_t idx) { return idx < f.size() ? f[idx] : std::string("0"); };  // idx: stat field - 3
    std::string args;
    if (auto cl = fs::readFile(fmt::format("/proc/{}/cmdline", pid)); cl.ok()) {
      args = *cl;
      std::replace(args.begin(), args.end(), '\0', ' ');
      while (!args.empty() && args.back() == ' ') args.pop_back();
    }
    struct stat st;
    ::stat(fmt::format("/proc/{}", pid).c_str(), &st);
    double cpu_s = (std::atof(field(11).c_str()) + std::atof(field(12).c_str())) / hz;
    double started = std::atof(field(19).c_str()) / hz;
    double elapsed = std::max(0.0, uptime - started);
    // Go's time.Duration.String(): "1h2m3.5s", "2.25s".
    auto dur = [](double s) {
      int64_t ns = int64_t(s * 1e9);
      int64_t h = ns / 3600000000000LL, m = ns / 60000000000LL % 60;
      std::string sec = fmt::format("{:.9f}", double(ns % 60000000000LL) / 1e9);
      while (sec.back() == '0') sec.pop_back();
      if (sec.back() == '.') sec.pop_back();
      std::string out;
      if (h) out += fmt::format("{}h", h);
      if (h || m) out += fmt::format("{}m", m);
      return out + sec + "s";
    };
    std::vector<std::string> row;
    for (auto& d : desc) {
      if (d == "user" || d == "uid") row.push_back(std::to_string(st.st_uid) == "0" && d == "user" ? "root" : std::to_string(st.st_uid));
      else if (d == "group" || d == "gid") row.push_back(st.st_gid == 0 && d == "group" ? "root" : std::to_string(st.st_gid));
      else if (d == "pid" || d == "hpid") row.push_back(std::to_string(pid));
      else if (d == "huser") row.push_back(hostUserName(st.st_uid));
      else if (d == "hgroup") row.push_back(hostGroupName(st.st_gid));
      else if (d == "ppid") row.push_back(field(1));
      else if (d == "pcpu") row.push_back(fmt::format("{:.3f}", elapsed > 0 ? 100.0 * cpu_s / elapsed : 0.0));
      else if (d == "etime") row.push_back(dur(elapsed));
      else if (d == "time") row.push_back(fmt::format("{}s", int64_t(cpu_s)));
      else if (d == "tty") row.push_back(field(4) == "0" ? "?" : "pts/" + std::to_string(std::atoi(field(4).c_str()) & 0xff));
      else if (d == "args") row.push_back(args.empty() ? comm : args);
      else if (d == "comm") row.push_back(comm);
      else if (d == "nice") row.push_back(field(16));
      else if (d == "vsz") row.push_back(std::to_string(std::atoll(field(20).c_str()) / 1024));
      else if (d == "rss") row.push_back(std::to_string(std::atoll(field(21).c_str()) * 4));
      else if (d == "state") row.push_back(field(0));
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace berth::engine
