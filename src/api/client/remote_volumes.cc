// RemoteVolumes: the volume service over the libpod volume routes.
#include "api/client/conn.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"

namespace berth::api::client {

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/volumes/" + pathEscape(name) + std::string(tail);
}

Result<Volume> decode(const Json& j, std::string_view what) {
  auto v = volumeFromJson(j);
  if (!v.ok()) return Error(Code::kDataLoss, fmt::format("{}: {}", what, v.error().message()));
  return std::move(*v);
}

}  // namespace

Result<Volume> RemoteVolumes::create(const VolumeCreateRequest& req) {
  // podman's VolumeCreateOptions: Go field names, no JSON tags.
  Json body = {{"Name", req.name}, {"Driver", req.driver}, {"Labels", Json(req.labels)},
               {"Options", Json(req.options)}, {"IgnoreIfExists", req.ignore_if_exists}};
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/volumes/create", {}, body.dump()), "volume create"));
  return decode(j, "volumes/create");
}

Result<std::vector<Volume>> RemoteVolumes::list(const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(filtersJson(filters)));
  Json j = TRY(orUnsupported(callJson(c_, "GET", "/volumes/json", q), "volume ls"));
  std::vector<Volume> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "volumes/json")))
    out.push_back(TRY(decode(*e, fmt::format("volumes/json[{}]", i++))));
  return out;
}

Result<Volume> RemoteVolumes::inspect(const std::string& name) {
  Json j = TRY(orUnsupported(callJson(c_, "GET", path(name, "/json")), "volume inspect"));
  return decode(j, "volumes/inspect");
}

Result<bool> RemoteVolumes::exists(const std::string& name) {
  auto r = call(c_, "GET", path(name, "/exists"));
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return orUnsupported(Result<bool>(std::move(r).error()), "volume exists");
  }
  return true;
}

Result<std::vector<VolumeReport>> RemoteVolumes::remove(const VolumeRemoveRequest& req) {
  std::vector<std::string> names = req.names;
  if (req.all)
    for (auto& v : TRY(list({}))) names.push_back(v.name);
  std::vector<VolumeReport> out;
  for (auto& n : names) {
    Query q;
    if (req.force) q.emplace_back("force", "true");
    if (req.timeout) q.emplace_back("timeout", std::to_string(*req.timeout));
    auto r = call(c_, "DELETE", path(n), q);
    if (!r.ok() && r.error().code() == Code::kUnimplemented) return remoteUnsupported("volume rm");
    out.push_back(VolumeReport{n, r.ok() ? std::nullopt : std::optional<Error>(std::move(r).error())});
  }
  return out;
}

Result<std::vector<VolumeReport>> RemoteVolumes::prune(const std::vector<std::string>& filters, bool dry_run) {
  if (dry_run) {
    // No dry-run route: the unused volumes are those `dangling=true` lists.
    std::vector<std::string> f = filters;
    f.push_back("dangling=true");
    std::vector<VolumeReport> out;
    for (auto& v : TRY(list(f))) out.push_back(VolumeReport{v.name, std::nullopt});
    return out;
  }
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(filtersJson(filters)));
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/volumes/prune", q), "volume prune"));
  std::vector<VolumeReport> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "volumes/prune"))) {
    auto f = TRY(Fields::of(*e, fmt::format("volumes/prune[{}]", i++)));
    VolumeReport r;
    TRY(f.str("Id", r.name));
    if (const Json* ev = f.get("Err"); ev && ev->is_string() && !ev->get<std::string>().empty())
      r.error = Error(Code::kInternal, ev->get<std::string>());
    out.push_back(std::move(r));
  }
  return out;
}

Status RemoteVolumes::exportTar(const std::string&, int) { return remoteUnsupported("volume export"); }
Status RemoteVolumes::importTar(const std::string&, int) { return remoteUnsupported("volume import"); }
Result<std::string> RemoteVolumes::mount(const std::string&) { return remoteUnsupported("volume mount"); }
Status RemoteVolumes::unmount(const std::string&) { return remoteUnsupported("volume unmount"); }

}  // namespace berth::api::client
