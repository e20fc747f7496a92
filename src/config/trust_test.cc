// Tests for image trust: policy.json edits and description, registries.d, OpenPGP user IDs.
#include "config/trust.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/json.h"
#include "config/pgp_userids.h"
#include "config/policy.h"
#include "config/test_util.h"

namespace berth::config {
namespace {

using testing::TempDir;

// `gpg --armor --export` of an ed25519 key, user ID "Berth Trust Test <trust@berth.test>".
constexpr std::string_view kArmoredKey = R"(-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEaxbdtxYJKwYBBAHaRw8BAQdA/k2W7y1V038y4zvyJDboR8jmITKBXTnZar9V
Ki6jKj+0I0JlcnRoIFRydXN0IFRlc3QgPHRydXN0QGJlcnRoLnRlc3Q+iJAEExYI
ADgWIQRR7O0mk4e+t9hpuyhN9H2h6uUV6AUCaxbdtwIbAwULCQgHAgYVCgkICwIE
FgIDAQIeAQIXgAAKCRBN9H2h6uUV6GXdAP9aZlhLv8LC7A2e9gP0N3sccY7R531g
zRUojDJAnUT3jgEAlwZn1a2n2t6JdjXpQYWW1UVVtng+hTq9YE1gTUa7IwQ=
=rw5v
-----END PGP PUBLIC KEY BLOCK-----
)";

std::string binaryKey() {
  std::string b64;
  std::string_view body = kArmoredKey.substr(kArmoredKey.find("\n\n") + 2);
  while (!body.empty() && !body.starts_with("=")) {
    size_t nl = body.find('\n');
    b64 += body.substr(0, nl);
    body = body.substr(nl + 1);
  }
  auto bin = base64Decode(b64);
  EXPECT_TRUE(bin.ok());
  return bin.ok() ? *bin : "";
}

// ---- OpenPGP ------------------------------------------------------------------------

TEST(PgpUserIdsTest, ArmoredAndBinary) {
  auto ids = pgpUserIds(kArmoredKey, "key.asc");
  ASSERT_TRUE(ids.ok()) << ids.error().what();
  EXPECT_EQ(*ids, std::vector<std::string>{"Berth Trust Test <trust@berth.test>"});
  auto bin = pgpUserIds(binaryKey(), "key.gpg");
  ASSERT_TRUE(bin.ok()) << bin.error().what();
  EXPECT_EQ(*bin, *ids);
  // Two keys in one file: both IDs, in order.
  std::string two = std::string(kArmoredKey) + std::string(kArmoredKey);
  EXPECT_EQ(pgpUserIds(two, "two.asc")->size(), 2u);
}

TEST(PgpUserIdsTest, OldAndNewFormatHeadersAndEscaping) {
  // An old-format (tag 13, 1-byte length) and a new-format (0xCD) User ID packet.
  std::string data =
      "\xB4\x05"
      "a:b\nc";
  data += "\xCD\x03xyz";
  auto ids = pgpUserIds(data, "k");
  ASSERT_TRUE(ids.ok()) << ids.error().what();
  EXPECT_EQ(*ids, (std::vector<std::string>{"a\\x3ab\\x0ac", "xyz"}));
}

TEST(PgpUserIdsTest, HostileInput) {
  std::string bin = binaryKey();
  auto truncated = pgpUserIds(bin.substr(0, bin.size() - 3), "key.gpg");
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code(), Code::kInvalidArgument);
  EXPECT_NE(truncated.error().message().find("key.gpg"), std::string::npos);
  EXPECT_FALSE(pgpUserIds("not a key at all", "k").ok());
  EXPECT_FALSE(
      pgpUserIds(
          "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n", "k")
          .ok());
  EXPECT_FALSE(pgpUserIds("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDME\n", "k").ok());
  // A 4-byte length claiming 4 GiB.
  EXPECT_FALSE(pgpUserIds(std::string("\xCD\xFF\xFF\xFF\xFF\xFF", 6), "k").ok());
  EXPECT_FALSE(pgpUserIds(std::string(kMaxPgpKeyBytes + 1, '\xB4'), "k").ok());
}

