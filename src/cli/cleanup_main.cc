// berth-cleanup: the exit work of one container, run by berth-monitor after the
// container exited (the monitor holds no locks then). It is not the CLI: it
// only syncs the container's exit, unmounts it and removes it if --rm.
// With --healthcheck it runs one healthcheck of the container instead (berth-monitor's
// schedule; exit 0 healthy, 1 unhealthy, 125 error), as `podman healthcheck run` under
// podman's systemd timer.
// Usage: berth-cleanup [--healthcheck] --root DIR --runroot DIR --storage-driver D [--tmpdir DIR]
//        [--events-backend B --events-logfile-path P --events-logfile-max-size N]
//        [--network-config-dir DIR] CONTAINER-ID
#include <cstdlib>
#include <string>
#include <vector>

#include "base/fs.h"
#include "base/log.h"
#include "cli/exit_codes.h"
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/pod_service.h"
#include "state/containers.h"

int main(int argc, char** argv) {
  berth::engine::Options opts;
  std::string id;
  bool healthcheck = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--healthcheck") healthcheck = true;
    else if (args[i] == "--root" && i + 1 < args.size()) opts.root = args[++i];
    else if (args[i] == "--runroot" && i + 1 < args.size()) opts.runroot = args[++i];
    else if (args[i] == "--storage-driver" && i + 1 < args.size()) opts.storage_driver = args[++i];
    else if (args[i] == "--tmpdir" && i + 1 < args.size()) opts.tmpdir = args[++i];
    else if (args[i] == "--network-config-dir" && i + 1 < args.size()) opts.network_config_dir = args[++i];
    else if (args[i] == "--events-backend" && i + 1 < args.size()) opts.events_backend = args[++i];
    else if (args[i] == "--events-logfile-path" && i + 1 < args.size()) opts.events_logfile_path = args[++i];
    else if (args[i] == "--events-logfile-max-size" && i + 1 < args.size())
      opts.events_logfile_max_size = std::strtoull(args[++i].c_str(), nullptr, 10);
    else id = args[i];
  }
  if (id.empty()) {
    berth::log::write(berth::log::Level::kError, "berth-cleanup: no container ID given");
    return berth::cli::kExitEngineError;
  }
  auto eng = berth::engine::Engine::open(opts);
  if (!eng.ok()) {
    berth::log::write(berth::log::Level::kError, "berth-cleanup " + id + ": " + eng.error().what());
    return berth::cli::kExitEngineError;
  }
  if (healthcheck) {
    auto st = (*eng)->containers().healthcheckRun(id);
    if (!st.ok()) {
      berth::log::write(berth::log::Level::kError, "berth-cleanup --healthcheck " + id + ": " + st.error().what());
      return berth::cli::kExitEngineError;
    }
    return *st == "healthy" ? 0 : 1;
  }
  // The pod is read first: an auto-remove container is gone after the cleanup.
  std::string pod_id;
  bool init_ctr = false;
  if (auto rec = berth::state::getContainer((*eng)->db(), id); rec.ok() && *rec) {
    auto spec = berth::engine::storedSpec((*rec)->config);
    pod_id = spec.pod;
    init_ctr = !spec.init_container_type.empty();
  }
  // cleanup() syncs the exit record; auto-remove containers are removed by the sync itself.
  auto s = (*eng)->containers().cleanup(id, false);
  // Removed meanwhile (a "once" init container after its run, rm -f): nothing left to clean.
  if (!s.ok() && s.error().code() == berth::Code::kNotFound) return 0;
  if (!s.ok()) {
    berth::log::write(berth::log::Level::kError, "berth-cleanup " + id + ": " + s.error().what());
    return berth::cli::kExitEngineError;
  }
  // A pod with exit policy "stop" stops once its last member exited; a service container once
  // the pods it serves have.
  // An init container's exit is the pod starting, not stopping (podman skips it too).
  if (!pod_id.empty() && !init_ctr)
    if (auto p = static_cast<berth::engine::LocalPodService&>((*eng)->pods()).memberExited(pod_id); !p.ok()) {
      berth::log::write(berth::log::Level::kError, "berth-cleanup " + id + ": pod exit policy: " + p.error().what());
      return berth::cli::kExitEngineError;
    }
  return 0;
}
