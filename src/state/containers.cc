// Container records.
#include "state/containers.h"

#include "base/json_fast.h"

namespace berth::state {

static constexpr std::string_view kCols = "id, name, image_id, created, config, state";

static ContainerRecord rowToContainer(const Stmt& s) {
  ContainerRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.image_id = s.text(2);
  r.created = s.int64(3);
  r.config = parseJsonTrusted(s.text(4));
  r.state = parseJsonTrusted(s.text(5));
  if (!r.config.is_object()) r.config = Json::object();
  if (!r.state.is_object()) r.state = Json::object();
  return r;
}

Result<std::vector<ContainerRecord>> listContainers(Db& db) {
  std::vector<ContainerRecord> out;
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM containers ORDER BY created", kCols)));
  while (TRY(s.next())) out.push_back(rowToContainer(s));
  return out;
}

Result<std::vector<ContainerRecord>> listContainerSummaries(Db& db) {
  std::vector<ContainerRecord> out;
  // summary: kept by the schema's triggers (migration 7).
  Stmt s = TRY(db.prepare("SELECT id, name, image_id, created, summary, state FROM containers ORDER BY created"));
  while (TRY(s.next())) out.push_back(rowToContainer(s));
  return out;
}

Result<std::vector<ContainerRecord>> listPossibleDependents(Db& db, const std::string& id) {
  std::vector<ContainerRecord> out;
  // Found by the text of the config, so that only those few are parsed (a removal used to
  // parse every container's config). The spec writes a namespace mode as "nsmode":"container".
  Stmt s = TRY(db.prepare(fmt::format(
      "SELECT {} FROM containers WHERE id != ?1 AND (instr(config, ?1) > 0 OR "
      "instr(config, '\"nsmode\":\"container\"') > 0) ORDER BY created",
      kCols)));
  s.bind(1, id);
  while (TRY(s.next())) out.push_back(rowToContainer(s));
  return out;
}

Result<std::shared_ptr<const std::vector<ContainerRecord>>> SummaryCache::get(Db& db) {
  Stmt s = TRY(db.prepare("SELECT total_changes()"));
  if (!TRY(s.next())) return makeError(Code::kInternal, "total_changes() returned no row");
  int64_t total = s.int64(0);
  Stmt v = TRY(db.prepare("PRAGMA data_version"));
  if (!TRY(v.next())) return makeError(Code::kInternal, "PRAGMA data_version returned no row");
  int64_t version = v.int64(0);
  if (!rows_ || version != data_version_ || total != total_changes_) {
    rows_ = std::make_shared<const std::vector<ContainerRecord>>(TRY(listContainerSummaries(db)));
    data_version_ = version;
    total_changes_ = total;
  }
  return rows_;
}

Result<std::optional<ContainerRecord>> getContainer(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM containers WHERE id = ?", kCols)));
  s.bind(1, id);
  if (!TRY(s.next())) return std::optional<ContainerRecord>();
  return std::optional<ContainerRecord>(rowToContainer(s));
}

Status insertContainer(Db& db, const ContainerRecord& r) {
  {
    Stmt s = TRY(db.prepare("SELECT id FROM containers WHERE name = ?"));
    s.bind(1, r.name);
    if (TRY(s.next()))
      return makeError(Code::kAlreadyExists,
                       "the container name {:?} is already in use by {}. You have to remove that container "
                       "to be able to reuse that name: that name is already in use",
                       r.name, s.text(0));
  }
  Stmt s = TRY(db.prepare(
      "INSERT INTO containers (id, name, image_id, created, config, state) VALUES (?,?,?,?,?,?)"));
  s.bind(1, r.id).bind(2, r.name).bind(3, r.image_id).bind(4, r.created);
  s.bind(5, r.config.dump()).bind(6, r.state.dump());
  return s.run();
}

Status updateContainerState(Db& db, const std::string& id, const Json& state) {
  Stmt s = TRY(db.prepare("UPDATE containers SET state = ? WHERE id = ?"));
  s.bind(1, state.dump()).bind(2, id);
  TRY(s.run());
  if (db.changes() == 0)
    return makeError(Code::kNotFound, "no container with ID {:?} found: no such container", id);
  return {};
}

Status updateContainerConfig(Db& db, const std::string& id, const Json& config) {
  Stmt s = TRY(db.prepare("UPDATE containers SET config = ? WHERE id = ?"));
  s.bind(1, config.dump()).bind(2, id);
  return s.run();
}

Status renameContainer(Db& db, const std::string& id, const std::string& name) {
  {
    Stmt s = TRY(db.prepare("SELECT id FROM containers WHERE name = ?"));
    s.bind(1, name);
    if (TRY(s.next()))
      return makeError(Code::kAlreadyExists, "the container name {:?} is already in use by {}", name, s.text(0));
  }
  Stmt s = TRY(db.prepare("UPDATE containers SET name = ? WHERE id = ?"));
  s.bind(1, name).bind(2, id);
  return s.run();
}

Status deleteContainer(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("DELETE FROM containers WHERE id = ?"));
  s.bind(1, id);
  return s.run();
}

Result<ContainerRecord> findContainer(Db& db, const std::string& name_or_id) {
  {
    Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM containers WHERE name = ? OR id = ?", kCols)));
    s.bind(1, name_or_id).bind(2, name_or_id);
    if (TRY(s.next())) return rowToContainer(s);
  }
  bool hex = !name_or_id.empty() && name_or_id.size() < 64 &&
             name_or_id.find_first_not_of("0123456789abcdef") == std::string::npos;
  if (hex) {
    Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM containers WHERE id >= ? AND id < ? LIMIT 2", kCols)));
    s.bind(1, name_or_id).bind(2, name_or_id + "g");
    if (TRY(s.next())) {
      ContainerRecord r = rowToContainer(s);
      if (TRY(s.next()))
        return makeError(Code::kInvalidArgument, "more than one result for container {:?}", name_or_id);
      return r;
    }
  }
  return makeError(Code::kNotFound, "no container with name or ID {:?} found: no such container", name_or_id);
}

}  // namespace berth::state
