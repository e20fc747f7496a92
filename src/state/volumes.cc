// Volume records.
#include "state/volumes.h"

#include "base/json_fast.h"

namespace berth::state {

namespace {

VolumeRecord rowToVolume(const Stmt& s) {
  VolumeRecord r;
  r.name = s.text(0);
  r.created = s.int64(1);
  r.config = parseJsonTrusted(s.text(2));
  r.state = parseJsonTrusted(s.text(3));
  if (!r.config.is_object()) r.config = Json::object();
  if (!r.state.is_object()) r.state = Json::object();
  return r;
}

}  // namespace

Result<std::vector<VolumeRecord>> listVolumes(Db& db) {
  std::vector<VolumeRecord> out;
  Stmt s = TRY(db.prepare("SELECT name, created, config, state FROM volumes ORDER BY name"));
  while (TRY(s.next())) out.push_back(rowToVolume(s));
  return out;
}

Result<std::optional<VolumeRecord>> getVolume(Db& db, const std::string& name) {
  Stmt s = TRY(db.prepare("SELECT name, created, config, state FROM volumes WHERE name = ?"));
  s.bind(1, name);
  if (!TRY(s.next())) return std::optional<VolumeRecord>();
  return std::optional<VolumeRecord>(rowToVolume(s));
}

Status insertVolume(Db& db, const VolumeRecord& r) {
  if (TRY(getVolume(db, r.name)))
    return makeError(Code::kAlreadyExists, "volume with name {} already exists: volume already exists", r.name);
  Stmt s = TRY(db.prepare("INSERT INTO volumes (name, created, config, state) VALUES (?,?,?,?)"));
  s.bind(1, r.name).bind(2, r.created).bind(3, r.config.dump()).bind(4, r.state.dump());
  return s.run();
}

Status updateVolumeState(Db& db, const std::string& name, const Json& state) {
  Stmt s = TRY(db.prepare("UPDATE volumes SET state = ? WHERE name = ?"));
  s.bind(1, state.dump()).bind(2, name);
  TRY(s.run());
  if (db.changes() == 0) return makeError(Code::kNotFound, "no such volume {}", name);
  return {};
}

Status deleteVolume(Db& db, const std::string& name) {
  Stmt s = TRY(db.prepare("DELETE FROM volumes WHERE name = ?"));
  s.bind(1, name);
  return s.run();
}

Result<std::vector<std::string>> containersUsingVolume(Db& db, const std::string& name) {
  std::vector<std::string> out;
  Stmt s = TRY(db.prepare(
      "SELECT DISTINCT c.id FROM containers c, json_each(c.config, '$.spec.volumes') v "
      "WHERE json_extract(v.value, '$.Name') = ? ORDER BY c.created"));
  s.bind(1, name);
  while (TRY(s.next())) out.push_back(s.text(0));
  return out;
}

Result<std::vector<std::string>> volumesInUse(Db& db) {
  std::vector<std::string> out;
  Stmt s = TRY(db.prepare(
      "SELECT DISTINCT json_extract(v.value, '$.Name') FROM containers c, json_each(c.config, '$.spec.volumes') v"));
  while (TRY(s.next()))
    if (!s.isNull(0)) out.push_back(s.text(0));
  return out;
}

}  // namespace berth::state
