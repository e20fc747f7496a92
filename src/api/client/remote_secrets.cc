// RemoteSecrets: the secret service over the libpod secret routes.
#include "api/client/conn.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"

namespace berth::api::client {

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/secrets/" + pathEscape(name) + std::string(tail);
}

Result<SecretInfo> decode(const Json& j, std::string_view what) {
  auto s = secretFromJson(j);
  if (!s.ok()) return Error(Code::kDataLoss, fmt::format("{}: {}", what, s.error().message()));
  return std::move(*s);
}

}  // namespace

Result<std::string> RemoteSecrets::create(const SecretCreateRequest& req) {
  // podman's bindings: the data is the body, the rest query parameters (maps as JSON).
  Query q = {{"name", req.name}, {"driver", req.driver}};
  if (!req.driver_options.empty()) q.emplace_back("driveropts", Json(req.driver_options).dump());
  if (!req.labels.empty()) q.emplace_back("labels", Json(req.labels).dump());
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/secrets/create", q, req.data), "secret create"));
  std::string id;
  TRY(TRY(Fields::of(j, "secrets/create")).str("ID", id));
  return id;
}

Result<std::vector<SecretInfo>> RemoteSecrets::list(const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(filtersJson(filters)));
  Json j = TRY(orUnsupported(callJson(c_, "GET", "/secrets/json", q), "secret ls"));
  std::vector<SecretInfo> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "secrets/json")))
    out.push_back(TRY(decode(*e, fmt::format("secrets/json[{}]", i++))));
  return out;
}

Result<SecretInfo> RemoteSecrets::inspect(const std::string& name_or_id) {
  Json j = TRY(orUnsupported(callJson(c_, "GET", path(name_or_id, "/json")), "secret inspect"));
  return decode(j, "secrets/inspect");
}

Result<bool> RemoteSecrets::exists(const std::string& name_or_id) {
  // podman 4.3.1 has no exists route: inspect answers the question.
  auto r = call(c_, "GET", path(name_or_id, "/json"));
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return orUnsupported(Result<bool>(std::move(r).error()), "secret exists");
  }
  return true;
}

Result<std::vector<SecretRemoveReport>> RemoteSecrets::remove(const std::vector<std::string>& names, bool all) {
  std::vector<std::string> targets = names;
  if (all)
    for (auto& s : TRY(list({}))) targets.push_back(s.id);
  std::vector<SecretRemoveReport> out;
  for (auto& n : targets) {
    // The removed secret's ID, as the local service reports it.
    std::string id = n;
    if (!all) {
      auto info = inspect(n);
      if (info.ok()) id = info->id;
    }
    auto r = call(c_, "DELETE", path(n));
    if (!r.ok() && r.error().code() == Code::kUnimplemented) return remoteUnsupported("secret rm");
    out.push_back(r.ok() ? SecretRemoveReport{id, std::nullopt}
                         : SecretRemoveReport{n, std::optional<Error>(std::move(r).error())});
  }
  return out;
}

}  // namespace berth::api::client
