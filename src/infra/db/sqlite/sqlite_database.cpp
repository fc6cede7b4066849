#include "infra/db/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "infra/db/driver.hpp"

namespace fff::db {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Application SQL is a fixed set of strings, so the caches stay small; the limit only guards
// against a caller that builds SQL text dynamically.
constexpr size_t kStatementCacheLimit = 512;

struct SqlHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using SqlMap = std::unordered_map<std::string, V, SqlHash, std::equal_to<>>;

Error sqlite_error(int extended_code, const std::string& message) {
  if (extended_code == SQLITE_CONSTRAINT_UNIQUE || extended_code == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error::conflict("unique_violation", message);
  }
  int primary = extended_code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error::unavailable("database_busy", message);
  }
  return Error::internal("sqlite: " + message);
}

Error busy_error(const char* what, int timeout_ms) {
  return Error::unavailable(
      "database_busy",
      std::string("no SQLite ") + what + " was free within " + std::to_string(timeout_ms) + " ms");
}

bool is_identifier_byte(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

struct CachedStatement {
  sqlite3_stmt* stmt = nullptr;
  StatementKind kind = StatementKind::other;
  bool readonly = false;
};

// One sqlite3 handle and its prepared statements.
// Thread-safety: used by one thread at a time; the owner (writer mutex or reader pool) ensures it.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags) {
    sqlite3* handle = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
      sqlite3_close_v2(handle);
      return Error::unavailable("database_unavailable",
                                "cannot open SQLite database " + path + ": " + message);
    }
    sqlite3_extended_result_codes(handle, 1);
    return std::unique_ptr<Connection>(new Connection(handle));
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db_);
  }

  sqlite3* handle() const { return db_; }

  Error last_error() const {
    return sqlite_error(sqlite3_extended_errcode(db_), sqlite3_errmsg(db_));
  }

  // Statements without parameters or results (pragmas, BEGIN/COMMIT, scripts).
  Result<void> exec(const char* sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return sqlite_error(sqlite3_extended_errcode(db_), text);
  }

  // The first column of the first row, as text ("wal" for PRAGMA journal_mode=WAL).
  Result<std::string> scalar_text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) return last_error();
    int rc = sqlite3_step(stmt);
    std::string value;
    if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      Error error = last_error();
      sqlite3_finalize(stmt);
      return error;
    }
    sqlite3_finalize(stmt);
    return value;
  }

  // The cached statement for `sql` (the caller's text, with $N parameters), prepared on a miss.
  Result<CachedStatement*> prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return &it->second;
    std::string translated = translate_placeholders(sql);
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, translated.data(), static_cast<int>(translated.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return last_error();
    if (!stmt) return Error::internal("sqlite: the SQL text holds no statement");
    if (Result<void> single = check_single_statement(translated, tail); !single) {
      sqlite3_finalize(stmt);
      return single.error();
    }
    if (cache_.size() >= kStatementCacheLimit) {
      for (auto& [text, cached] : cache_) sqlite3_finalize(cached.stmt);
      cache_.clear();
    }
    CachedStatement cached{stmt, classify_statement(sql), sqlite3_stmt_readonly(stmt) != 0};
    return &cache_.emplace(std::string(sql), cached).first->second;
  }

  Result<QueryResult> run(const CachedStatement& cached, const Params& params) {
    sqlite3_stmt* stmt = cached.stmt;
    int expected = sqlite3_bind_parameter_count(stmt);
    if (static_cast<size_t>(expected) != params.size()) {
      return Error::internal("the statement takes " + std::to_string(expected) +
                             " parameters but " + std::to_string(params.size()) + " were given");
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (int rc = bind(stmt, static_cast<int>(i + 1), params[i]); rc != SQLITE_OK) {
        Error error = last_error();
        sqlite3_clear_bindings(stmt);
        return error;
      }
    }
    QueryResult result;
    int columns = sqlite3_column_count(stmt);
    result.columns.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) result.columns.emplace_back(sqlite3_column_name(stmt, c));

    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> values;
      values.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) values.push_back(column_value(stmt, c));
      result.rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) {
      Error error = last_error();  // read before reset, which may overwrite the message
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
      return error;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    // sqlite3_changes64 reports the last INSERT/UPDATE/DELETE, so it is stale after other kinds.
    if (cached.kind == StatementKind::insert || cached.kind == StatementKind::update ||
        cached.kind == StatementKind::remove) {
      result.affected = sqlite3_changes64(db_);
    }
    return result;
  }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  // sqlite3_prepare compiles only the first statement; silently dropping the rest would hide bugs.
  Result<void> check_single_statement(const std::string& text, const char* tail) {
    if (!tail || tail >= text.data() + text.size()) return {};
    sqlite3_stmt* rest = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, -1, &rest, nullptr);
    bool more = rc != SQLITE_OK || rest != nullptr;
    sqlite3_finalize(rest);
    if (more) return Error::internal("query() takes one statement; use execute_script()");
    return {};
  }

  static int bind(sqlite3_stmt* stmt, int index, const Value& value) {
    struct Binder {
      sqlite3_stmt* stmt;
      int index;
      int operator()(std::monostate) const { return sqlite3_bind_null(stmt, index); }
      int operator()(int64_t v) const { return sqlite3_bind_int64(stmt, index, v); }
      int operator()(double v) const { return sqlite3_bind_double(stmt, index, v); }
      // SQLITE_STATIC: the Params outlive the step loop, and bindings are cleared before return.
      int operator()(const std::string& v) const {
        return sqlite3_bind_text64(stmt, index, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      int operator()(bool v) const { return sqlite3_bind_int(stmt, index, v ? 1 : 0); }
    };
    return std::visit(Binder{stmt, index}, value);
  }

  static Value column_value(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(stmt, c));
      case SQLITE_FLOAT: return sqlite3_column_double(stmt, c);
      case SQLITE_TEXT: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
      }
      case SQLITE_BLOB: {
        const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, c));
        return blob ? std::string(blob, static_cast<size_t>(sqlite3_column_bytes(stmt, c)))
                    : std::string();
      }
      default: return std::monostate{};
    }
  }

  sqlite3* db_;
  SqlMap<CachedStatement> cache_;
};

