// Unit tests of the monitor's pure parts: options, log formats, exit record, restarts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/fs.h"
#include "monitor/exit_record.h"
#include "monitor/log_writer.h"
#include "monitor/options.h"
#include "monitor/sockets.h"
#include "monitor/stdin_buffer.h"

namespace berth::monitor {
namespace {

// 2024-01-02T03:04:05.123456789Z
constexpr int64_t kTs = 1704164645123456789;

TEST(Options, ParsesRequiredAndRepeated) {
  const char* argv[] = {"berth-monitor", "--id", "c1", "--bundle", "/b", "--runtime",
                        "/usr/bin/runc", "--runtime-arg", "--root", "--runtime-arg=/r",
                        "--exit-file", "/b/exit", "--log-path", "/b/log", "--pid-file",
                        "/b/pid", "--tty", "--restart-policy", "on-failure:3", "--sync-fd", "5",
                        "--exit-command", "/bin/x", "--exit-command-arg", "a"};
  auto o = parseOptions(std::size(argv), argv);
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o->runtime_args, (std::vector<std::string>{"--root", "/r"}));
  EXPECT_TRUE(o->tty);
  EXPECT_FALSE(o->stdin_open);
  EXPECT_EQ(o->restart_policy, RestartPolicy::kOnFailure);
  EXPECT_EQ(o->restart_max, 3);
  EXPECT_EQ(o->sync_fd, 5);
  EXPECT_EQ(o->runtime_log, "/b/oci-log");
  EXPECT_EQ(o->log_driver, LogDriver::kK8sFile);
  EXPECT_EQ(o->exit_command_args, (std::vector<std::string>{"a"}));
}

TEST(Options, Restore) {
  const char* argv[] = {"m", "--id", "c1", "--bundle", "/b", "--runtime", "/r", "--exit-file", "/b/exit",
                        "--log-path", "/b/log", "--pid-file", "/b/pid", "--restore", "/s/checkpoint",
                        "--restore-file-locks"};
  auto o = parseOptions(std::size(argv), argv);
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o->restore_path, "/s/checkpoint");
  EXPECT_TRUE(o->restore_file_locks);
  EXPECT_FALSE(o->restore_tcp_established);
}

TEST(Options, Errors) {
  const char* missing[] = {"m", "--id", "c1"};
  EXPECT_EQ(parseOptions(3, missing).error().code(), Code::kInvalidArgument);
  const char* bad[] = {"m", "--log-driver", "syslog"};
  EXPECT_NE(parseOptions(3, bad).error().message().find("syslog"), std::string::npos);
  const char* unknown[] = {"m", "--frob", "1"};
  EXPECT_NE(parseOptions(3, unknown).error().message().find("--frob"), std::string::npos);
}

TEST(LogFormat, K8sTimestamp) {
  EXPECT_EQ(formatK8sTimestamp(kTs), "2024-01-02T03:04:05.123456789+00:00");
  EXPECT_EQ(formatK8sTimestamp(1704164645000000000), "2024-01-02T03:04:05.000000000+00:00");
}

TEST(LogFormat, K8sFileLinesAndPartials) {
  std::string out;
  appendK8sFile(out, kTs, Stream::kStdout, "a\nbc\npart");
  appendK8sFile(out, kTs, Stream::kStderr, "x\n");
  const std::string ts = "2024-01-02T03:04:05.123456789+00:00";
  EXPECT_EQ(out, ts + " stdout F a\n" + ts + " stdout F bc\n" + ts + " stdout P part\n" + ts +
                     " stderr F x\n");
  std::string empty_line;
  appendK8sFile(empty_line, kTs, Stream::kStdout, "\n");
  EXPECT_EQ(empty_line, ts + " stdout F \n");
}

TEST(LogFormat, JsonFile) {
  std::string out;
  appendJsonFile(out, kTs, Stream::kStderr, "say \"hi\"\tnow\nrest");
  EXPECT_EQ(out,
            "{\"log\":\"say \\\"hi\\\"\\tnow\\n\",\"stream\":\"stderr\","
            "\"time\":\"2024-01-02T03:04:05.123456789Z\"}\n"
            "{\"log\":\"rest\",\"stream\":\"stderr\",\"time\":\"2024-01-02T03:04:05.123456789Z\"}\n");
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/mon-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { (void)fs::removeAll(dir_); }
  std::string dir_;
};

