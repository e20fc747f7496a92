// Emitting events from the engine: one call per lifecycle change, never failing the operation.
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"
#include "state/containers.h"

namespace berth::engine {

class Engine;

// A container event as podman writes it: ID, name, image name, labels as attributes.
events::Event containerEvent(const state::ContainerRecord& rec, std::string_view status);
void emitContainerEvent(Engine& e, const state::ContainerRecord& rec, std::string_view status,
                        int exit_code = 0);
// Image events: `id` is the image ID (may be empty, e.g. pull and load), `name` what the event names.
void emitImageEvent(Engine& e, std::string_view status, std::string_view id, std::string_view name);
// Pod, volume, network and system events for the slices that add those objects.
void emitEvent(Engine& e, events::Event ev);

}  // namespace berth::engine
