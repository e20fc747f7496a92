// Tests for loading registries.conf, drop-ins and pull sources.
#include <gtest/gtest.h>

#include "config/registries.h"
#include "config/registries_internal.h"
#include "config/test_util.h"

namespace berth::config {
namespace {

using testing::TempDir;

// A ConfPaths rooted in `dir`: registries.conf, registries.conf.d, aliases.conf.
ConfPaths pathsIn(const TempDir& dir) {
  ConfPaths p;
  p.conf_file = dir.file("registries.conf");
  p.drop_in_dirs = {dir.file("registries.conf.d"), dir.file("user.d")};
  p.alias_file = dir.file("cache/short-name-aliases.conf");
  return p;
}

RegistriesConf load(const TempDir& dir) {
  auto r = loadRegistriesConf(pathsIn(dir));
  EXPECT_TRUE(r.ok()) << r.error().what();
  return r.ok() ? std::move(r).value() : RegistriesConf{};
}

Error loadError(const TempDir& dir) {
  auto r = loadRegistriesConf(pathsIn(dir));
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error(Code::kOk, "") : std::move(r).error();
}

image::Reference ref(std::string_view s) {
  auto r = image::parseNormalizedNamed(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? image::withDefaultTag(std::move(r).value()) : image::Reference{};
}

std::vector<std::string> sourceRefs(const RegistriesConf& conf, std::string_view r) {
  auto s = pullSources(conf, ref(r));
  EXPECT_TRUE(s.ok()) << s.error().what();
  std::vector<std::string> out;
  if (s.ok())
    for (const PullSource& p : *s) out.push_back(p.reference);
  return out;
}

TEST(RegistriesConfTest, MissingDefaultFileIsEmpty) {
  TempDir dir;
  RegistriesConf conf = load(dir);
  EXPECT_TRUE(conf.registries.empty());
  EXPECT_TRUE(conf.unqualified_search_registries.empty());
  EXPECT_EQ(conf.search_registries_origin, "");
  EXPECT_EQ(conf.short_name_mode, ShortNameMode::kPermissive);
  EXPECT_EQ(conf.alias_file, dir.file("cache/short-name-aliases.conf"));
}

TEST(RegistriesConfTest, MissingRequiredFileIsNotFound) {
  TempDir dir;
  ConfPaths p = pathsIn(dir);
  p.conf_file_required = true;
  auto r = loadRegistriesConf(p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find(p.conf_file), std::string::npos);
}

TEST(RegistriesConfTest, ParsesV2) {
  TempDir dir;
  dir.write("registries.conf", R"(
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io/", "docker.io"]
short-name-mode = "enforcing"
credential-helpers = ["containers-auth.json"]
unknown-key = 1

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"alp" = "docker.io/alpine"

[[registry]]
location = "quay.io"
insecure = true

[[registry]]
prefix = "example.com/foo"
location = "internal.example.com/bar/"
blocked = false

[[registry.mirror]]
location = "mirror-1.example.com"
insecure = true
pull-from-mirror = "digest-only"

[[registry.mirror]]
location = "mirror-2.example.com/x"
)");
  RegistriesConf conf = load(dir);
  EXPECT_EQ(conf.unqualified_search_registries,
            (std::vector<std::string>{"registry.fedoraproject.org", "quay.io", "docker.io"}));
  EXPECT_EQ(conf.search_registries_origin, dir.file("registries.conf"));
  EXPECT_EQ(conf.short_name_mode, ShortNameMode::kEnforcing);
  ASSERT_EQ(conf.registries.size(), 2u);
  // Sorted by prefix.
  EXPECT_EQ(conf.registries[0].prefix, "example.com/foo");
  EXPECT_EQ(conf.registries[0].endpoint.location, "internal.example.com/bar");
  ASSERT_EQ(conf.registries[0].mirrors.size(), 2u);
  EXPECT_TRUE(conf.registries[0].mirrors[0].insecure);
  EXPECT_EQ(conf.registries[0].mirrors[0].pull_from_mirror, MirrorUse::kDigestOnly);
  EXPECT_EQ(conf.registries[0].mirrors[1].pull_from_mirror, MirrorUse::kAll);
  EXPECT_EQ(conf.registries[1].prefix, "quay.io");
  EXPECT_TRUE(conf.registries[1].endpoint.insecure);
  EXPECT_EQ(conf.aliases.at("fedora").value, "registry.fedoraproject.org/fedora");
  EXPECT_EQ(conf.aliases.at("alp").value, "docker.io/library/alpine");
  EXPECT_EQ(conf.aliases.at("alp").origin, dir.file("registries.conf"));
}

TEST(RegistriesConfTest, DropInsOverrideInOrder) {
  TempDir dir;
  dir.write("registries.conf", R"(
unqualified-search-registries = ["a.example.com"]
short-name-mode = "enforcing"
[aliases]
"one" = "a.example.com/one"
"two" = "a.example.com/two"
[[registry]]
location = "r.example.com"
insecure = true
[[registry]]
location = "keep.example.com"
)");
  dir.write("registries.conf.d/20-second.conf", R"(
unqualified-search-registries = ["c.example.com"]
[aliases]
"two" = "c.example.com/two"
)");
  dir.write("registries.conf.d/10-first.conf", R"(
unqualified-search-registries = ["b.example.com"]
short-name-mode = "disabled"
[aliases]
"one" = "b.example.com/one"
[[registry]]
location = "r.example.com"
blocked = true
)");
  dir.write("registries.conf.d/30-ignored.txt", "this is not toml [");
  dir.write("user.d/50-user.conf", R"(
[aliases]
"two" = ""
)");
  RegistriesConf conf = load(dir);
  EXPECT_EQ(conf.unqualified_search_registries, std::vector<std::string>{"c.example.com"});
  EXPECT_EQ(conf.search_registries_origin, dir.file("registries.conf.d/20-second.conf"));
  EXPECT_EQ(conf.short_name_mode, ShortNameMode::kDisabled);
  EXPECT_EQ(conf.aliases.at("one").value, "b.example.com/one");
  // An empty value resets the alias.
  EXPECT_EQ(conf.aliases.at("two").value, "");
  EXPECT_EQ(conf.aliases.at("two").origin, dir.file("user.d/50-user.conf"));
  // The drop-in's [[registry]] replaces the whole entry with the same prefix.
  const Registry* r = findRegistry(conf, "r.example.com");
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->blocked);
  EXPECT_FALSE(r->endpoint.insecure);
  EXPECT_NE(findRegistry(conf, "keep.example.com"), nullptr);
}

TEST(RegistriesConfTest, EmptySearchListInDropInClears) {
  TempDir dir;
  dir.write("registries.conf", "unqualified-search-registries = [\"a.example.com\"]\n");
  dir.write("registries.conf.d/x.conf", "unqualified-search-registries = []\n");
  RegistriesConf conf = load(dir);
  EXPECT_TRUE(conf.unqualified_search_registries.empty());
  EXPECT_EQ(conf.search_registries_origin, dir.file("registries.conf.d/x.conf"));
}

TEST(RegistriesConfTest, AliasCacheFileWins) {
  TempDir dir;
  dir.write("registries.conf", "[aliases]\n\"img\" = \"a.example.com/img\"\n");
  dir.write("cache/short-name-aliases.conf", "[aliases]\n\"img\" = \"b.example.com/ns/img\"\n");
  RegistriesConf conf = load(dir);
  EXPECT_EQ(conf.aliases.at("img").value, "b.example.com/ns/img");
  EXPECT_EQ(conf.aliases.at("img").origin, dir.file("cache/short-name-aliases.conf"));
}

TEST(RegistriesConfTest, MalformedTomlNamesFileAndLine) {
  TempDir dir;
  dir.write("registries.conf",
            "unqualified-search-registries = [\"a\"]\n[[registry]\nlocation = 1\n");
  Error e = loadError(dir);
  EXPECT_EQ(e.code(), Code::kInvalidArgument);
  EXPECT_NE(e.message().find(dir.file("registries.conf")), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("line 2"), std::string::npos) << e.message();
}

TEST(RegistriesConfTest, MalformedDropInNamesFile) {
  TempDir dir;
  dir.write("registries.conf.d/bad.conf", "short-name-mode = \n");
  Error e = loadError(dir);
  EXPECT_EQ(e.code(), Code::kInvalidArgument);
  EXPECT_NE(e.message().find("bad.conf"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("line 1"), std::string::npos) << e.message();
}

TEST(RegistriesConfTest, Errors) {
  struct Case {
    std::string text, want;
  };
  std::vector<Case> cases = {
      {"short-name-mode = \"prompt\"\n", "invalid short-name mode: \"prompt\""},
      {"short-name-mode = 1\n", "\"short-name-mode\" must be a string"},
      {"[[registry]]\nlocation = \"a.com\"\ninsecure = \"yes\"\n",
       "\"insecure\" must be a boolean"},
      {"[[registry]]\ninsecure = true\n", "both location and prefix are unset"},
      {"[[registry]]\nlocation = \"https://a.com\"\n", "URI schemes are not supported"},
      {"[[registry]]\nprefix = \"a.com/x\"\n", "location is unset and prefix is not in the format"},
      {"[[registry]]\nprefix = \"*.a.com/x\"\n", "Wildcarded prefix should be in the format"},
      {"[[registry]]\nlocation = \"a.com\"\npull-from-mirror = \"all\"\n",
       "pull-from-mirror must not be set for a non-mirror registry"},
      {"[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\ninsecure = true\n",
       "mirror location is unset"},
      {"[[registry]]\nlocation = \"a.com\"\n[[registry.mirror]]\nlocation = \"m.com\"\n"
       "pull-from-mirror = \"sometimes\"\n",
       "unsupported pull-from-mirror value \"sometimes\""},
      {"[[registry]]\nlocation = \"a.com\"\nmirror-by-digest-only = true\n[[registry.mirror]]\n"
       "location = \"m.com\"\npull-from-mirror = \"all\"\n",
       "cannot set mirror usage mirror-by-digest-only"},
      {"[[registry]]\nlocation = \"a.com\"\ninsecure = true\n[[registry]]\nprefix = \"b.com\"\n"
       "location = \"a.com\"\n",
       "conflicting 'insecure' setting"},
      {"[[registry]]\nlocation = \"a.com\"\nblocked = true\n[[registry]]\nprefix = \"b.com\"\n"
       "location = \"a.com\"\n",
       "conflicting 'blocked' setting"},
      {"unqualified-search-registries = [\"a.com/ns\"]\n",
       "Invalid unqualified-search-registries entry \"a.com/ns\""},
      {"unqualified-search-registries = \"a.com\"\n", "must be an array of strings"},
      {"[aliases]\n\"quay.io/x\" = \"quay.io/x\"\n", "must not contain registry"},
      {"[aliases]\n\"x:1\" = \"quay.io/x\"\n", "must not contain tag"},
      {"[aliases]\n\"x\" = \"x/y\"\n", "must contain registry and repository"},
      {"[aliases]\n\"x\" = \"quay.io/x:1\"\n", "must not contain tag"},
      {"[registries.search]\nregistries = [\"a.com\"]\n[[registry]]\nlocation = \"b.com\"\n",
       "mixing sysregistry v1/v2 is not supported"},
      {"unqualified-search-registries = [\"b.com\"]\n[registries.block]\nregistries = []\n",
       "mixing sysregistry v1/v2 is not supported"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    dir.write("registries.conf", c.text);
    Error e = loadError(dir);
    EXPECT_EQ(e.code(), Code::kInvalidArgument) << c.text;
    EXPECT_NE(e.message().find(c.want), std::string::npos) << c.text << " -> " << e.message();
    EXPECT_NE(e.message().find(dir.file("registries.conf")), std::string::npos) << e.message();
  }
}

TEST(RegistriesConfTest, V1IsConvertedButNotInDropIns) {
  TempDir dir;
  dir.write("registries.conf", R"(
[registries.search]
registries = ["a.com", "b.com"]
[registries.insecure]
registries = ["i.com"]
[registries.block]
registries = ["x.com/"]
)");
  RegistriesConf conf = load(dir);
  EXPECT_EQ(conf.unqualified_search_registries, (std::vector<std::string>{"a.com", "b.com"}));
  EXPECT_TRUE(isInsecure(conf, "i.com"));
  EXPECT_TRUE(isBlocked(conf, "x.com"));
  EXPECT_FALSE(isBlocked(conf, "a.com"));

  dir.write("registries.conf.d/v1.conf", "[registries.search]\nregistries = [\"c.com\"]\n");
  Error e = loadError(dir);
  EXPECT_NE(e.message().find("registry must be in v2 format but is in v1"), std::string::npos)
      << e.message();
}

TEST(RegistriesConfTest, PrefixMatching) {
  using internal::refMatchingPrefix;
  EXPECT_EQ(refMatchingPrefix("example.com/foo/bar", "example.com/foo"), 15);
  EXPECT_EQ(refMatchingPrefix("example.com/foobar", "example.com/foo"), -1);
  EXPECT_EQ(refMatchingPrefix("example.com", "example.com"), 11);
  EXPECT_EQ(refMatchingPrefix("example.com:5000/x", "example.com"), 11);
  EXPECT_EQ(refMatchingPrefix("example.com/x@sha256:ab", "example.com/x"), 13);
  EXPECT_EQ(refMatchingPrefix("a.example.com/x", "*.example.com"), 13);
  EXPECT_EQ(refMatchingPrefix("a.b.example.com:5000/x", "*.example.com"), 15);
  EXPECT_EQ(refMatchingPrefix("example.com/x", "*.example.com"), -1);
  EXPECT_EQ(refMatchingPrefix("a.example.community/x", "*.example.com"), -1);
  EXPECT_EQ(refMatchingPrefix("quay.io/a.example.com", "*.example.com"), -1);
}

TEST(RegistriesConfTest, FindRegistryLongestPrefix) {
  TempDir dir;
  dir.write("registries.conf", R"(
[[registry]]
location = "example.com"
[[registry]]
prefix = "example.com/foo"
location = "foo.example.com"
insecure = true
[[registry]]
prefix = "*.example.org"
blocked = true
[[registry]]
prefix = "*.sub.example.org"
location = "local.sub.example.org"
)");
  RegistriesConf conf = load(dir);
  EXPECT_EQ(findRegistry(conf, "example.com/foo/bar")->prefix, "example.com/foo");
  EXPECT_EQ(findRegistry(conf, "example.com/foobar")->prefix, "example.com");
  EXPECT_EQ(findRegistry(conf, "a.example.org/x")->prefix, "*.example.org");
  EXPECT_EQ(findRegistry(conf, "a.sub.example.org/x")->prefix, "*.sub.example.org");
  EXPECT_EQ(findRegistry(conf, "other.io/x"), nullptr);
  EXPECT_TRUE(isInsecure(conf, "example.com/foo"));
  EXPECT_FALSE(isInsecure(conf, "example.com"));
  EXPECT_TRUE(isBlocked(conf, "x.example.org"));
  EXPECT_FALSE(isBlocked(conf, "x.sub.example.org"));
  EXPECT_FALSE(isBlocked(conf, "example.org"));
}

TEST(PullSourcesTest, NoConfigUsesReferenceItself) {
  RegistriesConf conf;
  auto s = pullSources(conf, ref("busybox"));
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].reference, "docker.io/library/busybox:latest");
  EXPECT_EQ((*s)[0].registry, "docker.io");
  EXPECT_FALSE((*s)[0].insecure);
  EXPECT_FALSE((*s)[0].mirror);
}

TEST(PullSourcesTest, PrefixRewriteAndWildcard) {
  TempDir dir;
  dir.write("registries.conf", R"(
[[registry]]
prefix = "example.com/foo"
location = "internal.example.com:5000/bar"
insecure = true
[[registry]]
prefix = "*.example.org"
[[registry]]
prefix = "*.example.net"
location = "proxy.example.net/cache"
)");
  RegistriesConf conf = load(dir);
  auto s = pullSources(conf, ref("example.com/foo/img:1"));
  ASSERT_TRUE(s.ok()) << s.error().what();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].reference, "internal.example.com:5000/bar/img:1");
  EXPECT_EQ((*s)[0].registry, "internal.example.com:5000");
  EXPECT_TRUE((*s)[0].insecure);
  EXPECT_EQ(sourceRefs(conf, "a.example.org/x/y:2"),
            std::vector<std::string>{"a.example.org/x/y:2"});
  EXPECT_EQ(sourceRefs(conf, "a.b.example.net/x:3"),
            std::vector<std::string>{"proxy.example.net/cache/x:3"});
  // Not below the prefix: untouched.
  EXPECT_EQ(sourceRefs(conf, "example.com/foobar:1"),
            std::vector<std::string>{"example.com/foobar:1"});
}

