// Event emission helpers for containers, images and the other objects.
#include "engine/container_service.h"
#include "engine/engine.h"
#include "engine/event_emit.h"
#include "engine/system_service.h"

#include "base/timefmt.h"

namespace berth::engine {

events::Event containerEvent(const state::ContainerRecord& rec, std::string_view status) {
  events::Event ev;
  ev.type = "container";
  ev.status = std::string(status);
  ev.id = rec.id;
  ev.name = rec.name;
  ev.image = rec.config.value("image_name", std::string());
  ev.time_ns = nowNanos();
  if (rec.config.contains("spec") && rec.config["spec"].is_object()) {
    const Json& spec = rec.config["spec"];
    if (spec.contains("labels") && spec["labels"].is_object())
      for (auto& [k, v] : spec["labels"].items())
        if (v.is_string()) ev.attributes[k] = v.get<std::string>();
    if (spec.contains("pod") && spec["pod"].is_string()) ev.pod_id = spec["pod"].get<std::string>();
  }
  return ev;
}

void emitContainerEvent(Engine& e, const state::ContainerRecord& rec, std::string_view status, int exit_code) {
  auto ev = containerEvent(rec, status);
  ev.container_exit_code = exit_code;
  e.events().write(ev);
}

void emitImageEvent(Engine& e, std::string_view status, std::string_view id, std::string_view name) {
  events::Event ev;
  ev.type = "image";
  ev.status = std::string(status);
  ev.id = std::string(id);
  ev.name = std::string(name);
  ev.time_ns = nowNanos();
  e.events().write(ev);
}

void emitEvent(Engine& e, events::Event ev) {
  if (ev.time_ns == 0) ev.time_ns = nowNanos();
  e.events().write(ev);
}

Status LocalSystemService::events(const api::EventsRequest& req, const std::function<bool(const api::Event&)>& sink) {
  events::ReadOptions o;
  o.stream = req.stream;
  o.from_start = req.from_start;
  o.filter = req.filter;
  o.stop = req.stop;
  return e_.events().read(o, sink);
}

void LocalContainerService::emitContainerEvent(const state::ContainerRecord& rec, std::string_view status,
                                               int exit_code) {
  engine::emitContainerEvent(e_, rec, status, exit_code);
}

}  // namespace berth::engine
