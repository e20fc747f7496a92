// SQLite state database.
#include "state/db.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "state/schema.h"

namespace berth::state {

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  Code code = Code::kInternal;
  int prim = rc & 0xff;
  if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) code = Code::kUnavailable;
  if (prim == SQLITE_CONSTRAINT) code = Code::kAlreadyExists;
  if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB) code = Code::kDataLoss;
  if (prim == SQLITE_CANTOPEN || prim == SQLITE_PERM || prim == SQLITE_READONLY)
    code = Code::kPermissionDenied;
  return Error(code, fmt::format("state database: {}: {}", what,
                                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

Stmt::~Stmt() {
  if (s_) sqlite3_finalize(s_);
}
Stmt& Stmt::bind(int idx, int64_t v) {
  sqlite3_bind_int64(s_, idx, v);
  return *this;
}
Stmt& Stmt::bind(int idx, std::string_view v) {
  sqlite3_bind_text(s_, idx, v.data(), int(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bindNull(int idx) {
  sqlite3_bind_null(s_, idx);
  return *this;
}
Result<bool> Stmt::next() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqliteError(db_, rc, sqlite3_sql(s_));
}
Status Stmt::run() {
  for (;;) {
    bool row = TRY(next());
    if (!row) return {};
  }
}
int64_t Stmt::int64(int col) const { return sqlite3_column_int64(s_, col); }
std::string Stmt::text(int col) const {
  auto p = sqlite3_column_text(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col)) : "";
}
bool Stmt::isNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Db::~Db() { close(); }

void Db::close() {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqliteError(raw, rc, "open " + path);
    sqlite3_close_v2(raw);
    return e;
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, 30000);
  // The -wal and -shm files stay between commands instead of being made and deleted by each:
  // creating an inode costs more the more were deleted lately in its group (ext4 without a
  // journal scans past them), and a command on a busy host pays that for each. The WAL is
  // still emptied into the database at the last close, and truncated: a WAL left with its
  // frames would be read back by the next command's recovery and, its checkpoint forgotten
  // with the -shm, never started over, growing with every command.
  int persist = 1;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  TRY(db->exec("PRAGMA journal_size_limit=0"));
  // Switching a new database to WAL takes an exclusive lock that SQLite does not always wait
  // for: of two processes opening a fresh database at once, one may be told "locked" at once
  // (its busy handler is skipped to avoid a deadlock). It tries again, as long as the busy
  // timeout would have waited.
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);;) {
    int jrc = sqlite3_exec(raw, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (jrc == SQLITE_OK) break;
    if ((jrc != SQLITE_BUSY && jrc != SQLITE_LOCKED) || std::chrono::steady_clock::now() > until)
      return sqliteError(raw, jrc, "PRAGMA journal_mode=WAL");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  TRY(db->exec("PRAGMA synchronous=NORMAL"));
  TRY(db->exec("PRAGMA foreign_keys=ON"));
  // Reads through a shared mapping of the file instead of pread into malloc'd cache pages:
  // listing 1000 containers reads every page of the file, in a process that lives once.
  TRY(db->exec("PRAGMA mmap_size=268435456"));
  TRY(db->migrate());
  return db;
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &s, nullptr);
  if (rc != SQLITE_OK) return sqliteError(db_, rc, sql);
  return Stmt(db_, s);
}

Status Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    return sqliteError(db_, rc, s);
  }
  return {};
}

int64_t Db::changes() const { return sqlite3_changes64(db_); }

Status Db::migrate() {
  int64_t version = 0;
  {
    Stmt s = TRY(prepare("PRAGMA user_version"));
    if (TRY(s.next())) version = s.int64(0);
  }
  const auto& migrations = schemaMigrations();
  if (version >= int64_t(migrations.size())) return {};
  return transaction([&]() -> Status {
    // Re-read under the write lock: another process may have migrated meanwhile.
    Stmt s = TRY(prepare("PRAGMA user_version"));
    int64_t v = TRY(s.next()) ? s.int64(0) : 0;
    for (size_t i = size_t(v); i < migrations.size(); ++i)
      TRY_CTX(exec(migrations[i]), "migration {}", i + 1);
    return exec(fmt::format("PRAGMA user_version = {}", migrations.size()));
  });
}

}  // namespace berth::state
