// berth's C++ bindings: connect to a berth (or podman) service and drive it through the
// libpod REST API. See berth/bindings/connection.h.
#pragma once

#include "berth/bindings/connection.h"
#include "berth/bindings/containers.h"
#include "berth/bindings/images.h"
#include "berth/bindings/networks.h"
#include "berth/bindings/system.h"
