// Typed reads of libpod answers.
#include "api/client/wire.h"

#include "api/types/json_codec.h"
#include "base/timefmt.h"

namespace berth::api::client {

Result<Fields> Fields::of(const Json& doc, std::string what) {
  if (!doc.is_object())
    return Error(Code::kDataLoss, fmt::format("{}: want object, got {}", what, codec::describe(doc)));
  return Fields(doc, std::move(what));
}

const Json* Fields::get(std::string_view key) const {
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

Error Fields::bad(std::string_view key, std::string_view want, const Json& got) const {
  return Error(Code::kDataLoss, fmt::format("{}.{}: want {}, got {}", what_, key, want, codec::describe(got)));
}

Status Fields::str(std::string_view key, std::string& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (!v->is_string()) return bad(key, "string", *v);
  out = v->get<std::string>();
  return {};
}

Status Fields::i64(std::string_view key, int64_t& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (v->is_number_integer()) {
    out = v->get<int64_t>();
    return {};
  }
  if (v->is_number_unsigned()) {
    auto u = v->get<uint64_t>();
    if (u > uint64_t(INT64_MAX)) return bad(key, "int64", *v);
    out = int64_t(u);
    return {};
  }
  return bad(key, "integer", *v);
}

Status Fields::i32(std::string_view key, int& out) const {
  int64_t v = out;
  TRY(i64(key, v));
  if (v < INT32_MIN || v > INT32_MAX) return bad(key, "int32", *get(key));
  out = int(v);
  return {};
}

Status Fields::boolean(std::string_view key, bool& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (!v->is_boolean()) return bad(key, "bool", *v);
  out = v->get<bool>();
  return {};
}

Status Fields::strings(std::string_view key, std::vector<std::string>& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (!v->is_array()) return bad(key, "array of strings", *v);
  out.clear();
  for (auto& e : *v) {
    if (!e.is_string()) return bad(key, "array of strings", e);
    out.push_back(e.get<std::string>());
  }
  return {};
}

Status Fields::stringMap(std::string_view key, std::map<std::string, std::string>& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (!v->is_object()) return bad(key, "object of strings", *v);
  out.clear();
  for (auto& [k, e] : v->items()) {
    if (!e.is_string()) return bad(key, "object of strings", e);
    out[k] = e.get<std::string>();
  }
  return {};
}

Status Fields::timeNs(std::string_view key, int64_t& out) const {
  const Json* v = get(key);
  if (!v) return {};
  if (v->is_string()) {
    std::string s = v->get<std::string>();
    if (s.empty() || s.rfind("0001-01-01", 0) == 0) {
      out = 0;
      return {};
    }
    auto t = parseRfc3339(s);
    if (!t.ok()) return bad(key, "RFC 3339 time", *v);
    out = *t;
    return {};
  }
  int64_t secs = 0;
  TRY(i64(key, secs));
  // Go's zero time as unix seconds (-62135596800) and anything before the epoch: unset.
  out = secs > 0 ? secs * 1000000000 : 0;
  return {};
}

Result<std::vector<const Json*>> arrayOf(const Json& doc, std::string_view what) {
  std::vector<const Json*> out;
  if (doc.is_null()) return out;
  if (!doc.is_array()) return Error(Code::kDataLoss, fmt::format("{}: want array, got {}", what, codec::describe(doc)));
  for (auto& e : doc) out.push_back(&e);
  return out;
}

namespace {

std::optional<ContainerStatus> statusFromName(std::string_view s) {
  for (auto st : {ContainerStatus::kCreated, ContainerStatus::kConfigured, ContainerStatus::kRunning,
                  ContainerStatus::kPaused, ContainerStatus::kStopped, ContainerStatus::kExited,
                  ContainerStatus::kRemoving, ContainerStatus::kStopping, ContainerStatus::kStorage})
    if (statusName(st) == s) return st;
  return std::nullopt;
}

}  // namespace

Result<ContainerSummary> decodeListContainer(const Json& j, std::string what) {
  auto f = TRY(Fields::of(j, std::move(what)));
  ContainerSummary s;
  TRY(f.str("Id", s.id));
  TRY(f.strings("Names", s.names));
  TRY(f.str("Image", s.image));
  TRY(f.str("ImageID", s.image_id));
  TRY(f.strings("Command", s.command));
  TRY(f.timeNs("Created", s.created));
  TRY(f.timeNs("StartedAt", s.started_at));
  TRY(f.timeNs("ExitedAt", s.exited_at));
  std::string state;
  TRY(f.str("State", state));
  if (auto st = statusFromName(state)) s.status = *st;
  else if (!state.empty()) return f.bad("State", "a container state", *f.get("State"));
  TRY(f.i32("ExitCode", s.exit_code));
  TRY(f.boolean("Exited", s.exited));
  TRY(f.i32("Pid", s.pid));
  TRY(f.boolean("AutoRemove", s.auto_remove));
  TRY(f.stringMap("Labels", s.labels));
  TRY(f.i32("Restarts", s.restarts));
  TRY(f.str("Pod", s.pod));
  TRY(f.str("PodName", s.pod_name));
  TRY(f.boolean("IsInfra", s.is_infra));
  if (const Json* size = f.get("Size")) {
    auto sf = TRY(Fields::of(*size, "Size"));
    s.size_rw = 0;
    s.size_root_fs = 0;
    TRY(sf.i64("rwSize", s.size_rw));
    TRY(sf.i64("rootFsSize", s.size_root_fs));
  }
  if (s.id.empty()) return Error(Code::kDataLoss, "a listed container without an Id");
  return s;
}

Result<ImageSummary> decodeImageSummary(const Json& j, std::string what) {
  auto f = TRY(Fields::of(j, std::move(what)));
  ImageSummary s;
  TRY(f.str("Id", s.id));
  TRY(f.str("ParentId", s.parent_id));
  TRY(f.strings("RepoTags", s.repo_tags));
  TRY(f.strings("RepoDigests", s.repo_digests));
  TRY(f.i64("Created", s.created));
  TRY(f.i64("Size", s.size));
  TRY(f.i64("SharedSize", s.shared_size));
  TRY(f.stringMap("Labels", s.labels));
  TRY(f.i64("Containers", s.containers));
  TRY(f.strings("Names", s.names));
  TRY(f.str("Digest", s.digest));
  TRY(f.strings("History", s.history));
  TRY(f.boolean("Dangling", s.dangling));
  TRY(f.boolean("ReadOnly", s.read_only));
  if (s.id.rfind("sha256:", 0) == 0) s.id = s.id.substr(7);
  if (s.id.empty()) return Error(Code::kDataLoss, "a listed image without an Id");
  return s;
}

Result<ImageHistoryEntry> decodeHistory(const Json& j, std::string what) {
  auto f = TRY(Fields::of(j, std::move(what)));
  ImageHistoryEntry h;
  TRY(f.str("Id", h.id));
  TRY(f.i64("Created", h.created));
  TRY(f.str("CreatedBy", h.created_by));
  TRY(f.i64("Size", h.size));
  TRY(f.str("Comment", h.comment));
  TRY(f.strings("Tags", h.tags));
  return h;
}

Result<std::vector<std::pair<std::string, int64_t>>> decodePruneReports(const Json& j, std::string what) {
  std::vector<std::pair<std::string, int64_t>> out;
  size_t i = 0;
  for (const Json* e : TRY(arrayOf(j, what))) {
    auto f = TRY(Fields::of(*e, fmt::format("{}[{}]", what, i++)));
    std::string id, err;
    int64_t size = 0;
    TRY(f.str("Id", id));
    TRY(f.i64("Size", size));
    if (const Json* ev = f.get("Err"); ev && ev->is_string()) err = ev->get<std::string>();
    if (!err.empty()) return Error(Code::kInternal, err);
    out.emplace_back(id, size);
  }
  return out;
}

Result<std::vector<std::vector<std::string>>> decodeTop(const Json& j, std::string_view what) {
  auto f = TRY(Fields::of(j, std::string(what)));
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> titles;
  TRY(f.strings("Titles", titles));
  out.push_back(std::move(titles));
  size_t i = 0;
  if (const Json* procs = f.get("Processes")) {
    for (const Json* row : TRY(arrayOf(*procs, fmt::format("{}.Processes", what)))) {
      Json wrap = {{"row", *row}};
      std::vector<std::string> cells;
      TRY(Fields(wrap, fmt::format("{}.Processes[{}]", what, i++)).strings("row", cells));
      out.push_back(std::move(cells));
    }
  }
  return out;
}

}  // namespace berth::api::client
