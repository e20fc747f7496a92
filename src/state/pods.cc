// Pod records.
#include "state/pods.h"

#include "base/json_fast.h"

namespace berth::state {

namespace {

constexpr std::string_view kCols = "id, name, created, config, state";

PodRecord rowToPod(const Stmt& s) {
  PodRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.created = s.int64(2);
  r.config = parseJsonTrusted(s.text(3));
  r.state = parseJsonTrusted(s.text(4));
  if (!r.config.is_object()) r.config = Json::object();
  if (!r.state.is_object()) r.state = Json::object();
  return r;
}

}  // namespace

Result<std::vector<PodRecord>> listPods(Db& db) {
  std::vector<PodRecord> out;
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM pods ORDER BY created", kCols)));
  while (TRY(s.next())) out.push_back(rowToPod(s));
  return out;
}

Result<std::optional<PodRecord>> getPod(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM pods WHERE id = ?", kCols)));
  s.bind(1, id);
  if (!TRY(s.next())) return std::optional<PodRecord>();
  return std::optional<PodRecord>(rowToPod(s));
}

Result<PodRecord> findPod(Db& db, const std::string& name_or_id) {
  {
    Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM pods WHERE name = ? OR id = ?", kCols)));
    s.bind(1, name_or_id).bind(2, name_or_id);
    if (TRY(s.next())) return rowToPod(s);
  }
  bool hex = !name_or_id.empty() && name_or_id.size() < 64 &&
             name_or_id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex) {
    Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM pods WHERE id >= ? AND id < ? LIMIT 2", kCols)));
    s.bind(1, name_or_id).bind(2, name_or_id + "g");
    if (TRY(s.next())) {
      PodRecord r = rowToPod(s);
      if (TRY(s.next())) return makeError(Code::kInvalidArgument, "more than one result for pod {:?}", name_or_id);
      return r;
    }
  }
  return makeError(Code::kNotFound, "no pod with name or ID {} found: no such pod", name_or_id);
}

Status insertPod(Db& db, const PodRecord& r) {
  {
    Stmt s = TRY(db.prepare("SELECT id FROM pods WHERE name = ?"));
    s.bind(1, r.name);
    if (TRY(s.next())) return makeError(Code::kAlreadyExists, "{}: pod already exists", r.name);
  }
  Stmt s = TRY(db.prepare("INSERT INTO pods (id, name, created, config, state) VALUES (?,?,?,?,?)"));
  s.bind(1, r.id).bind(2, r.name).bind(3, r.created).bind(4, r.config.dump()).bind(5, r.state.dump());
  return s.run();
}

Status updatePod(Db& db, const PodRecord& r) {
  Stmt s = TRY(db.prepare("UPDATE pods SET config = ?, state = ? WHERE id = ?"));
  s.bind(1, r.config.dump()).bind(2, r.state.dump()).bind(3, r.id);
  TRY(s.run());
  if (db.changes() == 0) return makeError(Code::kNotFound, "no pod with name or ID {} found: no such pod", r.id);
  return {};
}

Status deletePod(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("DELETE FROM pods WHERE id = ?"));
  s.bind(1, id);
  return s.run();
}

Result<std::vector<std::string>> podMembers(Db& db, const std::string& id) {
  std::vector<std::string> out;
  Stmt s = TRY(db.prepare("SELECT id FROM containers WHERE json_extract(config, '$.spec.pod') = ? ORDER BY created"));
  s.bind(1, id);
  while (TRY(s.next())) out.push_back(s.text(0));
  return out;
}

}  // namespace berth::state
