// Tests for the run/create flag parsers.
#include "specgen/flags.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "base/fs.h"

namespace berth::specgen {
namespace {

void expectInvalid(const Status& s, std::string_view needle) {
  ASSERT_FALSE(s.ok()) << needle;
  EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
  EXPECT_NE(s.error().message().find(needle), std::string::npos) << s.error().message();
}
template <typename T>
void expectInvalid(const Result<T>& r, std::string_view needle) {
  ASSERT_FALSE(r.ok()) << needle;
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().message();
}

TEST(FlagsTest, Ulimit) {
  auto a = parseUlimit("nofile=1024:2048");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (api::POSIXRlimit{"RLIMIT_NOFILE", 2048, 1024}));
  auto b = parseUlimit("nproc=100");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->hard, 100u);
  EXPECT_EQ(b->soft, 100u);
  auto c = parseUlimit("core=-1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->soft, UINT64_MAX);
  auto d = parseUlimit("RLIMIT_STACK=8192:unlimited");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->type, "RLIMIT_STACK");
  expectInvalid(parseUlimit("bogus=1"), "bogus");
  expectInvalid(parseUlimit("nofile=2:1"), "soft limit");
  expectInvalid(parseUlimit("nofile=x"), "\"x\"");
  expectInvalid(parseUlimit("nofile"), "NAME=SOFT");
  expectInvalid(parseUlimit("nofile=1:2:3"), "too many");
}

TEST(FlagsTest, User) {
  EXPECT_TRUE(parseUserFlag("root").ok());
  EXPECT_TRUE(parseUserFlag("1000:1000").ok());
  expectInvalid(parseUserFlag(""), "empty");
  expectInvalid(parseUserFlag("a:"), "\"a:\"");
  expectInvalid(parseUserFlag("a:b:c"), "\"a:b:c\"");
}

TEST(FlagsTest, Env) {
  std::vector<std::string> host = {"HOME=/root", "FOO=1", "FOOBAR=2", "EMPTY="};
  auto kv = parseEnvArg("A=b=c", host);
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(*kv, (EnvList{{"A", "b=c"}}));
  auto empty = parseEnvArg("A=", host);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, (EnvList{{"A", ""}}));
  auto fromHost = parseEnvArg("FOO", host);
  ASSERT_TRUE(fromHost.ok());
  EXPECT_EQ(*fromHost, (EnvList{{"FOO", "1"}}));
  auto unset = parseEnvArg("NOPE", host);
  ASSERT_TRUE(unset.ok());
  EXPECT_TRUE(unset->empty());
  auto wild = parseEnvArg("FOO*", host);
  ASSERT_TRUE(wild.ok());
  EXPECT_EQ(*wild, (EnvList{{"FOO", "1"}, {"FOOBAR", "2"}}));
  expectInvalid(parseEnvArg("=x", host), "\"=x\"");
  expectInvalid(parseEnvArg("", host), "environment");
  EXPECT_FALSE(currentEnviron().empty());
}

