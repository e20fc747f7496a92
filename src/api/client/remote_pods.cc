// RemotePods: the pod service over the libpod pod routes.
#include <algorithm>

#include "api/client/conn.h"
#include "api/client/internal.h"
#include "api/client/services.h"
#include "api/client/wire.h"

namespace berth::api::client {

namespace {

std::string path(const std::string& name, std::string_view tail = {}) {
  return "/pods/" + pathEscape(name) + std::string(tail);
}

// The pod's ID from an {"Id"} answer, or `fallback`.
std::string idOf(const Json& j, const std::string& fallback) {
  auto it = j.find("Id");
  return it != j.end() && it->is_string() && !it->get<std::string>().empty() ? it->get<std::string>() : fallback;
}

}  // namespace

Result<std::string> RemotePods::create(const PodCreateRequest& req) {
  if (req.replace && !req.name.empty() && TRY(exists(req.name))) {
    PodRemoveRequest rm;
    rm.names = {req.name};
    rm.force = true;
    for (auto& r : TRY(remove(rm)))
      if (r.error) return *r.error;
  }
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/pods/create", {}, podSpecToJson(req).dump()), "pod create"));
  std::string id = idOf(j, "");
  if (id.empty()) return Error(Code::kDataLoss, "pods/create: the answer has no Id");
  return id;
}

Result<std::vector<PodReport>> RemotePods::each(const std::vector<std::string>& names, bool all, std::string_view verb,
                                                const Query& q, std::string_view command, bool ignore_missing) {
  std::vector<std::string> targets = names;
  if (all)
    for (auto& p : TRY(list({}))) targets.push_back(p.id);
  std::vector<PodReport> out;
  for (auto& n : targets) {
    auto r = call(c_, "POST", path(n, "/" + std::string(verb)), q);
    if (!r.ok()) {
      if (r.error().code() == Code::kUnimplemented) return remoteUnsupported(command);
      if (ignore_missing && r.error().code() == Code::kNotFound) {
        out.push_back(PodReport{n, "", std::nullopt});
        continue;
      }
      out.push_back(PodReport{n, "", std::move(r).error()});
      continue;
    }
    // 304 (already in that state) has no body: the ID is looked up.
    std::string id = n;
    if (r->status == 304) {
      id = TRY(resolveId(n));
    } else if (auto j = parseJson(r->body, "pod report"); j.ok()) {
      id = idOf(*j, n);
    }
    out.push_back(PodReport{n, id, std::nullopt});
  }
  return out;
}

Result<std::vector<PodReport>> RemotePods::start(const std::vector<std::string>& names, bool all) {
  return each(names, all, "start", {}, "pod start");
}

Result<std::vector<PodReport>> RemotePods::stop(const PodStopRequest& req) {
  Query q;
  if (req.timeout) q.emplace_back("t", std::to_string(*req.timeout));
  return each(req.names, req.all, "stop", q, "pod stop", req.ignore);
}

Result<std::vector<PodReport>> RemotePods::restart(const std::vector<std::string>& names, bool all) {
  return each(names, all, "restart", {}, "pod restart");
}

Result<std::vector<PodReport>> RemotePods::kill(const std::vector<std::string>& names, bool all,
                                                const std::string& signal) {
  Query q;
  if (!signal.empty()) q.emplace_back("signal", signal);
  return each(names, all, "kill", q, "pod kill");
}

Result<std::vector<PodReport>> RemotePods::pause(const std::vector<std::string>& names, bool all) {
  return each(names, all, "pause", {}, "pod pause");
}

Result<std::vector<PodReport>> RemotePods::unpause(const std::vector<std::string>& names, bool all) {
  return each(names, all, "unpause", {}, "pod unpause");
}

Result<std::vector<PodReport>> RemotePods::remove(const PodRemoveRequest& req) {
  std::vector<std::string> targets = req.names;
  if (req.all)
    for (auto& p : TRY(list({}))) targets.push_back(p.id);
  Query q;
  if (req.force) q.emplace_back("force", "true");
  if (req.timeout) q.emplace_back("timeout", std::to_string(*req.timeout));
  std::vector<PodReport> out;
  for (auto& n : targets) {
    auto r = callJson(c_, "DELETE", path(n), q);
    if (!r.ok()) {
      if (r.error().code() == Code::kUnimplemented) return remoteUnsupported("pod rm");
      // podman: a missing pod is no error with --force or --ignore.
      if ((req.ignore || req.force) && r.error().code() == Code::kNotFound) {
        out.push_back(PodReport{n, "", std::nullopt});
        continue;
      }
      out.push_back(PodReport{n, "", std::move(r).error()});
      continue;
    }
    out.push_back(PodReport{n, idOf(*r, n), std::nullopt});
  }
  return out;
}

Result<std::vector<PodReport>> RemotePods::prune() {
  Json j = TRY(orUnsupported(callJson(c_, "POST", "/pods/prune"), "pod prune"));
  std::vector<PodReport> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "pods/prune"))) {
    auto f = TRY(Fields::of(*e, fmt::format("pods/prune[{}]", i++)));
    PodReport r;
    TRY(f.str("Id", r.id));
    r.name = r.id;
    if (const Json* ev = f.get("Err"); ev && ev->is_string() && !ev->get<std::string>().empty())
      r.error = Error(Code::kInternal, ev->get<std::string>());
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<PodSummary>> RemotePods::list(const std::vector<std::string>& filters) {
  Query q;
  if (!filters.empty()) q.emplace_back("filters", TRY(filtersJson(filters)));
  Json j = TRY(orUnsupported(callJson(c_, "GET", "/pods/json", q), "pod ps"));
  std::vector<PodSummary> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "pods/json"))) {
    auto p = podSummaryFromJson(*e);
    if (!p.ok()) return Error(Code::kDataLoss, fmt::format("pods/json[{}]: {}", i, p.error().message()));
    out.push_back(std::move(*p));
    ++i;
  }
  return out;
}

