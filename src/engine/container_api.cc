// The container operations the REST API needs beyond the CLI's: terminal resize,
// exec sessions as objects (create, start with any streams, inspect, resize) and the
// exit codes of removed containers.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "base/fs.h"
#include "base/log.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "runtime/child_process.h"
#include "state/containers.h"

namespace berth::engine {

namespace {

// Exec sessions of this process. Shared by every Engine in the process (the API
// service opens several), guarded by one mutex.
struct Session {
  api::ExecSessionInfo info;
  int pty_master = -1;  // while running with a tty
  pid_t runtime_pid = 0;
  std::chrono::steady_clock::time_point finished;
};

std::mutex g_mu;
std::map<std::string, std::shared_ptr<Session>>& sessions() {
  static auto* m = new std::map<std::string, std::shared_ptr<Session>>();
  return *m;
}

std::string randomId() {
  std::random_device rd;
  std::string out;
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 64; ++i) out.push_back(kHex[rd() % 16]);
  return out;
}

// Drops sessions that ended more than 10 minutes ago (Docker keeps them until the
// container goes; a long-lived service must not grow without bound).
void collectLocked() {
  auto now = std::chrono::steady_clock::now();
  for (auto it = sessions().begin(); it != sessions().end();) {
    auto& s = *it->second;
    if (s.info.exited && now - s.finished > std::chrono::minutes(10)) it = sessions().erase(it);
    else ++it;
  }
}

Result<std::shared_ptr<Session>> findSession(const std::string& id) {
  std::lock_guard<std::mutex> g(g_mu);
  auto it = sessions().find(id);
  if (it == sessions().end()) {
    // A unique prefix is enough, as for containers.
    std::shared_ptr<Session> hit;
    for (auto& [k, v] : sessions())
      if (!id.empty() && k.rfind(id, 0) == 0) {
        if (hit) return makeError(Code::kInvalidArgument, "more than one exec session matches {:?}", id);
        hit = v;
      }
    if (hit) return hit;
    return makeError(Code::kNotFound, "no exec session with ID {} found: no such exec session", id);
  }
  return it->second;
}

void setWinsize(int fd, int h, int w) {
  struct winsize ws = {};
  ws.ws_row = static_cast<unsigned short>(h);
  ws.ws_col = static_cast<unsigned short>(w);
  ::ioctl(fd, TIOCSWINSZ, &ws);
}

}  // namespace

// --- resize ---------------------------------------------------------------------------

