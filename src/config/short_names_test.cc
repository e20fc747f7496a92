// Tests for short-name resolution in every short-name-mode and the alias cache.
#include <gtest/gtest.h>

#include "config/registries.h"
#include "config/test_util.h"

namespace berth::config {
namespace {

using testing::TempDir;

RegistriesConf conf(std::vector<std::string> search, ShortNameMode mode) {
  RegistriesConf c;
  c.unqualified_search_registries = std::move(search);
  c.search_registries_origin = "/etc/containers/registries.conf";
  c.short_name_mode = mode;
  return c;
}

std::vector<std::string> strings(const ShortNameResolution& r) {
  std::vector<std::string> out;
  for (const auto& c : r.candidates) out.push_back(c.string());
  return out;
}

TEST(ShortNamesTest, FullyQualifiedPassesThrough) {
  RegistriesConf c = conf({}, ShortNameMode::kEnforcing);
  auto r = resolveShortName(c, "quay.io/podman/stable", false);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(strings(*r), std::vector<std::string>{"quay.io/podman/stable:latest"});
  EXPECT_FALSE(r->needs_prompt);
  EXPECT_EQ(r->short_name, "");
  EXPECT_EQ(r->description, "");
  r = resolveShortName(c, "localhost/x:1", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"localhost/x:1"});
  r = resolveShortName(c, "docker.io/busybox", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"docker.io/library/busybox:latest"});
}

TEST(ShortNamesTest, AliasWinsKeepingTagAndDigest) {
  RegistriesConf c = conf({"a.io", "b.io"}, ShortNameMode::kEnforcing);
  c.aliases["fedora"] = Alias{"registry.fedoraproject.org/fedora", "/etc/x.conf"};
  auto r = resolveShortName(c, "fedora", false);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(strings(*r), std::vector<std::string>{"registry.fedoraproject.org/fedora:latest"});
  EXPECT_FALSE(r->needs_prompt);
  EXPECT_EQ(r->short_name, "fedora");
  EXPECT_EQ(r->description, "Resolved \"fedora\" as an alias (/etc/x.conf)");
  r = resolveShortName(c, "fedora:39", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"registry.fedoraproject.org/fedora:39"});
  std::string d = "sha256:" + std::string(64, 'b');
  r = resolveShortName(c, "fedora@" + d, false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"registry.fedoraproject.org/fedora@" + d});
}

TEST(ShortNamesTest, ResetAliasFallsBackToSearch) {
  RegistriesConf c = conf({"a.io"}, ShortNameMode::kEnforcing);
  c.aliases["x"] = Alias{"", "/etc/reset.conf"};
  auto r = resolveShortName(c, "x", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"a.io/x:latest"});
}

TEST(ShortNamesTest, NoSearchRegistries) {
  RegistriesConf c = conf({}, ShortNameMode::kPermissive);
  auto r = resolveShortName(c, "busybox", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(),
            "short-name \"busybox\" did not resolve to an alias and no unqualified-search "
            "registries are defined in \"/etc/containers/registries.conf\"");
  c.search_registries_origin.clear();
  r = resolveShortName(c, "busybox", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "short-name \"busybox\" did not resolve to an alias and no "
            "containers-registries.conf(5) was found");
}

TEST(ShortNamesTest, SingleRegistryNeverPrompts) {
  for (ShortNameMode mode :
       {ShortNameMode::kEnforcing, ShortNameMode::kPermissive, ShortNameMode::kDisabled}) {
    for (bool tty : {false, true}) {
      auto r = resolveShortName(conf({"docker.io"}, mode), "busybox:1", tty);
      ASSERT_TRUE(r.ok()) << r.error().what();
      EXPECT_EQ(strings(*r), std::vector<std::string>{"docker.io/library/busybox:1"});
      EXPECT_FALSE(r->needs_prompt);
      EXPECT_EQ(r->description,
                "Resolving \"busybox\" using unqualified-search registries "
                "(/etc/containers/registries.conf)");
    }
  }
}

TEST(ShortNamesTest, MultipleRegistries) {
  std::vector<std::string> search = {"registry.fedoraproject.org", "docker.io"};
  std::vector<std::string> want = {"registry.fedoraproject.org/ns/img:latest",
                                   "docker.io/ns/img:latest"};
  std::vector<std::string> want_one = {"registry.fedoraproject.org/img:latest",
                                       "docker.io/library/img:latest"};

  // enforcing, no TTY: error.
  auto r = resolveShortName(conf(search, ShortNameMode::kEnforcing), "img", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "short-name resolution enforced but cannot prompt without a TTY");
  // enforcing, TTY: prompt.
  r = resolveShortName(conf(search, ShortNameMode::kEnforcing), "img", true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->needs_prompt);
  EXPECT_EQ(strings(*r), want_one);
  EXPECT_EQ(r->short_name, "img");
  // permissive, no TTY: all candidates.
  r = resolveShortName(conf(search, ShortNameMode::kPermissive), "ns/img", false);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->needs_prompt);
  EXPECT_EQ(strings(*r), want);
  // permissive, TTY: prompt.
  r = resolveShortName(conf(search, ShortNameMode::kPermissive), "ns/img", true);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->needs_prompt);
  // disabled: all candidates, never a prompt.
  for (bool tty : {false, true}) {
    r = resolveShortName(conf(search, ShortNameMode::kDisabled), "ns/img", tty);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->needs_prompt);
    EXPECT_EQ(strings(*r), want);
  }
}

TEST(ShortNamesTest, InvalidName) {
  auto r = resolveShortName(conf({"docker.io"}, ShortNameMode::kPermissive), "Bad!Name", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST(ShortNamesTest, RecordAliasAndReload) {
  TempDir dir;
  std::string file = dir.file("cache/containers/short-name-aliases.conf");
  ASSERT_TRUE(recordShortNameAlias(file, "img", "quay.io/ns/img:1.0").ok());
  ASSERT_TRUE(
      recordShortNameAlias(file, "other", "docker.io/library/other@sha256:" + std::string(64, 'c'))
          .ok());
  ASSERT_TRUE(recordShortNameAlias(file, "img", "quay.io/ns2/img").ok());
  EXPECT_EQ(testing::fileMode(file), 0644u);
  EXPECT_EQ(testing::fileMode(dir.file("cache/containers")) & 0777, 0700u);
  auto text = fs::readFile(file);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(
      *text,
      "[aliases]\n  \"img\" = \"quay.io/ns2/img\"\n  \"other\" = \"docker.io/library/other\"\n");

  ConfPaths p;
  p.conf_file = dir.file("none.conf");
  p.alias_file = file;
  auto c = loadRegistriesConf(p);
  ASSERT_TRUE(c.ok()) << c.error().what();
  auto r = resolveShortName(*c, "img:2", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(strings(*r), std::vector<std::string>{"quay.io/ns2/img:2"});
}

TEST(ShortNamesTest, RecordAliasRejectsBadInput) {
  TempDir dir;
  std::string file = dir.file("aliases.conf");
  EXPECT_EQ(recordShortNameAlias(file, "quay.io/img", "quay.io/img").error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(recordShortNameAlias(file, "img:1", "quay.io/img").error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(recordShortNameAlias(file, "img", "img").error().code(), Code::kInvalidArgument);
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace berth::config