Result<Json> RemotePods::inspect(const std::string& name) {
  Json j = TRY(orUnsupported(callJson(c_, "GET", path(name, "/json")), "pod inspect"));
  if (!j.is_object()) return Error(Code::kDataLoss, "pods/inspect: want an object");
  return j;
}

Result<bool> RemotePods::exists(const std::string& name) {
  auto r = call(c_, "GET", path(name, "/exists"));
  if (!r.ok()) {
    if (r.error().code() == Code::kNotFound) return false;
    return orUnsupported(Result<bool>(std::move(r).error()), "pod exists");
  }
  return true;
}

Result<std::string> RemotePods::resolveId(const std::string& name) {
  Json j = TRY(inspect(name));
  std::string id = idOf(j, "");
  if (id.empty()) return Error(Code::kDataLoss, "pods/inspect: the answer has no Id");
  return id;
}

Result<std::string> RemotePods::latestId() {
  auto pods = TRY(list({}));
  if (pods.empty()) return makeError(Code::kNotFound, "no pods to use as latest: no such pod");
  return std::max_element(pods.begin(), pods.end(), [](auto& a, auto& b) { return a.created < b.created; })->id;
}

Result<std::vector<std::vector<std::string>>> RemotePods::top(const std::string& name,
                                                              const std::vector<std::string>& descriptors) {
  Query q;
  if (!descriptors.empty()) q.emplace_back("ps_args", fmt::format("{}", fmt::join(descriptors, ",")));
  Json j = TRY(orUnsupported(callJson(c_, "GET", path(name, "/top"), q), "pod top"));
  return decodeTop(j, "pods/top");
}

Result<std::vector<PodStatsReport>> RemotePods::stats(const PodStatsRequest& req,
                                                      std::map<std::string, ContainerStats>&) {
  Query q;
  for (auto& n : req.names) q.emplace_back("namesOrIDs", n);
  if (req.all) q.emplace_back("all", "true");
  Json j = TRY(orUnsupported(callJson(c_, "GET", "/pods/stats", q), "pod stats"));
  std::vector<PodStatsReport> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, "pods/stats"))) {
    auto r = podStatsFromJson(*e);
    if (!r.ok()) return Error(Code::kDataLoss, fmt::format("pods/stats[{}]: {}", i, r.error().message()));
    out.push_back(std::move(*r));
    ++i;
  }
  return out;
}

}  // namespace berth::api::client
