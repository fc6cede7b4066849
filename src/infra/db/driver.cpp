#include "infra/db/driver.hpp"

#include <cctype>
#include <string>

#include "core/metrics.hpp"

namespace fff::db {
namespace {

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
}

// Steps over whitespace and comments from `i`; returns the index of the next significant char.
size_t skip_blank(std::string_view sql, size_t i) {
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.compare(i, 2, "--") == 0) {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

std::string upper_word(std::string_view sql, size_t i, size_t* end) {
  std::string word;
  while (i < sql.size() && is_word_char(sql[i])) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
    ++i;
  }
  *end = i;
  return word;
}

std::optional<StatementKind> verb_kind(const std::string& word) {
  if (word == "SELECT" || word == "VALUES" || word == "TABLE") return StatementKind::select;
  if (word == "INSERT" || word == "REPLACE") return StatementKind::insert;
  if (word == "UPDATE") return StatementKind::update;
  if (word == "DELETE") return StatementKind::remove;
  return std::nullopt;
}

// The first verb outside parentheses, quotes and comments after a WITH clause's start.
StatementKind main_verb_after_with(std::string_view sql, size_t i) {
  int depth = 0;
  while (i < sql.size()) {
    i = skip_blank(sql, i);
    if (i >= sql.size()) break;
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      size_t end = sql.find(c, i + 1);
      // A doubled quote inside the literal just restarts the scan at the second quote.
      i = end == std::string_view::npos ? sql.size() : end + 1;
    } else if (c == '(') {
      ++depth;
      ++i;
    } else if (c == ')') {
      --depth;
      ++i;
    } else if (is_word_char(c)) {
      size_t end = i;
      std::string word = upper_word(sql, i, &end);
      if (depth == 0) {
        if (auto kind = verb_kind(word)) return *kind;
      }
      i = end;
    } else {
      ++i;
    }
  }
  return StatementKind::other;
}

}  // namespace

const char* to_string(StatementKind kind) {
  switch (kind) {
    case StatementKind::select: return "select";
    case StatementKind::insert: return "insert";
    case StatementKind::update: return "update";
    case StatementKind::remove: return "delete";
    case StatementKind::other: return "other";
  }
  return "other";
}

StatementKind classify_statement(std::string_view sql) {
  size_t i = skip_blank(sql, 0);
  size_t end = i;
  std::string word = upper_word(sql, i, &end);
  if (word == "WITH") return main_verb_after_with(sql, end);
  return verb_kind(word).value_or(StatementKind::other);
}

QueryMetrics::QueryMetrics(MetricsRegistry* registry, const char* driver)
    : registry_(registry), driver_(driver) {
  if (!registry_) return;
  // Looked up once: the registry's lookup takes a lock and builds a key string, which the
  // per-statement path should not pay.
  for (auto kind : {StatementKind::select, StatementKind::insert, StatementKind::update,
                    StatementKind::remove, StatementKind::other}) {
    durations_[static_cast<size_t>(kind)] =
        &registry_->histogram("fff_db_query_duration_seconds",
                              "Time to run one SQL statement, including waiting for a connection.",
                              {{"driver", driver_}, {"statement", to_string(kind)}});
  }
}

void QueryMetrics::observe(StatementKind kind,
                           std::chrono::steady_clock::time_point started) const {
  if (!registry_) return;
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  durations_[static_cast<size_t>(kind)]->observe(elapsed.count());
}

void QueryMetrics::count_error(const Error& error) const {
  if (!registry_) return;
  registry_
      ->counter("fff_db_errors_total", "SQL statements that failed, by error code.",
                {{"driver", driver_}, {"code", error.code}})
      .add();
}

Error transaction_aborted_error() {
  return Error{ErrorKind::internal,
               "transaction_aborted",
               "a statement in this transaction failed, so the transaction can only roll back",
               {}};
}

void QueryMetrics::record(std::string_view sql, StatementKind kind,
                          std::chrono::steady_clock::time_point started,
                          const Result<QueryResult>& result) const {
  if (!result) {
    if (kind == StatementKind::other) kind = classify_statement(sql);  // failed to prepare
    count_error(result.error());
  }
  observe(kind, started);
}

}  // namespace fff::db