TEST_F(TempDir, LogMaxSizeTruncatesAndKeepsWriting) {
  std::string path = dir_ + "/log";
  auto w = LogWriter::open(LogDriver::kK8sFile, path, 100);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->write(Stream::kStdout, "first line\n", kTs).ok());   // 57 bytes
  ASSERT_TRUE(w->write(Stream::kStdout, "second line\n", kTs).ok());  // would pass 100
  auto text = fs::readFile(path);
  EXPECT_EQ(*text, "2024-01-02T03:04:05.123456789+00:00 stdout F second line\n");
  // Reopen after an outside rotation starts a new file.
  ASSERT_EQ(::rename(path.c_str(), (path + ".1").c_str()), 0);
  ASSERT_TRUE(w->reopen().ok());
  ASSERT_TRUE(w->write(Stream::kStdout, "third\n", kTs).ok());
  EXPECT_EQ(*fs::readFile(path), "2024-01-02T03:04:05.123456789+00:00 stdout F third\n");
}

TEST_F(TempDir, LogMaxSizeIsCheckedPerLineOfOneChunk) {
  // One read can carry many lines: the limit holds to within one line, as conmon's.
  std::string path = dir_ + "/log";
  auto w = LogWriter::open(LogDriver::kK8sFile, path, 130);
  ASSERT_TRUE(w.ok());
  const std::string l5 = "2024-01-02T03:04:05.123456789+00:00 stdout F l5\n";  // 48 bytes
  ASSERT_TRUE(w->write(Stream::kStdout, "l1\nl2\nl3\nl4\nl5\n", kTs).ok());  // 2 lines fit
  EXPECT_EQ(*fs::readFile(path), l5);
  ASSERT_TRUE(w->write(Stream::kStdout, "l6\n", kTs).ok());
  EXPECT_EQ(fs::readFile(path)->size(), 2 * l5.size());
}

TEST_F(TempDir, NoneDriverWritesNothing) {
  auto w = LogWriter::open(LogDriver::kNone, "", 0);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->enabled());
  EXPECT_TRUE(w->write(Stream::kStdout, "x\n", kTs).ok());
}

TEST_F(TempDir, ExitRecordRoundTrip) {
  ExitRecord r{137, kTs, false, 2};
  EXPECT_EQ(exitRecordJson(r),
            "{\"exit_code\":137,\"exited_at\":1704164645123456789,\"oom_killed\":false,"
            "\"restarts\":2}\n");
  ASSERT_TRUE(writeExitRecord(dir_ + "/exit", r).ok());
  auto back = parseExitRecord(*fs::readFile(dir_ + "/exit"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->exit_code, 137);
  EXPECT_EQ(back->exited_at, kTs);
  EXPECT_EQ(back->restarts, 2);
}

TEST(Restart, Policies) {
  Options o;
  EXPECT_FALSE(shouldRestart(o, 1, 0, false));
  o.restart_policy = RestartPolicy::kAlways;
  EXPECT_TRUE(shouldRestart(o, 0, 5, false));
  EXPECT_FALSE(shouldRestart(o, 0, 5, /*stopping=*/true));
  o.restart_policy = RestartPolicy::kOnFailure;
  o.restart_max = 2;
  EXPECT_FALSE(shouldRestart(o, 0, 0, false));
  EXPECT_TRUE(shouldRestart(o, 1, 1, false));
  EXPECT_FALSE(shouldRestart(o, 1, 2, false));
  o.restart_max = 0;  // unlimited
  EXPECT_TRUE(shouldRestart(o, 1, 100, false));
  o.exec = true;  // exec sessions never restart
  EXPECT_FALSE(shouldRestart(o, 1, 0, false));
}

TEST_F(TempDir, ConsoleSocketPassesFd) {
  std::string path = dir_ + "/console.sock";
  auto l = listenUnix(path, SOCK_STREAM, 1);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(listenUnix(std::string(120, 'x'), SOCK_STREAM).error().code(),
            Code::kInvalidArgument);
  // Play the runtime: connect and send one fd with SCM_RIGHTS.
  int c = ::socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  char byte = 'x';
  struct iovec iov = {&byte, 1};
  char ctl[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl;
  msg.msg_controllen = sizeof ctl;
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &p[1], sizeof(int));
  ASSERT_EQ(::sendmsg(c, &msg, 0), 1);
  auto got = acceptConsole(l->get(), 1000);
  ASSERT_TRUE(got.ok()) << got.error().what();
  ASSERT_EQ(::write(got->get(), "z", 1), 1);
  char r = 0;
  ASSERT_EQ(::read(p[0], &r, 1), 1);
  EXPECT_EQ(r, 'z');
  ::close(c);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(Attach, BroadcastPrefixesStreamAndDropsGoneClients) {
  int a[2], b[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a), 0);
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b), 0);
  AttachClients clients;
  clients.add(UniqueFd(a[0]));
  auto& gone = clients.add(UniqueFd(b[0]));
  ::close(b[1]);  // second client gone
  clients.broadcast(3, "err", 3, 0);
  EXPECT_TRUE(gone.hung_up);
  EXPECT_EQ(gone.out_bytes, 0u);
  EXPECT_EQ(clients.size(), 2u);  // the monitor removes it once its input is read
  char buf[16];
  ASSERT_EQ(::recv(a[1], buf, sizeof buf, 0), 4);
  EXPECT_EQ(std::string(buf, 4), "\x03" "err");
  ::close(a[1]);
}

