// Event log backends: a JSON-lines file (appended in one write, rotated under a lock) and journald.
#include "events/log.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "base/fd.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/timefmt.h"

namespace berth::events {

namespace {

Error noneBackend() {
  return Error(Code::kFailedPrecondition, "cannot read events with the \"none\" backend");
}

std::string parentDir(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos || s == 0 ? "/" : p.substr(0, s);
}

Result<UniqueFd> openAppend(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    TRY(fs::mkdirAll(parentDir(path), 0700));
    fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  }
  if (fd < 0) return errnoError("open events log {}", path);
  return UniqueFd(fd);
}

// podman's truncate(): keeps the file's second half from the first line
// boundary after its middle, written to a temp file and renamed over it.
Status truncateHalf(const std::string& path) {
  auto data = TRY(fs::readFile(path));
  size_t cut = data.size() / 2;
  size_t nl = data.find('\n', cut);
  std::string keep = nl == std::string::npos ? std::string() : data.substr(nl + 1);
  return fs::writeFileReplace(path, keep, 0600);
}

// The journald native protocol (systemd.journal-fields(7), sd_journal_sendv):
// "KEY=value\n", or for a value with a newline "KEY\n<le64 length><value>\n".
void addField(std::string& msg, std::string_view key, std::string_view value) {
  if (value.find('\n') == std::string_view::npos) {
    msg.append(key).append("=").append(value).append("\n");
    return;
  }
  msg.append(key).append("\n");
  uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) msg.push_back(char((n >> (8 * i)) & 0xff));
  msg.append(value).append("\n");
}

bool fileIdentity(int fd, dev_t& dev, ino_t& ino) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return false;
  dev = st.st_dev;
  ino = st.st_ino;
  return true;
}

bool pathIdentity(const std::string& p, dev_t& dev, ino_t& ino) {
  struct stat st;
  if (::stat(p.c_str(), &st) < 0) return false;
  dev = st.st_dev;
  ino = st.st_ino;
  return true;
}

bool stopped(const ReadOptions& o) {
  if (o.stop && o.stop->load()) return true;
  return o.filter && o.filter->until() && nowNanos() >= o.filter->until();
}

}  // namespace

void Log::write(const Event& e) const noexcept {
  try {
    Status s;
    if (cfg_.backend == "none") return;
    if (cfg_.backend == "journald") s = writeJournald(e);
    else s = writeFile(toJson(e));
    if (!s.ok()) LOG_WARN("Unable to write {} event: {}", e.type, s.error().what());
  } catch (const std::exception& ex) {
    LOG_WARN("Unable to write {} event: {}", e.type, ex.what());
  }
}

