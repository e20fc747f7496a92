// Integration tests of RegistryClient against docker-registry on 127.0.0.1.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>

#include "base/digest.h"
#include "base/fs.h"
#include "image/manifest.h"
#include "registry/registry_client.h"
#include "registry/test_registry.h"

namespace berth::registry {
namespace {

using testing::CertPair;
using testing::ScratchDir;
using testing::TestRegistry;
using testing::TokenServer;

std::string randomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

store::Reader stringReader(std::shared_ptr<std::string> data) {
  auto pos = std::make_shared<size_t>(0);
  return [data, pos](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min(n, data->size() - *pos);
    std::memcpy(buf, data->data() + *pos, k);
    *pos += k;
    return k;
  };
}

Result<std::string> readAll(const store::Reader& r) {
  std::string out;
  char buf[65536];
  while (true) {
    size_t n = TRY(r(buf, sizeof(buf)));
    if (n == 0) return out;
    out.append(buf, n);
  }
}

Status upload(RegistryClient& c, const std::string& repo, const std::string& data) {
  auto shared = std::make_shared<std::string>(data);
  return c.uploadBlob(repo, sha256Digest(data), data.size(), stringReader(shared));
}

// Pushes a one-layer OCI image; returns the manifest's digest.
Result<std::string> pushImage(RegistryClient& c, const std::string& repo, const std::string& tag) {
  std::string layer = randomBytes(4096, 7);
  std::string config =
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})";
  TRY(upload(c, repo, layer));
  TRY(upload(c, repo, config));
  image::Manifest m;
  m.media_type = image::media::kOciManifest;
  m.config = image::makeDescriptor(image::media::kOciConfig, sha256Digest(config), config.size());
  m.layers.push_back(
      image::makeDescriptor(image::media::kOciLayer, sha256Digest(layer), layer.size()));
  std::string bytes = image::serializeManifest(m);
  TRY(c.putManifest(repo, tag, bytes, std::string(image::media::kOciManifest)));
  return sha256Digest(bytes);
}

// Certificates are generated once per test binary.
struct Certs {
  ScratchDir dir;
  CertPair server, signer;
  std::string ca_dir;  // containers-certs.d style: ca.crt
};
const Certs& certs() {
  static Certs* c = [] {
    auto* c = new Certs();
    c->server = *testing::makeSelfSignedCert(c->dir.path(), "server");
    c->signer = *testing::makeSelfSignedCert(c->dir.path(), "signer");
    c->ca_dir = c->dir.path() + "/certs.d";
    (void)fs::mkdirAll(c->ca_dir);
    (void)fs::writeFileAtomic(c->ca_dir + "/ca.crt", *fs::readFile(c->server.cert));
    return c;
  }();
  return *c;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    ASSERT_FALSE(dir_.path().empty());
  }
  void startRegistry(testing::RegistryOptions o = {}) {
    auto r = TestRegistry::start(dir_.path(), std::move(o));
    ASSERT_TRUE(r.ok()) << r.error().what();
    reg_ = std::move(*r);
  }
  ClientOptions insecure() {
    ClientOptions o;
    o.insecure_http = true;
    o.retry_delay_ms = 20;
    return o;
  }
  ScratchDir dir_;
  std::unique_ptr<TestRegistry> reg_;
};