Status LocalContainerService::resize(const std::string& name, int height, int width) {
  if (height < 0 || width < 0 || height > 65535 || width > 65535)
    return makeError(Code::kInvalidArgument, "invalid terminal size {}x{}", height, width);
  auto found = TRY(state::findContainer(e_.db(), name));
  auto rec = TRY(loadSynced(found.id));
  std::string st = rec.state.value("status", "configured");
  if (st != "running" && st != "created")
    return makeError(Code::kConflict, "can only resize created or running containers: container state improper");
  if (!rec.config.value("tty", false))
    return makeError(Code::kConflict, "container {} does not have a terminal: cannot resize", found.id.substr(0, 12));
  auto p = paths(found.id);
  int fd = ::open(p.ctl.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errnoError("open the control fifo of {}", found.id.substr(0, 12));
  UniqueFd ctl(fd);
  // The monitor's ctl protocol (conmon's): "1 <rows> <cols>\n" resizes the pty.
  TRY(fs::writeAll(ctl.get(), fmt::format("1 {} {}\n", height, width)));
  return {};
}

// --- exec sessions ----------------------------------------------------------------------

Result<std::string> LocalContainerService::execCreate(const api::ExecRequest& req) {
  auto found = TRY(state::findContainer(e_.db(), req.container));
  auto rec = TRY(loadSynced(found.id));
  if (rec.state.value("status", "") != "running")
    return makeError(Code::kConflict, "can only create exec sessions on running containers: container state improper");
  if (req.cmd.empty()) return makeError(Code::kInvalidArgument, "must provide a non-empty command to start an exec session");
  auto s = std::make_shared<Session>();
  s->info.id = randomId();
  s->info.container_id = found.id;
  s->info.config = req;
  s->info.config.container = found.id;
  std::lock_guard<std::mutex> g(g_mu);
  collectLocked();
  sessions()[s->info.id] = s;
  return s->info.id;
}

Result<api::ExecSessionInfo> LocalContainerService::execInspect(const std::string& session_id) {
  auto s = TRY(findSession(session_id));
  std::lock_guard<std::mutex> g(g_mu);
  return s->info;
}

Status LocalContainerService::execResize(const std::string& session_id, int height, int width) {
  if (height < 0 || width < 0 || height > 65535 || width > 65535)
    return makeError(Code::kInvalidArgument, "invalid terminal size {}x{}", height, width);
  auto s = TRY(findSession(session_id));
  std::lock_guard<std::mutex> g(g_mu);
  if (!s->info.config.tty)
    return makeError(Code::kConflict, "exec session {} does not have a terminal: cannot resize", s->info.id.substr(0, 12));
  if (!s->info.running || s->pty_master < 0)
    return makeError(Code::kConflict, "exec session {} is not running: cannot resize", s->info.id.substr(0, 12));
  // The runtime relays our pty to the container's: it re-reads its stdin's size on SIGWINCH.
  setWinsize(s->pty_master, height, width);
  if (s->runtime_pid > 0) ::kill(s->runtime_pid, SIGWINCH);
  return {};
}

Result<int> LocalContainerService::execStart(const std::string& session_id, const api::AttachStreams* streams) {
  auto s = TRY(findSession(session_id));
  api::ExecRequest cfg;
  {
    std::lock_guard<std::mutex> g(g_mu);
    if (s->info.running || s->info.exited)
      return makeError(Code::kConflict, "exec session {} has already been started: exec session state improper",
                       s->info.id.substr(0, 12));
    s->info.running = true;
    cfg = s->info.config;
  }
  auto fail = [&](Error e) -> Error {
    std::lock_guard<std::mutex> g(g_mu);
    s->info.running = false;
    s->info.exited = true;
    s->info.exit_code = e.code() == Code::kCommandNotFound ? 127 : e.code() == Code::kCannotInvoke ? 126 : 125;
    s->finished = std::chrono::steady_clock::now();
    return e;
  };
  auto rec = loadSynced(s->info.container_id);
  if (!rec.ok()) return fail(std::move(rec).error());
  // Foreground runtime exec: it relays between its stdio and the process (with -t,
  // through a pty it makes, so its stdio must itself be a terminal: ours).
  cfg.detach = false;
  auto argv = execArgv(*rec, cfg);
  if (!argv.ok()) return fail(std::move(argv).error());

  UniqueFd master, slave, in_r, in_w, out_r, out_w, err_r, err_w;
  bool want_stdin = streams && streams->in >= 0 && (cfg.interactive || cfg.tty);
  if (cfg.tty) {
    int m = -1, sl = -1;
    struct winsize ws = {};
    ws.ws_row = 24;
    ws.ws_col = 80;
    if (::openpty(&m, &sl, nullptr, nullptr, &ws) < 0) return fail(errnoError("openpty"));
    master.reset(m);
    slave.reset(sl);
    ::fcntl(m, F_SETFD, FD_CLOEXEC);
    ::fcntl(sl, F_SETFD, FD_CLOEXEC);
  } else {
    int p[2];
    if (want_stdin) {
      if (::pipe2(p, O_CLOEXEC) < 0) return fail(errnoError("pipe"));
      in_r.reset(p[0]);
      in_w.reset(p[1]);
    }
    if (::pipe2(p, O_CLOEXEC) < 0) return fail(errnoError("pipe"));
    out_r.reset(p[0]);
    out_w.reset(p[1]);
    if (::pipe2(p, O_CLOEXEC) < 0) return fail(errnoError("pipe"));
    err_r.reset(p[0]);
    err_w.reset(p[1]);
  }
  runtime::SpawnSpec spec;
  spec.argv = *argv;
  if (cfg.tty) {
    spec.stdin_fd = spec.stdout_fd = spec.stderr_fd = slave.get();
  } else {
    spec.stdin_fd = in_r.get();  // -1: /dev/null
    spec.stdout_fd = streams ? out_w.get() : -1;
    spec.stderr_fd = streams ? err_w.get() : -1;
  }
  auto child = runtime::ChildProcess::spawn(spec);
  if (!child.ok()) return fail(std::move(child).error());
  slave.reset();
  in_r.reset();
  out_w.reset();
  err_w.reset();
  {
    std::lock_guard<std::mutex> g(g_mu);
    s->pty_master = master.get();
    s->runtime_pid = child->pid();
    s->info.pid = child->pid();
  }
  auto finish = [s](runtime::ChildProcess c, UniqueFd keep_master) {
    auto st = c.wait();
    std::lock_guard<std::mutex> g(g_mu);
    s->info.running = false;
    s->info.exited = true;
    s->info.exit_code = st.ok() ? runtime::exitCodeFromStatus(*st) : 125;
    s->pty_master = -1;
    s->runtime_pid = 0;
    s->finished = std::chrono::steady_clock::now();
    keep_master.reset();
    return s->info.exit_code;
  };
  if (!streams) {
    // Detached: the session records the exit code when the command ends.
    std::thread(finish, std::move(*child), std::move(master)).detach();
    return 0;
  }

  // Relay: client stdin -> process, process output -> client, until the output ends.
  int out_fd = cfg.tty ? master.get() : out_r.get();
  int err_fd = cfg.tty ? -1 : err_r.get();
  int stdin_dst = cfg.tty ? master.get() : in_w.get();
  bool stdin_open = want_stdin;
  std::string pending;
  std::vector<char> buf(65536);
  bool gone = false;
  auto deliver = [&](int stream, std::string_view data) {
    if (streams->output) return streams->output(stream, data);
    int fd = stream == 2 ? streams->err : streams->out;
    return fd < 0 || fs::writeAll(fd, data).ok();
  };
  while (out_fd >= 0 || err_fd >= 0) {
    struct pollfd fds[5] = {{out_fd, POLLIN, 0},
                            {err_fd, POLLIN, 0},
                            {stdin_open && pending.empty() ? streams->in : -1, POLLIN, 0},
                            {!pending.empty() ? stdin_dst : -1, POLLOUT, 0},
                            {streams->hangup_fd, 0, 0}};
    int n = ::poll(fds, 5, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[4].revents & (POLLHUP | POLLERR)) {
      gone = true;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      int& fd = i == 0 ? out_fd : err_fd;
      if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = ::read(fd, buf.data(), buf.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {  // EOF, or EIO on the pty master once the process side closed
        fd = -1;
        continue;
      }
      if (!deliver(i == 0 ? 1 : 2, std::string_view(buf.data(), size_t(r)))) {
        gone = true;
        break;
      }
    }
    if (gone) break;
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t r = ::read(streams->in, buf.data(), buf.size());
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        stdin_open = false;
        if (!cfg.tty) in_w.reset();  // EOF for the process (a tty has no EOF to give)
      } else {
        pending.append(buf.data(), size_t(r));
      }
    }
    if (!pending.empty() && (fds[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = ::write(stdin_dst, pending.data(), pending.size());
      if (w > 0) pending.erase(0, size_t(w));
      else if (w < 0 && errno != EINTR && errno != EAGAIN) {
        pending.clear();
        stdin_open = false;
        if (!cfg.tty) in_w.reset();
      }
    }
  }
  in_w.reset();
  out_r.reset();
  err_r.reset();
  if (gone) {
    // The client went away: the command runs on; its session records the end.
    std::thread(finish, std::move(*child), std::move(master)).detach();
    return -1;
  }
  return finish(std::move(*child), std::move(master));
}

// --- exit codes of removed containers ----------------------------------------------------

void LocalContainerService::retainExitCode(const std::string& id, int code) {
  std::string dir = e_.options().runroot + "/exits";
  if (!fs::mkdirAll(dir, 0700).ok()) return;
  // Older records go (a waiter asks within moments of the removal), in a sweep at most once a
  // minute: a sweep per removal made removing N containers cost N^2 stats.
  auto now = std::chrono::system_clock::now();
  std::string mark = dir + "/.swept";
  struct stat ms;
  bool due = ::stat(mark.c_str(), &ms) != 0 ||
             now - std::chrono::system_clock::from_time_t(ms.st_mtime) > std::chrono::minutes(1);
  if (auto names = due ? fs::listDir(dir) : Result<std::vector<std::string>>(std::vector<std::string>{});
      names.ok() && names->size() > 64) {
    for (auto& n : *names) {
      struct stat st;
      std::string path = dir + "/" + n;
      if (n != ".swept" && ::stat(path.c_str(), &st) == 0 &&
          now - std::chrono::system_clock::from_time_t(st.st_mtime) > std::chrono::minutes(5))
        ::unlink(path.c_str());
    }
    (void)fs::writeFileReplace(mark, "");
  }
  if (auto st = fs::writeFileReplace(dir + "/" + id, std::to_string(code)); !st.ok())
    LOG_DEBUG("retain exit code of {}: {}", id.substr(0, 12), st.error().what());
}

std::optional<int> LocalContainerService::retainedExitCode(const std::string& id) const {
  auto text = fs::readFile(e_.options().runroot + "/exits/" + id);
  if (!text.ok() || text->empty()) return std::nullopt;
  return std::atoi(text->c_str());
}

}  // namespace berth::engine
