#include "infra/db/postgres/postgres_database.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "core/log.hpp"
#include "core/time.hpp"
#include "infra/db/driver.hpp"

namespace fff::db {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Type OIDs from PostgreSQL's catalog (pg_type.dat); they are fixed across server versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kTimestampOid = 1114;
constexpr Oid kTimestamptzOid = 1184;

// See the SQLite driver: application SQL is a fixed set, the limit guards against dynamic SQL.
constexpr size_t kPreparedLimit = 512;

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Error unavailable_error(const std::string& detail) {
  return Error::unavailable("database_unavailable", "PostgreSQL is unavailable: " + detail);
}

// Maps a failed command to fff's error kinds. `result` may be null when libpq gave no result
// (the connection dropped); the connection's own message is used then.
Error pg_error(PGconn* conn, const PGresult* result) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = trimmed(primary ? primary : PQerrorMessage(conn));
  std::string_view code = state ? state : "";
  if (code == "23505") return Error::conflict("unique_violation", message);
  if (code == "40001" || code == "40P01") return Error::conflict("serialization_failure", message);
  if (code == "25P02") return transaction_aborted_error();
  // Class 08 is connection trouble, except 08P01 (protocol violation), which is how the server
  // reports a wrong parameter count: a bug in the caller, on a connection that still works.
  // 57P01..03: the server is shutting down or starting; the connection is going away.
  bool connection_lost = (code.starts_with("08") && code != "08P01") || code == "57P01" ||
                         code == "57P02" || code == "57P03";
  if (connection_lost || PQstatus(conn) != CONNECTION_OK) {
    return unavailable_error(message);
  }
  return Error::internal("postgres: " + message);
}

bool is_success(const PGresult* r) {
  auto status = PQresultStatus(r);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

Value convert(Oid type, const char* text, int length) {
  std::string_view s(text, static_cast<size_t>(length));
  switch (type) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(s.data(), s.data() + s.size(), v);
      return v;
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double v = 0;
      std::from_chars(s.data(), s.data() + s.size(), v);
      return v;
    }
    case kBoolOid: return s == "t";
    case kTimestampOid: return canonical_timestamp(s, false);
    case kTimestamptzOid: return canonical_timestamp(s, true);
    default: return std::string(s);
  }
}

QueryResult convert_result(const PGresult* r) {
  QueryResult out;
  int columns = PQnfields(r);
  int rows = PQntuples(r);
  std::vector<Oid> types(static_cast<size_t>(columns));
  out.columns.reserve(static_cast<size_t>(columns));
  for (int c = 0; c < columns; ++c) {
    out.columns.emplace_back(PQfname(r, c));
    types[static_cast<size_t>(c)] = PQftype(r, c);
  }
  out.rows.reserve(static_cast<size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r, i, c)) {
        values.emplace_back(std::monostate{});
      } else {
        values.push_back(
            convert(types[static_cast<size_t>(c)], PQgetvalue(r, i, c), PQgetlength(r, i, c)));
      }
    }
    out.rows.emplace_back(std::move(values));
  }
  const char* tuples = PQcmdTuples(const_cast<PGresult*>(r));
  if (tuples && *tuples) {
    std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), out.affected);
  }
  return out;
}

// Parameters go as text in the extended protocol, so the server types them from context and
// they are never parsed as SQL.
std::string param_text(const Value& v) {
  struct Text {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(int64_t x) const { return std::to_string(x); }
    std::string operator()(double x) const {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip form
      return std::string(buf, end);
    }
    std::string operator()(const std::string& x) const { return x; }
    std::string operator()(bool x) const { return x ? "true" : "false"; }
  };
  return std::visit(Text{}, v);
}

void log_notice(void*, const char* message) {
  log::debug("postgres notice", {{"message", trimmed(message)}});
}

// A statement's outcome, and whether the server may have run it: a statement that never left
// this process is safe to resend on another connection.
struct Outcome {
  Result<QueryResult> result;
  bool may_have_run;
};

