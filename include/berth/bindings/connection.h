// berth's C++ bindings (podman's pkg/bindings for C++): a connection to a `berth system
// service` (or `podman system service`) over the libpod REST API.
//
//   auto conn = berth::connect("unix:///run/berth/berth.sock");
//   if (!conn.ok()) ...
//   auto id = berth::containers::createWithSpec(**conn, spec);
//
// The free functions in berth::containers, berth::images, berth::system and
// berth::networks are the REST calls, one per route; Connection::containers() etc. are
// the same service interfaces the berth CLI uses (include/berth/api/), implemented over
// them. Errors carry berth's canonical codes (NotFound, Conflict, ...), rebuilt from
// the service's answer, never from its wording.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "berth/api/services.h"

namespace berth::bindings {

struct ConnectOptions {
  // SSH identity file (ssh:// URIs are not supported yet; kept for podman's --identity).
  std::string identity;
};

class Connection : public api::Services {
 public:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The endpoint, normalised (unix:///path or tcp://host:port).
  const std::string& uri() const;
  // The service's libpod API version (its _ping's Libpod-API-Version header).
  const std::string& serviceVersion() const;

  // The service interfaces over this connection (owned by it).
  api::ContainerService& containers() override;
  api::ImageService& images() override;
  api::SystemService& system() override;
  api::NetworkService& networks() override;
  api::VolumeService& volumes() override;
  api::SecretService& secrets() override;
  api::PodService& pods() override;

  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Parses `uri` (unix:///path, unix://path, tcp://host:port; "" means $CONTAINER_HOST),
// connects and pings the service. kUnavailable "unable to connect to Podman socket: ..."
// when nothing answers; kInvalidArgument for a bad URI; kUnimplemented for ssh://;
// kFailedPrecondition when the service's API is older than 4.0.0.
Result<std::unique_ptr<Connection>> connect(std::string_view uri, const ConnectOptions& opts = {});

}  // namespace berth::bindings

namespace berth {
using bindings::connect;
using bindings::Connection;
}  // namespace berth
