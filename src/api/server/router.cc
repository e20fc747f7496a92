// Route table and matching.
#include "api/server/router.h"

#include <cctype>

namespace berth::api::server {

namespace {

std::vector<std::string_view> splitPath(std::string_view p) {
  std::vector<std::string_view> out;
  if (!p.empty() && p[0] == '/') p.remove_prefix(1);
  if (p.empty()) return out;
  size_t i = 0;
  for (;;) {
    size_t s = p.find('/', i);
    out.push_back(p.substr(i, s == std::string_view::npos ? std::string_view::npos : s - i));
    if (s == std::string_view::npos) break;
    i = s + 1;
  }
  return out;
}

bool matchSegs(const std::vector<Route::Seg>& segs, size_t si, const std::vector<std::string_view>& parts,
               size_t pi, std::map<std::string, std::string>& params, bool& bad) {
  if (si == segs.size()) return pi == parts.size();
  const auto& s = segs[si];
  if (pi >= parts.size()) return false;
  switch (s.kind) {
    case Route::Seg::kLiteral:
      if (parts[pi] != s.text) return false;
      return matchSegs(segs, si + 1, parts, pi + 1, params, bad);
    case Route::Seg::kParam: {
      if (parts[pi].empty()) return false;
      std::string v;
      if (!percentDecode(parts[pi], v)) {
        bad = true;
        return false;
      }
      params[s.text] = std::move(v);
      if (matchSegs(segs, si + 1, parts, pi + 1, params, bad)) return true;
      params.erase(s.text);
      return false;
    }
    case Route::Seg::kGreedy: {
      // Longest first, as Go's regexp `.*` followed by literals would settle on.
      size_t min_rest = segs.size() - si - 1;
      for (size_t end = parts.size() - min_rest; end > pi; --end) {
        std::string raw;
        for (size_t k = pi; k < end; ++k) {
          if (k > pi) raw += '/';
          raw += parts[k];
        }
        if (raw.empty()) continue;
        std::string v;
        if (!percentDecode(raw, v)) {
          bad = true;
          return false;
        }
        params[s.text] = std::move(v);
        if (matchSegs(segs, si + 1, parts, end, params, bad)) return true;
        params.erase(s.text);
      }
      return false;
    }
  }
  return false;
}

}  // namespace

bool splitVersion(std::string_view path, std::string& version, std::string_view& rest) {
  version.clear();
  rest = path;
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v' || !std::isdigit(static_cast<unsigned char>(path[2])))
    return true;
  size_t end = path.find('/', 1);
  std::string_view v = path.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
  for (char c : v)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  version = std::string(v);
  rest = end == std::string_view::npos ? std::string_view("/") : path.substr(end);
  return true;
}

bool parseVersion(std::string_view v, int& major, int& minor, int& patch) {
  if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
  int parts[3] = {0, 0, 0};
  int idx = 0;
  bool digit = false;
  for (char c : v) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      parts[idx] = parts[idx] * 10 + (c - '0');
      if (parts[idx] > 100000) return false;
      digit = true;
    } else if (c == '.' && digit && idx < 2) {
      ++idx;
      digit = false;
    } else if (c == '-' || c == '+') {
      break;  // pre-release / build suffix
    } else {
      return false;
    }
  }
  if (!digit && idx == 0) return false;
  major = parts[0];
  minor = parts[1];
  patch = parts[2];
  return true;
}

void Router::add(std::string_view method, Tree tree, std::string_view pattern, Handler h, BodyMode body) {
  Route r;
  r.method = std::string(method);
  r.tree = tree;
  r.pattern = std::string(pattern);
  for (auto part : splitPath(pattern)) {
    if (part.size() > 2 && part.front() == '{' && part.back() == '}') {
      std::string name(part.substr(1, part.size() - 2));
      bool greedy = false;
      if (auto colon = name.find(':'); colon != std::string::npos) {
        greedy = name.substr(colon + 1) == ".*";
        name = name.substr(0, colon);
      }
      r.segs.push_back({greedy ? Route::Seg::kGreedy : Route::Seg::kParam, name});
    } else {
      r.segs.push_back({Route::Seg::kLiteral, std::string(part)});
    }
  }
  r.handler = std::move(h);
  r.body = body;
  routes_.push_back(std::move(r));
}

void Router::markInline(std::string_view method, std::string_view pattern) {
  for (auto& r : routes_)
    if (r.method == method && r.pattern == pattern) r.inline_ok = true;
}

RouteMatch Router::match(std::string_view method, std::string_view raw_path) const {
  RouteMatch m;
  std::string_view rest;
  if (!splitVersion(raw_path, m.version, rest)) {
    m.bad_request = "malformed API version in path " + std::string(raw_path);
    return m;
  }
  if (std::string scratch; !percentDecode(raw_path, scratch)) {
    m.bad_request = "invalid URL escape in path " + std::string(raw_path);
    return m;
  }
  if (rest == "/libpod" || rest.substr(0, 8) == "/libpod/") {
    m.tree = Tree::kLibpod;
    rest.remove_prefix(7);
  }
  auto parts = splitPath(rest);
  if (!parts.empty() && parts.back().empty() && parts.size() > 1) parts.pop_back();  // trailing slash
  bool bad = false;
  // HEAD falls back to a GET route (net/http answers HEAD with GET's headers).
  const Route* get_fallback = nullptr;
  std::map<std::string, std::string> get_params;
  for (const auto& r : routes_) {
    if (r.tree != m.tree) continue;
    if (r.segs.empty() || parts.empty()) {
      if (!(r.segs.empty() && parts.empty())) continue;
    } else if (r.segs[0].kind == Route::Seg::kLiteral && r.segs[0].text != parts[0]) {
      continue;
    }
    std::map<std::string, std::string> params;
    if (!matchSegs(r.segs, 0, parts, 0, params, bad)) {
      if (bad) {
        m.bad_request = "invalid URL escape in path " + std::string(raw_path);
        return m;
      }
      continue;
    }
    if (r.method == method) {
      m.route = &r;
      m.params = std::move(params);
      m.method_mismatch = false;
      return m;
    }
    if (method == "HEAD" && r.method == "GET" && !get_fallback) {
      get_fallback = &r;
      get_params = std::move(params);
    }
    m.method_mismatch = true;
  }
  if (get_fallback) {
    m.route = get_fallback;
    m.params = std::move(get_params);
    m.method_mismatch = false;
  }
  return m;
}

}  // namespace berth::api::server