TEST_F(RegistryTest, PushAndPullBlob) {
  startRegistry();
  RegistryClient c(reg_->addr(), insecure());
  ASSERT_TRUE(c.ping().ok());
  std::string data = randomBytes(1 << 20, 1);
  std::string digest = sha256Digest(data);
  EXPECT_FALSE(*c.blobExists("a/b", digest));
  uint64_t uploaded = 0;
  auto shared = std::make_shared<std::string>(data);
  Status st = c.uploadBlob("a/b", digest, data.size(), stringReader(shared),
                           [&](uint64_t n) { uploaded = n; });
  ASSERT_TRUE(st.ok()) << st.error().what();
  EXPECT_EQ(uploaded, data.size());
  EXPECT_TRUE(*c.blobExists("a/b", digest));

  uint64_t done = 0;
  auto r = c.openBlob("a/b", digest, data.size(), [&](uint64_t n) { done = n; });
  ASSERT_TRUE(r.ok()) << r.error().what();
  auto got = readAll(*r);
  ASSERT_TRUE(got.ok()) << got.error().what();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(done, data.size());

  // Unknown blob: reported by openBlob itself.
  auto missing = c.openBlob("a/b", sha256Digest("nope"), 4);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_NE(missing.error().message().find("blob unknown"), std::string::npos)
      << missing.error().message();

  // Wrong digest for the uploaded bytes: the registry refuses.
  auto other = std::make_shared<std::string>("hello");
  Status bad = c.uploadBlob("a/b", sha256Digest("world"), 5, stringReader(other));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument) << bad.error().what();
}

TEST_F(RegistryTest, ManifestsTagsAndCatalog) {
  startRegistry();
  RegistryClient c(reg_->addr(), insecure());
  auto d1 = pushImage(c, "library/app", "v1");
  ASSERT_TRUE(d1.ok()) << d1.error().what();
  ASSERT_TRUE(pushImage(c, "library/app", "v2").ok());
  ASSERT_TRUE(pushImage(c, "other", "latest").ok());

  auto m = c.getManifest("library/app", "v1");
  ASSERT_TRUE(m.ok()) << m.error().what();
  EXPECT_EQ(m->media_type, image::media::kOciManifest);
  EXPECT_EQ(m->digest, *d1);
  auto by_digest = c.getManifest("library/app", *d1);
  ASSERT_TRUE(by_digest.ok()) << by_digest.error().what();
  EXPECT_EQ(by_digest->bytes, m->bytes);

  auto head = c.headManifest("library/app", "v1");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->value_or(""), *d1);
  auto absent = c.headManifest("library/app", "nope");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());

  auto missing = c.getManifest("library/app", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_EQ(missing.error().message(), "reading manifest nope in " + reg_->addr() + "/library/app: manifest unknown");

  auto tags = c.listTags("library/app");
  ASSERT_TRUE(tags.ok()) << tags.error().what();
  std::sort(tags->begin(), tags->end());
  EXPECT_EQ(*tags, (std::vector<std::string>{"v1", "v2"}));
  auto no_repo = c.listTags("nothing/here");
  ASSERT_FALSE(no_repo.ok());
  EXPECT_EQ(no_repo.error().code(), Code::kNotFound);

  auto cat = c.catalog(100);
  ASSERT_TRUE(cat.ok()) << cat.error().what();
  EXPECT_EQ(*cat, (std::vector<std::string>{"library/app", "other"}));
  auto one = c.catalog(1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);

  // A manifest naming a blob the registry lacks is refused.
  image::Manifest bad;
  bad.media_type = image::media::kOciManifest;
  bad.config = image::makeDescriptor(image::media::kOciConfig, sha256Digest("x"), 1);
  Status st = c.putManifest("library/app", "bad", image::serializeManifest(bad),
                            std::string(image::media::kOciManifest));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("blob unknown"), std::string::npos) << st.error().message();
}

TEST_F(RegistryTest, MountBlobAcrossRepos) {
  startRegistry();
  RegistryClient c(reg_->addr(), insecure());
  std::string data = randomBytes(10000, 3);
  ASSERT_TRUE(upload(c, "src/repo", data).ok());
  auto mounted = c.mountBlob("dst/repo", sha256Digest(data), "src/repo");
  ASSERT_TRUE(mounted.ok()) << mounted.error().what();
  EXPECT_TRUE(*mounted);
  EXPECT_TRUE(*c.blobExists("dst/repo", sha256Digest(data)));
  auto not_mounted = c.mountBlob("dst/repo", sha256Digest("absent"), "src/repo");
  ASSERT_TRUE(not_mounted.ok()) << not_mounted.error().what();
  EXPECT_FALSE(*not_mounted);
}