// One libpq connection and its prepared statements.
// Thread-safety: used by one thread at a time (leased from the pool).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> connect(const std::string& url, int timeout_ms) {
    std::string timeout = std::to_string(std::max(2, (timeout_ms + 999) / 1000));
    // The URL comes last so that its own settings win over these defaults.
    const char* keys[] = {"application_name", "client_encoding", "connect_timeout", "dbname",
                          nullptr};
    const char* values[] = {"fff", "UTF8", timeout.c_str(), url.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 1);
    if (!conn) return unavailable_error("out of memory creating a connection");
    std::unique_ptr<Connection> c(new Connection(conn));
    if (PQstatus(conn) != CONNECTION_OK) return unavailable_error(trimmed(PQerrorMessage(conn)));
    PQsetNoticeProcessor(conn, log_notice, nullptr);
    // Set per session rather than in the URL's options, which the operator may set themselves.
    PgResult r(PQexec(conn, "SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'"));
    if (!r || !is_success(r.get())) return pg_error(conn, r.get());
    return c;
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { PQfinish(conn_); }

  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }
  bool idle() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }
  int backend_pid() const { return PQbackendPID(conn_); }

  // Called before each use of a pooled connection. An idle connection has nothing to read, so
  // readable data means the server said goodbye (a FATAL error, then EOF) while it sat in the
  // pool: after pg_terminate_backend or a server restart. Reading it makes libpq notice.
  bool alive() {
    if (broken()) return false;
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    for (int round = 0; round < 8; ++round) {
      int ready = ::poll(&pfd, 1, 0);
      if (ready == 0) return true;
      if (ready < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (!PQconsumeInput(conn_) || broken()) return false;
      while (PGnotify* note = PQnotifies(conn_)) PQfreemem(note);
    }
    return !broken();
  }

  // Frees server memory when a caller built SQL dynamically; only between transactions, since
  // DEALLOCATE would fail inside an aborted one.
  void trim_prepared() {
    if (prepared_.size() < kPreparedLimit) return;
    PgResult r(PQexec(conn_, "DEALLOCATE ALL"));
    if (r && is_success(r.get())) prepared_.clear();
  }

  Outcome run(std::string_view sql, const Params& params, StatementKind& kind) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "fff_" + std::to_string(++statements_made_);
      std::string text(sql);
      // Preparing changes nothing, so a failure here never counts as "may have run".
      if (!PQsendPrepare(conn_, name.c_str(), text.c_str(), 0, nullptr)) {
        return {pg_error(conn_, nullptr), false};
      }
      PgResult r = collect();
      if (!r || !is_success(r.get())) return {pg_error(conn_, r.get()), false};
      it = prepared_.emplace(std::move(text), Prepared{std::move(name), classify_statement(sql)})
               .first;
    }
    kind = it->second.kind;

    std::vector<std::string> texts;
    std::vector<const char*> values;
    texts.reserve(params.size());
    values.reserve(params.size());
    for (const Value& v : params) {
      texts.push_back(param_text(v));
      values.push_back(std::holds_alternative<std::monostate>(v) ? nullptr : texts.back().c_str());
    }
    if (!PQsendQueryPrepared(conn_, it->second.name.c_str(), static_cast<int>(values.size()),
                             values.data(), nullptr, nullptr, 0)) {
      return {pg_error(conn_, nullptr), false};
    }
    PgResult r = collect();
    if (!r || !is_success(r.get())) return {pg_error(conn_, r.get()), true};
    return {convert_result(r.get()), true};
  }

  // A command without parameters; several ';'-separated statements are allowed. Returns the
  // command tag of the last one ("COMMIT", or "ROLLBACK" when COMMIT found an aborted block).
  Outcome exec(std::string_view sql, std::string* tag = nullptr) {
    std::string text(sql);
    if (!PQsendQuery(conn_, text.c_str())) return {pg_error(conn_, nullptr), false};
    PgResult r = collect();
    // A script of only comments is an empty query, which is not a failure.
    if (!r || (!is_success(r.get()) && PQresultStatus(r.get()) != PGRES_EMPTY_QUERY)) {
      return {pg_error(conn_, r.get()), true};
    }
    if (tag) *tag = PQcmdStatus(r.get());
    return {QueryResult{}, true};
  }

 private:
  struct Prepared {
    std::string name;
    StatementKind kind;
  };

  explicit Connection(PGconn* conn) : conn_(conn) {}

  // Reads results until libpq has no more; keeps the first error, else the last result.
  PgResult collect() {
    PgResult kept;
    while (PGresult* next = PQgetResult(conn_)) {
      PgResult r(next);
      if (kept && !is_success(kept.get())) continue;
      kept = std::move(r);
    }
    return kept;
  }

  PGconn* conn_;
  std::unordered_map<std::string, Prepared, SqlHash, std::equal_to<>> prepared_;
  uint64_t statements_made_ = 0;
};

