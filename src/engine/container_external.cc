// containers/storage's containers of other tools (buildah's working containers), which
// podman calls external: berth finds them for ps --external, exists --external, mount,
// umount, diff and rm, after its own containers.
#include "engine/container_service.h"

#include "base/log.h"

namespace berth::engine {

Result<std::optional<LocalContainerService::Foreign>> LocalContainerService::findForeign(const std::string& name) {
  store::ForeignStorage storage(TRY(store::loadForeignStorageConfig()));
  auto c = TRY(storage.find(name));
  if (!c) return std::nullopt;
  return Foreign{std::move(storage), std::move(*c)};
}

std::optional<LocalContainerService::Foreign> LocalContainerService::findForeignOrWarn(const std::string& name) {
  auto found = findForeign(name);
  if (found.ok()) return std::move(*found);
  LOG_WARN("containers/storage: {}", found.error().what());
  return std::nullopt;
}

Result<std::vector<api::ContainerSummary>> foreignSummaries() {
  store::ForeignStorage storage(TRY(store::loadForeignStorageConfig()));
  std::vector<api::ContainerSummary> out;
  for (auto& c : TRY(storage.containers())) {
    api::ContainerSummary s;
    s.id = c.id;
    s.names = {c.names.empty() ? "unknown" : c.names[0]};
    s.image_id = c.image_id;
    s.image = c.image_name.empty() && c.image_id.empty() && c.buildah ? "scratch" : c.image_name;
    s.command = {c.buildah ? "buildah" : "storage"};
    s.created = c.created;
    s.status = api::ContainerStatus::kStorage;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace berth::engine
