// containers.conf loading: comment lines are dropped before the TOML parse, never a line of a
// multi-line string; a file parsed once is parsed again when its text changes.
#include "config/containers_conf.h"

#include <gtest/gtest.h>

#include "config/host_env.h"
#include "config/test_util.h"

namespace berth::config {
namespace {

class ContainersConfTest : public ::testing::Test {
 protected:
  Result<Json> load(const std::string& text) {
    HostEnv env;
    env.vars["CONTAINERS_CONF"] = dir_.write("containers.conf", text);
    return loadContainersConf(env);
  }
  testing::TempDir dir_;
};

TEST_F(ContainersConfTest, CommentsAreIgnoredAndValuesKept) {
  auto j = load("# a comment\n[containers]\n  # indented comment\nlabel = false # trailing\n"
                "dns_servers = [\"1.1.1.1\"]\n#\n[engine]\nevents_logger = \"file\"\n");
  ASSERT_TRUE(j.ok()) << j.error().what();
  EXPECT_EQ((*j)["containers"]["label"], false);
  EXPECT_EQ((*j)["containers"]["dns_servers"][0], "1.1.1.1");
  EXPECT_EQ((*j)["engine"]["events_logger"], "file");
}

TEST_F(ContainersConfTest, MultiLineStringsKeepTheirHashLines) {
  auto j = load("[containers]\nannotation = \"\"\"\n# not a comment\nline\"\"\"\n"
                "seccomp_profile = '''\n# kept too'''\n");
  ASSERT_TRUE(j.ok()) << j.error().what();
  EXPECT_EQ((*j)["containers"]["annotation"], "# not a comment\nline");
  EXPECT_EQ((*j)["containers"]["seccomp_profile"], "# kept too");
}

TEST_F(ContainersConfTest, ErrorsNameTheLineAsWritten) {
  auto j = load("# one\n# two\n[containers]\n# four\nlabel = = 1\n");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.error().what().find("line 5"), std::string::npos) << j.error().what();
}

TEST_F(ContainersConfTest, AChangedFileIsParsedAgain) {
  auto a = load("[containers]\nlabel = false\n");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)["containers"]["label"], false);
  auto b = load("[containers]\nlabel = true\n");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)["containers"]["label"], true);
}

}  // namespace
}  // namespace berth::config
