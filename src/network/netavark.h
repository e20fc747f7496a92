// Running netavark: options JSON on stdin, status JSON or {"error": ...} on stdout.
#pragma once

#include <string>
#include <vector>

#include "base/json.h"
#include "base/result.h"

namespace berth::network {

struct NetavarkBinaries {
  std::string netavark;  // absolute path
  std::string aardvark;  // absolute path, "" when not installed (no DNS)
};

// Finds netavark and aardvark-dns in podman's helper_binaries_dir list
// (/usr/local/libexec/podman, /usr/local/lib/podman, /usr/libexec/podman,
// /usr/lib/podman) and $PATH. kNotFound when netavark is missing.
Result<NetavarkBinaries> findNetavark();

struct NetavarkRun {
  NetavarkBinaries bin;
  std::string config_dir;  // --config: where aardvark-dns keeps its state
  uint16_t dns_port = 0;   // NETAVARK_DNS_PORT, 0 = netavark's default (53)
  std::string log_level = "warn";
};

// Runs `netavark --config D --rootless=false --aardvark-binary A <args>` with
// `input` on stdin and returns its stdout parsed as JSON (null when empty).
// A failure is kUnavailable "netavark: <its error message>".
Result<Json> runNetavark(const NetavarkRun& run, const std::vector<std::string>& args, const Json& input);

}  // namespace berth::network
