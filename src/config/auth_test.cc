// Tests for auth.json lookup, storing and removal.
#include "config/auth.h"

#include <gtest/gtest.h>

#include "base/base64.h"
#include "config/test_util.h"

namespace berth::config {
namespace {

using testing::TempDir;

std::string entry(std::string_view user, std::string_view pass) {
  return fmt::format("{{\"auth\": \"{}\"}}", base64Encode(fmt::format("{}:{}", user, pass)));
}

Credentials lookup(const std::vector<AuthPath>& paths, std::string_view key) {
  auto a = loadAuth(paths);
  EXPECT_TRUE(a.ok()) << a.error().what();
  if (!a.ok()) return {};
  auto c = lookupCredentials(*a, key);
  EXPECT_TRUE(c.ok()) << c.error().what();
  return c.ok() && c->has_value() ? **c : Credentials{};
}

TEST(AuthTest, DefaultPaths) {
  HostEnv env;
  env.euid = 1000;
  env.home = "/home/u";
  auto p = authFilePaths(env);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].path, "/run/containers/1000/auth.json");
  EXPECT_EQ(p[1].path, "/home/u/.config/containers/auth.json");
  EXPECT_EQ(p[2].path, "/home/u/.docker/config.json");
  EXPECT_EQ(p[3].path, "/home/u/.dockercfg");
  EXPECT_TRUE(p[3].legacy_format);
  EXPECT_EQ(authWritePath(env), "/run/containers/1000/auth.json");

  TempDir dir;
  env.vars["XDG_RUNTIME_DIR"] = dir.path();
  env.vars["XDG_CONFIG_HOME"] = "/cfg";
  env.vars["DOCKER_CONFIG"] = "/dockercfg";
  p = authFilePaths(env);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].path, dir.file("containers/auth.json"));
  EXPECT_EQ(p[1].path, "/cfg/containers/auth.json");
  EXPECT_EQ(p[2].path, "/dockercfg/config.json");
  EXPECT_EQ(authWritePath(env), dir.file("containers/auth.json"));

  // A missing XDG_RUNTIME_DIR is left out (containers/image warns and goes on).
  env.vars["XDG_RUNTIME_DIR"] = dir.file("missing");
  EXPECT_EQ(authFilePaths(env).size(), 3u);

  env.vars["REGISTRY_AUTH_FILE"] = "/env/auth.json";
  p = authFilePaths(env);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].path, "/env/auth.json");
  EXPECT_EQ(authWritePath(env), "/env/auth.json");
  p = authFilePaths(env, "/flag/auth.json");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].path, "/flag/auth.json");
  EXPECT_EQ(authWritePath(env, "/flag/auth.json"), "/flag/auth.json");
}

TEST(AuthTest, LookupMostSpecificKeyAndFilePrecedence) {
  TempDir dir;
  std::string first = dir.write(
      "run/auth.json", fmt::format(R"({{"auths": {{
      "quay.io/ns/repo": {},
      "quay.io/ns": {},
      "quay.io": {}
    }}}})",
                                   entry("repo", "r"), entry("ns", "n"), entry("reg", "g")));
  std::string second = dir.write("config/auth.json",
                                 fmt::format(R"({{"auths": {{
      "quay.io/other": {},
      "ghcr.io": {},
      "empty.io": {{}}
    }}, "credHelpers": {{"ghcr.io": "secretservice"}}, "credsStore": "desktop"}})",
                                             entry("other", "o"), entry("gh", "pw\u0000\u0000")));
  std::vector<AuthPath> paths = {
      {first, false}, {dir.file("missing.json"), false}, {second, false}};
  EXPECT_EQ(lookup(paths, "quay.io/ns/repo").username, "repo");
  EXPECT_EQ(lookup(paths, "quay.io/ns/repo/sub").username, "repo");
  EXPECT_EQ(lookup(paths, "quay.io/ns/other").username, "ns");
  EXPECT_EQ(lookup(paths, "quay.io/x").username, "reg");
  // The first file with a matching entry wins, even a less specific one.
  EXPECT_EQ(lookup(paths, "quay.io/other").username, "reg");
  Credentials gh = lookup(paths, "ghcr.io/a/b");
  EXPECT_EQ(gh.username, "gh");
  EXPECT_EQ(gh.password, "pw");
  EXPECT_EQ(gh.source, second);

  auto a = loadAuth(paths);
  ASSERT_TRUE(a.ok());
  auto none = lookupCredentials(*a, "empty.io");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  none = lookupCredentials(*a, "nothing.io/x");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(AuthTest, DockerHubKeyNormalisation) {
  TempDir dir;
  std::string docker = dir.write(
      ".docker/config.json",
      fmt::format(R"({{"auths": {{"https://index.docker.io/v1/": {}}}}})", entry("hub", "h")));
  std::string legacy = dir.write(
      ".dockercfg", fmt::format(R"({{"https://legacy.example.com/v1/": {}}})", entry("old", "o")));
  std::string withtoken = dir.write(
      "tok.json",
      fmt::format(
          R"({{"auths": {{"registry-1.docker.io": {{"auth": "{}", "identitytoken": "tkn"}}}}}})",
          base64Encode("t:p")));
  std::vector<AuthPath> paths = {{docker, false}, {legacy, true}};
  EXPECT_EQ(lookup(paths, "docker.io").username, "hub");
  EXPECT_EQ(lookup(paths, "docker.io/library/busybox").username, "hub");
  EXPECT_EQ(lookup(paths, "index.docker.io").username, "hub");
  EXPECT_EQ(lookup(paths, "legacy.example.com/x/y").username, "old");
  Credentials t = lookup({{withtoken, false}}, "docker.io");
  EXPECT_EQ(t.username, "t");
  EXPECT_EQ(t.identity_token, "tkn");
}

TEST(AuthTest, Errors) {
  TempDir dir;
  std::string bad = dir.write("bad.json", "{\"auths\": {\n  \"quay.io\": \n}");
  auto a = loadAuth({{bad, false}});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), Code::kInvalidArgument);
  EXPECT_NE(a.error().message().find(bad), std::string::npos) << a.error().message();
  EXPECT_NE(a.error().message().find("line 3"), std::string::npos) << a.error().message();

  std::string wrong = dir.write("wrong.json", "{\"auths\": []}");
  a = loadAuth({{wrong, false}});
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), Code::kInvalidArgument);

  std::string undecodable =
      dir.write("b64.json", "{\"auths\": {\"quay.io\": {\"auth\": \"%%%\"}}}");
  a = loadAuth({{undecodable, false}});
  ASSERT_TRUE(a.ok());
  auto c = lookupCredentials(*a, "quay.io");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), Code::kInvalidArgument);

  for (std::string_view key : {"https://quay.io", "quay.io/a@sha256:x", "quay.io/a:tag", ""}) {
    auto k = lookupCredentials(*a, key);
    ASSERT_FALSE(k.ok()) << key;
    EXPECT_EQ(k.error().code(), Code::kInvalidArgument);
  }
  EXPECT_TRUE(validateAuthKey("localhost:5000/ns").ok());
  EXPECT_TRUE(*validateAuthKey("localhost:5000/ns"));
  EXPECT_FALSE(*validateAuthKey("localhost:5000"));
}

