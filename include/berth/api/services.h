// Services: every service of one engine, local (src/engine) or remote (the bindings'
// Connection). The CLI runs each command against one of these (podman's
// ContainerEngine/ImageEngine in ABI or tunnel mode).
#pragma once

#include "berth/api/containers.h"
#include "berth/api/images.h"
#include "berth/api/networks.h"
#include "berth/api/pods.h"
#include "berth/api/system.h"
#include "berth/api/secrets.h"
#include "berth/api/volumes.h"

namespace berth::api {

class Services {
 public:
  virtual ~Services() = default;
  virtual ContainerService& containers() = 0;
  virtual ImageService& images() = 0;
  virtual SystemService& system() = 0;
  virtual NetworkService& networks() = 0;
  virtual VolumeService& volumes() = 0;
  virtual SecretService& secrets() = 0;
  virtual PodService& pods() = 0;
};

}  // namespace berth::api
