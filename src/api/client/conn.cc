// Connecting (URI, dial, ping, version check) and the request helpers.
#include "api/client/conn.h"

#include <cstdlib>

#include "api/client/errors.h"
#include "api/client/services.h"

namespace berth::bindings {

Connection::Impl::Impl(api::client::Endpoint ep) : http(std::move(ep)) {}
Connection::Impl::~Impl() = default;

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

const std::string& Connection::uri() const { return impl_->uri; }
const std::string& Connection::serviceVersion() const { return impl_->service_version; }
api::ContainerService& Connection::containers() { return *impl_->containers; }
api::ImageService& Connection::images() { return *impl_->images; }
api::SystemService& Connection::system() { return *impl_->system; }
api::NetworkService& Connection::networks() { return *impl_->networks; }
api::VolumeService& Connection::volumes() { return *impl_->volumes; }
api::SecretService& Connection::secrets() { return *impl_->secrets; }
api::PodService& Connection::pods() { return *impl_->pods; }

namespace {

// semver.ParseTolerant's useful part: "v4.3.1", "4.3", "5.0.0-dev" -> {4,3,1}.
bool parseVersion(std::string_view v, int out[3]) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  out[0] = out[1] = out[2] = 0;
  for (int i = 0; i < 3 && !v.empty(); ++i) {
    size_t n = 0;
    int val = 0;
    while (n < v.size() && std::isdigit(static_cast<unsigned char>(v[n])) && n < 9) val = val * 10 + (v[n++] - '0');
    if (n == 0) return false;
    out[i] = val;
    v.remove_prefix(n);
    if (v.empty() || v[0] != '.') break;
    v.remove_prefix(1);
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<Connection>> connect(std::string_view uri_in, const ConnectOptions& opts) {
  std::string uri(uri_in);
  if (uri.empty())
    if (const char* e = std::getenv("CONTAINER_HOST")) uri = e;
  auto ep = TRY(api::client::parseEndpoint(uri));
  auto impl = std::make_unique<Connection::Impl>(ep);
  impl->uri = ep.uri;
  api::client::HttpRequest ping;
  ping.target = impl->prefix + "/_ping";
  auto r = impl->http.roundTrip(ping);
  std::string get = fmt::format("Get \"http://d{}\"", ping.target);
  if (!r.ok())
    return Error(Code::kUnavailable, fmt::format("unable to connect to Podman socket: {}: {}", get, r.error().what()));
  if (r->status != 200)
    return Error(Code::kUnavailable, fmt::format("unable to connect to Podman socket: ping response was {}", r->status));
  impl->service_version = r->header("libpod-api-version");
  if (!impl->service_version.empty()) {
    int have[3], min[3];
    if (!parseVersion(impl->service_version, have) || !parseVersion(api::client::kMinimalApiVersion, min))
      return Error(Code::kUnavailable, fmt::format("unable to connect to Podman socket: bad Libpod-API-Version {:?}",
                                                   impl->service_version));
    if (std::lexicographical_compare(have, have + 3, min, min + 3))
      return Error(Code::kFailedPrecondition,
                   fmt::format("unable to connect to Podman socket: server API version is too old. Client {:?} server {:?}",
                               api::client::kMinimalApiVersion, impl->service_version));
  }
  (void)opts;
  auto conn = std::make_unique<Connection>(std::move(impl));
  api::client::attachServices(*conn);
  return conn;
}

}  // namespace berth::bindings

namespace berth::api::client {

std::string target(bindings::Connection& c, std::string_view path, const Query& q) {
  std::string t = c.impl().prefix + std::string(path);
  if (!q.empty()) t += "?" + encodeQuery(q);
  return t;
}

namespace {

HttpRequest makeRequest(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                        std::string body) {
  HttpRequest req;
  req.method = std::string(method);
  req.target = target(c, path, q);
  req.body = std::move(body);
  return req;
}

bool success(int status) { return status / 100 == 2 || status == 304; }

}  // namespace

Result<HttpResponse> call(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                          std::string body) {
  auto r = TRY(c.impl().http.roundTrip(makeRequest(c, method, path, q, std::move(body))));
  if (!success(r.status)) return errorFromResponse(r);
  return r;
}

Result<Json> callJson(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                      std::string body) {
  auto r = TRY(call(c, method, path, q, std::move(body)));
  auto j = parseJson(r.body, fmt::format("{} {} answer", method, path));
  if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
  return std::move(*j);
}

Status callStream(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                  std::string body, const std::function<bool(std::string_view)>& sink) {
  auto r = TRY(c.impl().http.stream(makeRequest(c, method, path, q, std::move(body)), sink));
  if (!success(r.status)) return errorFromResponse(r);
  return {};
}

Status callJsonLines(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                     std::string body, const std::function<bool(const Json&)>& sink) {
  constexpr size_t kMaxLine = 16u << 20;
  std::string pending;
  std::optional<Error> bad;
  auto st = callStream(c, method, path, q, std::move(body), [&](std::string_view piece) {
    pending.append(piece);
    size_t start = 0;
    for (;;) {
      size_t nl = pending.find('\n', start);
      if (nl == std::string::npos) break;
      std::string_view line(pending.data() + start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      auto j = parseJson(line, fmt::format("{} {} stream", method, path));
      if (!j.ok()) {
        bad = Error(Code::kDataLoss, j.error().message());
        return false;
      }
      if (!sink(*j)) return false;
    }
    pending.erase(0, start);
    if (pending.size() > kMaxLine) {
      bad = Error(Code::kDataLoss, fmt::format("{} {} stream: a line longer than {} bytes", method, path, kMaxLine));
      return false;
    }
    return true;
  });
  TRY(st);
  if (bad) return *bad;
  if (pending.find_first_not_of(" \t\r\n") != std::string::npos) {
    // A last document without its newline (a JSON answer that is not a stream).
    auto j = parseJson(pending, fmt::format("{} {} stream", method, path));
    if (!j.ok()) return Error(Code::kDataLoss, j.error().message());
    sink(*j);
  }
  return {};
}

Result<std::string> filtersJson(const std::vector<std::string>& filters) {
  Json f = Json::object();
  for (auto& kv : filters) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      return makeError(Code::kInvalidArgument, "invalid filter {:?}: want key=value", kv);
    std::string k = kv.substr(0, eq);
    if (!f.contains(k)) f[k] = Json::array();
    f[k].push_back(kv.substr(eq + 1));
  }
  return f.dump();
}

}  // namespace berth::api::client
