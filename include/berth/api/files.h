// File system types shared by the container and image services.
#pragma once

#include <string>

namespace berth::api {

// One changed path of a container or image layer (podman diff).
struct FileChange {
  std::string path;
  char kind = 'C';  // 'C' changed, 'A' added, 'D' deleted
};

}  // namespace berth::api