// A client that does not read keeps its packets queued, in order and whole;
// nothing is dropped and nothing blocks.
TEST(Attach, SlowClientQueuesPacketsInOrder) {
  int a[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a), 0);
  AttachClients clients;
  auto& c = clients.add(UniqueFd(a[0]));
  std::string chunk(8192, 'x');
  for (int i = 0; i < 100; ++i) {
    chunk[0] = char('A' + i % 26);
    clients.broadcast(2, chunk.data(), chunk.size(), i);
  }
  ASSERT_FALSE(c.hung_up);
  ASSERT_GT(c.out.size(), 0u);
  EXPECT_EQ(clients.backlog(), c.out_bytes);
  EXPECT_GT(c.out_bytes, 8193u * 10);  // the default socket buffer holds ~25 packets
  // Drain: every packet arrives, in order.
  int got = 0;
  char buf[8193];
  while (got < 100) {
    clients.flush(c, 1000);
    ssize_t n = ::recv(a[1], buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) continue;
    ASSERT_EQ(n, 8193);
    EXPECT_EQ(buf[0], 2);
    EXPECT_EQ(buf[1], char('A' + got % 26));
    ++got;
  }
  EXPECT_EQ(c.out_bytes, 0u);
  EXPECT_EQ(c.last_progress_ms, 1000);
  ::close(a[1]);
}

// StdinBuffer against a pipe whose reader is slow: partial writes resume,
// EAGAIN is reported as kBlocked, the bytes arrive in order and intact.
TEST(StdinBuffer, PartialWritesResumeAndKeepOrder) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  ASSERT_GE(::fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
  StdinBuffer b;
  std::string sent;
  for (int i = 0; sent.size() < 300000; ++i) sent += std::to_string(i) + ",";
  size_t fed = 0;
  std::string got;
  char buf[1000];  // the reader takes little at a time: writes are partial
  while (got.size() < sent.size()) {
    while (b.hasRoom() && fed < sent.size()) {
      size_t n = std::min<size_t>(32768, sent.size() - fed);
      b.append(std::string_view(sent).substr(fed, n));
      fed += n;
    }
    EXPECT_LE(b.pending(), StdinBuffer::kHighWater + 32768);
    auto f = b.flush(p[1]);
    ASSERT_NE(f, StdinBuffer::Flush::kBroken);
    if (f == StdinBuffer::Flush::kDrained) EXPECT_EQ(b.pending(), 0u);
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n > 0) got.append(buf, size_t(n));
  }
  EXPECT_EQ(got, sent);
  ::close(p[0]);
  ::close(p[1]);
}

TEST(StdinBuffer, ClosedReaderIsBrokenAndDropsData) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  ::signal(SIGPIPE, SIG_IGN);
  ::close(p[0]);
  StdinBuffer b;
  b.append("data");
  EXPECT_EQ(b.flush(p[1]), StdinBuffer::Flush::kBroken);
  EXPECT_EQ(b.pending(), 0u);
  ::close(p[1]);
}

}  // namespace
}  // namespace berth::monitor