TEST(PullSourcesTest, MirrorsByTagAndDigest) {
  TempDir dir;
  dir.write("registries.conf", R"(
[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "all.mirror.io"
insecure = true
[[registry.mirror]]
location = "digest.mirror.io/hub"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tag.mirror.io"
pull-from-mirror = "tag-only"

[[registry]]
location = "quay.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "quay-mirror.io"
)");
  RegistriesConf conf = load(dir);
  std::string d = "sha256:" + std::string(64, 'a');
  auto tagged = pullSources(conf, ref("busybox:1"));
  ASSERT_TRUE(tagged.ok());
  ASSERT_EQ(tagged->size(), 3u);
  EXPECT_EQ((*tagged)[0].reference, "all.mirror.io/library/busybox:1");
  EXPECT_TRUE((*tagged)[0].insecure);
  EXPECT_TRUE((*tagged)[0].mirror);
  EXPECT_EQ((*tagged)[1].reference, "tag.mirror.io/library/busybox:1");
  EXPECT_EQ((*tagged)[2].reference, "docker.io/library/busybox:1");
  EXPECT_FALSE((*tagged)[2].insecure);
  EXPECT_FALSE((*tagged)[2].mirror);

  EXPECT_EQ(sourceRefs(conf, "busybox@" + d),
            (std::vector<std::string>{"all.mirror.io/library/busybox@" + d,
                                      "digest.mirror.io/hub/library/busybox@" + d,
                                      "docker.io/library/busybox@" + d}));
  EXPECT_EQ(sourceRefs(conf, "quay.io/a/b:1"), std::vector<std::string>{"quay.io/a/b:1"});
  EXPECT_EQ(sourceRefs(conf, "quay.io/a/b@" + d),
            (std::vector<std::string>{"quay-mirror.io/a/b@" + d, "quay.io/a/b@" + d}));
}

TEST(PullSourcesTest, Blocked) {
  TempDir dir;
  dir.write("registries.conf", R"(
[[registry]]
location = "blocked.io"
blocked = true
[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "blocked.io/hub"
[[registry.mirror]]
location = "ok.mirror.io"
[[registry]]
prefix = "*.evil.com"
blocked = true
)");
  RegistriesConf conf = load(dir);
  auto s = pullSources(conf, ref("blocked.io/x/y:1"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kPermissionDenied);
  EXPECT_EQ(s.error().message(), "registry blocked.io is blocked in " +
                                     dir.file("registries.conf") + " or " + dir.file("user.d"));
  auto w = pullSources(conf, ref("a.evil.com/x:1"));
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message().find("registry *.evil.com is blocked in"), std::string::npos);
  // A blocked mirror is skipped.
  EXPECT_EQ(sourceRefs(conf, "alpine"),
            (std::vector<std::string>{"ok.mirror.io/library/alpine:latest",
                                      "docker.io/library/alpine:latest"}));
}

TEST(PullSourcesTest, ShortNameRefused) {
  RegistriesConf conf;
  auto s = pullSources(conf, image::Reference{"", "busybox", "latest", ""});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
}

TEST(DefaultConfPathsTest, SystemUserAndExplicit) {
  TempDir dir;
  HostEnv env;
  env.euid = 1000;
  env.home = dir.file("home");
  ConfPaths p = defaultConfPaths(env);
  EXPECT_EQ(p.conf_file, "/etc/containers/registries.conf");
  EXPECT_FALSE(p.conf_file_required);
  EXPECT_EQ(p.drop_in_dirs,
            (std::vector<std::string>{"/etc/containers/registries.conf.d",
                                      dir.file("home/.config/containers/registries.conf.d")}));
  EXPECT_EQ(p.alias_file, dir.file("home/.cache/containers/short-name-aliases.conf"));

  env.vars["XDG_CACHE_HOME"] = dir.file("xdg-cache");
  EXPECT_EQ(defaultConfPaths(env).alias_file,
            dir.file("xdg-cache/containers/short-name-aliases.conf"));

  dir.write("home/.config/containers/registries.conf", "");
  p = defaultConfPaths(env);
  EXPECT_EQ(p.conf_file, dir.file("home/.config/containers/registries.conf"));
  EXPECT_EQ(p.drop_in_dirs,
            std::vector<std::string>{dir.file("home/.config/containers/registries.conf.d")});

  env.vars["CONTAINERS_REGISTRIES_CONF"] = "/x/registries.conf";
  p = defaultConfPaths(env);
  EXPECT_EQ(p.conf_file, "/x/registries.conf");
  EXPECT_TRUE(p.conf_file_required);

  env.euid = 0;
  EXPECT_EQ(defaultConfPaths(env).alias_file, "/var/cache/containers/short-name-aliases.conf");
}

}  // namespace
}  // namespace berth::config