TEST_F(RegistryTest, CorruptedBlobIsDataLoss) {
  startRegistry();
  RegistryClient c(reg_->addr(), insecure());
  std::string data = randomBytes(200000, 4);
  std::string digest = sha256Digest(data);
  ASSERT_TRUE(upload(c, "x/y", data).ok());
  std::string corrupt = data;
  corrupt[1000] ^= 0x55;
  ASSERT_TRUE(fs::writeFileAtomic(reg_->blobDataPath(digest), corrupt).ok());
  auto r = c.openBlob("x/y", digest, data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  auto got = readAll(*r);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), Code::kDataLoss);
  EXPECT_NE(got.error().message().find("digest mismatch for " + digest + ": got " +
                                       sha256Digest(corrupt)),
            std::string::npos)
      << got.error().message();

  // A wrong expected size is a data loss too.
  ASSERT_TRUE(upload(c, "x/y", "tiny blob").ok());
  // (Found with the first bytes, so openBlob itself may report it.)
  auto small = c.openBlob("x/y", sha256Digest("tiny blob"), 4);
  Result<std::string> sgot = small.ok() ? readAll(*small) : Result<std::string>(small.error());
  ASSERT_FALSE(sgot.ok());
  EXPECT_EQ(sgot.error().code(), Code::kDataLoss);
  EXPECT_NE(sgot.error().message().find("size mismatch"), std::string::npos);
}

