// Tests for user and group resolution against passwd/group contents.
#include "specgen/user.h"

#include <gtest/gtest.h>

namespace berth::specgen {
namespace {

class UserTest : public ::testing::Test {
 protected:
  std::string passwd_ =
      "root:x:0:0:root:/root:/bin/sh\n"
      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
      "# a comment\n"
      "\n"
      "bob:x:1000:50::/home/bob:/bin/sh\n";
  std::string group_ =
      "root:x:0:root\n"
      "bin:x:1:root,bin,daemon\n"
      "wheel:x:10:root,nobody\n"
      "tty:x:5:\n"
      "nogroup:x:65534:\n"
      "staff:x:50:\n";
};

using Gids = std::vector<uint32_t>;

// Expected values are what podman 4.3.1 wrote into config.json for the same
// passwd/group files.
TEST_F(UserTest, MatchesPodman) {
  struct Case {
    const char* user;
    uint32_t uid, gid;
    Gids gids;
    const char* home;
  } cases[] = {
      {"", 0, 0, {0, 1, 10}, "/root"},
      {"root", 0, 0, {0, 1, 10}, "/root"},
      {"nobody", 65534, 65534, {65534, 10}, "/nonexistent"},
      {"nobody:staff", 65534, 50, {50}, "/nonexistent"},
      {"1000", 1000, 50, {50}, "/home/bob"},
      {"4242", 4242, 0, {0}, ""},
      {"4242:77", 4242, 77, {77}, ""},
      {"bob:tty", 1000, 5, {5}, "/home/bob"},
      {"0:staff", 0, 50, {50}, "/root"},
  };
  for (const auto& c : cases) {
    auto u = resolveUser(c.user, passwd_, group_);
    ASSERT_TRUE(u.ok()) << c.user << ": " << u.error().what();
    EXPECT_EQ(u->uid, c.uid) << c.user;
    EXPECT_EQ(u->gid, c.gid) << c.user;
    EXPECT_EQ(u->additional_gids, c.gids) << c.user;
    EXPECT_EQ(u->home, c.home) << c.user;
  }
}

TEST_F(UserTest, MissingNamesAreInvalidArgument) {
  auto u = resolveUser("nosuch", passwd_, group_);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(u.error().message(), "unable to find user nosuch: no matching entries in passwd file");
  auto g = resolveUser("root:nosuch", passwd_, group_);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message(), "unable to find group nosuch: no matching entries in group file");
  EXPECT_FALSE(resolveUser(":", passwd_, group_).ok());
  EXPECT_FALSE(resolveUser("root:", passwd_, group_).ok());
}

TEST_F(UserTest, MissingFilesMeanNoEntries) {
  auto root = resolveUser("", "", "");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->uid, 0u);
  EXPECT_TRUE(root->additional_gids.empty());  // podman: no additionalGids
  EXPECT_EQ(root->home, "");
  auto n = resolveUser("123:456", "", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->uid, 123u);
  EXPECT_EQ(n->gid, 456u);
  EXPECT_FALSE(resolveUser("bob", "", "").ok());
}

TEST_F(UserTest, MalformedLinesAreSkipped) {
  std::string passwd = "root:x:0\nbad:x:notanumber:0::/x:\n::::::\nok:x:7:8::/ok:\n" +
                       std::string(3, '\0') + ":x:9:9\n";
  auto u = resolveUser("ok", passwd, "g:x:99999999999:ok\n:\n");
  ASSERT_TRUE(u.ok()) << u.error().what();
  EXPECT_EQ(u->uid, 7u);
  EXPECT_EQ(u->home, "/ok");
  EXPECT_EQ(u->additional_gids, (Gids{8}));
  EXPECT_FALSE(resolveUser("bad", passwd, "").ok());
}

TEST_F(UserTest, Groups) {
  auto g = resolveGroups({"wheel", "5", "wheel", "700"}, group_);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, (Gids{10, 5, 700}));
  auto bad = resolveGroups({"nosuch"}, group_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::specgen