Result<void> set_pragmas(Connection& conn, const Options& options, bool writer) {
  std::string busy = "PRAGMA busy_timeout=" + std::to_string(options.busy_timeout_ms);
  if (auto r = conn.exec(busy.c_str()); !r) return r;
  if (auto r = conn.exec("PRAGMA foreign_keys=ON"); !r) return r;
  if (writer) {
    auto mode = conn.scalar_text("PRAGMA journal_mode=WAL");
    if (!mode) return mode.error();
    if (*mode != "wal") {
      return Error::unavailable("database_unavailable",
                                "SQLite refused WAL mode (journal_mode is " + *mode + ")");
    }
    return conn.exec("PRAGMA synchronous=NORMAL");
  }
  // A reader only ever runs statements sqlite3_stmt_readonly() approved; this makes a mistake
  // in that routing fail loudly instead of writing outside the writer's lock.
  return conn.exec("PRAGMA query_only=1");
}

class SqliteDatabase;

class SqliteTransaction final : public TransactionImpl {
 public:
  SqliteTransaction(Connection& writer, const QueryMetrics& metrics,
                    std::unique_lock<std::timed_mutex> lock)
      : writer_(writer), metrics_(metrics), lock_(std::move(lock)) {}
  ~SqliteTransaction() override {
    if (lock_.owns_lock()) rollback();
  }

  Result<QueryResult> query(std::string_view sql, const Params& params) override {
    auto started = SteadyClock::now();
    if (failed_) return transaction_aborted_error();
    StatementKind kind = StatementKind::other;
    Result<QueryResult> result = [&]() -> Result<QueryResult> {
      auto cached = writer_.prepare(sql);
      if (!cached) return cached.error();
      kind = (*cached)->kind;
      return writer_.run(**cached, params);
    }();
    if (!result) {
      failed_ = true;
      if (kind == StatementKind::other) kind = classify_statement(sql);
      metrics_.count_error(result.error());
    }
    metrics_.observe(kind, started);
    return result;
  }

