// Unit tests for the OCI runtime adapter: argv, error extraction, lookup.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "runtime/child_process.h"
#include "runtime/oci_runtime.h"
#include "runtime/seccomp_bpf.h"
#include "runtime/select.h"

namespace berth::runtime {
namespace {

using Argv = std::vector<std::string>;

OciRuntime fakeRuntime(const std::string& path, const std::string& log = "") {
  return OciRuntime({"fake", path, {"--root", "/run/x"}, log});
}

TEST(OciRuntime, CreateArgv) {
  auto rt = fakeRuntime("/usr/bin/runc", "/b/oci-log");
  EXPECT_EQ(rt.createArgv("c1", {"/b", "/b/pid", "/b/console.sock", 0}),
            (Argv{"/usr/bin/runc", "--root", "/run/x", "--log", "/b/oci-log", "--log-format",
                  "json", "create", "--bundle", "/b", "--pid-file", "/b/pid",
                  "--console-socket", "/b/console.sock", "c1"}));
  EXPECT_EQ(fakeRuntime("/r").createArgv("c1", {"/b", "", "", 2}),
            (Argv{"/r", "--root", "/run/x", "create", "--bundle", "/b", "--preserve-fds", "2",
                  "c1"}));
  // create and start in one call: the same options, `run --detach`.
  EXPECT_EQ(fakeRuntime("/r").runDetachedArgv("c1", {"/b", "/b/pid", "", 1}),
            (Argv{"/r", "--root", "/run/x", "run", "--bundle", "/b", "--pid-file", "/b/pid", "--preserve-fds",
                  "1", "--detach", "c1"}));
}

TEST(OciRuntime, CheckpointAndRestoreArgv) {
  CheckpointOptions co;
  co.image_path = "/s/checkpoint";
  co.work_path = "/s";
  EXPECT_EQ(fakeRuntime("/r").checkpointArgv("c1", co),
            (Argv{"/r", "--root", "/run/x", "checkpoint", "--image-path", "/s/checkpoint", "--work-path", "/s", "c1"}));
  co.leave_running = co.tcp_established = co.file_locks = true;
  EXPECT_EQ(fakeRuntime("/r").checkpointArgv("c1", co),
            (Argv{"/r", "--root", "/run/x", "checkpoint", "--image-path", "/s/checkpoint", "--work-path", "/s",
                  "--leave-running", "--tcp-established", "--file-locks", "c1"}));
  RestoreOptions ro{"/s/checkpoint", "/s", "/b", "/b/pid", "", true, false};
  EXPECT_EQ(fakeRuntime("/r").restoreArgv("c1", ro),
            (Argv{"/r", "--root", "/run/x", "restore", "--detach", "--image-path", "/s/checkpoint", "--work-path", "/s",
                  "--bundle", "/b", "--pid-file", "/b/pid", "--tcp-established", "c1"}));
}

TEST(OciRuntime, ExecArgv) {
  ExecOptions o;
  o.process_json = "/b/p.json";
  o.pid_file = "/b/exec.pid";
  o.detach = true;
  EXPECT_EQ(fakeRuntime("/r").execArgv("c1", o),
            (Argv{"/r", "--root", "/run/x", "exec", "--process", "/b/p.json", "--pid-file",
                  "/b/exec.pid", "--detach", "c1"}));
  EXPECT_EQ(fakeRuntime("/r").deleteArgv("c1", true),
            (Argv{"/r", "--root", "/run/x", "delete", "--force", "c1"}));
}

TEST(OciRuntime, LastLoggedError) {
  std::string log =
      "{\"level\":\"warning\",\"msg\":\"w\",\"time\":\"t\"}\n"
      "{\"level\":\"error\",\"msg\":\"container does not exist\",\"time\":\"t\"}\n"
      "not json\n";
  EXPECT_EQ(lastLoggedError(log), "container does not exist");
  EXPECT_EQ(lastLoggedError("plain\n"), "");
  EXPECT_EQ(codeFromRuntimeMessage("container does not exist"), Code::kNotFound);
  EXPECT_EQ(codeFromRuntimeMessage("container not running"), Code::kFailedPrecondition);
  EXPECT_EQ(codeFromRuntimeMessage("boom"), Code::kUnknown);
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rt-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { (void)fs::removeAll(dir_); }
  std::string script(const std::string& name, const std::string& body) {
    std::string p = dir_ + "/" + name;
    EXPECT_TRUE(fs::writeFileAtomic(p, "#!/bin/sh\n" + body, 0755).ok());
    return p;
  }
  std::string dir_;
};

TEST_F(TempDir, FailureQuotesLogThenStderr) {
  std::string log = dir_ + "/oci-log";
  // A fake runtime that logs a JSON error line and fails, like runc does.
  std::string p = script("fake",
                         "for a; do last=$a; done\n"
                         "echo '{\"level\":\"error\",\"msg\":\"container '$last' does not "
                         "exist\"}' >> " + log + "\n"
                         "echo 'plain stderr' >&2; exit 1\n");
  auto st = fakeRuntime(p, log).start("c9");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kNotFound);
  EXPECT_EQ(st.error().message(), "fake start: container c9 does not exist");

