// containers.conf (containers.conf(5)): the files podman reads, merged, and typed views of them.
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "base/result.h"
#include "config/host_env.h"

namespace berth::config {

// The merged configuration as JSON (tables deep-merged, later files win):
// $CONTAINERS_CONF alone when set (kNotFound if it does not exist), else
// /usr/share/containers/containers.conf, /etc/containers/containers.conf,
// /etc/containers/containers.conf.d/*.conf in name order and, for a non-root
// user, $XDG_CONFIG_HOME/containers/containers.conf. Missing files are
// skipped; a syntax error is kInvalidArgument naming the file.
Result<Json> loadContainersConf(const HostEnv& env);

// [engine] events settings. `logfile_path` is "" when unset (the default is
// under the engine's tmpdir); `max_size` is podman's default 1000000 bytes
// unless set (0 = never rotate).
struct EventsConf {
  std::string logger;  // "" when unset
  std::string logfile_path;
  uint64_t max_size = 1000000;
};
// kInvalidArgument naming the key for a wrong type or size.
Result<EventsConf> eventsConf(const Json& conf);

}  // namespace berth::config