TEST(PgpUserIdsTest, TrustIdentity) {
  EXPECT_EQ(trustIdentity("Berth Trust Test <trust@berth.test>"), "trust@berth.test");
  EXPECT_EQ(trustIdentity("no mail"), "no mail");
  EXPECT_EQ(trustIdentity("a <b"), "a <b");
  EXPECT_EQ(trustIdentity("x <y> <z>"), "y");
}

// ---- trust set ----------------------------------------------------------------------

TEST(TrustSetTest, ScopeAndTypeChecks) {
  for (const char* ok : {"default", "docker.io", "quay.io/podman/stable", "127.0.0.1:5000",
                         "localhost:5000/ns", "Registry_1.example.com"})
    EXPECT_TRUE(checkTrustScope(ok).ok()) << ok;
  for (const char* bad : {"", "/foo", "*.example.com", "a b", "host:port", "reg#Frag", "x\ny"}) {
    auto s = checkTrustScope(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_TRUE(s.error().message().starts_with(fmt::format("invalid image uri: {}", bad)))
        << s.error().message();
  }
  EXPECT_EQ(checkTrustScope("a b").error().message(),
            "invalid image uri: a b: parse \"http://a b\": invalid character \" \" in host name");
  EXPECT_EQ(checkTrustScope("host:port").error().message(),
            "invalid image uri: host:port: parse \"http://host:port\": invalid port \":port\" "
            "after host");
  EXPECT_TRUE(checkTrustType("accept").ok());
  EXPECT_TRUE(checkTrustType("insecureAcceptAnything").ok());
  auto bad = checkTrustType("bogus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "invalid choice: bogus (choose from 'accept', 'reject', 'signedBy', 'sigstoreSigned')");
}

TEST(TrustSetTest, NewFileAsPodmanWritesIt) {
  auto text = applyTrustSet(std::nullopt, "p.json", {"default", "reject", {}});
  ASSERT_TRUE(text.ok()) << text.error().what();
  EXPECT_EQ(
      *text,
      "{\n    \"default\": [\n        {\n            \"type\": \"reject\"\n        }\n    ]\n}");
  auto accept = applyTrustSet(*text, "p.json", {"docker.io", "accept", {}});
  ASSERT_TRUE(accept.ok()) << accept.error().what();
  EXPECT_EQ(
      *accept,
      "{\n    \"default\": [\n        {\n            \"type\": \"reject\"\n        }\n    ],\n"
      "    \"transports\": {\n        \"docker\": {\n            \"docker.io\": [\n"
      "                {\n                    \"type\": \"insecureAcceptAnything\"\n"
      "                }\n            ]\n        }\n    }\n}");
  // What it writes is a policy the pull path accepts, with the meaning asked for.
  auto policy = parsePolicy(*accept, "p.json");
  ASSERT_TRUE(policy.ok()) << policy.error().what();
  EXPECT_EQ(policy->default_requirements, PolicyRequirements{RequirementType::kReject});
  EXPECT_EQ(policy->transports["docker"]["docker.io"],
            PolicyRequirements{RequirementType::kInsecureAcceptAnything});
}

TEST(TrustSetTest, KeepsOtherEntries) {
  std::string existing = R"({
  "default": [{"type": "insecureAcceptAnything"}],
  "transports": {
    "docker-daemon": {"": [{"type": "insecureAcceptAnything"}]},
    "docker": {
      "registry.example/ns": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg",
                               "signedIdentity": {"type": "matchRepository"}}],
      "quay.io": [{"type": "reject"}]
    },
    "atomic": {"reg.local": [{"type": "reject"}]}
  },
  "x-extra": {"kept": true}
})";
  auto text = applyTrustSet(existing, "p.json", {"quay.io", "signedBy", {"/a.gpg", "/b.gpg"}});
  ASSERT_TRUE(text.ok()) << text.error().what();
  auto doc = parseJson(*text, "out");
  ASSERT_TRUE(doc.ok());
  Json want_signed = Json::parse(
      R"([{"type":"signedBy","keyType":"GPGKeys","keyPath":"/a.gpg"},{"type":"signedBy","keyType":"GPGKeys","keyPath":"/b.gpg"}])");
  EXPECT_EQ((*doc)["transports"]["docker"]["quay.io"], want_signed);
  EXPECT_EQ((*doc)["transports"]["docker"]["registry.example/ns"][0]["signedIdentity"]["type"],
            "matchRepository");
  EXPECT_EQ((*doc)["transports"]["docker-daemon"][""][0]["type"], "insecureAcceptAnything");
  EXPECT_EQ((*doc)["default"][0]["type"], "insecureAcceptAnything");
  EXPECT_EQ((*doc)["x-extra"]["kept"], true);
  // Transports and scopes in Go's map order.
  std::vector<std::string> names;
  for (auto& [k, v] : (*doc)["transports"].items()) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{"atomic", "docker", "docker-daemon"}));
  // A scope another transport holds is replaced there, not added under docker.
  auto atomic = applyTrustSet(existing, "p.json", {"reg.local", "accept", {}});
  ASSERT_TRUE(atomic.ok());
  auto adoc = parseJson(*atomic, "out");
  EXPECT_EQ((*adoc)["transports"]["atomic"]["reg.local"][0]["type"], "insecureAcceptAnything");
  EXPECT_FALSE((*adoc)["transports"]["docker"].contains("reg.local"));
}

