// Service endpoints: podman's connection URIs (unix://, tcp://) parsed and dialled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/fd.h"
#include "base/result.h"

namespace berth::api::client {

struct Endpoint {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;  // kUnix: the socket path
  std::string host;  // kTcp: host name or address as given (no brackets)
  std::string port;  // kTcp: decimal port
  std::string uri;   // normalised: unix:///path or tcp://host:port
};

// Parses a connection URI as podman's bindings do: "unix:///run/x.sock" (also
// "unix://relative/elements" and "unix:/path"), "tcp://host:port". ssh:// is
// kUnimplemented; anything else kInvalidArgument ("unable to create connection.
// "x" is not a supported schema").
Result<Endpoint> parseEndpoint(std::string_view uri);

// Connects a blocking, close-on-exec stream socket. The error is kUnavailable with Go's
// dialer wording ("dial unix /x.sock: connect: no such file or directory", "dial tcp
// 127.0.0.1:80: connect: connection refused"), which scripts and podman's tests match.
Result<UniqueFd> dial(const Endpoint& ep);

}  // namespace berth::api::client
