// Unit tests for --change parsing.
#include "engine/image_changes.h"

#include <gtest/gtest.h>

namespace berth::engine {
namespace {

TEST(ImageChanges, AppliesInstructions) {
  Json c = Json::object();
  ASSERT_TRUE(applyChanges(c, {"CMD [\"sh\"]", "ENTRYPOINT /bin/echo hi", "ENV A=1 B=\"x y\"",
                               "ENV A 2", "WORKDIR /srv", "WORKDIR app", "LABEL k=v",
                               "EXPOSE 80 53/udp", "USER nobody", "VOLUME /data"})
                  .ok());
  EXPECT_EQ(c["Cmd"], Json::array({"sh"}));
  EXPECT_EQ(c["Entrypoint"], Json::array({"/bin/sh", "-c", "/bin/echo hi"}));
  EXPECT_EQ(c["Env"], Json::array({"A=2", "B=x y"}));
  EXPECT_EQ(c["WorkingDir"], "/srv/app");
  EXPECT_EQ(c["Labels"]["k"], "v");
  EXPECT_TRUE(c["ExposedPorts"].contains("80/tcp"));
  EXPECT_TRUE(c["ExposedPorts"].contains("53/udp"));
  EXPECT_EQ(c["User"], "nobody");
  EXPECT_TRUE(c["Volumes"].contains("/data"));
}

TEST(ImageChanges, RejectsBadInput) {
  Json c = Json::object();
  auto s = applyChanges(c, {"FROB x"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  EXPECT_NE(s.error().what().find("FROB"), std::string::npos);
  EXPECT_FALSE(applyChanges(c, {"CMD [\"sh\""}).ok());
  EXPECT_FALSE(applyChanges(c, {"EXPOSE http"}).ok());
  EXPECT_FALSE(applyChanges(c, {"ENV"}).ok());
  // A JSON array of non-strings is an error, not an exception (used to abort commit --change).
  EXPECT_FALSE(applyChanges(c, {"VOLUME [1]"}).ok());
  EXPECT_FALSE(applyChanges(c, {"VOLUME [\"/a\", {}]"}).ok());
  EXPECT_FALSE(applyChanges(c, {"CMD [1]"}).ok());
}

}  // namespace
}  // namespace berth::engine
