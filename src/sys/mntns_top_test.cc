// Root vs. mount-namespace top: detection in a real chroot and the repair runc needs (needs root).
#include "sys/mntns_top.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/fs.h"

namespace berth::sys {
namespace {

class MntnsTopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for chroot(2) and mount(2)";
    char tmpl[] = "/tmp/berth-mntns-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(fs::mkdirAll(dir_ + "/proc").ok());
  }
  void TearDown() override {
    if (!dir_.empty()) (void)fs::removeAll(dir_);
  }
  // Runs `body` in a child that has a private mount namespace and is
  // chrooted into dir_ (with /proc mounted); returns its exit code.
  template <typename F>
  int inChroot(F body) {
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::unshare(CLONE_NEWNS) < 0) ::_exit(90);
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) ::_exit(91);
      if (::mount("proc", (dir_ + "/proc").c_str(), "proc", 0, nullptr) < 0) ::_exit(92);
      if (::chdir(dir_.c_str()) < 0 || ::chroot(".") < 0) ::_exit(93);
      ::_exit(body());
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
  std::string dir_;
};

TEST_F(MntnsTopTest, ChrootIsDetected) {
  EXPECT_EQ(inChroot([] {
              auto top = rootIsMountNamespaceTop();
              if (!top.ok()) return 10;
              return *top ? 11 : 0;
            }),
            0);
}

TEST_F(MntnsTopTest, RepairMakesTheChrootTheTop) {
  EXPECT_EQ(inChroot([] {
              const char* step = nullptr;
              if (makeRootMountNamespaceTop("/", &step) != 0) return 20;
              // What runc exec does: join the namespace, land at its top.
              auto top = rootIsMountNamespaceTop();
              if (!top.ok()) return 21;
              if (!*top) return 22;
              // Still the same tree: /proc is there, nothing outside it is.
              struct stat st;
              if (::stat("/proc/self", &st) < 0) return 23;
              if (::stat("/tmp", &st) == 0) return 24;
              return 0;
            }),
            0);
}

TEST_F(MntnsTopTest, ChrootedProcessIsDetectedFromOutside) {
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipefd[0]);
    if (::chdir(dir_.c_str()) < 0 || ::chroot(".") < 0) ::_exit(1);
    (void)!::write(pipefd[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  char c;
  ASSERT_EQ(::read(pipefd[0], &c, 1), 1);
  ::close(pipefd[0]);
  auto top = processRootIsMountNamespaceTop(pid);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  ASSERT_TRUE(top.ok()) << top.error().what();
  EXPECT_FALSE(*top);
  // A process that was not chrooted is at the top when this test is.
  if (*rootIsMountNamespaceTop()) EXPECT_TRUE(*processRootIsMountNamespaceTop(::getpid()));
}

}  // namespace
}  // namespace berth::sys
