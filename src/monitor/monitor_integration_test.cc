// Integration tests of berth-monitor against runc with a busybox rootfs.
// Needs root, runc and /bin/busybox (static); label "integration".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <regex>
#include <thread>

#include "base/fs.h"
#include "base/json.h"
#include "monitor/exit_record.h"
#include "runtime/child_process.h"
#include "runtime/select.h"

namespace berth::monitor {
namespace {

using namespace std::chrono_literals;

std::string runcPath() { return runtime::findRuntime("runc").valueOr(""); }

Json baseConfig(const std::vector<std::string>& args, bool terminal, const std::string& cgpath) {
  Json caps = Json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  Json c = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", terminal},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", args},
        {"env", {"PATH=/bin:/usr/bin", "TERM=xterm"}},
        {"cwd", "/"},
        {"capabilities",
         {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}}},
        {"rlimits", Json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "berth-test"},
      {"mounts",
       Json::array({
           {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
           {{"destination", "/dev"},
            {"type", "tmpfs"},
            {"source", "tmpfs"},
            {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
           {{"destination", "/dev/pts"},
            {"type", "devpts"},
            {"source", "devpts"},
            {"options",
             {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
           {{"destination", "/dev/shm"},
            {"type", "tmpfs"},
            {"source", "shm"},
            {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
           {{"destination", "/sys"},
            {"type", "sysfs"},
            {"source", "sysfs"},
            {"options", {"nosuid", "noexec", "nodev", "ro"}}},
       })},
      {"linux",
       {{"cgroupsPath", cgpath},
        {"namespaces", Json::array({{{"type", "pid"}},
                                    {{"type", "network"}},
                                    {{"type", "ipc"}},
                                    {{"type", "uts"}},
                                    {{"type", "mount"}}})},
        {"maskedPaths", {"/proc/kcore", "/proc/keys", "/sys/firmware"}},
        {"readonlyPaths", {"/proc/sys", "/proc/sysrq-trigger"}}}},
  };
  return c;
}

bool pidAlive(pid_t pid) {
  auto stat = fs::readFile(fmt::format("/proc/{}/stat", pid));
  if (!stat.ok()) return false;
  size_t rp = stat->rfind(')');
  return rp != std::string::npos && rp + 2 < stat->size() && (*stat)[rp + 2] != 'Z';
}

class MonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    runc_ = runcPath();
    if (runc_.empty()) GTEST_SKIP() << "needs runc";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "needs /bin/busybox";
    char tmpl[] = "/tmp/bm-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    runroot_ = dir_ + "/rs";
    bundle_ = dir_ + "/b";
    static int counter = 0;
    id_ = fmt::format("bmt-{}-{}", ::getpid(), ++counter);
    ASSERT_TRUE(fs::mkdirAll(bundle_ + "/rootfs/bin").ok());
    ASSERT_TRUE(fs::mkdirAll(runroot_).ok());
    auto bb = fs::readFile("/bin/busybox");
    ASSERT_TRUE(bb.ok());
    ASSERT_TRUE(fs::writeFileAtomic(bundle_ + "/rootfs/bin/busybox", *bb, 0755).ok());
    for (const char* tool : {"sh", "echo", "cat", "sleep", "true", "false", "ls", "wc", "head", "stty"})
      ASSERT_EQ(::symlink("busybox", (bundle_ + "/rootfs/bin/" + tool).c_str()), 0);
    for (const char* d : {"proc", "dev", "sys", "tmp"})
      ASSERT_TRUE(fs::mkdirAll(bundle_ + "/rootfs/" + d).ok());
  }

  void TearDown() override {
    if (dir_.empty()) return;
    if (monitor_pid_ > 0 && pidAlive(monitor_pid_)) {
      (void)runtime::runCaptured({runc_, "--root", runroot_, "kill", id_, "KILL"});
      waitMonitorExit(5s);
    }
    (void)runtime::runCaptured({runc_, "--root", runroot_, "delete", "-f", id_});
    (void)fs::removeAll(dir_);
  }

  void writeConfig(const std::vector<std::string>& args, bool terminal = false) {
    Json c = baseConfig(args, terminal, "/berth-test/" + id_);
    ASSERT_TRUE(fs::writeFileAtomic(bundle_ + "/config.json", c.dump(2)).ok());
  }

  std::vector<std::string> monitorArgs() {
    return {BERTH_MONITOR_BIN,
            "--id", id_,
            "--bundle", bundle_,
            "--runtime", runc_,
            "--runtime-arg", "--root",
            "--runtime-arg", runroot_,
            "--exit-file", exitFile(),
            "--log-path", logPath(),
            "--log-driver", "k8s-file",
            "--socket-path", socketPath(),
            "--ctl-path", bundle_ + "/ctl",
            "--pid-file", bundle_ + "/pidfile",
            "--monitor-pid-file", bundle_ + "/monitor.pid"};
  }
  std::string exitFile() { return bundle_ + "/exit"; }
  std::string logPath() { return bundle_ + "/ctr.log"; }
  std::string socketPath() { return bundle_ + "/attach"; }

  // Starts the monitor with a sync pipe (and, with `go_w`, a go pipe whose write end is
  // returned there), waits for its first fork to exit and returns the sync pipe's read end.
  int spawnMonitor(std::vector<std::string> extra, int* go_w = nullptr) {
    auto argv = monitorArgs();
    argv.insert(argv.end(), extra.begin(), extra.end());
    int p[2];
    EXPECT_EQ(::pipe(p), 0);
    ::fcntl(p[0], F_SETFD, FD_CLOEXEC);
    argv.insert(argv.end(), {"--sync-fd", std::to_string(p[1])});
    int g[2] = {-1, -1};
    if (go_w) {
      EXPECT_EQ(::pipe(g), 0);
      ::fcntl(g[1], F_SETFD, FD_CLOEXEC);
      argv.insert(argv.end(), {"--go-fd", std::to_string(g[0])});
    }
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    pid_t child = ::fork();
    if (child == 0) {
      ::execv(cargv[0], cargv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    if (go_w) {
      ::close(g[0]);
      *go_w = g[1];
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    return p[0];
  }

  // Reads the sync line (up to 20 s) and closes the pipe; "" at EOF without one.
  std::string readSync(int fd) {
    std::string line;
    struct pollfd pfd = {fd, POLLIN, 0};
    while (line.find('\n') == std::string::npos && ::poll(&pfd, 1, 20000) > 0) {
      char buf[512];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, n);
    }
    ::close(fd);
    return line;
  }

  // Starts the monitor with a sync pipe, waits for its first fork to exit
  // and returns the sync message.
  Json startMonitor(std::vector<std::string> extra = {}) {
    std::string line = readSync(spawnMonitor(std::move(extra)));
    auto mp = fs::readFile(bundle_ + "/monitor.pid");
    if (mp.ok()) monitor_pid_ = std::stoi(*mp);
    auto j = parseJson(line, "sync");
    EXPECT_TRUE(j.ok()) << "sync line: " << line;
    return j.ok() ? *j : Json();
  }

  void runcStart() {
    auto r = runtime::runCaptured({runc_, "--root", runroot_, "start", id_});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->exit_code, 0) << r->err;
  }

  bool waitMonitorExit(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (monitor_pid_ <= 0 || !pidAlive(monitor_pid_)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  ExitRecord waitExit() {
    EXPECT_TRUE(waitMonitorExit(20s)) << "monitor did not exit";
    auto text = fs::readFile(exitFile());
    EXPECT_TRUE(text.ok()) << "no exit file";
    if (!text.ok()) return ExitRecord{-1, 0, false, 0};
    auto r = parseExitRecord(*text);
    EXPECT_TRUE(r.ok()) << *text;
    return r.ok() ? *r : ExitRecord{-1, 0, false, 0};
  }

  int connectAttach() {
    int fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socketPath().c_str(), sizeof addr.sun_path - 1);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
        << std::strerror(errno);
    return fd;
  }

  // Reads attach packets until `want` appears in the stream-2 data.
  std::string readAttachUntil(int fd, const std::string& want, int* stream = nullptr) {
    std::string got;
    auto end = std::chrono::steady_clock::now() + 10s;
    while (got.find(want) == std::string::npos && std::chrono::steady_clock::now() < end) {
      struct pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[9000];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      if (stream) *stream = buf[0];
      got.append(buf + 1, n - 1);
    }
    return got;
  }

  // Plays an attach client: sends `input` in protocol-sized packets without
  // blocking while it reads output (stream bytes stripped), then shuts its
  // side down when `eof`. Returns the output once it contains `want` or the
  // monitor closes the socket (or after `timeout`).
  std::string pump(int fd, const std::string& input, bool eof, const std::string& want,
                   std::chrono::seconds timeout = 60s) {
    std::string got;
    size_t off = 0;
    bool shut = false;
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (off == input.size() && eof && !shut) {
        ::shutdown(fd, SHUT_WR);
        shut = true;
      }
      if (!want.empty() && got.find(want) != std::string::npos) break;
      struct pollfd p = {fd, short(POLLIN | (off < input.size() ? POLLOUT : 0)), 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      if (p.revents & (POLLIN | POLLHUP)) {
        char buf[9000];
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) break;
        if (n > 1) got.append(buf + 1, n - 1);
      }
      if ((p.revents & POLLOUT) && off < input.size()) {
        size_t len = std::min<size_t>(32768, input.size() - off);
        ssize_t n = ::send(fd, input.data() + off, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) off += size_t(n);
      }
    }
    return got;
  }

  std::string runc_, dir_, runroot_, bundle_, id_;
  pid_t monitor_pid_ = -1;
};

std::string patternData(size_t n) {
  std::string s;
  s.reserve(n + 16);
  for (size_t i = 0; s.size() < n; ++i) s += std::to_string(i * 2654435761u) + "\n";
  s.resize(n);
  return s;
}

TEST_F(MonitorTest, EchoWritesK8sLogAndExitZero) {
  writeConfig({"echo", "hello"});
  Json sync = startMonitor();
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  EXPECT_GT(sync["pid"].get<int>(), 0);
  runcStart();
  ExitRecord r = waitExit();
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.restarts, 0);
  EXPECT_GT(r.exited_at, 0);
  auto log = fs::readFile(logPath());
  ASSERT_TRUE(log.ok());
  std::regex line(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00 stdout F hello\n$)");
  EXPECT_TRUE(std::regex_match(*log, line)) << *log;
  EXPECT_FALSE(fs::exists(socketPath()));  // removed at exit
}

TEST_F(MonitorTest, ExitCodeIsRecorded) {
  writeConfig({"sh", "-c", "echo err >&2; exit 3"});
  Json sync = startMonitor({"--start"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  EXPECT_EQ(waitExit().exit_code, 3);
  auto log = fs::readFile(logPath());
  EXPECT_NE(log->find(" stderr F err\n"), std::string::npos) << *log;
}

// --go-fd: the monitor spawned ahead of its bundle does nothing the engine could see until
// the go comes, then runs as any other.
TEST_F(MonitorTest, GoFdRunsOnlyAfterTheGo) {
  int go_w = -1;
  int sync_r = spawnMonitor({"--start"}, &go_w);
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(fs::exists(bundle_ + "/monitor.pid"));
  EXPECT_FALSE(fs::exists(socketPath()));
  EXPECT_FALSE(fs::exists(bundle_ + "/pidfile"));
  // The bundle is written only now, as the engine does.
  writeConfig({"sh", "-c", "echo go; exit 4"});
  ASSERT_EQ(::write(go_w, "1", 1), 1);
  ::close(go_w);
  auto sync = parseJson(readSync(sync_r), "sync");
  ASSERT_TRUE(sync.ok());
  ASSERT_TRUE(sync->contains("pid")) << sync->dump();
  auto mp = fs::readFile(bundle_ + "/monitor.pid");
  ASSERT_TRUE(mp.ok());
  monitor_pid_ = std::stoi(*mp);
  EXPECT_EQ(waitExit().exit_code, 4);
  EXPECT_NE(fs::readFile(logPath())->find(" stdout F go\n"), std::string::npos);
}

// The engine gave up (its bundle failed) or died: EOF on the go fd. The monitor exits having
// written nothing and reported nothing, and never calls the runtime.
TEST_F(MonitorTest, GoFdClosedCancelsWithoutATrace) {
  writeConfig({"true"});
  int go_w = -1;
  int sync_r = spawnMonitor({"--start", "--exit-command", "/bin/touch", "--exit-command-arg", bundle_ + "/ran"},
                            &go_w);
  ::close(go_w);
  EXPECT_EQ(readSync(sync_r), "");  // EOF: the monitor is gone
  std::this_thread::sleep_for(100ms);
  for (const std::string& f : {bundle_ + "/monitor.pid", socketPath(), bundle_ + "/ctl", bundle_ + "/pidfile",
                               exitFile(), logPath(), bundle_ + "/ran"})
    EXPECT_FALSE(fs::exists(f)) << f;
  auto st = runtime::runCaptured({runc_, "--root", runroot_, "state", id_});
  ASSERT_TRUE(st.ok());
  EXPECT_NE(st->exit_code, 0) << st->out;  // no such container in the runtime
}

TEST_F(MonitorTest, MissingCommandReportsRuntimeError) {
  writeConfig({"/no-such-cmd"});
  Json sync = startMonitor({"--start"});
  ASSERT_TRUE(sync.contains("error")) << sync.dump();
  std::string err = sync["error"].get<std::string>();
  std::cout << "[ sync    ] " << sync.dump() << "\n";
  EXPECT_NE(err.find("no-such-cmd"), std::string::npos) << err;
  EXPECT_NE(sync["code"].get<int>(), 0);
}

TEST_F(MonitorTest, AttachReceivesStdout) {
  writeConfig({"sh", "-c", "sleep 0.5; echo hi"});
  Json sync = startMonitor();
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  int stream = 0;
  EXPECT_EQ(readAttachUntil(fd, "hi\n", &stream), "hi\n");
  EXPECT_EQ(stream, 2);
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
}

// --start --hold-output-ms: the container runs (and here ends) before the attach client
// comes; its output waits for the client instead of going to the log alone.
TEST_F(MonitorTest, HeldOutputReachesTheLateAttachClient) {
  writeConfig({"sh", "-c", "echo early; echo late-err >&2"});
  Json sync = startMonitor({"--start", "--hold-output-ms", "10000"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  ::usleep(300 * 1000);  // the container has exited by now
  EXPECT_FALSE(fs::exists(exitFile())) << "the exit is recorded only after the output went out";
  int fd = connectAttach();
  int stream = 0;
  EXPECT_EQ(readAttachUntil(fd, "early\n", &stream), "early\n");
  EXPECT_EQ(stream, 2);
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
}

// Without a client the hold ends after its time and the output still reaches the log.
TEST_F(MonitorTest, HeldOutputGoesToTheLogWhenNoClientComes) {
  writeConfig({"echo", "unclaimed"});
  Json sync = startMonitor({"--start", "--hold-output-ms", "300"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  EXPECT_EQ(waitExit().exit_code, 0);
  auto log = fs::readFile(logPath());
  EXPECT_NE(log->find(" stdout F unclaimed\n"), std::string::npos) << *log;
}

TEST_F(MonitorTest, AttachStdinReachesContainer) {
  writeConfig({"cat"});
  Json sync = startMonitor({"--stdin"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  ASSERT_EQ(::send(fd, "ping\n", 5, 0), 5);
  EXPECT_EQ(readAttachUntil(fd, "ping\n"), "ping\n");
  // EOF on the client's side closes the container's stdin: cat exits 0.
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
}

// Issue 7 bug 2: stdin larger than any buffer on the way arrives whole and in
// order (cat echoes it back through the same monitor), with the container's
// stdin pipe full most of the time.
TEST_F(MonitorTest, LargeStdinIsLosslessBothWays) {
  writeConfig({"cat"});
  Json sync = startMonitor({"--stdin"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  std::string input = patternData(8 << 20);
  std::string got = pump(fd, input, true, "");
  EXPECT_EQ(got.size(), input.size());
  EXPECT_TRUE(got == input) << "echoed data differs";
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
}

// A container that never reads its stdin: the client's input backs up
// (container pipe, monitor buffer, socket), yet the monitor keeps logging
// output, serves a second client and records the exit when the container is
// killed.
TEST_F(MonitorTest, UnreadStdinDoesNotStallTheMonitor) {
  writeConfig({"sh", "-c", "i=0; while :; do echo tick$i; i=$((i+1)); sleep 0.05; done"});
  Json sync = startMonitor({"--stdin"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  // Far more than the pipe, the monitor's buffer and the socket hold.
  std::string input = patternData(4 << 20);
  pump(fd, input, false, "", 2s);
  auto size0 = fs::readFile(logPath());
  ASSERT_TRUE(size0.ok());
  std::this_thread::sleep_for(1s);
  auto size1 = fs::readFile(logPath());
  EXPECT_GT(size1->size(), size0->size() + 100) << "the log stopped growing";
  int fd2 = connectAttach();
  EXPECT_NE(readAttachUntil(fd2, "tick").find("tick"), std::string::npos);
  auto t0 = std::chrono::steady_clock::now();
  ::kill(sync["pid"].get<int>(), SIGKILL);
  EXPECT_EQ(waitExit().exit_code, 137);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  ::close(fd);
  ::close(fd2);
}

// stdin through the pty master: partial writes (the line discipline takes
// 4 KiB at a time) are retried, nothing is lost. The container puts its
// terminal in raw mode first, as a binary-safe reader of a tty must.
TEST_F(MonitorTest, TtyStdinPartialWritesAreRetried) {
  size_t n = 2 << 20;
  writeConfig({"sh", "-c", fmt::format("stty raw -echo; echo READY; head -c {} | wc -c", n)}, true);
  Json sync = startMonitor({"--tty", "--stdin"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  ASSERT_NE(readAttachUntil(fd, "READY").find("READY"), std::string::npos);
  std::string input(n, '\0');
  for (size_t i = 0; i < n; ++i) input[i] = char(i * 7 + (i >> 9));
  std::string got = pump(fd, input, false, std::to_string(n));
  EXPECT_NE(got.find(std::to_string(n)), std::string::npos) << got;
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
}

TEST_F(MonitorTest, TtyOutputArrivesThroughPty) {
  writeConfig({"sh", "-c", "sleep 0.3; echo tty-out; test -t 1 && echo is-a-tty"}, true);
  Json sync = startMonitor({"--tty"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  int fd = connectAttach();
  runcStart();
  std::string got = readAttachUntil(fd, "is-a-tty");
  EXPECT_NE(got.find("tty-out\r\n"), std::string::npos) << got;
  EXPECT_NE(got.find("is-a-tty"), std::string::npos) << got;
  EXPECT_EQ(waitExit().exit_code, 0);
  ::close(fd);
  auto log = fs::readFile(logPath());
  EXPECT_NE(log->find("stdout F tty-out\r\n"), std::string::npos) << *log;
}

TEST_F(MonitorTest, OnFailureRestartsUpToMax) {
  writeConfig({"sh", "-c", "echo run; exit 1"});
  Json sync = startMonitor({"--start", "--restart-policy", "on-failure", "--restart-max", "2"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  ExitRecord r = waitExit();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.restarts, 2);
  auto log = fs::readFile(logPath());
  size_t runs = 0;
  for (size_t p = 0; (p = log->find("stdout F run\n", p)) != std::string::npos; ++p) ++runs;
  EXPECT_EQ(runs, 3u) << *log;
}

TEST_F(MonitorTest, StoppingFileSuppressesRestart) {
  writeConfig({"sleep", "30"});
  Json sync = startMonitor({"--start", "--restart-policy", "always"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  ASSERT_TRUE(fs::writeFileAtomic(exitFile() + ".stopping", "").ok());
  ::kill(sync["pid"].get<int>(), SIGKILL);
  ExitRecord r = waitExit();
  EXPECT_EQ(r.exit_code, 137);
  EXPECT_EQ(r.restarts, 0);
}

TEST_F(MonitorTest, KilledContainerRecords137AndMonitorIsDetached) {
  writeConfig({"sleep", "30"});
  Json sync = startMonitor({"--start"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  ASSERT_GT(monitor_pid_, 0);
  // Double fork: the process we started is gone, the monitor lives on in
  // its own session, not our child.
  EXPECT_TRUE(pidAlive(monitor_pid_));
  EXPECT_EQ(::getsid(monitor_pid_), ::getsid(monitor_pid_));
  EXPECT_NE(::getsid(monitor_pid_), ::getsid(0));
  auto status = fs::readFile(fmt::format("/proc/{}/status", monitor_pid_));
  ASSERT_TRUE(status.ok());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(*status, m, std::regex(R"(VmRSS:\s+(\d+) kB)")));
  long rss_kb = std::stol(m[1]);
  std::smatch ppid;
  std::regex_search(*status, ppid, std::regex(R"(PPid:\s+(\d+))"));
  EXPECT_NE(std::stoi(ppid[1]), ::getpid());
  std::cout << "[ RSS     ] berth-monitor VmRSS with a running sleep container: " << rss_kb
            << " kB\n";
  EXPECT_LT(rss_kb, 4096);
  ::kill(sync["pid"].get<int>(), SIGKILL);
  EXPECT_EQ(waitExit().exit_code, 137);
}

TEST_F(MonitorTest, ExitCommandRunsAfterExitFile) {
  writeConfig({"true"});
  std::string marker = bundle_ + "/exit-command-ran";
  Json sync = startMonitor({"--start", "--exit-command", "/bin/sh", "--exit-command-arg", "-c",
                            "--exit-command-arg", "cat " + exitFile() + " > " + marker});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  waitExit();
  for (int i = 0; i < 100 && !fs::exists(marker); ++i) std::this_thread::sleep_for(20ms);
  auto text = fs::readFile(marker);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("\"exit_code\":0"), std::string::npos) << *text;
}

TEST_F(MonitorTest, ExecSessionLogsAndRecordsExit) {
  writeConfig({"sleep", "30"});
  Json sync = startMonitor({"--start"});
  ASSERT_TRUE(sync.contains("pid")) << sync.dump();
  pid_t ctr_monitor = monitor_pid_;
  // A second monitor for an exec session in the running container.
  Json proc = {{"terminal", false},
               {"user", {{"uid", 0}, {"gid", 0}}},
               {"args", {"sh", "-c", "echo from-exec; exit 5"}},
               {"env", {"PATH=/bin"}},
               {"cwd", "/"}};
  ASSERT_TRUE(fs::writeFileAtomic(bundle_ + "/exec.json", proc.dump()).ok());
  std::string container_exit = exitFile();
  auto args = monitorArgs();
  std::vector<std::string> extra = {"--exec", "--exec-process-json", bundle_ + "/exec.json"};
  // Give the exec session its own files.
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--exit-file") args[i + 1] = bundle_ + "/exec-exit";
    if (args[i] == "--log-path") args[i + 1] = bundle_ + "/exec.log";
    if (args[i] == "--socket-path") args[i + 1] = bundle_ + "/exec-attach";
    if (args[i] == "--ctl-path") args[i + 1] = bundle_ + "/exec-ctl";
    if (args[i] == "--pid-file") args[i + 1] = bundle_ + "/exec.pid";
    if (args[i] == "--monitor-pid-file") args[i + 1] = bundle_ + "/exec-monitor.pid";
  }
  args.insert(args.end(), extra.begin(), extra.end());
  args.erase(args.begin());
  std::vector<char*> cargv{const_cast<char*>(BERTH_MONITOR_BIN)};
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t child = ::fork();
  if (child == 0) {
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ::waitpid(child, nullptr, 0);
  for (int i = 0; i < 500 && !fs::exists(bundle_ + "/exec-exit"); ++i)
    std::this_thread::sleep_for(20ms);
  auto text = fs::readFile(bundle_ + "/exec-exit");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(parseExitRecord(*text)->exit_code, 5);
  auto log = fs::readFile(bundle_ + "/exec.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("stdout F from-exec\n"), std::string::npos) << *log;
  EXPECT_TRUE(pidAlive(ctr_monitor));  // the container itself runs on
  ::kill(sync["pid"].get<int>(), SIGKILL);
  EXPECT_EQ(waitExit().exit_code, 137);
}

}  // namespace
}  // namespace berth::monitor