Status Log::writeFile(const std::string& line) const {
  if (cfg_.path.empty()) return makeError(Code::kInvalidArgument, "no events log path configured");
  std::string out = line + "\n";
  if (cfg_.max_size == 0) {
    UniqueFd fd = TRY(openAppend(cfg_.path));
    return fs::writeAll(fd.get(), out);
  }
  TRY(fs::mkdirAll(parentDir(cfg_.path), 0700));
  UniqueFd lock(::open((cfg_.path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock) return errnoError("open {}.lock", cfg_.path);
  while (::flock(lock.get(), LOCK_EX) < 0)
    if (errno != EINTR) return errnoError("lock {}.lock", cfg_.path);
  struct stat st;
  if (::stat(cfg_.path.c_str(), &st) == 0 && uint64_t(st.st_size) + line.size() >= cfg_.max_size) {
    TRY(truncateHalf(cfg_.path));
    Event r;
    r.type = "system";
    r.status = "log-rotation";
    r.name = cfg_.path;
    r.time_ns = nowNanos();
    out = toJson(r) + "\n" + out;
  }
  UniqueFd fd = TRY(openAppend(cfg_.path));
  return fs::writeAll(fd.get(), out);
}

Status Log::writeJournald(const Event& e) const {
  std::string msg;
  addField(msg, "MESSAGE", toHuman(e, false));
  addField(msg, "PRIORITY", "6");
  addField(msg, "SYSLOG_IDENTIFIER", cfg_.identifier);
  addField(msg, "PODMAN_EVENT", e.status);
  addField(msg, "PODMAN_TYPE", e.type);
  addField(msg, "PODMAN_TIME", rfc3339Local(e.time_ns));
  if (!e.name.empty()) addField(msg, "PODMAN_NAME", e.name);
  if (!e.id.empty()) addField(msg, "PODMAN_ID", e.id);
  if (!e.image.empty()) addField(msg, "PODMAN_IMAGE", e.image);
  if (!e.network.empty()) addField(msg, "PODMAN_NETWORK_NAME", e.network);
  if (!e.pod_id.empty()) addField(msg, "PODMAN_POD_ID", e.pod_id);
  if (!e.health_status.empty()) addField(msg, "PODMAN_HEALTH_STATUS", e.health_status);
  if (e.container_exit_code != 0) addField(msg, "PODMAN_EXIT_CODE", std::to_string(e.container_exit_code));
  if (!e.attributes.empty()) {
    Json a = Json::object();
    for (auto& [k, v] : e.attributes) a[k] = v;
    addField(msg, "PODMAN_LABELS", a.dump());
  }
  UniqueFd sock(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return errnoError("journald socket");
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, "/run/systemd/journal/socket");
  if (::sendto(sock.get(), msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return errnoError("send event to journald");
  return {};
}

Status Log::read(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const {
  if (cfg_.backend == "none") return noneBackend();
  if (cfg_.backend == "journald") return readJournald(opts, sink);
  return readFile(opts, sink);
}

Status Log::readFile(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const {
  const std::string& path = cfg_.path;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd && errno != ENOENT) return errnoError("open events log {}", path);
  if (!fd && !opts.stream) return {};
  // Streaming without --since starts at the end: only new events.
  if (fd && opts.stream && !opts.from_start) (void)::lseek(fd.get(), 0, SEEK_END);
  UniqueFd ino;
  int watch_dir = -1;
  if (opts.stream) {
    ino.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (ino) watch_dir = ::inotify_add_watch(ino.get(), parentDir(path).c_str(),
                                             IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
  }
  std::string buf;
  size_t line_no = 0;
  std::string last_line;  // the last line delivered, to resume after a rotation
  int64_t last_time = 0;
  int64_t min_time = 0;   // after a rotation that cut the last line away: only newer events
  bool done = false;
  // Delivers the complete lines in `buf`.
  auto drain = [&]() -> Status {
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string_view line(buf.data() + start, nl - start);
      ++line_no;
      if (line.empty()) continue;
      auto ev = fromJson(line);
      if (!ev.ok()) return std::move(ev).error().context(fmt::format("{} line {}", path, line_no));
      if (min_time && ev->time_ns < min_time) continue;
      min_time = 0;
      last_line.assign(line);
      last_time = ev->time_ns;
      if (opts.filter && !opts.filter->match(*ev)) continue;
      if (!sink(*ev)) {
        done = true;
        break;
      }
    }
    buf.erase(0, start);
    return {};
  };
  std::vector<char> chunk(1 << 20);
  for (;;) {
    if (fd) {
      ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errnoError("read events log {}", path);
      }
      if (n > 0) {
        buf.append(chunk.data(), size_t(n));
        TRY(drain());
        if (done) return {};
        continue;
      }
    }
    // At the end of what is written.
    if (!opts.stream || stopped(opts)) return {};
    dev_t d1 = 0, d2 = 0;
    ino_t i1 = 0, i2 = 0;
    bool replaced = pathIdentity(path, d2, i2) && (!fd || !fileIdentity(fd.get(), d1, i1) || d1 != d2 || i1 != i2);
    if (replaced) {
      // Rotated (or created). The old file was read to its end above; the new
      // one starts with the old one's second half: resume after the last line
      // delivered, or (when that was cut away) with the events newer than it.
      bool was_open = bool(fd);
      fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      buf.clear();
      line_no = 0;
      if (fd && was_open && !last_line.empty()) {
        auto data = TRY(fs::readAll(fd.get()));
        size_t at = std::string::npos;
        if (data.compare(0, last_line.size() + 1, last_line + "\n") == 0) at = 0;
        else if (size_t p = data.find("\n" + last_line + "\n"); p != std::string::npos) at = p + 1;
        if (at != std::string::npos) {
          buf = data.substr(at + last_line.size() + 1);
        } else {
          buf = std::move(data);
          min_time = last_time;
        }
        TRY(drain());
        if (done) return {};
      }
      continue;
    }
    if (ino && watch_dir >= 0) {
      struct pollfd p {ino.get(), POLLIN, 0};
      (void)::poll(&p, 1, 200);
      char ebuf[4096];
      while (::read(ino.get(), ebuf, sizeof ebuf) > 0) {
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

Status Log::readJournald(const ReadOptions& opts, const std::function<bool(const Event&)>& sink) const {
  std::vector<std::string> argv = {"journalctl", "--no-pager", "-o", "json", "SYSLOG_IDENTIFIER=" + cfg_.identifier};
  if (opts.stream) {
    argv.push_back("--follow");
    if (!opts.from_start) argv.push_back("--lines=0");
  }
  if (opts.filter && opts.filter->since()) {
    time_t s = time_t(opts.filter->since() / 1000000000);
    argv.push_back(fmt::format("--since=@{}", s));
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return errnoError("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  pid_t pid = ::fork();
  if (pid < 0) return errnoError("fork journalctl");
  if (pid == 0) {
    ::dup2(wr.get(), 1);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) ::dup2(null, 2);
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execvp(a[0], a.data());
    _exit(127);
  }
  wr.reset();
  auto reap = [&] {
    ::kill(pid, SIGTERM);
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  };
  std::string buf;
  std::vector<char> chunk(65536);
  for (;;) {
    if (opts.stream) {
      struct pollfd pf {rd.get(), POLLIN, 0};
      int r = ::poll(&pf, 1, 200);
      if (r == 0) {
        if (stopped(opts)) break;
        continue;
      }
    }
    ssize_t n = ::read(rd.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk.data(), size_t(n));
    size_t start = 0;
    for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
      Json j = Json::parse(std::string_view(buf.data() + start, nl - start), nullptr, false);
      if (!j.is_object()) continue;
      auto field = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
      Event e;
      e.status = field("PODMAN_EVENT");
      e.type = field("PODMAN_TYPE");
      if (e.status.empty() || e.type.empty()) continue;
      auto t = parseRfc3339(field("PODMAN_TIME"));
      e.time_ns = t.ok() ? *t : 0;
      e.name = field("PODMAN_NAME");
      e.id = field("PODMAN_ID");
      e.image = field("PODMAN_IMAGE");
      e.network = field("PODMAN_NETWORK_NAME");
      e.pod_id = field("PODMAN_POD_ID");
      e.health_status = field("PODMAN_HEALTH_STATUS");
      if (auto code = field("PODMAN_EXIT_CODE"); !code.empty()) e.container_exit_code = std::atoi(code.c_str());
      if (auto labels = field("PODMAN_LABELS"); !labels.empty()) {
        Json a = Json::parse(labels, nullptr, false);
        if (a.is_object())
          for (auto& [k, v] : a.items())
            if (v.is_string()) e.attributes[k] = v.get<std::string>();
      }
      if (opts.filter && !opts.filter->match(e)) continue;
      if (!sink(e)) {
        reap();
        return {};
      }
    }
    buf.erase(0, start);
    if (stopped(opts)) break;
  }
  reap();
  return {};
}

}  // namespace berth::events
