// Tests for storedSpec: container records keep their SpecGenerator readable across versions.
#include <gtest/gtest.h>

#include "engine/container_service.h"

namespace berth::engine {
namespace {

TEST(StoredSpecTest, ReadsTheEncodedSpec) {
  api::SpecGenerator s;
  s.name = "c";
  s.restart_policy = "always";
  s.r_limits = {{"RLIMIT_NOFILE", 10, 5}};
  s.healthconfig = api::Schema2HealthConfig{{"CMD", "true"}, {}, {}, std::chrono::seconds(3), {}, 2};
  Json config = {{"spec", api::encodeSpecGenerator(s)}, {"runtime", "runc"}};
  EXPECT_TRUE(storedSpec(config) == s);
}

TEST(StoredSpecTest, ReadsRecordsFromBeforeTheTypedSpec) {
  // The old CLI wrote "rlimits" and nothing checked values the codec now refuses.
  Json config = Json::parse(R"({"spec":{"name":"old","rlimits":[{"type":"RLIMIT_NOFILE",
    "hard":300,"soft":300}],"timeout":-5,"pidns":{"nsmode":"nomap"},"labels":{"a":"b"},
    "stop_timeout":3}})");
  api::SpecGenerator s = storedSpec(config);
  EXPECT_EQ(s.name, "old");
  ASSERT_EQ(s.r_limits.size(), 1u);
  EXPECT_EQ(s.r_limits[0].hard, 300u);
  EXPECT_EQ(s.timeout, 0u);                     // dropped
  EXPECT_TRUE(s.pidns.isDefault());             // dropped
  EXPECT_EQ(s.labels.at("a"), "b");
  EXPECT_EQ(s.stop_timeout, std::optional<uint64_t>(3));
}

TEST(StoredSpecTest, MissingOrMalformedSpecIsEmpty) {
  EXPECT_TRUE(storedSpec(Json::object()) == api::SpecGenerator{});
  EXPECT_TRUE(storedSpec(Json{{"spec", "x"}}) == api::SpecGenerator{});
}

}  // namespace
}  // namespace berth::engine
