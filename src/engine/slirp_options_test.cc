// Unit tests for --network slirp4netns options: defaults, addresses derived from the CIDR,
// and the errors for bad values (hostile input from flags and API bodies).
#include <gtest/gtest.h>

#include "engine/container_service.h"

namespace berth::engine {
namespace {

api::SpecGenerator withOptions(std::vector<std::string> opts) {
  api::SpecGenerator s;
  s.netns.nsmode = api::NamespaceMode::kSlirp4netns;
  s.network_options["slirp4netns"] = std::move(opts);
  return s;
}

TEST(SlirpOptions, DefaultsAsPodman) {
  auto o = slirpOptions(api::SpecGenerator{});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->cidr, "10.0.2.0/24");
  EXPECT_EQ(o->mtu, 65520);
  EXPECT_FALSE(o->allow_host_loopback);
  EXPECT_EQ(*slirpContainerAddress(*o), "10.0.2.100");
  EXPECT_EQ(*slirpDnsAddress(*o), "10.0.2.3");
}

TEST(SlirpOptions, CidrAndFlags) {
  auto o = slirpOptions(withOptions({"cidr=10.55.3.0/24", "allow_host_loopback=true", "mtu=1500",
                                     "port_handler=rootlesskit"}));
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(*slirpContainerAddress(*o), "10.55.3.100");
  EXPECT_EQ(*slirpDnsAddress(*o), "10.55.3.3");
  EXPECT_TRUE(o->allow_host_loopback);
  EXPECT_EQ(o->mtu, 1500);
  // A host part in the CIDR is masked off.
  o = slirpOptions(withOptions({"cidr=172.16.9.77/16"}));
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*slirpContainerAddress(*o), "172.16.0.100");
}

TEST(SlirpOptions, BadValuesNamed) {
  for (auto [opt, want] : std::vector<std::pair<std::string, std::string>>{
           {"bogus=1", "unknown option for slirp4netns: \"bogus=1\""},
           {"cidr=300.1.1.0/24", "invalid slirp4netns cidr \"300.1.1.0/24\""},
           {"cidr=10.0.0.0/30", "invalid slirp4netns cidr \"10.0.0.0/30\""},
           {"mtu=12x", "invalid slirp4netns mtu \"12x\""},
           {"allow_host_loopback=yes", "want true or false"},
           {"port_handler=magic", "unknown port_handler for slirp4netns: \"magic\""}}) {
    auto o = slirpOptions(withOptions({opt}));
    ASSERT_FALSE(o.ok()) << opt;
    EXPECT_EQ(o.error().code(), Code::kInvalidArgument) << opt;
    EXPECT_NE(o.error().what().find(want), std::string::npos) << o.error().what();
  }
}

}  // namespace
}  // namespace berth::engine
