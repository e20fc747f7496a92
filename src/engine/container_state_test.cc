// The container state machine through the engine's runtime seam (the OCI runtime command
// line), with testdata/fake-runtime standing in for runc: transitions, refusals with
// podman's messages, and what is recorded when the runtime fails. Needs root (rootfs mount).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "base/fs.h"
#include "engine/engine.h"
#include "sys/mounts.h"

#ifndef BERTH_FAKE_RUNTIME
#error "BERTH_FAKE_RUNTIME must name testdata/fake-runtime"
#endif

namespace berth::engine {
namespace {

class ContainerStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount container root filesystems";
    char tmpl[] = "/tmp/berth-state-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Options o;
    o.root = dir_ + "/root";
    o.runroot = dir_ + "/run";
    o.storage_driver = "vfs";
    o.runtime = BERTH_FAKE_RUNTIME;
    auto e = Engine::open(o);
    ASSERT_TRUE(e.ok()) << e.error().what();
    engine_ = std::move(*e);
    // The fake runs the command on the host: the image only needs to exist.
    ASSERT_TRUE(fs::mkdirAll(dir_ + "/img/etc").ok());
    ASSERT_TRUE(fs::writeFileReplace(dir_ + "/img/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n").ok());
    ASSERT_EQ(std::system(("tar -C " + dir_ + "/img -cf " + dir_ + "/img.tar .").c_str()), 0);
    api::ImageImportRequest imp;
    imp.source = dir_ + "/img.tar";
    imp.reference = "localhost/fake:1";
    auto id = engine_->images().import(imp);
    ASSERT_TRUE(id.ok()) << id.error().what();
    fail_dir_ = o.runroot + "/runtime/fake-runtime";
  }
  void TearDown() override {
    if (engine_) {
      api::ContainerRemoveRequest rm;
      rm.all = rm.force = true;
      (void)engine_->containers().remove(rm);  // best effort: the test has its verdict
      engine_.reset();
    }
    if (!dir_.empty()) (void)fs::removeAll(dir_);
  }

  api::ContainerService& c() { return engine_->containers(); }

  std::string create(const std::string& name, std::vector<std::string> cmd) {
    api::ContainerCreateRequest req;
    req.spec.name = name;
    req.spec.image = "localhost/fake:1";
    req.spec.command = std::move(cmd);
    req.spec.netns.nsmode = api::NamespaceMode::kNone;
    auto r = c().create(req);
    EXPECT_TRUE(r.ok()) << r.error().what();
    return r.ok() ? r->id : "";
  }
  Json state(const std::string& name) {
    auto j = c().inspect(name, false);
    EXPECT_TRUE(j.ok()) << j.error().what();
    return j.ok() ? (*j)["State"] : Json();
  }
  std::string status(const std::string& name) { return state(name).value("Status", "?"); }
  // Makes the fake runtime's `verb` fail with `msg` (until cleared).
  void failVerb(const std::string& verb, const std::string& msg) {
    ASSERT_TRUE(fs::mkdirAll(fail_dir_).ok());
    ASSERT_TRUE(fs::writeFileReplace(fail_dir_ + "/fail-" + verb, msg).ok());
  }
  void clearFail(const std::string& verb) { ::unlink((fail_dir_ + "/fail-" + verb).c_str()); }
  // The single result's error text ("" when it succeeded).
  static std::string errorOf(const Result<std::vector<api::NameResult>>& r) {
    if (!r.ok()) return r.error().what();
    if (r->size() != 1) return "expected one result";
    return (*r)[0].error ? (*r)[0].error->what() : "";
  }
  bool rootfsMounted(const std::string& id) {
    return sys::isMountPoint(dir_ + "/run/containers/" + id + "/merged");
  }