TEST_F(RegistryTest, ResumesAfterRegistryRestart) {
  startRegistry();
  ClientOptions o = insecure();
  o.retries = 5;
  o.retry_delay_ms = 50;
  RegistryClient c(reg_->addr(), o);
  std::string data = randomBytes(48 << 20, 5);
  std::string digest = sha256Digest(data);
  ASSERT_TRUE(upload(c, "big/blob", data).ok());

  auto r = c.openBlob("big/blob", digest, data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  std::string got;
  char buf[65536];
  while (got.size() < (1u << 20)) {
    size_t n = *(*r)(buf, sizeof(buf));
    ASSERT_GT(n, 0u);
    got.append(buf, n);
  }
  ASSERT_TRUE(reg_->restart().ok());
  auto rest = readAll(*r);
  ASSERT_TRUE(rest.ok()) << rest.error().what();
  got += *rest;
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
}

TEST_F(RegistryTest, KilledRegistryIsUnavailableThenRetrySucceeds) {
  startRegistry();
  ClientOptions o = insecure();
  o.retries = 2;
  o.retry_delay_ms = 10;
  RegistryClient c(reg_->addr(), o);
  // Larger than what the kernel can hold in flight on loopback (tcp_rmem's 32 MB maximum here
  // plus the registry's send buffer): otherwise the whole blob may already be received when the
  // registry is killed, and the read rightly succeeds.
  std::string data = randomBytes(128 << 20, 6);
  std::string digest = sha256Digest(data);
  ASSERT_TRUE(upload(c, "big/blob", data).ok());
  {
    auto r = c.openBlob("big/blob", digest, data.size());
    ASSERT_TRUE(r.ok()) << r.error().what();
    char buf[65536];
    ASSERT_GT(*(*r)(buf, sizeof(buf)), 0u);
    reg_->kill();
    auto rest = readAll(*r);
    ASSERT_FALSE(rest.ok());
    EXPECT_EQ(rest.error().code(), Code::kUnavailable) << rest.error().what();
    EXPECT_NE(rest.error().message().find("connection refused"), std::string::npos)
        << rest.error().message();
  }
  ASSERT_TRUE(reg_->restart().ok());
  auto r = c.openBlob("big/blob", digest, data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  auto all = readAll(*r);
  ASSERT_TRUE(all.ok()) << all.error().what();
  EXPECT_TRUE(*all == data);
}

TEST_F(RegistryTest, BasicAuth) {
  std::string htpasswd = dir_.path() + "/htpasswd";
  ASSERT_TRUE(fs::writeFileAtomic(htpasswd, *testing::htpasswdLine("alice", "s3cret") + "\n").ok());
  testing::RegistryOptions ro;
  ro.htpasswd_file = htpasswd;
  startRegistry(ro);

  ClientOptions good = insecure();
  good.creds = Credentials{"alice", "s3cret", ""};
  RegistryClient c(reg_->addr(), good);
  Status st = c.ping();
  ASSERT_TRUE(st.ok()) << st.error().what();
  auto d = pushImage(c, "alice/app", "v1");
  ASSERT_TRUE(d.ok()) << d.error().what();
  auto m = c.getManifest("alice/app", "v1");
  ASSERT_TRUE(m.ok()) << m.error().what();

  ClientOptions bad = insecure();
  bad.creds = Credentials{"alice", "wrong", ""};
  RegistryClient b(reg_->addr(), bad);
  st = b.ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kPermissionDenied);
  EXPECT_NE(st.error().message().find(reg_->addr()), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("unable to retrieve auth token: invalid username/password: "
                                      "unauthorized"),
            std::string::npos)
      << st.error().message();

  RegistryClient anon(reg_->addr(), insecure());
  auto am = anon.getManifest("alice/app", "v1");
  ASSERT_FALSE(am.ok());
  EXPECT_EQ(am.error().code(), Code::kPermissionDenied);
  EXPECT_NE(am.error().message().find("authentication required: " + reg_->addr() +
                                      ": log in with berth login " + reg_->addr()),
            std::string::npos)
      << am.error().message();
}

TEST_F(RegistryTest, BearerTokenFlow) {
  TokenServer::Options to;
  to.issuer = "berth-test-issuer";
  to.service = "berth-test";
  to.signer = certs().signer;
  to.user = "bob";
  to.password = "hunter2";
  to.refresh_token = "refresh-me";
  auto ts = TokenServer::start(to);
  ASSERT_TRUE(ts.ok()) << ts.error().what();
  testing::RegistryOptions ro;
  ro.token_realm = (*ts)->realm();
  ro.token_service = to.service;
  ro.token_issuer = to.issuer;
  ro.token_rootcert = certs().signer.cert;
  startRegistry(ro);

  ClientOptions good = insecure();
  good.creds = Credentials{"bob", "hunter2", ""};
  RegistryClient c(reg_->addr(), good);
  Status st = c.ping();
  ASSERT_TRUE(st.ok()) << st.error().what();
  auto d = pushImage(c, "bob/app", "v1");
  ASSERT_TRUE(d.ok()) << d.error().what();
  auto m = c.getManifest("bob/app", *d);
  ASSERT_TRUE(m.ok()) << m.error().what();
  std::string data = randomBytes(4096, 7);  // the layer pushImage uploaded
  auto r = c.openBlob("bob/app", sha256Digest(data), data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_TRUE(*readAll(*r) == data);
  auto mounted = c.mountBlob("bob/copy", sha256Digest(data), "bob/app");
  ASSERT_TRUE(mounted.ok()) << mounted.error().what();
  EXPECT_TRUE(*mounted);
  // Tokens are cached per scope: far fewer token requests than registry requests.
  EXPECT_LE((*ts)->requests(), 6);

  ClientOptions idt = insecure();
  idt.creds = Credentials{"", "", "refresh-me"};
  RegistryClient ci(reg_->addr(), idt);
  auto tags = ci.listTags("bob/app");
  ASSERT_TRUE(tags.ok()) << tags.error().what();
  EXPECT_EQ(*tags, std::vector<std::string>{"v1"});

  ClientOptions bad = insecure();
  bad.creds = Credentials{"bob", "nope", ""};
  RegistryClient b(reg_->addr(), bad);
  st = b.ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kPermissionDenied);
  EXPECT_NE(st.error().message().find("unable to retrieve auth token: invalid username/password"),
            std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find(reg_->addr()), std::string::npos) << st.error().message();
}

TEST_F(RegistryTest, TlsWithCertDir) {
  testing::RegistryOptions ro;
  ro.tls = certs().server;
  startRegistry(ro);

  ClientOptions with_ca;
  with_ca.cert_dir = certs().ca_dir;
  RegistryClient c(reg_->addr(), with_ca);
  Status st = c.ping();
  ASSERT_TRUE(st.ok()) << st.error().what();
  auto d = pushImage(c, "tls/app", "v1");
  ASSERT_TRUE(d.ok()) << d.error().what();
  std::string data = randomBytes(4096, 7);
  auto r = c.openBlob("tls/app", sha256Digest(data), data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_TRUE(*readAll(*r) == data);

  ClientOptions plain;
  plain.retry_delay_ms = 10;
  RegistryClient n(reg_->addr(), plain);
  st = n.ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_NE(st.error().message().find("x509: certificate signed by unknown authority"),
            std::string::npos)
      << st.error().message();
  EXPECT_NE(st.error().message().find("--tls-verify=false"), std::string::npos);

  ClientOptions noverify;
  noverify.tls_verify = false;
  RegistryClient nv(reg_->addr(), noverify);
  st = nv.ping();
  EXPECT_TRUE(st.ok()) << st.error().what();

  // An insecure registry that does speak TLS stays on https.
  RegistryClient in(reg_->addr(), insecure());
  EXPECT_TRUE(in.ping().ok());
}

TEST_F(RegistryTest, HttpsRequiredUnlessInsecure) {
  startRegistry();
  ClientOptions strict;
  strict.retries = 0;
  RegistryClient s(reg_->addr(), strict);
  Status st = s.ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_NE(st.error().message().find("http: server gave HTTP response to HTTPS client"),
            std::string::npos)
      << st.error().message();

  RegistryClient in(reg_->addr(), insecure());
  EXPECT_TRUE(in.ping().ok());
}

TEST(RegistryUnreachable, ConnectionRefusedAfterRetries) {
  ClientOptions o;
  o.retries = 2;
  o.retry_delay_ms = 10;
  RegistryClient c("127.0.0.1:1", o);
  auto m = c.getManifest("a", "latest");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Code::kUnavailable);
  EXPECT_NE(m.error().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_NE(m.error().message().find("connect: connection refused"), std::string::npos);
}

// ---- Scripted servers: behaviours docker-registry does not show ----

using testing::MiniHttpServer;

ClientOptions fastInsecure() {
  ClientOptions o;
  o.insecure_http = true;
  o.retry_delay_ms = 5;
  return o;
}

TEST(ScriptedRegistry, Schema1IsUnimplemented) {
  auto srv = MiniHttpServer::start([](const MiniHttpServer::Request& r) {
    return MiniHttpServer::Response{
        200,
        {{"Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws"}},
        R"({"schemaVersion":1,"name":"old","tag":"v1","fsLayers":[]})"};
  });
  ASSERT_TRUE(srv.ok());
  RegistryClient c("127.0.0.1:" + std::to_string((*srv)->port()), fastInsecure());
  auto m = c.getManifest("old", "v1");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Code::kUnimplemented);
  EXPECT_NE(
      m.error().message().find(
          "unsupported manifest type application/vnd.docker.distribution.manifest.v1+prettyjws"),
      std::string::npos)
      << m.error().message();
}

TEST(ScriptedRegistry, ManifestDigestMismatchIsDataLoss) {
  auto srv = MiniHttpServer::start([](const MiniHttpServer::Request& r) {
    return MiniHttpServer::Response{
        200, {{"Content-Type", std::string(image::media::kOciManifest)}}, R"({"schemaVersion":2})"};
  });
  ASSERT_TRUE(srv.ok());
  RegistryClient c("127.0.0.1:" + std::to_string((*srv)->port()), fastInsecure());
  std::string want = sha256Digest("something else");
  auto m = c.getManifest("x", want);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Code::kDataLoss);
  EXPECT_NE(m.error().message().find(want), std::string::npos);
  EXPECT_NE(m.error().message().find(sha256Digest(R"({"schemaVersion":2})")), std::string::npos)
      << m.error().message();
}