  std::string q = script("fake2", "echo 'crun: cannot frob' >&2; exit 2\n");
  auto st2 = fakeRuntime(q).kill("c9", 15);
  ASSERT_FALSE(st2.ok());
  EXPECT_EQ(st2.error().message(), "fake kill: crun: cannot frob");
}

TEST_F(TempDir, StateParsesJson) {
  std::string p = script("fake", "echo '{\"ociVersion\":\"1.0.2\",\"id\":\"c\",\"pid\":42,"
                                  "\"status\":\"running\",\"bundle\":\"/b\"}'\n");
  auto st = fakeRuntime(p).state("c");
  ASSERT_TRUE(st.ok()) << st.error().what();
  EXPECT_EQ(st->status, "running");
  EXPECT_EQ(st->pid, 42);
  EXPECT_EQ(st->bundle, "/b");
}

TEST_F(TempDir, SpawnMissingBinary) {
  auto r = runCaptured({dir_ + "/nope"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  auto ok = runCaptured({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->exit_code, 3);
  EXPECT_EQ(ok->out, "out\n");
  EXPECT_EQ(ok->err, "err\n");
}

// Extra fds land at their numbers (even over a source's number), nothing
// else leaks, the session is new, and the signal state is a fresh process's
// although the caller blocks and ignores signals.
TEST_F(TempDir, SpawnMapsFdsNewSessionCleanSignals) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  int leak = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: must not reach the child either way
  ASSERT_GE(leak, 0);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  ASSERT_EQ(::sigprocmask(SIG_BLOCK, &block, &old), 0);
  auto old_int = ::signal(SIGINT, SIG_IGN);
  // The child reports on fd 3 (and 4, mapped from the same pipe): its session
  // id, its blocked and ignored signal masks and its open fds.
  SpawnSpec spec;
  spec.argv = {"/bin/sh", "-c",
               "echo sid=$(cut -d' ' -f6 /proc/self/stat) >&3; grep -E '^Sig(Blk|Ign)' /proc/self/status >&4;"
               " ls /proc/self/fd | tr '\\n' ' ' >&3"};
  spec.extra_fds = {{3, w.get()}, {4, w.get()}};
  spec.new_session = true;
  auto child = ChildProcess::spawn(spec);
  ::signal(SIGINT, old_int);
  ASSERT_EQ(::sigprocmask(SIG_SETMASK, &old, nullptr), 0);
  ::close(leak);
  ASSERT_TRUE(child.ok()) << child.error().what();
  pid_t pid = child->pid();
  ASSERT_EQ(child->wait().valueOr(-1), 0);
  w.reset();
  auto out = fs::readAll(r.get());
  ASSERT_TRUE(out.ok());
  EXPECT_NE(out->find(fmt::format("sid={}\n", pid)), std::string::npos) << *out;
  EXPECT_NE(out->find("SigBlk:\t0000000000000000"), std::string::npos) << *out;
  EXPECT_NE(out->find("SigIgn:\t0000000000000000"), std::string::npos) << *out;
  // 0-4, and 5: the one ls opens for the directory. Not the inherited
  // `leak` nor whatever the test's own parent passed down.
  EXPECT_TRUE(out->size() >= 12 && out->substr(out->size() - 12) == "0 1 2 3 4 5 ") << *out;
}

// defer_exec_check: spawn returns at once; confirmExec reports the execve's fate then.
TEST(ChildProcess, DeferredExecCheck) {
  SpawnSpec bad;
  bad.argv = {"/no/such/program"};
  bad.defer_exec_check = true;
  auto child = ChildProcess::spawn(bad);
  ASSERT_TRUE(child.ok()) << child.error().what();  // not known yet
  Status st = child->confirmExec();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().sysErrno(), ENOENT);
  EXPECT_NE(st.error().message().find("exec /no/such/program"), std::string::npos) << st.error().what();
  // Without the deferral the same failure comes from spawn itself.
  bad.defer_exec_check = false;
  EXPECT_EQ(ChildProcess::spawn(bad).error().sysErrno(), ENOENT);

  SpawnSpec good;
  good.argv = {"/bin/sh", "-c", "exit 7"};
  good.defer_exec_check = true;
  auto ok = ChildProcess::spawn(good);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->confirmExec().ok());
  EXPECT_TRUE(ok->confirmExec().ok());  // once done, a no-op
  EXPECT_EQ(exitCodeFromStatus(ok->wait().valueOr(-1)), 7);
}

TEST_F(TempDir, FindAndChoose) {
  ::mkdir((dir_ + "/bin").c_str(), 0755);
  std::vector<std::string> dirs{dir_ + "/bin"};
  EXPECT_EQ(findRuntime("runc", dirs).error().code(), Code::kNotFound);
  script("bin/runc", "");
  script("bin/crun", "");
  EXPECT_EQ(*findRuntime("runc", dirs), dir_ + "/bin/runc");
  EXPECT_EQ(chooseDefaultRuntime({CgroupMode::kUnified, {}}, dirs)->name, "crun");
  EXPECT_EQ(chooseDefaultRuntime({CgroupMode::kLegacy, {}}, dirs)->name, "crun");
  // Hybrid: crun refuses only while a controller sits on the unified hierarchy.
  auto hybrid = chooseDefaultRuntime({CgroupMode::kHybrid, {"hugetlb"}}, dirs);
  EXPECT_EQ(hybrid->name, "runc");
  EXPECT_NE(hybrid->reason.find("hugetlb on the unified hierarchy"), std::string::npos);
  EXPECT_NE(hybrid->reason.find("move-cgroup-controllers"), std::string::npos);
  EXPECT_EQ(chooseDefaultRuntime({CgroupMode::kHybrid, {}}, dirs)->name, "crun");
  EXPECT_EQ(detectCgroupMode(dir_), CgroupMode::kLegacy);  // a plain dir: no cgroup2 anywhere
}

}  // namespace
}  // namespace berth::runtime

