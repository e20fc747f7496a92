// Db: the SQLite state database (WAL, busy timeout, versioned migrations, transactions).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace berth::state {

using Value = std::variant<std::nullptr_t, int64_t, std::string>;

// A prepared statement; bind with bind(), step with next().
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept : db_(o.db_), s_(std::exchange(o.s_, nullptr)) {}
  Stmt(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int idx, int64_t v);
  Stmt& bind(int idx, std::string_view v);
  Stmt& bindNull(int idx);
  // Advances: true if a row is available, false when done.
  Result<bool> next();
  // Runs to completion (for statements without rows).
  Status run();
  int64_t int64(int col) const;
  std::string text(int col) const;
  bool isNull(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
};

// One connection. Not shared between threads. Writers use transaction() which
// takes the write lock up front (BEGIN IMMEDIATE) so concurrent processes queue
// instead of failing on upgrade.
class Db {
 public:
  ~Db();
  // Closes the connection now (the last one checkpoints the WAL into the database and
  // removes it, so the next process opens without replaying it); nothing may use it after.
  void close();
  // Opens (creating) the database at `path` and applies pending migrations.
  static Result<std::unique_ptr<Db>> open(const std::string& path);

  Result<Stmt> prepare(std::string_view sql);
  Status exec(std::string_view sql);
  int64_t changes() const;

  // Runs fn inside BEGIN IMMEDIATE ... COMMIT; rolls back if fn fails.
  template <typename F>
  Status transaction(F&& fn) {
    TRY(exec("BEGIN IMMEDIATE"));
    Status s = fn();
    if (!s.ok()) {
      (void)exec("ROLLBACK");
      return s;
    }
    if (auto c = exec("COMMIT"); !c.ok()) {
      (void)exec("ROLLBACK");
      return c;
    }
    return {};
  }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  Status migrate();
  sqlite3* db_;
};

Error sqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace berth::state
