// Unit tests for the pod planners: --share parsing and the pod status from its containers.
#include <gtest/gtest.h>

#include "engine/pod_service.h"

namespace berth::engine {
namespace {

using V = std::vector<std::string>;

TEST(PodShare, DefaultPlusAndNone) {
  EXPECT_EQ(*parseShare(std::nullopt), (V{"ipc", "net", "uts"}));
  EXPECT_EQ(*parseShare(std::string("ipc")), (V{"ipc"}));
  EXPECT_EQ(*parseShare(std::string("+pid")), (V{"ipc", "net", "uts", "pid"}));
  EXPECT_EQ(*parseShare(std::string("+net")), (V{"ipc", "net", "uts"}));
  EXPECT_TRUE(parseShare(std::string("none"))->empty());
  EXPECT_TRUE(parseShare(std::string(""))->empty());
  auto bad = parseShare(std::string("net,bogus"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.error().what(),
            "invalid kernel namespace to share: bogus. Options are: cgroup, ipc, net, pid, uts or none");
}

TEST(PodStatus, AsPodmanComputesIt) {
  EXPECT_EQ(podStatus({}), "Created");
  EXPECT_EQ(podStatus({"running", "running"}), "Running");
  EXPECT_EQ(podStatus({"running", "exited"}), "Degraded");
  EXPECT_EQ(podStatus({"paused", "paused"}), "Paused");
  EXPECT_EQ(podStatus({"exited", "stopped"}), "Exited");
  EXPECT_EQ(podStatus({"exited", "created"}), "Stopped");
  EXPECT_EQ(podStatus({"created", "configured"}), "Created");
  EXPECT_EQ(podStatus({"created", "removing"}), "Error");
}

TEST(PodPauseImage, PodmanNaming) { EXPECT_EQ(pauseImageName().rfind("localhost/podman-pause:", 0), 0u); }

}  // namespace
}  // namespace berth::engine
