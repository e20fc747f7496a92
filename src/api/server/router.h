// Router: libpod routes under /v{version}/libpod/..., Docker-compatible routes under
// /v{version}/... and unversioned; {name:.*} parameters may span slashes (image names).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/server/http.h"
#include "base/result.h"

namespace berth::api::server {

enum class Tree { kCompat, kLibpod };

struct Call;
using Handler = std::function<Status(Call&)>;

struct Route {
  struct Seg {
    enum Kind { kLiteral, kParam, kGreedy } kind;
    std::string text;  // the literal, or the parameter's name
  };
  std::string method;
  Tree tree;
  std::string pattern;
  std::vector<Seg> segs;
  Handler handler;
  BodyMode body = BodyMode::kBuffer;
  // Served on the event loop: answers from the database and memory alone, never waits
  // on a container, a process, the network or the client.
  bool inline_ok = false;
};

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;
  Tree tree = Tree::kCompat;
  std::string version;          // "" when unversioned
  bool method_mismatch = false;  // the path exists with another method
  std::string bad_request;       // a malformed version or path escape
};

class Router {
 public:
  // `pattern` is relative to the tree: "/containers/{name}/json" in kLibpod
  // serves /v4.3.1/libpod/containers/x/json.
  void add(std::string_view method, Tree tree, std::string_view pattern, Handler h,
           BodyMode body = BodyMode::kBuffer);
  RouteMatch match(std::string_view method, std::string_view raw_path) const;
  // Marks the route (both trees) as served on the event loop (Route::inline_ok).
  void markInline(std::string_view method, std::string_view pattern);
  size_t size() const { return routes_.size(); }

 private:
  std::vector<Route> routes_;
};

// Splits "/v1.41/containers/json" into version "1.41" and the rest; "" when unversioned.
// False when the version is malformed.
bool splitVersion(std::string_view path, std::string& version, std::string_view& rest);

// Parses "4.3.1", "1.41", "v5" into numbers (missing parts 0); false when not numeric.
bool parseVersion(std::string_view v, int& major, int& minor, int& patch);

}  // namespace berth::api::server
