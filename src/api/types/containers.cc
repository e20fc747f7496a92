// Names of the public container types (include/berth/api/containers.h).
#include "berth/api/containers.h"

namespace berth::api {

std::string_view statusName(ContainerStatus s) {
  switch (s) {
    case ContainerStatus::kConfigured: return "created";
    case ContainerStatus::kCreated: return "created";
    case ContainerStatus::kRunning: return "running";
    case ContainerStatus::kPaused: return "paused";
    case ContainerStatus::kStopped: return "stopped";
    case ContainerStatus::kExited: return "exited";
    case ContainerStatus::kRemoving: return "removing";
    case ContainerStatus::kStopping: return "stopping";
    case ContainerStatus::kStorage: return "storage";
  }
  return "unknown";
}

}  // namespace berth::api
