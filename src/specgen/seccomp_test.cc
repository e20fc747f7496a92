// Tests for the containers seccomp.json -> OCI linux.seccomp translation.
#include "specgen/seccomp.h"

#include <gtest/gtest.h>

#include "base/fs.h"

namespace berth::specgen {
namespace {

const char* kSample = R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 38,
  "archMap": [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
  ],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "args": [], "includes": {}, "excludes": {}},
    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
    {"names": ["cacheflush"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm", "arm64"]}},
    {"names": ["noamd"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64"]}},
    {"names": ["bpf"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["bpf"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EPERM",
     "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"name": "personality", "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 2, "value": 9, "valueTwo": 3, "op": "SCMP_CMP_NE"}]}
  ]
})";

std::vector<std::string> names(const Json& seccomp) {
  std::vector<std::string> out;
  for (const auto& r : seccomp["syscalls"])
    for (const auto& n : r["names"])
      out.push_back(n.get<std::string>() + ":" + r["action"].get<std::string>());
  return out;
}

TEST(SeccompTest, FiltersByArchAndCaps) {
  auto profile = parseJson(kSample, "sample");
  ASSERT_TRUE(profile.ok());
  auto out = translateSeccompProfile(*profile, {"CAP_CHOWN"}, "amd64");
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ((*out)["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*out)["defaultErrnoRet"], 38);
  EXPECT_EQ((*out)["architectures"],
            Json::parse(R"(["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"])"));
  EXPECT_EQ(names(*out),
            (std::vector<std::string>{"read:SCMP_ACT_ALLOW", "write:SCMP_ACT_ALLOW",
                                      "arch_prctl:SCMP_ACT_ALLOW", "bpf:SCMP_ACT_ERRNO",
                                      "personality:SCMP_ACT_ALLOW", "socket:SCMP_ACT_ALLOW"}));
  const Json& rules = (*out)["syscalls"];
  EXPECT_FALSE(rules[0].contains("args"));  // empty args are omitted
  EXPECT_EQ(rules[2]["errnoRet"], 1);
  EXPECT_FALSE(rules[2].contains("errno"));
  EXPECT_EQ(rules[3]["args"], Json::parse(R"([{"index":0,"value":8,"op":"SCMP_CMP_EQ"}])"));
  EXPECT_EQ(rules[4]["args"][0]["valueTwo"], 3);

  auto admin = translateSeccompProfile(*profile, {"CAP_SYS_ADMIN"}, "arm64");
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ((*admin)["architectures"], Json::parse(R"(["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"])"));
  EXPECT_EQ(names(*admin),
            (std::vector<std::string>{"read:SCMP_ACT_ALLOW", "write:SCMP_ACT_ALLOW",
                                      "cacheflush:SCMP_ACT_ALLOW", "noamd:SCMP_ACT_ALLOW",
                                      "bpf:SCMP_ACT_ALLOW", "personality:SCMP_ACT_ALLOW",
                                      "socket:SCMP_ACT_ALLOW"}));
}

TEST(SeccompTest, RejectsMalformedProfiles) {
  auto check = [](const char* text) {
    auto p = parseJson(text, "t");
    EXPECT_TRUE(p.ok());
    auto r = translateSeccompProfile(*p, {}, "amd64");
    EXPECT_FALSE(r.ok()) << text;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << text;
    }
  };
  check(R"([])");
  check(R"({"defaultAction": 1})");
  check(R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86"],
            "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})");
  check(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "names": ["b"],
            "action": "SCMP_ACT_ALLOW"}]})");
  check(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "read",
            "action": "SCMP_ACT_ALLOW"}]})");
  check(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"]}]})");
  check(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"],
            "action": "SCMP_ACT_ALLOW", "args": [{"index": -1, "value": 0, "op": "x"}]}]})");
}

TEST(SeccompTest, EmptyProfileDisablesSeccomp) {
  auto r = translateSeccompProfile(Json::object(), {}, "amd64");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_null());
}

TEST(SeccompTest, RealContainersCommonProfile) {
  const std::string path = "/usr/share/containers/seccomp.json";
  if (!fs::exists(path)) GTEST_SKIP() << "containers-common not installed";
  std::vector<std::string> caps = {"CAP_CHOWN", "CAP_SYS_CHROOT", "CAP_KILL"};
  auto out = loadSeccompProfile(path, caps, "amd64");
  ASSERT_TRUE(out.ok()) << out.error().what();
  EXPECT_EQ((*out)["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*out)["architectures"],
            Json::parse(R"(["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"])"));
  auto all = names(*out);
  auto has = [&](const std::string& s) {
    return std::find(all.begin(), all.end(), s) != all.end();
  };
  EXPECT_TRUE(has("read:SCMP_ACT_ALLOW"));
  EXPECT_TRUE(has("arch_prctl:SCMP_ACT_ALLOW"));
  EXPECT_TRUE(has("chroot:SCMP_ACT_ALLOW"));  // CAP_SYS_CHROOT is in the set
  EXPECT_TRUE(has("bpf:SCMP_ACT_ERRNO"));
  EXPECT_FALSE(has("bpf:SCMP_ACT_ALLOW"));
  EXPECT_FALSE(has("cacheflush:SCMP_ACT_ALLOW"));  // arm only
  // Same rule count podman 4.3.1 produced on this host for the default caps.
  auto dflt = loadSeccompProfile(path,
                                 {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
                                  "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
                                  "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"},
                                 "amd64");
  ASSERT_TRUE(dflt.ok());
  EXPECT_EQ((*dflt)["syscalls"].size(), 22u);
  EXPECT_EQ((*dflt)["defaultErrnoRet"], 38);
}

TEST(SeccompTest, MissingFileIsNotFound) {
  auto r = loadSeccompProfile("/nonexistent/seccomp.json", {}, "amd64");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth::specgen