TEST(TrustSetTest, Errors) {
  auto err = [](const std::optional<std::string>& existing, TrustSetRequest req) {
    auto r = applyTrustSet(existing, "/etc/p.json", req);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message();
  };
  EXPECT_EQ(err(std::nullopt, {"default", "signedBy", {}}),
            "at least one public key must be defined for type 'signedBy'");
  EXPECT_EQ(err(std::nullopt, {"default", "sigstoreSigned", {}}),
            "at least one public key must be defined for type 'sigstoreSigned'");
  EXPECT_EQ(err(std::nullopt, {"default", "accept", {"/k"}}),
            "1 public keys unexpectedly provided for trust type accept");
  EXPECT_EQ(err(std::nullopt, {"default", "bogus", {}}), "unknown trust type \"bogus\"");
  EXPECT_EQ(err(std::nullopt, {"docker.io", "reject", {}}), "default trust policy must be set");
  EXPECT_EQ(err(std::string(R"({"transports": {}})"), {"docker.io", "reject", {}}),
            "default trust policy must be set");
  for (const char* bad : {"{not json", "[]", "\"str\"", R"({"default": [], "transports": "x"})",
                          R"({"default": [], "transports": {"docker": []}})"}) {
    std::string m = err(std::string(bad), {"default", "reject", {}});
    EXPECT_TRUE(m.starts_with("could not read trust policies from /etc/p.json: "))
        << bad << ": " << m;
  }
  EXPECT_NE(err(std::string(R"({"transports": {"docker": 7}})"), {"default", "reject", {}})
                .find("transports.docker: expected object, got number"),
            std::string::npos);
}

TEST(TrustSetTest, AtomicReplaceThroughSymlinkKeepsMode) {
  TempDir dir;
  std::string real =
      dir.write("real/policy.json", R"({"default": [{"type": "insecureAcceptAnything"}]})");
  ASSERT_EQ(::chmod(real.c_str(), 0600), 0);
  std::string link = dir.file("policy.json");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  ASSERT_TRUE(setTrust(link, {"docker.io", "reject", {}}).ok());
  struct stat st;
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the symlink is kept";
  EXPECT_EQ(testing::fileMode(real) & 07777, 0600u);
  auto policy = loadPolicy(real);
  ASSERT_TRUE(policy.ok()) << policy.error().what();
  EXPECT_EQ(policy->transports["docker"]["docker.io"],
            PolicyRequirements{RequirementType::kReject});
  // No temp file is left beside it.
  auto names = fs::listDir(dir.file("real"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"policy.json"});
}