  Result<void> execute_script(std::string_view sql) override {
    if (failed_) return transaction_aborted_error();
    auto result = writer_.exec(std::string(sql).c_str());
    if (!result) {
      failed_ = true;
      metrics_.count_error(result.error());
    }
    return result;
  }

  Result<void> commit() override {
    auto started = SteadyClock::now();
    if (failed_) {
      rollback();
      return transaction_aborted_error();
    }
    auto result = writer_.exec("COMMIT");
    if (!result) {
      metrics_.count_error(result.error());
      rollback();  // a failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open
      return result;
    }
    lock_.unlock();
    metrics_.observe(StatementKind::other, started);
    return {};
  }

  void rollback() override {
    // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled the transaction back.
    if (!sqlite3_get_autocommit(writer_.handle())) (void)writer_.exec("ROLLBACK");
    if (lock_.owns_lock()) lock_.unlock();
  }

  Dialect dialect() const override { return Dialect::sqlite; }

 private:
  Connection& writer_;
  const QueryMetrics& metrics_;
  std::unique_lock<std::timed_mutex> lock_;
  bool failed_ = false;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const Options& options, MetricsRegistry* metrics,
                 std::unique_ptr<Connection> writer,
                 std::vector<std::unique_ptr<Connection>> readers)
      : options_(options),
        metrics_(metrics, "sqlite"),
        writer_(std::move(writer)),
        readers_(std::move(readers)) {
    for (auto& reader : readers_) idle_readers_.push_back(reader.get());
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  Result<QueryResult> query(std::string_view sql, const Params& params) override {
    auto started = SteadyClock::now();
    StatementKind kind = StatementKind::other;
    Result<QueryResult> result = route(sql, params, kind);
    metrics_.record(sql, kind, started, result);
    return result;
  }

  Result<Transaction> begin() override {
    std::unique_lock lock(writer_mutex_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::milliseconds(options_.busy_timeout_ms))) {
      Error error = busy_error("writer", options_.busy_timeout_ms);
      metrics_.count_error(error);
      return error;
    }
    // IMMEDIATE takes SQLite's write lock now rather than at the first write, so a transaction
    // never fails half-way because another process started writing.
    if (auto r = writer_->exec("BEGIN IMMEDIATE"); !r) {
      metrics_.count_error(r.error());
      return r.error();
    }
    return Transaction(std::make_unique<SqliteTransaction>(*writer_, metrics_, std::move(lock)));
  }

  Result<void> ping() override {
    auto r = query("SELECT 1", {});
    if (!r) return r.error();
    return {};
  }

 private:
  // Returns a reader to the pool when it goes out of scope.
  class ReaderLease {
   public:
    ReaderLease(SqliteDatabase& db, Connection* conn) : db_(&db), conn_(conn) {}
    ReaderLease(ReaderLease&& other) noexcept
        : db_(other.db_), conn_(std::exchange(other.conn_, nullptr)) {}
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease() {
      if (conn_) db_->return_reader(conn_);
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_; }

   private:
    SqliteDatabase* db_;
    Connection* conn_;
  };

  Result<ReaderLease> lease_reader() {
    std::unique_lock lock(readers_mutex_);
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    if (!readers_free_.wait_until(lock, deadline, [&] { return !idle_readers_.empty(); })) {
      return busy_error("reader connection", options_.busy_timeout_ms);
    }
    Connection* conn = idle_readers_.back();
    idle_readers_.pop_back();
    return ReaderLease(*this, conn);
  }

  void return_reader(Connection* conn) {
    {
      std::lock_guard lock(readers_mutex_);
      idle_readers_.push_back(conn);
    }
    readers_free_.notify_one();
  }

  std::optional<bool> known_route(std::string_view sql) {
    std::shared_lock lock(routes_mutex_);
    auto it = readonly_routes_.find(sql);
    if (it == readonly_routes_.end()) return std::nullopt;
    return it->second;
  }

  void remember_route(std::string_view sql, bool readonly) {
    std::unique_lock lock(routes_mutex_);
    if (readonly_routes_.size() >= kStatementCacheLimit) readonly_routes_.clear();
    readonly_routes_.emplace(std::string(sql), readonly);
  }

  // Readers decide: a statement that prepares there and is read-only runs there; everything else
  // (writes, and SQL a reader cannot prepare) goes to the writer. The decision is remembered so a
  // write does not wait for a reader on every call.
  Result<QueryResult> route(std::string_view sql, const Params& params, StatementKind& kind) {
    std::optional<bool> readonly = known_route(sql);
    if (readonly.value_or(true)) {
      auto reader = lease_reader();
      if (!reader) return reader.error();
      auto cached = (*reader)->prepare(sql);
      if (cached) {
        if (!readonly) remember_route(sql, (*cached)->readonly);
        if ((*cached)->readonly) {
          kind = (*cached)->kind;
          return run_on_reader(**reader, **cached, params);
        }
      } else if (readonly) {
        return cached.error();
      }
    }
    return run_on_writer(sql, params, kind);
  }

  Result<QueryResult> run_on_reader(Connection& reader, const CachedStatement& cached,
                                    const Params& params) {
    auto result = reader.run(cached, params);
    // BEGIN and SAVEPOINT count as read-only in SQLite; on a pooled reader they would leave a
    // transaction open for whoever leases it next.
    if (!sqlite3_get_autocommit(reader.handle())) {
      (void)reader.exec("ROLLBACK");
      return Error{ErrorKind::internal,
                   "transaction_statement",
                   "transaction control through query(); use Database::begin()",
                   {}};
    }
    return result;
  }

  Result<QueryResult> run_on_writer(std::string_view sql, const Params& params,
                                    StatementKind& kind) {
    std::unique_lock lock(writer_mutex_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::milliseconds(options_.busy_timeout_ms))) {
      return busy_error("writer", options_.busy_timeout_ms);
    }
    auto cached = writer_->prepare(sql);
    if (!cached) return cached.error();
    kind = (*cached)->kind;
    return writer_->run(**cached, params);
  }

  Options options_;
  QueryMetrics metrics_;

  std::timed_mutex writer_mutex_;  // held by autocommit writes and for a Transaction's life
  std::unique_ptr<Connection> writer_;

  std::mutex readers_mutex_;
  std::condition_variable readers_free_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;  // guarded by readers_mutex_

  std::shared_mutex routes_mutex_;
  SqlMap<bool> readonly_routes_;  // guarded by routes_mutex_; SQL text → runs on a reader
};

}  // namespace

