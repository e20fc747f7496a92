// Remote service destinations ("system connection"): podman 4.3.1 keeps them in the user's
// custom containers.conf ([engine] active_service, [engine.service_destinations.NAME] uri,
// identity), the same file `podman system connection` reads and writes, so the two list
// the same connections.
#pragma once

#include <map>
#include <string>

#include "base/result.h"

namespace berth::config {

struct Destination {
  std::string uri;
  std::string identity;
  bool is_machine = false;
};

struct Connections {
  std::string path;    // the file they came from (it may not exist yet)
  std::string active;  // engine.active_service
  std::string remote_uri, remote_identity;  // engine.remote_uri, engine.remote_identity
  std::map<std::string, Destination> destinations;
};

// podman's customConfigFile: $CONTAINERS_CONF, else for root /etc/containers/containers.conf,
// else $XDG_CONFIG_HOME/containers/containers.conf or ~/.config/containers/containers.conf.
Result<std::string> customConfigPath();

// Reads the destinations (a missing file has none). kInvalidArgument for bad TOML or a
// wrong type, naming the file and the key.
Result<Connections> readConnections();

// Writes active_service and the service_destinations table back (atomically: a temp file
// renamed over the real one, symlinks followed); every other setting of the file is kept.
Status writeConnections(const Connections& c);

// podman's ActiveDestination: $CONTAINER_HOST (with $CONTAINER_SSHKEY), else
// $CONTAINER_CONNECTION's destination, else the active service's, else remote_uri.
// kNotFound when none is configured or the named one does not exist.
Result<Destination> activeDestination(const Connections& c);

}  // namespace berth::config
