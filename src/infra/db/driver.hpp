// infra/db: what the SQLite and PostgreSQL drivers share and the public facade does not show:
// the transaction interface each driver implements, and statement metrics.
// Included only by files under src/infra/db.
#pragma once

#include <array>
#include <chrono>
#include <string_view>

#include "infra/db/database.hpp"

namespace fff {
class Histogram;
}

namespace fff::db {

// A driver's open transaction. The driver's destructor must roll back when neither commit() nor
// rollback() ran, and give its connection (or the SQLite writer lock) back.
// Thread-safety: used by one thread at a time, like the Transaction that owns it.
class TransactionImpl {
 public:
  virtual ~TransactionImpl() = default;
  virtual Result<QueryResult> query(std::string_view sql, const Params& params) = 0;
  virtual Result<void> execute_script(std::string_view sql) = 0;
  virtual Result<void> commit() = 0;
  virtual void rollback() = 0;
  virtual Dialect dialect() const = 0;
};

// What a statement does, as the metrics label it.
enum class StatementKind { select, insert, update, remove, other };
const char* to_string(StatementKind kind);

// Reads the statement's verb, skipping comments; a WITH statement is labelled by the verb of its
// main statement (the first SELECT/INSERT/UPDATE/DELETE outside parentheses).
StatementKind classify_statement(std::string_view sql);

// fff_db_query_duration_seconds{driver,statement} and fff_db_errors_total{driver,code}.
// With no registry every method does nothing. Thread-safe.
class QueryMetrics {
 public:
  QueryMetrics(MetricsRegistry* registry, const char* driver);

  void observe(StatementKind kind, std::chrono::steady_clock::time_point started) const;
  void count_error(const Error& error) const;
  // Records one statement: its duration under `kind` (classified from `sql` when a failure
  // left it unknown) and, when it failed, its error code.
  void record(std::string_view sql, StatementKind kind,
              std::chrono::steady_clock::time_point started,
              const Result<QueryResult>& result) const;

 private:
  MetricsRegistry* registry_;
  const char* driver_;
  std::array<Histogram*, 5> durations_{};  // indexed by StatementKind
};

// The error for using a transaction after a failed statement: PostgreSQL aborts the whole
// transaction on any error, and SQLite is made to behave the same so that code tested on one
// behaves the same on the other.
Error transaction_aborted_error();

}  // namespace fff::db