TEST(TrustSetTest, BadFileIsLeftUnchanged) {
  TempDir dir;
  for (const char* bad : {"{\"default\": [", R"({"default": [], "transports": ["docker"]})"}) {
    std::string p = dir.write("policy.json", bad);
    auto s = setTrust(p, {"default", "reject", {}});
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Code::kInvalidArgument);
    EXPECT_NE(s.error().message().find(p), std::string::npos) << s.error().message();
    EXPECT_EQ(*fs::readFile(p), bad);
  }
  // A FIFO is refused without blocking, and not replaced.
  std::string fifo = dir.file("fifo.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto s = setTrust(fifo, {"default", "reject", {}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not a regular file"), std::string::npos);
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // A missing file is created.
  ASSERT_TRUE(setTrust(dir.file("new.json"), {"default", "accept", {}}).ok());
  EXPECT_TRUE(loadPolicy(dir.file("new.json")).ok());
}

TEST(TrustSetTest, DefaultPolicyPath) {
  TempDir dir;
  HostEnv root;
  root.euid = 0;
  root.home = dir.path();
  EXPECT_EQ(trustPolicyPath(root), "/etc/containers/policy.json");
  HostEnv user;
  user.euid = 1000;
  user.home = dir.path();
  user.vars["XDG_CONFIG_HOME"] = dir.file("cfg");
  dir.write("cfg/containers/policy.json", "{}");
  EXPECT_EQ(trustPolicyPath(user), dir.file("cfg/containers/policy.json"));
}

// ---- trust show ---------------------------------------------------------------------

std::vector<TrustPolicyEntry> describe(std::string_view text, const RegistriesD& reg = {}) {
  auto ids = [](const std::string& path) { return std::vector<std::string>{"id-of-" + path}; };
  auto r = describeTrustPolicy(text, "policy.json", reg, ids);
  EXPECT_TRUE(r.ok()) << r.error().what();
  return r.ok() ? *r : std::vector<TrustPolicyEntry>{};
}

TEST(TrustShowTest, OrderAndTypes) {
  auto e = describe(R"({
    "default": [{"type": "reject"}],
    "transports": {
      "docker": {
        "quay.io": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/a", "keyPaths": ["/b", "/c"]}],
        "docker.io": [{"type": "insecureAcceptAnything"}],
        "ghcr.io": [{"type": "sigstoreSigned", "keyPath": "/s.pub"}]
      },
      "atomic": {"reg": [{"type": "reject"}]}
    }})");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].transport, "all");
  EXPECT_EQ(e[0].name, "* (default)");
  EXPECT_EQ(e[0].repo_name, "default");
  EXPECT_EQ(e[0].type, "reject");
  EXPECT_EQ(e[1].transport, "atomic");
  EXPECT_EQ(e[2].transport, "repository");
  EXPECT_EQ(e[2].repo_name, "docker.io");
  EXPECT_EQ(e[2].type, "accept");
  EXPECT_EQ(e[3].repo_name, "ghcr.io");
  EXPECT_EQ(e[3].type, "sigstoreSigned");
  EXPECT_EQ(e[3].gpg_id, "N/A");
  EXPECT_EQ(e[4].repo_name, "quay.io");
  EXPECT_EQ(e[4].type, "signed");
  EXPECT_EQ(e[4].gpg_id, "id-of-/a, id-of-/b, id-of-/c");
}