std::string translate_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t end = i + 1;
      while (end < n) {
        if (sql[end] == close) {
          // A doubled quote is an escaped quote, still inside the literal.
          if (close != ']' && end + 1 < n && sql[end + 1] == close) {
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        ++end;
      }
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (sql.compare(i, 2, "--") == 0) {
      size_t end = sql.find('\n', i);
      end = end == std::string_view::npos ? n : end + 1;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])) &&
               !(i > 0 && is_identifier_byte(sql[i - 1]))) {
      out += '?';
      ++i;
      while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) out += sql[i++];
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const Options& options,
                                              MetricsRegistry* metrics) {
  if (path.empty()) return Error::invalid("invalid_database_url", "the SQLite path is empty");
  if (path == ":memory:" || path.starts_with("file:")) {
    return Error::invalid("invalid_database_url",
                          "use a plain file path for SQLite: fff opens several connections to it, "
                          "which in-memory and URI databases would not share");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Error::unavailable("database_unavailable",
                                "cannot create directory " + parent.string() + ": " + ec.message());
    }
  }

  // NOMUTEX: each connection is used by one thread at a time (writer mutex, reader pool), so
  // SQLite's own per-connection mutex would only add cost.
  const int base = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  auto writer = Connection::open(path, base | SQLITE_OPEN_CREATE);
  if (!writer) return writer.error();
  if (auto r = set_pragmas(**writer, options, true); !r) return r.error();

  std::vector<std::unique_ptr<Connection>> readers;
  for (int i = 0; i < options.pool_size; ++i) {
    auto reader = Connection::open(path, base);
    if (!reader) return reader.error();
    if (auto r = set_pragmas(**reader, options, false); !r) return r.error();
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<Database>(
      new SqliteDatabase(options, metrics, std::move(*writer), std::move(readers)));
}

}  // namespace fff::db