class Pool;

// A connection out of the pool; goes back (or, when broken or mid-transaction, is dropped) when
// the lease ends.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection* operator->() const { return conn_.get(); }
  Connection& operator*() const { return *conn_; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
};

// At most `size` connections, made when first needed.
// Thread-safety: all methods are thread-safe.
class Pool {
 public:
  Pool(std::string url, const Options& options)
      : url_(std::move(url)), size_(options.pool_size), timeout_ms_(options.busy_timeout_ms) {}

  Result<Lease> acquire() {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms_);
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!idle_.empty()) {
        std::unique_ptr<Connection> conn = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        if (conn->alive()) {
          conn->trim_prepared();
          return Lease(*this, std::move(conn));
        }
        log::warn("dropping a broken PostgreSQL connection", {{"pid", conn->backend_pid()}});
        conn.reset();
        lock.lock();
        --open_;
        continue;
      }
      if (open_ < size_) {
        ++open_;  // counted before connecting so that concurrent callers do not overshoot
        lock.unlock();
        auto conn = Connection::connect(url_, timeout_ms_);
        if (!conn) {
          forget_one();
          return conn.error();
        }
        return Lease(*this, std::move(*conn));
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
          open_ >= size_) {
        return Error::unavailable("database_busy", "all " + std::to_string(size_) +
                                                       " PostgreSQL connections stayed busy for " +
                                                       std::to_string(timeout_ms_) + " ms");
      }
    }
  }

  void give_back(std::unique_ptr<Connection> conn) {
    if (!conn->broken() && conn->idle()) {
      {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(conn));
      }
      available_.notify_one();
      return;
    }
    conn.reset();
    forget_one();
  }

 private:
  void forget_one() {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
  }

  const std::string url_;
  const int size_;
  const int timeout_ms_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mutex_; most recently used last
  int open_ = 0;                                   // guarded by mutex_; idle + leased + connecting
};

Lease::~Lease() {
  if (conn_) pool_->give_back(std::move(conn_));
}

class PostgresTransaction final : public TransactionImpl {
 public:
  PostgresTransaction(Lease lease, const QueryMetrics& metrics)
      : lease_(std::move(lease)), metrics_(metrics) {}
  ~PostgresTransaction() override {
    if (lease_) rollback();
  }

  Result<QueryResult> query(std::string_view sql, const Params& params) override {
    auto started = SteadyClock::now();
    if (auto refused = refuse_if_failed(); !refused.ok()) return refused.error();
    StatementKind kind = StatementKind::other;
    Outcome out = (*lease_)->run(sql, params, kind);
    if (!out.result) {
      if (kind == StatementKind::other) kind = classify_statement(sql);  // failed to prepare
      note_failure(out.result.error());
    }
    metrics_.observe(kind, started);
    return std::move(out.result);
  }

  Result<void> execute_script(std::string_view sql) override {
    if (auto refused = refuse_if_failed(); !refused.ok()) return refused;
    Outcome out = (*lease_)->exec(sql);
    if (!out.result) {
      note_failure(out.result.error());
      return out.result.error();
    }
    return {};
  }

