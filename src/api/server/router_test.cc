// Router and error-table tests.
#include <gtest/gtest.h>

#include "api/server/errors.h"
#include "api/server/router.h"
#include "api/server/routes.h"

namespace berth::api::server {
namespace {

Handler tag(int n, int* hit) {
  return [n, hit](Call&) -> Status {
    *hit = n;
    return {};
  };
}

TEST(Router, VersionedAndUnversionedCompat) {
  Router r;
  int hit = 0;
  r.add("GET", Tree::kCompat, "/containers/json", tag(1, &hit));
  auto m = r.match("GET", "/v1.41/containers/json");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.version, "1.41");
  EXPECT_EQ(m.tree, Tree::kCompat);
  m = r.match("GET", "/containers/json");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.version, "");
  EXPECT_EQ(r.match("GET", "/v1.41/libpod/containers/json").route, nullptr);
}

TEST(Router, LibpodTree) {
  Router r;
  int hit = 0;
  r.add("GET", Tree::kLibpod, "/containers/{name}/json", tag(1, &hit));
  auto m = r.match("GET", "/v4.3.1/libpod/containers/abc/json");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.tree, Tree::kLibpod);
  EXPECT_EQ(m.params["name"], "abc");
  EXPECT_EQ(m.version, "4.3.1");
  EXPECT_EQ(r.match("GET", "/v4.3.1/containers/abc/json").route, nullptr);
}

TEST(Router, GreedyImageNames) {
  Router r;
  int hit = 0;
  r.add("GET", Tree::kCompat, "/images/json", tag(1, &hit));
  r.add("GET", Tree::kCompat, "/images/{name:.*}/json", tag(2, &hit));
  r.add("POST", Tree::kCompat, "/images/{name:.*}/tag", tag(3, &hit));
  r.add("DELETE", Tree::kCompat, "/images/{name:.*}", tag(4, &hit));
  auto m = r.match("GET", "/v1.41/images/localhost:5000/a/b:1/json");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params["name"], "localhost:5000/a/b:1");
  m = r.match("GET", "/images/json");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/images/json");
  m = r.match("DELETE", "/images/quay.io/x/y%3Atag");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params["name"], "quay.io/x/y:tag");
  m = r.match("POST", "/images/a%2Fb/tag");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params["name"], "a/b");
}

// The observation and tuning routes land on their own patterns, not on a neighbour's
// parameter ("stats" as a container name, "search" as an image name).
TEST(Router, ObservationRoutes) {
  Router r;
  registerAllRoutes(r);
  struct Case {
    const char *method, *path, *pattern;
    Tree tree;
  };
  for (const Case& k : {
           Case{"GET", "/v4.3.1/libpod/events", "/events", Tree::kLibpod},
           Case{"GET", "/v1.41/events", "/events", Tree::kCompat},
           Case{"GET", "/v4.3.1/libpod/system/df", "/system/df", Tree::kLibpod},
           Case{"GET", "/v1.41/system/df", "/system/df", Tree::kCompat},
           Case{"POST", "/v4.3.1/libpod/system/prune", "/system/prune", Tree::kLibpod},
           Case{"GET", "/v4.3.1/libpod/containers/stats", "/containers/stats", Tree::kLibpod},
           Case{"GET", "/v4.3.1/libpod/containers/abc/stats", "/containers/{name}/stats", Tree::kLibpod},
           Case{"GET", "/v1.41/containers/abc/stats", "/containers/{name}/stats", Tree::kCompat},
           Case{"POST", "/v4.3.1/libpod/containers/abc/update", "/containers/{name}/update", Tree::kLibpod},
           Case{"POST", "/v1.41/containers/abc/update", "/containers/{name}/update", Tree::kCompat},
           Case{"GET", "/v4.3.1/libpod/images/search", "/images/search", Tree::kLibpod},
           Case{"GET", "/v1.41/images/search", "/images/search", Tree::kCompat},
           Case{"GET", "/v4.3.1/libpod/pods/stats", "/pods/stats", Tree::kLibpod},
           Case{"GET", "/v4.3.1/libpod/pods/p/top", "/pods/{name}/top", Tree::kLibpod},
       }) {
    auto m = r.match(k.method, k.path);
    ASSERT_NE(m.route, nullptr) << k.method << " " << k.path;
    EXPECT_EQ(m.route->pattern, k.pattern) << k.path;
    EXPECT_EQ(m.tree, k.tree) << k.path;
  }
  EXPECT_EQ(r.match("POST", "/v1.41/system/prune").route, nullptr);  // libpod only, as in podman
}

TEST(Router, MethodMismatchAndHeadFallback) {
  Router r;
  int hit = 0;
  r.add("GET", Tree::kCompat, "/version", tag(1, &hit));
  auto m = r.match("POST", "/version");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.method_mismatch);
  m = r.match("HEAD", "/version");
  ASSERT_NE(m.route, nullptr);
  m = r.match("GET", "/nope");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.method_mismatch);
}

TEST(Router, BadEscapesAndVersions) {
  Router r;
  int hit = 0;
  r.add("GET", Tree::kCompat, "/containers/{name}/json", tag(1, &hit));
  EXPECT_FALSE(r.match("GET", "/containers/%zz/json").bad_request.empty());
  EXPECT_FALSE(r.match("GET", "/v1.4_1/containers/x/json").bad_request.empty());
  int ma, mi, pa;
  ASSERT_TRUE(parseVersion("4.3.1", ma, mi, pa));
  EXPECT_EQ(ma * 100 + mi * 10 + pa, 431);
  ASSERT_TRUE(parseVersion("1.41", ma, mi, pa));
  EXPECT_EQ(mi, 41);
  EXPECT_FALSE(parseVersion("abc", ma, mi, pa));
}

TEST(Errors, CodeTable) {
  EXPECT_EQ(httpStatus(Code::kNotFound), 404);
  EXPECT_EQ(httpStatus(Code::kAlreadyExists), 409);
  EXPECT_EQ(httpStatus(Code::kConflict), 409);
  EXPECT_EQ(httpStatus(Code::kInvalidArgument), 400);
  EXPECT_EQ(httpStatus(Code::kInternal), 500);
  EXPECT_EQ(httpStatus(Code::kUnknown), 500);
  Error e(Code::kNotFound, "no container with name or ID \"x\" found: no such container");
  auto lib = errorBody(Tree::kLibpod, 404, e);
  EXPECT_EQ(lib["cause"], "no such container");
  EXPECT_EQ(lib["response"], 404);
  EXPECT_EQ(lib["message"], e.message());
  auto compat = errorBody(Tree::kCompat, 404, e);
  EXPECT_EQ(compat.size(), 1u);
  EXPECT_EQ(compat["message"], e.message());
}

}  // namespace
}  // namespace berth::api::server
