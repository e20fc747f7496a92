// Unit tests of the registry client's parsers: challenges, error bodies, URLs.
#include <gtest/gtest.h>

#include "registry/auth.h"
#include "registry/errors.h"
#include "registry/http.h"
#include "registry/registry_client.h"

namespace berth::registry {
namespace {

TEST(Challenge, ParsesBearerParams) {
  auto cs = parseChallenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bearer");
  EXPECT_EQ(cs[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(cs[0].param("service"), "registry.docker.io");
  EXPECT_EQ(cs[0].param("scope"), "repository:library/busybox:pull");
}

TEST(Challenge, PrefersBearerOverBasic) {
  auto c = chooseChallenge({R"(Basic realm="r")", R"(Bearer realm="https://t/token")"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "bearer");
  c = chooseChallenge({R"(Basic realm="basic-realm")"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "basic");
  EXPECT_EQ(c->param("realm"), "basic-realm");
  EXPECT_FALSE(chooseChallenge({"Negotiate"}));
}

TEST(Challenge, SeveralInOneHeader) {
  auto cs = parseChallenges(R"(Basic realm="a", Bearer realm="b",service=s)");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[1].scheme, "bearer");
  EXPECT_EQ(cs[1].param("service"), "s");
}

TEST(Token, ParsesTokenOrAccessToken) {
  EXPECT_EQ(*parseTokenResponse(R"({"token":"a"})"), "a");
  EXPECT_EQ(*parseTokenResponse(R"({"access_token":"b","expires_in":60})"), "b");
  EXPECT_EQ(parseTokenResponse("{}").error().code(), Code::kPermissionDenied);
}

TEST(Errors, MapsRegistryCodes) {
  Error e = registryError(
      404, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]})");
  EXPECT_EQ(e.code(), Code::kNotFound);
  EXPECT_EQ(e.message(), "manifest unknown");
  e = registryError(404,
                    R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})");
  EXPECT_EQ(e.message(), "blob unknown: blob unknown to registry");
  EXPECT_EQ(registryError(401, R"({"errors":[{"code":"UNAUTHORIZED","message":"x"}]})").code(),
            Code::kPermissionDenied);
  EXPECT_EQ(registryError(400, R"({"errors":[{"code":"DIGEST_INVALID"}]})").code(),
            Code::kInvalidArgument);
  EXPECT_EQ(registryError(503, "<html>").code(), Code::kUnavailable);
  EXPECT_EQ(registryError(418, "").code(), Code::kUnknown);
  EXPECT_TRUE(isTransientStatus(502));
  EXPECT_TRUE(isTransientStatus(429));
  EXPECT_FALSE(isTransientStatus(404));
}

TEST(Url, Resolves) {
  EXPECT_EQ(resolveUrl("http://h:5/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/x?_state=1"),
            "http://h:5/v2/a/blobs/uploads/x?_state=1");
  EXPECT_EQ(resolveUrl("http://h:5/v2/a", "https://s3/x"), "https://s3/x");
  EXPECT_EQ(resolveUrl("http://h:5/v2/a/b?q", "c"), "http://h:5/v2/a/c");
  EXPECT_EQ(urlOrigin("https://h:5/v2/"), "https://h:5");
  EXPECT_EQ(urlEscape("sha256:ab/c d"), "sha256%3Aab%2Fc%20d");
  EXPECT_EQ(base64Encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64Encode("a"), "YQ==");
  EXPECT_EQ(base64Encode("ab"), "YWI=");
}

TEST(Endpoint, DockerHub) {
  EXPECT_EQ(registryEndpoint("docker.io"), "registry-1.docker.io");
  EXPECT_EQ(registryEndpoint("127.0.0.1:5000"), "127.0.0.1:5000");
}

TEST(Transport, ConnectionRefusedIsUnavailableNamingRegistry) {
  ClientOptions o;
  o.retries = 1;
  o.retry_delay_ms = 1;
  RegistryClient c("127.0.0.1:1", o);
  Status st = c.ping();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kUnavailable);
  EXPECT_EQ(st.error().message(),
            "pinging container registry 127.0.0.1:1: Get \"https://127.0.0.1:1/v2/\": dial tcp "
            "127.0.0.1:1: connect: connection refused");
}

}  // namespace
}  // namespace berth::registry