  Result<void> commit() override {
    auto started = SteadyClock::now();
    if (auto refused = refuse_if_failed(); !refused.ok()) {
      rollback();
      return refused;
    }
    std::string tag;
    Outcome out = (*lease_)->exec("COMMIT", &tag);
    lease_.reset();  // idle again after COMMIT, or broken and dropped
    metrics_.observe(StatementKind::other, started);
    if (!out.result) {
      metrics_.count_error(out.result.error());
      return out.result.error();
    }
    // COMMIT of a transaction block in error reports success with the tag ROLLBACK.
    if (tag != "COMMIT") return transaction_aborted_error();
    return {};
  }

  void rollback() override {
    if (!lease_) return;
    if (!(*lease_)->broken()) (void)(*lease_)->exec("ROLLBACK");
    lease_.reset();  // a connection whose ROLLBACK failed is not idle and gets dropped
  }

  Dialect dialect() const override { return Dialect::postgres; }

 private:
  Result<void> refuse_if_failed() const {
    if (!failed_) return {};
    // A dead connection says so on every call; anything else aborted the transaction block.
    if ((*lease_)->broken()) return unavailable_error("the connection was lost mid-transaction");
    return transaction_aborted_error();
  }

  void note_failure(const Error& error) {
    failed_ = true;
    metrics_.count_error(error);
  }

  std::optional<Lease> lease_;
  const QueryMetrics& metrics_;
  bool failed_ = false;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, const Options& options, MetricsRegistry* metrics)
      : pool_(std::move(url), options), metrics_(metrics, "postgres") {}

  Dialect dialect() const override { return Dialect::postgres; }

  Result<QueryResult> query(std::string_view sql, const Params& params) override {
    auto started = SteadyClock::now();
    StatementKind kind = StatementKind::other;  // known once prepared (and cached with it)
    Result<QueryResult> result = run_autocommit(sql, params, kind);
    metrics_.record(sql, kind, started, result);
    return result;
  }

  Result<Transaction> begin() override {
    // BEGIN changes nothing, so a connection that turns out dead can be swapped once.
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) {
        metrics_.count_error(lease.error());
        return lease.error();
      }
      Outcome out = (*lease)->exec("BEGIN");
      if (out.result) {
        return Transaction(std::make_unique<PostgresTransaction>(std::move(*lease), metrics_));
      }
      if (attempt == 0 && (*lease)->broken()) continue;
      metrics_.count_error(out.result.error());
      return out.result.error();
    }
  }

  Result<void> ping() override {
    auto r = query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  }

 private:
  Result<QueryResult> run_autocommit(std::string_view sql, const Params& params,
                                     StatementKind& kind) {
    for (int attempt = 0;; ++attempt) {
      auto lease = pool_.acquire();
      if (!lease) return lease.error();
      Outcome out = (*lease)->run(sql, params, kind);
      if (out.result || attempt > 0 || !(*lease)->broken() || out.may_have_run) {
        return std::move(out.result);
      }
      log::warn("PostgreSQL connection lost before sending a statement; retrying once",
                {{"pid", (*lease)->backend_pid()}});
    }
  }

  Pool pool_;
  QueryMetrics metrics_;
};

}  // namespace

std::string canonical_timestamp(std::string_view text, bool has_zone) {
  std::optional<Timestamp> parsed =
      has_zone ? parse_iso8601(text) : parse_iso8601(std::string(text) + "Z");
  return parsed ? to_iso8601(*parsed) : std::string(text);
}

Result<std::unique_ptr<Database>> open_postgres(const std::string& url, const Options& options,
                                                MetricsRegistry* metrics) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (!parsed) {
    std::string detail = trimmed(error ? error : "unparseable");
    PQfreemem(error);
    return Error::invalid("invalid_database_url", "invalid PostgreSQL URL: " + detail);
  }
  PQconninfoFree(parsed);
  return std::unique_ptr<Database>(new PostgresDatabase(url, options, metrics));
}

}  // namespace fff::db