  std::string dir_, fail_dir_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ContainerStateTest, Transitions) {
  std::string id = create("t1", {"sleep", "1000"});
  EXPECT_EQ(status("t1"), "created");
  ASSERT_TRUE(c().start("t1", nullptr).ok());
  EXPECT_EQ(status("t1"), "running");
  int pid = state("t1").value("Pid", 0);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), 0);
  EXPECT_TRUE(c().start("t1", nullptr).ok()) << "starting a running container is a no-op";

  EXPECT_EQ(errorOf(c().pause({"t1"}, false)), "");
  EXPECT_EQ(status("t1"), "paused");
  EXPECT_EQ(errorOf(c().pause({"t1"}, false)), "\"paused\" is not running, can't pause: container state improper");
  EXPECT_EQ(errorOf(c().unpause({"t1"}, false)), "");
  EXPECT_EQ(status("t1"), "running");
  EXPECT_EQ(errorOf(c().unpause({"t1"}, false)),
            "\"" + id + "\" is not paused, can't unpause: container state improper");

  api::ContainerRemoveRequest rm;
  rm.names = {"t1"};
  EXPECT_EQ(errorOf(c().remove(rm)), "cannot remove container " + id +
                                         " as it is running - running or paused containers cannot be "
                                         "removed without force: container state improper");

  api::ContainerStopRequest stop;
  stop.names = {"t1"};
  stop.timeout = 5;
  EXPECT_EQ(errorOf(c().stop(stop)), "");
  EXPECT_EQ(status("t1"), "exited");
  EXPECT_EQ(state("t1").value("ExitCode", -1), 128 + SIGTERM);
  EXPECT_NE(::kill(pid, 0), 0) << "the process is gone";
  EXPECT_FALSE(rootfsMounted(id));
  EXPECT_EQ(errorOf(c().kill({"t1"}, false, "TERM")),
            "can only kill running containers. " + id + " is in state exited: container state improper");
  EXPECT_EQ(errorOf(c().pause({"t1"}, false)), "\"exited\" is not running, can't pause: container state improper");
  EXPECT_EQ(errorOf(c().stop(stop)), "") << "stopping a stopped container is fine";

  EXPECT_EQ(errorOf(c().restart({"t1"}, false, 1)), "");
  EXPECT_EQ(status("t1"), "running");
  int pid2 = state("t1").value("Pid", 0);
  EXPECT_GT(pid2, 0);
  EXPECT_NE(pid2, pid);
  EXPECT_TRUE(rootfsMounted(id));

  EXPECT_EQ(errorOf(c().kill({"t1"}, false, "KILL")), "");
  auto code = c().wait("t1", {}, 50);
  ASSERT_TRUE(code.ok()) << code.error().what();
  EXPECT_EQ(*code, 128 + SIGKILL);
  EXPECT_EQ(status("t1"), "exited");

  rm.force = true;
  EXPECT_EQ(errorOf(c().remove(rm)), "");
  EXPECT_FALSE(c().inspect("t1", false).ok());
  EXPECT_FALSE(fs::exists(dir_ + "/run/containers/" + id));
}

TEST_F(ContainerStateTest, RemoveForceStopsARunningContainer) {
  std::string id = create("t2", {"sleep", "1000"});
  ASSERT_TRUE(c().start("t2", nullptr).ok());
  int pid = state("t2").value("Pid", 0);
  ASSERT_TRUE(c().pause({"t2"}, false).ok());
  api::ContainerRemoveRequest rm;
  rm.names = {"t2"};
  rm.force = true;
  EXPECT_EQ(errorOf(c().remove(rm)), "");
  EXPECT_NE(::kill(pid, 0), 0) << "a paused container is killed by rm -f";
  EXPECT_FALSE(rootfsMounted(id));
}