namespace berth::runtime {
namespace {

// The filter crun would build: a BPF program (8-byte instructions) ending in a return, and the
// same program for the same profile; what the annotation cannot carry is left to crun.
TEST(SeccompBpf, CompilesAndRefusesMalformedProfiles) {
  Json prof = Json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
    "architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],
    "syscalls":[{"names":["read","write","no_such_syscall"],"action":"SCMP_ACT_ALLOW"},
                {"names":["personality"],"action":"SCMP_ACT_ALLOW",
                 "args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
                {"names":["clone"],"action":"SCMP_ACT_ERRNO","errnoRet":1,
                 "args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]}]})");
  auto bpf = compileSeccompBpf(prof);
  ASSERT_TRUE(bpf.ok()) << bpf.error().what();
  if (!*bpf) GTEST_SKIP() << "libseccomp.so.2 is not installed";
  EXPECT_GT((*bpf)->size(), 8u);
  EXPECT_EQ((*bpf)->size() % 8, 0u);
  EXPECT_EQ(**compileSeccompBpf(prof), **bpf);

  Json notify = prof;
  notify["syscalls"][0]["action"] = "SCMP_ACT_NOTIFY";
  EXPECT_FALSE(compileSeccompBpf(notify)->has_value()) << "notify needs crun's own listener";

  struct Bad {
    const char* doc;
    const char* names;
  } bad[] = {
      {R"({"defaultAction":1})", "linux.seccomp.defaultAction"},
      {R"({"defaultAction":"SCMP_ACT_NOPE"})", "linux.seccomp.defaultAction"},
      {R"({"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":1})", "errno value specified"},
      {R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_KILL",
          "args":[{"index":9,"value":0,"op":"SCMP_CMP_EQ"}]}]})", "linux.seccomp.syscalls[0].args[0].index"},
      {R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_KILL"}]})",
       "linux.seccomp.syscalls[0].names"},
      {R"({"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]})", "unknown architecture"},
  };
  for (auto& b : bad) {
    auto r = compileSeccompBpf(Json::parse(b.doc));
    ASSERT_FALSE(r.ok()) << b.doc;
    EXPECT_NE(r.error().what().find(b.names), std::string::npos) << r.error().what();
  }
}

// The compiled filter is cached per profile: a second call reads it back, another profile gets
// its own, and a cache file whose key text differs (a hash collision, or a file left by anyone
// else) is never taken for the profile.
TEST(SeccompBpf, CacheHitsOnlyOnTheWholeKey) {
  Json prof = Json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
    "syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]})");
  if (!compileSeccompBpf(prof).value()) GTEST_SKIP() << "libseccomp.so.2 is not installed";
  char tmpl[] = "/tmp/berth-seccomp-cache-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/cache";
  auto first = seccompBpfAnnotation(prof, dir);
  ASSERT_TRUE(first.ok() && *first) << (first.ok() ? "no filter" : first.error().what());
  auto files = fs::listDir(dir).value();
  ASSERT_EQ(files.size(), 1u);
  std::string path = dir + "/" + files[0];
  std::string entry = fs::readFile(path).value();
  ASSERT_NE(entry.find('\0'), std::string::npos);
  EXPECT_EQ(entry.substr(entry.find('\0') + 1), **first);
  EXPECT_EQ(**seccompBpfAnnotation(prof, dir), **first);

  Json other = prof;
  other["syscalls"][0]["names"] = {"read"};
  auto second = seccompBpfAnnotation(other, dir);
  ASSERT_TRUE(second.ok() && *second);
  EXPECT_NE(**second, **first);
  EXPECT_EQ(fs::listDir(dir).value().size(), 2u);

  // The same file name with another key before the filter: compiled afresh, and rewritten.
  std::string forged = "some other key" + std::string(1, '\0') + **second;
  ASSERT_TRUE(fs::writeFileAtomic(path, forged).ok());
  EXPECT_EQ(**seccompBpfAnnotation(prof, dir), **first);
  EXPECT_EQ(fs::readFile(path).value(), entry);
  (void)fs::removeAll(tmpl);
}

}  // namespace
}  // namespace berth::runtime
