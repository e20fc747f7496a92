// The inside of a bindings Connection: the HTTP client, the libpod path prefix, and the
// request helpers every REST call uses (errors rebuilt through errors.h's one table).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/client/http.h"
#include "base/json.h"
#include "base/result.h"
#include "berth/bindings/connection.h"

namespace berth::api::client {

// The libpod API level this client speaks (the version in its request paths).
inline constexpr const char* kLibpodApiVersion = "4.3.1";
// The oldest service API it accepts (podman's MinimalAPI).
inline constexpr const char* kMinimalApiVersion = "4.0.0";

using Query = std::vector<std::pair<std::string, std::string>>;

class RemoteContainers;
class RemoteImages;
class RemoteSystem;
class RemoteNetworks;
class RemoteVolumes;
class RemoteSecrets;
class RemotePods;

}  // namespace berth::api::client

namespace berth::bindings {

struct Connection::Impl {
  explicit Impl(api::client::Endpoint ep);
  ~Impl();

  api::client::HttpClient http;
  std::string uri;
  std::string service_version;
  std::string prefix = std::string("/v") + api::client::kLibpodApiVersion + "/libpod";

  std::unique_ptr<api::client::RemoteContainers> containers;
  std::unique_ptr<api::client::RemoteImages> images;
  std::unique_ptr<api::client::RemoteSystem> system;
  std::unique_ptr<api::client::RemoteNetworks> networks;
  std::unique_ptr<api::client::RemoteVolumes> volumes;
  std::unique_ptr<api::client::RemoteSecrets> secrets;
  std::unique_ptr<api::client::RemotePods> pods;
};

}  // namespace berth::bindings

namespace berth::api::client {

// "/v4.3.1/libpod" + path + "?" + query.
std::string target(bindings::Connection& c, std::string_view path, const Query& q = {});

// One request on the libpod tree. A non-2xx (and non-304) answer is returned as the
// Error it carries.
Result<HttpResponse> call(bindings::Connection& c, std::string_view method, std::string_view path,
                          const Query& q = {}, std::string body = {});
// The same, decoding the JSON answer (kDataLoss naming the route when it is not JSON).
Result<Json> callJson(bindings::Connection& c, std::string_view method, std::string_view path,
                      const Query& q = {}, std::string body = {});
// A streamed answer: `sink` gets the body as it arrives (false stops the stream).
Status callStream(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                  std::string body, const std::function<bool(std::string_view)>& sink);
// A streamed answer of JSON documents, one per line (pull progress, events, stats).
Status callJsonLines(bindings::Connection& c, std::string_view method, std::string_view path, const Query& q,
                     std::string body, const std::function<bool(const Json&)>& sink);

// "true"/"false" as query values.
inline std::string boolStr(bool b) { return b ? "true" : "false"; }
// podman's filters query parameter: {"key":["v1","v2"]} from key=value strings.
Result<std::string> filtersJson(const std::vector<std::string>& filters);

}  // namespace berth::api::client