TEST(AuthTest, NormalizeLoginKey) {
  EXPECT_EQ(normalizeAuthKey("https://index.docker.io/v1/"), "docker.io");
  EXPECT_EQ(normalizeAuthKey("registry-1.docker.io"), "docker.io");
  EXPECT_EQ(normalizeAuthKey("http://quay.io/some/path"), "quay.io");
  EXPECT_EQ(normalizeAuthKey("quay.io/ns/repo"), "quay.io/ns/repo");
}

TEST(AuthTest, StoreKeepsOtherEntriesAndUnknownFields) {
  TempDir dir;
  std::string path = dir.file("xdg/containers/auth.json");
  ASSERT_TRUE(storeCredentials(path, "quay.io", "u1", "p1").ok());
  EXPECT_EQ(testing::fileMode(path), 0600u);
  EXPECT_EQ(testing::fileMode(dir.file("xdg/containers")) & 0777, 0700u);

  // Unknown fields and entries survive a later store.
  auto text = fs::readFile(path);
  ASSERT_TRUE(text.ok());
  Json doc = Json::parse(*text);
  doc["credHelpers"] = {{"gcr.io", "gcloud"}};
  doc["HttpHeaders"] = {{"X-Test", "1"}};
  doc["auths"]["quay.io"]["email"] = "me@example.com";
  doc["auths"]["ghcr.io"] = {{"auth", base64Encode("g:h")}, {"extra", true}};
  ASSERT_TRUE(fs::writeFileAtomic(path, doc.dump(), 0600).ok());

  ASSERT_TRUE(storeCredentials(path, "quay.io/ns", "u2", "p:2").ok());
  ASSERT_TRUE(storeCredentials(path, "quay.io", "u3", "p3").ok());
  EXPECT_EQ(testing::fileMode(path), 0600u);
  Json after = Json::parse(*fs::readFile(path));
  EXPECT_EQ(after["credHelpers"]["gcr.io"], "gcloud");
  EXPECT_EQ(after["HttpHeaders"]["X-Test"], "1");
  EXPECT_EQ(after["auths"]["ghcr.io"]["extra"], true);
  EXPECT_EQ(after["auths"]["quay.io"], Json({{"auth", base64Encode("u3:p3")}}));

  Credentials ns = lookup({{path, false}}, "quay.io/ns/img");
  EXPECT_EQ(ns.username, "u2");
  EXPECT_EQ(ns.password, "p:2");
  EXPECT_EQ(lookup({{path, false}}, "quay.io/img").username, "u3");

  auto bad = storeCredentials(path, "https://quay.io", "u", "p");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
}

TEST(AuthTest, RemoveAndRemoveAll) {
  TempDir dir;
  std::string path = dir.file("auth.json");
  ASSERT_TRUE(storeCredentials(path, "quay.io", "a", "b").ok());
  ASSERT_TRUE(storeCredentials(path, "ghcr.io", "c", "d").ok());
  Json doc = Json::parse(*fs::readFile(path));
  doc["custom"] = 42;
  ASSERT_TRUE(fs::writeFileAtomic(path, doc.dump(), 0644).ok());

  ASSERT_TRUE(removeCredentials(path, "quay.io").ok());
  EXPECT_EQ(testing::fileMode(path), 0600u);
  Json after = Json::parse(*fs::readFile(path));
  EXPECT_FALSE(after["auths"].contains("quay.io"));
  EXPECT_TRUE(after["auths"].contains("ghcr.io"));
  EXPECT_EQ(after["custom"], 42);

  auto again = removeCredentials(path, "quay.io");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kNotFound);
  EXPECT_EQ(again.error().message(), "not logged into quay.io");
  EXPECT_EQ(removeCredentials(dir.file("none.json"), "quay.io").error().code(), Code::kNotFound);

  ASSERT_TRUE(removeAllCredentials(path).ok());
  after = Json::parse(*fs::readFile(path));
  EXPECT_TRUE(after["auths"].empty());
  EXPECT_EQ(after["custom"], 42);
}

}  // namespace
}  // namespace berth::config
