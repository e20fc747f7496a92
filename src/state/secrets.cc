// Secret records.
#include "state/secrets.h"

#include "base/json_fast.h"

namespace berth::state {

namespace {

SecretRecord rowToSecret(const Stmt& s) {
  SecretRecord r;
  r.id = s.text(0);
  r.name = s.text(1);
  r.created = s.int64(2);
  r.updated = s.int64(3);
  r.config = parseJsonTrusted(s.text(4));
  if (!r.config.is_object()) r.config = Json::object();
  return r;
}

constexpr const char* kColumns = "SELECT id, name, created, updated, config FROM secrets";

}  // namespace

Result<std::vector<SecretRecord>> listSecrets(Db& db) {
  std::vector<SecretRecord> out;
  Stmt s = TRY(db.prepare(std::string(kColumns) + " ORDER BY created, id"));
  while (TRY(s.next())) out.push_back(rowToSecret(s));
  return out;
}

Status insertSecret(Db& db, const SecretRecord& r) {
  Stmt q = TRY(db.prepare("SELECT 1 FROM secrets WHERE name = ?"));
  q.bind(1, r.name);
  if (TRY(q.next())) return makeError(Code::kAlreadyExists, "{}: secret name in use", r.name);
  Stmt s = TRY(db.prepare("INSERT INTO secrets (id, name, created, updated, config) VALUES (?,?,?,?,?)"));
  s.bind(1, r.id).bind(2, r.name).bind(3, r.created).bind(4, r.updated).bind(5, r.config.dump());
  return s.run();
}

Status deleteSecret(Db& db, const std::string& id) {
  Stmt s = TRY(db.prepare("DELETE FROM secrets WHERE id = ?"));
  s.bind(1, id);
  return s.run();
}

Result<SecretRecord> findSecret(Db& db, const std::string& key) {
  auto notFound = [&] {
    return makeError(Code::kNotFound, "no secret with name or id {:?}: no such secret", key);
  };
  if (key.empty()) return notFound();
  Stmt s = TRY(db.prepare(std::string(kColumns) + " WHERE name = ? OR id = ?"));
  s.bind(1, key).bind(2, key);
  if (TRY(s.next())) return rowToSecret(s);
  // A unique ID prefix (hex only, so LIKE's wildcards never occur in it).
  if (key.find_first_not_of("0123456789abcdef") != std::string::npos) return notFound();
  Stmt p = TRY(db.prepare(std::string(kColumns) + " WHERE id LIKE ? || '%'"));
  p.bind(1, key);
  std::optional<SecretRecord> found;
  while (TRY(p.next())) {
    if (found)
      return makeError(Code::kInvalidArgument, "more than one result secret with prefix {}", key);
    found = rowToSecret(p);
  }
  if (!found) return notFound();
  return *found;
}

}  // namespace berth::state