TEST(FlagsTest, EnvFile) {
  char tmpl[] = "/tmp/specgen-env-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/env";
  ASSERT_TRUE(fs::writeFileAtomic(path, "# comment\n\nA=1\n  B=two words \nFOO\nC\r\n").ok());
  auto env = parseEnvFile(path, {"FOO=host"});
  ASSERT_TRUE(env.ok()) << env.error().what();
  EXPECT_EQ(*env, (EnvList{{"A", "1"}, {"B", "two words "}, {"FOO", "host"}}));
  ASSERT_TRUE(fs::writeFileAtomic(path, "A=1\n=bad\n").ok());
  auto bad = parseEnvFile(path, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();
  EXPECT_EQ(parseEnvFile(dir + "/missing", {}).error().code(), Code::kNotFound);
  (void)fs::removeAll(dir);
}

TEST(FlagsTest, Volumes) {
  api::SpecGenerator s;
  ASSERT_TRUE(addVolumeFlag(s, "/src:/dst").ok());
  ASSERT_TRUE(addVolumeFlag(s, "/src:/ro:ro,z").ok());
  ASSERT_TRUE(addVolumeFlag(s, "./rel:/rel", "/home/me").ok());
  ASSERT_TRUE(addVolumeFlag(s, "data:/data:noexec").ok());
  ASSERT_TRUE(addVolumeFlag(s, "/anon").ok());
  EXPECT_EQ(s.mounts, (std::vector<api::Mount>{{"/dst", "bind", "/src", {}},
                                               {"/ro", "bind", "/src", {"ro", "z"}},
                                               {"/rel", "bind", "/home/me/rel", {}}}));
  EXPECT_EQ(s.volumes, (std::vector<api::NamedVolume>{{"data", "/data", {"noexec"}, false, ""},
                                                      {"", "/anon", {}, true, ""}}));

  api::SpecGenerator e;
  expectInvalid(addVolumeFlag(e, "/src:rel"), "must be an absolute path");
  expectInvalid(addVolumeFlag(e, "/src:/d:bogus"), "\"bogus\"");
  expectInvalid(addVolumeFlag(e, "/src:/d:ro,rw"), "more than once");
  expectInvalid(addVolumeFlag(e, "/src:/d:shared,private"), "propagation");
  expectInvalid(addVolumeFlag(e, "a:/b:ro:x"), "SRC:DST");
  expectInvalid(addVolumeFlag(e, ":/d"), "empty source");
  expectInvalid(addVolumeFlag(e, "./x:/d"), "working directory");
  expectInvalid(addVolumeFlag(e, ""), "empty");
  expectInvalid(addVolumeFlag(e, "/s:/d:"), "empty options");
}

TEST(FlagsTest, Mounts) {
  api::SpecGenerator s;
  ASSERT_TRUE(addMountFlag(s, "type=bind,src=/h,dst=/c,readonly,bind-propagation=rshared").ok());
  ASSERT_TRUE(addMountFlag(s, "type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1777").ok());
  ASSERT_TRUE(addMountFlag(s, "type=volume,source=v,target=/v,ro=false").ok());
  ASSERT_TRUE(addMountFlag(s, "type=volume,target=/anon").ok());
  ASSERT_TRUE(addTmpfsFlag(s, "/run:rw,size=10m").ok());
  EXPECT_EQ(s.mounts, (std::vector<api::Mount>{{"/c", "bind", "/h", {"ro", "rshared"}},
                                               {"/t", "tmpfs", "tmpfs", {"size=1m", "mode=1777"}},
                                               {"/run", "tmpfs", "tmpfs", {"rw", "size=10m"}}}));
  EXPECT_EQ(s.volumes, (std::vector<api::NamedVolume>{{"v", "/v", {"rw"}, false, ""},
                                                      {"", "/anon", {}, true, ""}}));

  api::SpecGenerator e;
  expectInvalid(addMountFlag(e, "src=/h,dst=/c"), "type must be specified");
  expectInvalid(addMountFlag(e, "type=bind,dst=/c"), "need a source");
  expectInvalid(addMountFlag(e, "type=bind,src=/h"), "destination");
  expectInvalid(addMountFlag(e, "type=nfs,src=/h,dst=/c"), "\"nfs\"");
  expectInvalid(addMountFlag(e, "type=bind,src=/h,dst=/c,frobnicate"), "\"frobnicate\"");
  expectInvalid(addMountFlag(e, "type=tmpfs,dst=/t,tmpfs-size=big"), "\"big\"");
  expectInvalid(addMountFlag(e, "type=tmpfs,dst=/t,tmpfs-mode=9"), "\"9\"");
  expectInvalid(addMountFlag(e, "type=bind,src=/h,dst=/c,ro,rw"), "more than once");
  expectInvalid(addMountFlag(e, "type=bind,src=/h,dst=/c,readonly=maybe"), "\"maybe\"");
  expectInvalid(addMountFlag(e, "type=tmpfs,src=/x,dst=/t"), "no source");
  expectInvalid(addTmpfsFlag(e, "tmp"), "absolute");
}

TEST(FlagsTest, VolumeSpecs) {
  api::SpecGenerator s;
  ASSERT_TRUE(addVolumeFlag(s, "/anon").ok());
  ASSERT_TRUE(addVolumeFlag(s, "data:/d:ro,noexec").ok());
  ASSERT_TRUE(addVolumeFlag(s, "/host:/h:z").ok());
  ASSERT_EQ(s.volumes.size(), 2u);
  EXPECT_EQ(s.volumes[0], (api::NamedVolume{"", "/anon", {}, true, ""}));
  EXPECT_EQ(s.volumes[1], (api::NamedVolume{"data", "/d", {"ro", "noexec"}, false, ""}));
  ASSERT_EQ(s.mounts.size(), 1u);
  EXPECT_EQ(s.mounts[0], (api::Mount{"/h", "bind", "/host", {"z"}}));
  expectInvalid(addVolumeFlag(s, "data:relative"), "absolute path");
  expectInvalid(addVolumeFlag(s, "data:/x:bogus"), "invalid option");
  expectInvalid(addVolumeFlag(s, "data:/x:ro,rw"), "ro or rw");
  expectInvalid(addVolumeFlag(s, "a:b:c:d"), "SRC:DST");
  expectInvalid(addVolumeFlag(s, ":/x"), "empty source");
}

TEST(FlagsTest, VolumeMountFlag) {
  api::SpecGenerator s;
  ASSERT_TRUE(addMountFlag(s, "type=volume,source=v,target=/t,ro").ok());
  ASSERT_TRUE(addMountFlag(s, "type=volume,dst=/anon").ok());
  ASSERT_TRUE(addMountFlag(s, "type=volume,src=w,destination=/w,volume-nocopy,U").ok());
  ASSERT_EQ(s.volumes.size(), 3u);
  EXPECT_EQ(s.volumes[0], (api::NamedVolume{"v", "/t", {"ro"}, false, ""}));
  EXPECT_EQ(s.volumes[1], (api::NamedVolume{"", "/anon", {}, true, ""}));
  EXPECT_EQ(s.volumes[2], (api::NamedVolume{"w", "/w", {"nocopy", "U"}, false, ""}));
}

// podman's unified mounts: the same mount twice is one; two mounts on one destination fail.
TEST(FlagsTest, DuplicateDestinations) {
  api::SpecGenerator s;
  ASSERT_TRUE(addVolumeFlag(s, "v1:/d").ok());
  ASSERT_TRUE(addVolumeFlag(s, "v1:/d").ok());
  EXPECT_EQ(s.volumes.size(), 1u);
  expectInvalid(addVolumeFlag(s, "v2:/d"), "/d: duplicate mount destination");
  expectInvalid(addVolumeFlag(s, "v1:/d/:ro"), "/d: duplicate mount destination");
  expectInvalid(addTmpfsFlag(s, "/d"), "/d: duplicate mount destination");
  expectInvalid(addMountFlag(s, "type=volume,src=v3,dst=/d"), "/d: duplicate mount destination");
  ASSERT_TRUE(addTmpfsFlag(s, "/t").ok());
  ASSERT_TRUE(addTmpfsFlag(s, "/t").ok());
  expectInvalid(addTmpfsFlag(s, "/t:ro"), "/t: duplicate mount destination");
  ASSERT_TRUE(addVolumeFlag(s, "/host:/b").ok());
  ASSERT_TRUE(addVolumeFlag(s, "/host:/b").ok());
  expectInvalid(addVolumeFlag(s, "/other:/b"), "/b: duplicate mount destination");
  EXPECT_EQ(s.mounts.size(), 2u);
  // Two anonymous volumes on one destination are two mounts.
  ASSERT_TRUE(addVolumeFlag(s, "/anon").ok());
  expectInvalid(addVolumeFlag(s, "/anon"), "/anon: duplicate mount destination");
}

}  // namespace
}  // namespace berth::specgen
