// Tests for image reference parsing and normalisation.
#include "image/reference.h"

#include <gtest/gtest.h>

namespace berth::image {
namespace {

struct NormCase {
  std::string input;
  std::string domain, path, tag, digest;
};

constexpr char kHex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ReferenceTest, ParseNormalizedNamedValid) {
  std::string d = std::string("sha256:") + kHex;
  std::vector<NormCase> cases = {
      {"busybox", "docker.io", "library/busybox", "", ""},
      {"busybox:latest", "docker.io", "library/busybox", "latest", ""},
      {"busybox:1.36.1-musl", "docker.io", "library/busybox", "1.36.1-musl", ""},
      {"library/busybox", "docker.io", "library/busybox", "", ""},
      {"docker.io/busybox", "docker.io", "library/busybox", "", ""},
      {"index.docker.io/busybox", "docker.io", "library/busybox", "", ""},
      {"docker.io/library/busybox:1", "docker.io", "library/busybox", "1", ""},
      {"foo/bar", "docker.io", "foo/bar", "", ""},
      {"foo/bar/baz", "docker.io", "foo/bar/baz", "", ""},
      {"quay.io/a/b:1", "quay.io", "a/b", "1", ""},
      {"quay.io/b", "quay.io", "b", "", ""},
      {"localhost/x", "localhost", "x", "", ""},
      {"localhost:5000/x", "localhost:5000", "x", "", ""},
      {"localhost:5000/x@" + d, "localhost:5000", "x", "", d},
      {"localhost:5000/x:t@" + d, "localhost:5000", "x", "t", d},
      {"busybox@" + d, "docker.io", "library/busybox", "", d},
      {"127.0.0.1:5000/a-b/c__d/e.f/g--h", "127.0.0.1:5000", "a-b/c__d/e.f/g--h", "", ""},
      {"[::1]:5000/x", "[::1]:5000", "x", "", ""},
      {"registry.Example.com/x", "registry.Example.com", "x", "", ""},
      {"my-registry/x", "docker.io", "my-registry/x", "", ""},
      {"x:Tag_With.UPPER-case", "docker.io", "library/x", "Tag_With.UPPER-case", ""},
      {"x:" + std::string(128, 'a'), "docker.io", "library/x", std::string(128, 'a'), ""},
      {"abc", "docker.io", "library/abc", "", ""},  // short hex is a name here
  };
  for (const auto& c : cases) {
    auto r = parseNormalizedNamed(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().what();
    EXPECT_EQ(r->domain, c.domain) << c.input;
    EXPECT_EQ(r->path, c.path) << c.input;
    EXPECT_EQ(r->tag, c.tag) << c.input;
    EXPECT_EQ(r->digest, c.digest) << c.input;
  }
}

struct ErrCase {
  std::string input;
  std::string want;  // substring of the message
};

TEST(ReferenceTest, ParseNormalizedNamedErrors) {
  std::vector<ErrCase> cases = {
      {"", "at least one component"},
      {"Busybox", "repository name must be lowercase"},
      {"docker.io/Library/busybox", "repository name must be lowercase"},
      {"quay.io/a/B:1", "repository name must be lowercase"},
      {"busy!box", "invalid character '!'"},
      {"busy box", "invalid character ' '"},
      {"busybox:", "empty tag"},
      {"busybox:-x", "must start with"},
      {"busybox:a/b", "invalid port"},  // "busybox:a" holds a ':': it is a domain
      {"busybox:" + std::string(129, 'a'), "longer than 128"},
      {"busybox:a:b", "invalid character ':'"},
      {"busybox:t!", "invalid character '!'"},
      {"a..b", "invalid separator"},
      {"a___b", "invalid separator"},
      {"a._b", "invalid separator"},
      {"-a", "must start and end"},
      {"a-", "must start and end"},
      {"a//b", "empty path component"},
      {"quay.io/", "at least one component"},
      {"busybox@", "invalid checksum digest format"},
      {"busybox@sha256:abc", "invalid checksum digest length"},
      {"busybox@md5:" + std::string(32, 'a'), "unsupported digest algorithm"},
      {"busybox@sha256:" + std::string(64, 'A'), "invalid checksum digest format"},
      {"quay.io:/x", "empty port"},
      {"quay.io:12a/x", "invalid port"},
      {"-quay.io/x", "invalid domain"},
      {"quay..io/x", "invalid domain"},
      {kHex, "cannot specify 64-byte hexadecimal strings"},
      {"quay.io/" + std::string(250, 'a'), "not be more than 255 characters"},
  };
  for (const auto& c : cases) {
    auto r = parseNormalizedNamed(c.input);
    ASSERT_FALSE(r.ok()) << c.input << " parsed as " << r->string();
    EXPECT_EQ(r.error().code(), Code::kInvalidArgument) << c.input;
    EXPECT_NE(r.error().message().find(c.want), std::string::npos)
        << c.input << ": " << r.error().message();
    if (!c.input.empty() && c.input != kHex) {
      EXPECT_NE(r.error().message().find("invalid reference format"), std::string::npos)
          << r.error().message();
    }
  }
}

TEST(ReferenceTest, StringAndFamiliar) {
  struct Case {
    std::string input, string, familiar;
  };
  std::string d = std::string("sha256:") + kHex;
  std::vector<Case> cases = {
      {"busybox", "docker.io/library/busybox", "busybox"},
      {"busybox:1", "docker.io/library/busybox:1", "busybox:1"},
      {"foo/bar:2", "docker.io/foo/bar:2", "foo/bar:2"},
      {"library/a/b", "docker.io/library/a/b", "library/a/b"},
      {"quay.io/a/b@" + d, "quay.io/a/b@" + d, "quay.io/a/b@" + d},
      {"localhost/x:t@" + d, "localhost/x:t@" + d, "localhost/x:t@" + d},
  };
  for (const auto& c : cases) {
    auto r = parseNormalizedNamed(c.input);
    ASSERT_TRUE(r.ok()) << c.input;
    EXPECT_EQ(r->string(), c.string);
    EXPECT_EQ(r->familiar(), c.familiar);
  }
  EXPECT_EQ(parseNormalizedNamed("quay.io/a/b:1")->name(), "quay.io/a/b");
}

TEST(ReferenceTest, WithDefaultTag) {
  std::string d = std::string("sha256:") + kHex;
  EXPECT_EQ(withDefaultTag(*parseNormalizedNamed("busybox")).string(),
            "docker.io/library/busybox:latest");
  EXPECT_EQ(withDefaultTag(*parseNormalizedNamed("busybox:1")).string(),
            "docker.io/library/busybox:1");
  EXPECT_EQ(withDefaultTag(*parseNormalizedNamed("busybox@" + d)).string(),
            "docker.io/library/busybox@" + d);
}

TEST(ReferenceTest, ParseNamedKeepsShortNames) {
  struct Case {
    std::string input, domain, path, tag;
  };
  std::vector<Case> cases = {
      {"busybox", "", "busybox", ""},
      {"busybox:1", "", "busybox", "1"},
      {"foo/bar:2", "", "foo/bar", "2"},
      {"library/busybox", "", "library/busybox", ""},
      {"quay.io/a/b:3", "quay.io", "a/b", "3"},
      {"docker.io/busybox", "docker.io", "library/busybox", ""},
      {"localhost/x", "localhost", "x", ""},
  };
  for (const auto& c : cases) {
    auto r = parseNamed(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().what();
    EXPECT_EQ(r->domain, c.domain) << c.input;
    EXPECT_EQ(r->path, c.path) << c.input;
    EXPECT_EQ(r->tag, c.tag) << c.input;
  }
  EXPECT_EQ(parseNamed("foo/bar:2")->string(), "foo/bar:2");
  EXPECT_FALSE(parseNamed("Busybox").ok());
  EXPECT_FALSE(parseNamed(kHex).ok());
  EXPECT_FALSE(parseNamed("").ok());
  EXPECT_FALSE(parseNamed("/busybox").ok());
}

TEST(ReferenceTest, NormalizeLocalName) {
  std::string d = std::string("sha256:") + kHex;
  struct Case {
    std::string input, want;
  };
  std::vector<Case> cases = {
      {"latest", "localhost/latest:latest"},
      {"busybox:1", "localhost/busybox:1"},
      {"foo/bar", "localhost/foo/bar:latest"},
      {"docker.io/busybox", "docker.io/library/busybox:latest"},
      {"docker.io/library/busybox:latest", "docker.io/library/busybox:latest"},
      {"quay.io/a/b:1@" + d, "quay.io/a/b@" + d},
      {"quay.io/a/b@" + d, "quay.io/a/b@" + d},
  };
  for (const auto& c : cases) {
    auto r = normalizeLocalName(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().what();
    EXPECT_EQ(r->string(), c.want) << c.input;
  }
  EXPECT_FALSE(normalizeLocalName("Foo").ok());
}

TEST(ReferenceTest, IsShortName) {
  struct Case {
    std::string input;
    bool want;
  };
  std::vector<Case> cases = {
      {"busybox", true},         {"busybox:1", true},         {"foo/bar", true},
      {"library/busybox", true}, {"localhost:5000", true},    {"quay.io/a", false},
      {"localhost/a", false},    {"localhost:5000/a", false}, {"docker.io/a", false},
      {"a:1/b", false},
  };
  for (const auto& c : cases) EXPECT_EQ(isShortName(c.input), c.want) << c.input;
}

TEST(ReferenceTest, LooksLikeId) {
  EXPECT_TRUE(looksLikeId(kHex));
  EXPECT_TRUE(looksLikeId("abc123"));
  EXPECT_TRUE(looksLikeId(std::string("sha256:") + kHex));
  EXPECT_TRUE(looksLikeId("sha256:abc"));
  EXPECT_FALSE(looksLikeId(""));
  EXPECT_FALSE(looksLikeId("sha256:"));
  EXPECT_FALSE(looksLikeId("busybox"));
  EXPECT_FALSE(looksLikeId("ABC123"));
  EXPECT_FALSE(looksLikeId(std::string(kHex) + "0"));
  EXPECT_TRUE(isFullId(kHex));
  EXPECT_TRUE(isFullId(std::string("sha256:") + kHex));
  EXPECT_FALSE(isFullId("abc123"));
}

}  // namespace
}  // namespace berth::image
