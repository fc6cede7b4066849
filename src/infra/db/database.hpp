// infra/db: one database interface, two drivers (SQLite embedded, PostgreSQL over libpq).
//
// SQL is written once with PostgreSQL-style positional parameters ($1, $2, …); the SQLite
// driver binds them by number. Parameters are always bound, never spliced into SQL text.
// Where the dialects' DDL differs, migrations are written per dialect (see migrator.hpp).
//
// Value conventions shared by both drivers:
//   - integers come back as int64, booleans as bool (SQLite stores 0/1: read with Row::boolean),
//   - timestamps are stored as TEXT ISO 8601 on SQLite and timestamptz on PostgreSQL; both come
//     back as text in fff's canonical form "YYYY-MM-DDTHH:MM:SS.ffffffZ",
//   - NULL is std::monostate.
//
// Failures are values (Result): a unique-constraint violation is ErrorKind::conflict with code
// "unique_violation" (the message names the constraint), a deadlock or serialization failure
// ErrorKind::conflict "serialization_failure" (retry the transaction), a lost or unreachable
// server ErrorKind::unavailable "database_unavailable", no free connection (or SQLite writer)
// within Options::busy_timeout_ms ErrorKind::unavailable "database_busy", anything else
// ErrorKind::internal.
//
// Thread-safety: a Database is used by many threads at once. A Transaction belongs to one thread
// at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace fff {
class MetricsRegistry;
}

namespace fff::db {

enum class Dialect { sqlite, postgres };
const char* to_string(Dialect d);

using Value = std::variant<std::monostate, int64_t, double, std::string, bool>;
using Params = std::vector<Value>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  // Reading past the last column throws std::out_of_range naming the column index.
  const Value& operator[](size_t i) const;
  bool is_null(size_t i) const { return std::holds_alternative<std::monostate>((*this)[i]); }
  // Typed reads. Reading NULL or a value of another type is a programmer error: throws
  // std::logic_error naming the column index.
  int64_t int64(size_t i) const;
  double real(size_t i) const;  // also accepts integers
  const std::string& text(size_t i) const;
  bool boolean(size_t i) const;  // accepts bool and the integers 0/1
  std::optional<std::string> opt_text(size_t i) const;
  std::optional<int64_t> opt_int64(size_t i) const;

 private:
  std::vector<Value> values_;
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  bool empty() const { return rows.empty(); }
};

struct Options {
  // SQLite: reader connections (the writer is always exactly one). PostgreSQL: pool size.
  int pool_size = 4;
  // SQLite busy timeout and PostgreSQL wait for a free pooled connection.
  int busy_timeout_ms = 5000;
};

class TransactionImpl;  // the interface each driver implements (infra/db/driver.hpp)

// A transaction on one leased connection. Move-only RAII: destroying it without commit()
// rolls back. commit() and rollback() give the connection back at once; afterwards query()
// and commit() return ErrorKind::internal "transaction_finished".
//
// A failed statement aborts the whole transaction on both drivers (PostgreSQL's rule, applied to
// SQLite too so code tested on one behaves the same on the other): later queries and commit()
// return ErrorKind::internal "transaction_aborted" and the transaction rolls back. Prefer
// INSERT ... ON CONFLICT over catching unique_violation inside a transaction.
//
// REQUIRES: destroyed before the Database it came from. While a thread holds a SQLite
// Transaction, writes through Database::query or a second begin() on that thread wait for the
// writer it holds and fail with "database_busy" after busy_timeout_ms.
class Transaction {
 public:
  explicit Transaction(std::unique_ptr<TransactionImpl> impl);
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  ~Transaction();

  Result<QueryResult> query(std::string_view sql, const Params& params = {});
  // Several ';'-separated statements without parameters (migrations, test fixtures).
  Result<void> execute_script(std::string_view sql);
  Result<void> commit();
  void rollback();
  Dialect dialect() const;

 private:
  std::unique_ptr<TransactionImpl> impl_;
};

class Database {
 public:
  virtual ~Database() = default;

  // Opens by URL: "sqlite:PATH" or a plain file path ("data/fff.db"), or "postgres://…" /
  // "postgresql://…". Any other scheme: ErrorKind::invalid "invalid_database_url". Creates the
  // SQLite file, its WAL and its parent directory when missing; PostgreSQL connections are made
  // on first use (ping() checks the server). Metrics, when given, receive
  // fff_db_query_duration_seconds{driver,statement} and fff_db_errors_total{driver,code}; the
  // registry must outlive the Database.
  static Result<std::unique_ptr<Database>> open(const std::string& url, const Options& options,
                                                MetricsRegistry* metrics = nullptr);

  virtual Dialect dialect() const = 0;

  // One statement in autocommit mode. On SQLite a read-only statement runs on a reader
  // connection (many at once); anything else on the single writer. Use begin() for
  // transactions, never "BEGIN" here.
  virtual Result<QueryResult> query(std::string_view sql, const Params& params = {}) = 0;

  // A read-write transaction: BEGIN IMMEDIATE on SQLite (waits for the single writer),
  // BEGIN on PostgreSQL.
  virtual Result<Transaction> begin() = 0;

  // Is the server reachable? (readyz)
  virtual Result<void> ping() = 0;
};

}  // namespace fff::db