TEST(TrustShowTest, KeyDataAndKeyFile) {
  std::string data = base64Encode(binaryKey());
  auto e = describeTrustPolicy(
      fmt::format(
          R"({{"default": [{{"type": "signedBy", "keyType": "GPGKeys", "keyData": "{}"}}]}})",
          data),
      "p", {}, keyFileIdentities);
  ASSERT_TRUE(e.ok()) << e.error().what();
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].gpg_id, "trust@berth.test");
  TempDir dir;
  std::string key = dir.write("key.asc", kArmoredKey);
  EXPECT_EQ(keyFileIdentities(key), std::vector<std::string>{"trust@berth.test"});
  EXPECT_TRUE(keyFileIdentities(dir.file("missing.gpg")).empty());
}

TEST(TrustShowTest, WrongTypesNameTheFileAndField) {
  for (auto [text, field] : std::vector<std::pair<const char*, const char*>>{
           {R"({"default": [{"type": 7}]})", "default[0].type: expected string, got number"},
           {R"({"default": {"type": "reject"}})", "default: expected array, got object"},
           {R"({"default": [], "transports": {"docker": {"x": "reject"}}})",
            "transports.docker.x: expected array"},
           {R"({"default": [{"type": "signedBy", "keyPaths": "/k"}]})", "default[0].keyPaths"},
           {"[1]", "expected object, got array"},
           {"{", "policy.json"}}) {
    auto r = describeTrustPolicy(text, "policy.json", {}, keyFileIdentities);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
    EXPECT_TRUE(r.error().message().starts_with(
        "could not read trust policies: could not parse trust policies from policy.json: "))
        << r.error().message();
    EXPECT_NE(r.error().message().find(field), std::string::npos) << r.error().message();
  }
  // Unknown types are shown with an empty type, as podman (which warns).
  auto e = describe(R"({"default": [{"type": "someday"}], "transports": null})");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].type, "");
  EXPECT_TRUE(describe("null").empty());
}

// ---- registries.d -------------------------------------------------------------------

TEST(RegistriesDTest, LookasideByScope) {
  TempDir dir;
  dir.write("a.yaml", "default-docker:\n  sigstore: file:///var/lib/containers/sigstore\n");
  dir.write("b.yaml",
            "docker:\n  quay.io:\n    lookaside: https://sigs.quay.example\n    sigstore: ignored\n"
            "  registry.example/ns:\n    sigstore: https://ns.example\n");
  dir.write("c.txt", "not: [yaml");
  auto reg = loadRegistriesD(dir.path());
  ASSERT_TRUE(reg.ok()) << reg.error().what();
  auto loc = [&](std::string_view scope) {
    const LookasideLocation* l = lookasideFor(*reg, scope);
    return l ? readLocation(*l) : std::string("<none>");
  };
  EXPECT_EQ(loc(""), "file:///var/lib/containers/sigstore");
  EXPECT_EQ(loc("quay.io"), "https://sigs.quay.example");
  EXPECT_EQ(loc("registry.example/ns/app"), "https://ns.example");
  EXPECT_EQ(loc("docker.io"), "file:///var/lib/containers/sigstore");
  auto e = describe(
      R"({"default": [{"type": "reject"}], "transports": {"docker": {"quay.io": [{"type": "reject"}]}}})",
      *reg);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].sigstore, "file:///var/lib/containers/sigstore");
  EXPECT_EQ(e[1].sigstore, "https://sigs.quay.example");
  auto missing = loadRegistriesD(dir.file("none"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->default_docker);
}

TEST(RegistriesDTest, Errors) {
  TempDir dir;
  dir.write("a.yaml", "default-docker:\n  sigstore: a\n");
  dir.write("b.yaml", "default-docker:\n  sigstore: b\n");
  auto dup = loadRegistriesD(dir.path());
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message().find("\"default-docker\" defined both in"), std::string::npos);
  TempDir bad;
  std::string p = bad.write("x.yaml", "docker:\n  quay.io:\n    sigstore: [1, 2]\n");
  auto wrong = loadRegistriesD(bad.path());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find(p), std::string::npos) << wrong.error().message();
  EXPECT_NE(wrong.error().message().find("sigstore: expected string"), std::string::npos)
      << wrong.error().message();
}

}  // namespace
}  // namespace berth::config
