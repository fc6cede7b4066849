#include "infra/db/database.hpp"

#include <stdexcept>

#include "infra/db/driver.hpp"
#include "infra/db/postgres/postgres_database.hpp"
#include "infra/db/sqlite/sqlite_database.hpp"

namespace fff::db {
namespace {

const char* type_name(const Value& v) {
  switch (v.index()) {
    case 0: return "NULL";
    case 1: return "an integer";
    case 2: return "a real";
    case 3: return "text";
    case 4: return "a boolean";
  }
  return "an unknown type";
}

[[noreturn]] void wrong_type(size_t i, const char* wanted, const Value& v) {
  throw std::logic_error("column " + std::to_string(i) + ": wanted " + wanted + " but it holds " +
                         type_name(v));
}

// The scheme of "scheme:rest" when it looks like a URL scheme (RFC 3986: a letter, then letters,
// digits, '+', '-', '.'); empty for a bare file path.
std::string_view url_scheme(std::string_view url) {
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  auto scheme = url.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return {};
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return scheme;
}

}  // namespace

const char* to_string(Dialect d) {
  return d == Dialect::sqlite ? "sqlite" : "postgres";
}

const Value& Row::operator[](size_t i) const {
  if (i >= values_.size()) {
    throw std::out_of_range("column " + std::to_string(i) + " is out of range (the row has " +
                            std::to_string(values_.size()) + " columns)");
  }
  return values_[i];
}

int64_t Row::int64(size_t i) const {
  const Value& v = (*this)[i];
  if (auto* p = std::get_if<int64_t>(&v)) return *p;
  wrong_type(i, "an integer", v);
}

double Row::real(size_t i) const {
  const Value& v = (*this)[i];
  if (auto* p = std::get_if<double>(&v)) return *p;
  if (auto* p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  wrong_type(i, "a real", v);
}

const std::string& Row::text(size_t i) const {
  const Value& v = (*this)[i];
  if (auto* p = std::get_if<std::string>(&v)) return *p;
  wrong_type(i, "text", v);
}

bool Row::boolean(size_t i) const {
  const Value& v = (*this)[i];
  if (auto* p = std::get_if<bool>(&v)) return *p;
  if (auto* p = std::get_if<int64_t>(&v); p && (*p == 0 || *p == 1)) return *p == 1;
  wrong_type(i, "a boolean", v);
}

std::optional<std::string> Row::opt_text(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return text(i);
}

std::optional<int64_t> Row::opt_int64(size_t i) const {
  if (is_null(i)) return std::nullopt;
  return int64(i);
}

Transaction::Transaction(std::unique_ptr<TransactionImpl> impl) : impl_(std::move(impl)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;
Transaction::~Transaction() = default;

namespace {
Error finished_error() {
  return Error{ErrorKind::internal,
               "transaction_finished",
               "the transaction was already committed or rolled back",
               {}};
}
}  // namespace

Result<QueryResult> Transaction::query(std::string_view sql, const Params& params) {
  if (!impl_) return finished_error();
  return impl_->query(sql, params);
}

Result<void> Transaction::execute_script(std::string_view sql) {
  if (!impl_) return finished_error();
  return impl_->execute_script(sql);
}

Result<void> Transaction::commit() {
  if (!impl_) return finished_error();
  // Released at once so the connection (or SQLite's writer) goes back even if the caller keeps
  // the Transaction object around.
  auto impl = std::move(impl_);
  return impl->commit();
}

void Transaction::rollback() {
  if (!impl_) return;
  auto impl = std::move(impl_);
  impl->rollback();
}

Dialect Transaction::dialect() const {
  if (!impl_) throw std::logic_error("Transaction::dialect() after commit or rollback");
  return impl_->dialect();
}

Result<std::unique_ptr<Database>> Database::open(const std::string& url, const Options& options,
                                                 MetricsRegistry* metrics) {
  if (url.empty()) return Error::invalid("invalid_database_url", "the database URL is empty");
  if (options.pool_size < 1 || options.busy_timeout_ms < 0) {
    return Error::invalid("invalid_database_options",
                          "pool_size must be at least 1 and busy_timeout_ms not negative");
  }
  std::string_view scheme = url_scheme(url);
  if (scheme.empty()) return open_sqlite(url, options, metrics);
  if (scheme == "sqlite") {
    std::string_view path = std::string_view(url).substr(scheme.size() + 1);
    // "sqlite:///abs/path" reads like a URL; "sqlite:rel/path" like a path. Accept both.
    if (path.starts_with("//")) path.remove_prefix(2);
    return open_sqlite(std::string(path), options, metrics);
  }
  if (scheme == "postgres" || scheme == "postgresql") return open_postgres(url, options, metrics);
  return Error::invalid("invalid_database_url",
                        "unsupported database URL scheme \"" + std::string(scheme) +
                            "\"; use sqlite:PATH, a file path, or postgres://");
}

}  // namespace fff::db
