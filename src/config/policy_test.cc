// Tests for policy.json parsing and scope evaluation.
#include "config/policy.h"

#include <gtest/gtest.h>

#include "config/test_util.h"

namespace berth::config {
namespace {

using testing::TempDir;

image::Reference ref(std::string_view s) {
  auto r = image::parseNormalizedNamed(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? std::move(r).value() : image::Reference{};
}

Policy parse(std::string_view text) {
  auto p = parsePolicy(text, "policy.json");
  EXPECT_TRUE(p.ok()) << p.error().what();
  return p.ok() ? std::move(p).value() : Policy{};
}

TEST(PolicyTest, AcceptAnything) {
  TempDir dir;
  std::string path =
      dir.write("policy.json", R"({"default": [{"type": "insecureAcceptAnything"}]})");
  auto p = loadPolicy(path);
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_TRUE(checkPolicy(*p, "docker", ref("busybox")).ok());
}

TEST(PolicyTest, RejectDefault) {
  Policy p = parse(R"({"default": [{"type": "reject"}]})");
  auto s = checkPolicy(p, "docker", ref("busybox"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kPermissionDenied);
  EXPECT_EQ(s.error().message(),
            "Source image rejected: Running image docker://busybox:latest is rejected by policy.");
  s = checkPolicy(p, "docker", ref("quay.io/a/b:1"));
  EXPECT_EQ(s.error().message(),
            "Source image rejected: Running image docker://quay.io/a/b:1 is rejected by policy.");
}

TEST(PolicyTest, ScopesMostSpecificFirst) {
  Policy p = parse(R"({
    "default": [{"type": "reject"}],
    "transports": {
      "docker": {
        "": [{"type": "insecureAcceptAnything"}],
        "quay.io": [{"type": "reject"}],
        "quay.io/ok": [{"type": "insecureAcceptAnything"}],
        "quay.io/ok/bad": [{"type": "reject"}],
        "quay.io/ok/img:bad": [{"type": "reject"}],
        "docker.io/library/busybox@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": [{"type": "reject"}],
        "*.example.com": [{"type": "reject"}],
        "ok.example.com": [{"type": "insecureAcceptAnything"}],
        "localhost:5000": [{"type": "reject"}]
      },
      "docker-archive": {"": [{"type": "insecureAcceptAnything"}]}
    }
  })");
  auto allowed = [&](std::string_view r) { return checkPolicy(p, "docker", ref(r)).ok(); };
  EXPECT_TRUE(allowed("busybox"));  // transport default
  EXPECT_FALSE(allowed("quay.io/x/y"));
  EXPECT_TRUE(allowed("quay.io/ok/img"));
  EXPECT_TRUE(allowed("quay.io/ok/img:good"));
  EXPECT_FALSE(allowed("quay.io/ok/img:bad"));
  EXPECT_FALSE(allowed("quay.io/ok/bad:1"));
  EXPECT_FALSE(allowed("quay.io/ok/bad/deeper"));
  EXPECT_FALSE(allowed("docker.io/library/busybox@sha256:" + std::string(64, 'a')));
  EXPECT_TRUE(allowed("docker.io/library/busybox@sha256:" + std::string(64, 'b')));
  EXPECT_FALSE(allowed("a.b.example.com/x"));
  EXPECT_TRUE(allowed("ok.example.com/x"));
  EXPECT_FALSE(allowed("localhost:5000/x"));
  EXPECT_TRUE(allowed("localhost:5001/x"));
  // Another transport without a matching section falls back to "default".
  EXPECT_FALSE(checkPolicy(p, "oci-archive", ref("busybox")).ok());
  EXPECT_TRUE(checkPolicy(p, "docker-archive", ref("busybox")).ok());
}

TEST(PolicyTest, SignatureRequirementsUnsupported) {
  Policy p = parse(R"({
    "default": [{"type": "insecureAcceptAnything"}],
    "transports": {"docker": {
      "registry.redhat.io": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg"}],
      "quay.io": [{"type": "sigstoreSigned", "keyPath": "/k.pub"}],
      "r.io": [{"type": "reject"}, {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k"}]
    }}
  })");
  auto s = checkPolicy(p, "docker", ref("registry.redhat.io/ubi9"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kUnimplemented);
  EXPECT_EQ(s.error().message(), "signature verification (signedBy) is not supported");
  s = checkPolicy(p, "docker", ref("quay.io/x"));
  EXPECT_EQ(s.error().message(), "signature verification (sigstoreSigned) is not supported");
  s = checkPolicy(p, "docker", ref("r.io/x"));
  EXPECT_EQ(s.error().code(), Code::kPermissionDenied);
}

TEST(PolicyTest, Malformed) {
  struct Case {
    std::string text, want;
  };
  std::vector<Case> cases = {
      {"{\"default\": [\n  {\"type\": \"reject\"},\n]}", "line 3"},
      {"{}", "Default policy is missing"},
      {"{\"default\": []}", "must not be empty"},
      {"{\"default\": [{\"type\": \"maybe\"}]}", "Unknown policy requirement type \"maybe\""},
      {"{\"default\": [{}]}", "\"type\""},
      {"{\"default\": [{\"type\": \"reject\"}], \"extra\": 1}", "Unknown key \"extra\""},
      {"{\"default\": [{\"type\": \"reject\"}], \"transports\": {\"docker\": {\"x\": []}}}",
       "must not be empty"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    std::string path = dir.write("p.json", c.text);
    auto p = loadPolicy(path);
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.error().code(), Code::kInvalidArgument) << c.text;
    EXPECT_NE(p.error().message().find(c.want), std::string::npos) << p.error().message();
    EXPECT_NE(p.error().message().find(path), std::string::npos) << p.error().message();
  }
  EXPECT_EQ(loadPolicy(dir.file("missing.json")).error().code(), Code::kNotFound);
}

TEST(PolicyTest, DefaultPath) {
  TempDir dir;
  HostEnv env;
  env.home = dir.file("home");
  EXPECT_EQ(*defaultPolicyPath(env, "/override.json"), "/override.json");
  dir.write("home/.config/containers/policy.json", "{}");
  EXPECT_EQ(*defaultPolicyPath(env), dir.file("home/.config/containers/policy.json"));
}

}  // namespace
}  // namespace berth::config