TEST(ScriptedRegistry, RedirectDropsCredentialsForOtherHost) {
  std::string data = randomBytes(300000, 9);
  std::string digest = sha256Digest(data);
  std::mutex mu;
  std::vector<std::string> storage_auth;
  auto storage = MiniHttpServer::start([&](const MiniHttpServer::Request& r) {
    std::lock_guard lock(mu);
    storage_auth.push_back(r.header("authorization"));
    return MiniHttpServer::Response{200, {}, data};
  });
  ASSERT_TRUE(storage.ok());
  std::string storage_url = (*storage)->url();
  auto reg = MiniHttpServer::start([&](const MiniHttpServer::Request& r) {
    if (r.header("authorization") != "Basic " + std::string("dTpw"))  // u:p
      return MiniHttpServer::Response{401, {{"WWW-Authenticate", R"(Basic realm="r")"}}, ""};
    return MiniHttpServer::Response{307, {{"Location", storage_url + "/blob?sig=abc"}}, ""};
  });
  ASSERT_TRUE(reg.ok());
  ClientOptions o = fastInsecure();
  o.creds = Credentials{"u", "p", ""};
  RegistryClient c("127.0.0.1:" + std::to_string((*reg)->port()), o);
  auto r = c.openBlob("r", digest, data.size());
  ASSERT_TRUE(r.ok()) << r.error().what();
  auto got = readAll(*r);
  ASSERT_TRUE(got.ok()) << got.error().what();
  EXPECT_TRUE(*got == data);
  std::lock_guard lock(mu);
  ASSERT_EQ(storage_auth.size(), 1u);
  EXPECT_EQ(storage_auth[0], "");
}

