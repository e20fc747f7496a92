// Manifest list records.
#include "state/manifest_lists.h"

#include "base/json_fast.h"

namespace berth::state {

static constexpr std::string_view kCols = "name, id, digest, created, index_json, sources";

static ManifestListRecord rowToList(const Stmt& s) {
  ManifestListRecord r;
  r.name = s.text(0);
  r.id = s.text(1);
  r.digest = s.text(2);
  r.created = s.int64(3);
  r.index_json = s.text(4);
  r.sources = parseJsonTrusted(s.text(5));
  if (!r.sources.is_object()) r.sources = Json::object();
  return r;
}

Result<std::vector<ManifestListRecord>> listManifestLists(Db& db) {
  std::vector<ManifestListRecord> out;
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM manifest_lists ORDER BY created, id", kCols)));
  while (TRY(s.next())) out.push_back(rowToList(s));
  return out;
}

Result<std::optional<ManifestListRecord>> getManifestListByName(Db& db, const std::string& name) {
  Stmt s = TRY(db.prepare(fmt::format("SELECT {} FROM manifest_lists WHERE name = ?", kCols)));
  s.bind(1, name);
  if (!TRY(s.next())) return std::optional<ManifestListRecord>();
  return std::optional<ManifestListRecord>(rowToList(s));
}

Status putManifestList(Db& db, const ManifestListRecord& r) {
  Stmt s = TRY(db.prepare(
      "INSERT INTO manifest_lists (name, id, digest, created, index_json, sources) VALUES (?,?,?,?,?,?) "
      "ON CONFLICT(id) DO UPDATE SET digest=excluded.digest, index_json=excluded.index_json, "
      "sources=excluded.sources"));
  s.bind(1, r.name).bind(2, r.id).bind(3, r.digest).bind(4, r.created).bind(5, r.index_json);
  s.bind(6, r.sources.dump());
  return s.run();
}

Status deleteManifestList(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("DELETE FROM manifest_lists WHERE id = ?"));
  s.bind(1, id);
  return s.run();
}

}  // namespace berth::state