TEST_F(ContainerStateTest, StopEscalatesToKillAfterTheTimeout) {
  create("t3", {"sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"});
  ASSERT_TRUE(c().start("t3", nullptr).ok());
  api::ContainerStopRequest stop;
  stop.names = {"t3"};
  stop.timeout = 1;
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(errorOf(c().stop(stop)), "");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(ms, 1000);
  EXPECT_LT(ms, 8000);
  EXPECT_EQ(status("t3"), "exited");
  EXPECT_EQ(state("t3").value("ExitCode", -1), 128 + SIGKILL);
}

TEST_F(ContainerStateTest, KillRefusesACreatedContainer) {
  std::string id = create("t4", {"sleep", "1000"});
  EXPECT_EQ(errorOf(c().kill({"t4"}, false, "KILL")),
            "can only kill running containers. " + id + " is in state created: container state improper");
  EXPECT_EQ(errorOf(c().unpause({"t4"}, false)),
            "\"" + id + "\" is not paused, can't unpause: container state improper");
}

TEST_F(ContainerStateTest, FailedStartIsRecordedAndUndone) {
  std::string id = create("t5", {"sleep", "1000"});
  failVerb("start", "injected start failure");
  auto st = c().start("t5", nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().what().find("injected start failure"), std::string::npos) << st.error().what();
  // The record says how the start ended, and nothing of the run is left.
  Json s = state("t5");
  EXPECT_EQ(s.value("Status", ""), "exited");
  EXPECT_NE(s.value("Error", "").find("injected start failure"), std::string::npos) << s.dump();
  EXPECT_FALSE(rootfsMounted(id));
  EXPECT_FALSE(fs::exists(fail_dir_ + "/" + id)) << "the runtime's container is deleted";
  // A later start works.
  clearFail("start");
  auto again = c().start("t5", nullptr);
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ(status("t5"), "running");
  EXPECT_EQ(state("t5").value("Error", "x"), "");
}

TEST_F(ContainerStateTest, FailedCreateIsRecordedAndUndone) {
  std::string id = create("t6", {"sleep", "1000"});
  failVerb("create", "injected create failure");
  auto st = c().start("t6", nullptr);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().what().find("injected create failure"), std::string::npos) << st.error().what();
  Json s = state("t6");
  EXPECT_EQ(s.value("Status", ""), "exited");
  EXPECT_NE(s.value("Error", "").find("injected create failure"), std::string::npos) << s.dump();
  EXPECT_FALSE(rootfsMounted(id));
  clearFail("create");
  ASSERT_TRUE(c().start("t6", nullptr).ok());
  EXPECT_EQ(status("t6"), "running");
}

TEST_F(ContainerStateTest, FailedPauseLeavesTheContainerRunning) {
  create("t7", {"sleep", "1000"});
  ASSERT_TRUE(c().start("t7", nullptr).ok());
  failVerb("pause", "injected pause failure");
  EXPECT_NE(errorOf(c().pause({"t7"}, false)).find("injected pause failure"), std::string::npos);
  EXPECT_EQ(status("t7"), "running");
}

TEST_F(ContainerStateTest, AFailedKillNeverRecordsARunningContainerAsExited) {
  std::string id = create("t8", {"sleep", "1000"});
  ASSERT_TRUE(c().start("t8", nullptr).ok());
  int pid = state("t8").value("Pid", 0);
  failVerb("kill", "injected kill failure");
  failVerb("delete", "injected delete failure");
  api::ContainerRemoveRequest rm;
  rm.names = {"t8"};
  rm.force = true;
  std::string err = errorOf(c().remove(rm));
  EXPECT_NE(err.find("could not be stopped"), std::string::npos) << err;
  EXPECT_NE(err.find("injected kill failure"), std::string::npos) << err;
  EXPECT_EQ(::kill(pid, 0), 0) << "the process still runs";
  EXPECT_EQ(status("t8"), "running") << "and the record says so";
  EXPECT_TRUE(rootfsMounted(id)) << "its rootfs stays mounted";
  clearFail("kill");
  clearFail("delete");
  EXPECT_EQ(errorOf(c().remove(rm)), "");
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace berth::engine