TEST(ScriptedRegistry, RetriesServerErrorsAndFollowsTagPages) {
  std::atomic<int> calls{0};
  auto srv = MiniHttpServer::start([&](const MiniHttpServer::Request& r) {
    int n = calls++;
    if (n == 0) return MiniHttpServer::Response{503, {}, "busy"};
    if (r.target == "/v2/p/tags/list")
      return MiniHttpServer::Response{200,
                                      {{"Link", R"(</v2/p/tags/list?last=b&n=2>; rel="next")"}},
                                      R"({"name":"p","tags":["a","b"]})"};
    if (r.target == "/v2/p/tags/list?last=b&n=2")
      return MiniHttpServer::Response{200, {}, R"({"name":"p","tags":["c"]})"};
    return MiniHttpServer::Response{
        404, {}, R"({"errors":[{"code":"NAME_UNKNOWN","message":"x"}]})"};
  });
  ASSERT_TRUE(srv.ok());
  RegistryClient c("127.0.0.1:" + std::to_string((*srv)->port()), fastInsecure());
  auto tags = c.listTags("p");
  ASSERT_TRUE(tags.ok()) << tags.error().what();
  EXPECT_EQ(*tags, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ScriptedRegistry, PersistentServerErrorIsUnavailable) {
  std::atomic<int> calls{0};
  auto srv = MiniHttpServer::start([&](const MiniHttpServer::Request& r) {
    if (r.target.starts_with("/v2/p/")) ++calls;
    return MiniHttpServer::Response{
        500, {}, R"({"errors":[{"code":"UNKNOWN","message":"disk on fire"}]})"};
  });
  ASSERT_TRUE(srv.ok());
  ClientOptions o = fastInsecure();
  o.retries = 2;
  RegistryClient c("127.0.0.1:" + std::to_string((*srv)->port()), o);
  auto m = c.getManifest("p", "latest");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Code::kUnavailable);
  EXPECT_NE(m.error().message().find("disk on fire"), std::string::npos) << m.error().message();
  EXPECT_EQ(calls.load(), 3);  // the request and two retries
}

}  // namespace
}  // namespace berth::registry
