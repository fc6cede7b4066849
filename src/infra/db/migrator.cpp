#include "infra/db/migrator.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "core/log.hpp"
#include "core/time.hpp"

namespace fff::db {
namespace {

// Every fff node agrees on this advisory lock key; the bytes spell "fffmigr".
constexpr int64_t kMigrationLockKey = 0x6666666d696772;

constexpr const char* kCreateTableSqlite =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
    " checksum TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (module, version))";
constexpr const char* kCreateTablePostgres =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
    " checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (module, version))";

using Key = std::pair<std::string, int>;

std::string label(const Migration& m) {
  char version[16];
  std::snprintf(version, sizeof version, "%04d", m.version);
  return m.module + "/" + version + "_" + m.name;
}

const std::string& sql_for(const Migration& m, Dialect d) {
  return d == Dialect::sqlite ? m.sqlite_sql : m.postgres_sql;
}

Error changed_error(const Migration& m) {
  return Error::conflict("migration_changed",
                         "migration " + label(m) +
                             " was already applied with different SQL; add a new migration "
                             "instead of editing an applied one");
}

// Keeps the original kind and code (a unique violation stays one) and says which migration.
Error in_migration(const Migration& m, const Error& e) {
  return Error{e.kind, e.code, "migration " + label(m) + " failed: " + e.message, e.fields};
}

// Serializes migrators across nodes for the rest of the transaction. SQLite needs nothing:
// begin() already holds its only writer.
Result<void> lock_migrations(Transaction& tx) {
  if (tx.dialect() != Dialect::postgres) return {};
  auto r = tx.query("SELECT pg_advisory_xact_lock($1)", {kMigrationLockKey});
  if (!r) return r.error();
  return {};
}

Result<void> create_table(Database& db) {
  auto tx = db.begin();
  if (!tx) return tx.error();
  if (auto r = lock_migrations(*tx); !r) return r;
  auto r = tx->execute_script(db.dialect() == Dialect::sqlite ? kCreateTableSqlite
                                                              : kCreateTablePostgres);
  if (!r) return r;
  return tx->commit();
}

Result<bool> table_exists(Database& db) {
  auto r = db.dialect() == Dialect::sqlite
               ? db.query(
                     "SELECT count(*) FROM sqlite_master "
                     "WHERE type = 'table' AND name = 'schema_migrations'")
               : db.query(
                     "SELECT count(*) FROM pg_catalog.pg_tables "
                     "WHERE tablename = 'schema_migrations' AND schemaname = current_schema()");
  if (!r) return r.error();
  return r->rows.at(0).int64(0) > 0;
}

Result<std::map<Key, std::string>> applied_checksums(Database& db) {
  auto r = db.query("SELECT module, version, checksum FROM schema_migrations");
  if (!r) return r.error();
  std::map<Key, std::string> out;
  for (const Row& row : r->rows) {
    out.emplace(Key{row.text(0), static_cast<int>(row.int64(1))}, row.text(2));
  }
  return out;
}

Result<std::vector<const Migration*>> in_order(const std::vector<Migration>& migrations) {
  std::vector<const Migration*> sorted;
  sorted.reserve(migrations.size());
  for (const Migration& m : migrations) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](const Migration* a, const Migration* b) {
    return std::tie(a->module, a->version) < std::tie(b->module, b->version);
  });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i - 1]->module == sorted[i]->module &&
        sorted[i - 1]->version == sorted[i]->version) {
      return Error::invalid("duplicate_migration", "two migrations share the version " +
                                                       label(*sorted[i - 1]) + " and " +
                                                       label(*sorted[i]));
    }
  }
  return sorted;
}

// Applies one migration unless another node got there first. Returns whether it ran here.
Result<bool> apply_one(Database& db, const Migration& m) {
  auto tx = db.begin();
  if (!tx) return tx.error();
  if (auto r = lock_migrations(*tx); !r) return r.error();
  const std::string& sql = sql_for(m, db.dialect());
  std::string checksum = migration_checksum(sql);
  // Re-read under the lock: the earlier read happened before another node may have applied it.
  auto existing =
      tx->query("SELECT checksum FROM schema_migrations WHERE module = $1 AND version = $2",
                {m.module, static_cast<int64_t>(m.version)});
  if (!existing) return existing.error();
  if (!existing->empty()) {
    if (existing->rows[0].text(0) != checksum) return changed_error(m);
    return false;  // the destructor rolls back the empty transaction
  }
  if (auto r = tx->execute_script(sql); !r) return in_migration(m, r.error());
  auto recorded = tx->query(
      "INSERT INTO schema_migrations (module, version, name, checksum, applied_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {m.module, static_cast<int64_t>(m.version), m.name, checksum, to_iso8601(now_utc())});
  if (!recorded) return in_migration(m, recorded.error());
  if (auto r = tx->commit(); !r) return in_migration(m, r.error());
  return true;
}

}  // namespace

std::string migration_checksum(std::string_view sql) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (char c : sql) {
    if (c == '\r') continue;
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

Result<MigrationReport> migrate(Database& db, const std::vector<Migration>& migrations) {
  auto sorted = in_order(migrations);
  if (!sorted) return sorted.error();
  if (auto r = create_table(db); !r) return r.error();
  auto applied = applied_checksums(db);
  if (!applied) return applied.error();

  std::vector<const Migration*> pending;
  MigrationReport report;
  for (const Migration* m : *sorted) {
    auto found = applied->find(Key{m->module, m->version});
    if (found == applied->end()) {
      pending.push_back(m);
    } else if (found->second != migration_checksum(sql_for(*m, db.dialect()))) {
      return changed_error(*m);
    } else {
      ++report.already_applied;
    }
  }
  for (const Migration* m : pending) {
    auto ran = apply_one(db, *m);
    if (!ran) return ran.error();
    if (*ran) {
      report.applied.push_back(label(*m));
      log::info("migration applied", {{"migration", label(*m)}});
    } else {
      ++report.already_applied;
    }
  }
  return report;
}

Result<MigrationStatus> status(Database& db, const std::vector<Migration>& migrations) {
  MigrationStatus out;
  auto exists = table_exists(db);
  if (!exists) return exists.error();
  if (!*exists) {
    out.pending = static_cast<int>(migrations.size());
    return out;
  }
  auto applied = applied_checksums(db);
  if (!applied) return applied.error();
  for (const Migration& m : migrations) {
    auto found = applied->find(Key{m.module, m.version});
    if (found == applied->end()) {
      ++out.pending;
    } else {
      ++out.applied;
      if (found->second != migration_checksum(sql_for(m, db.dialect()))) ++out.changed;
    }
  }
  return out;
}

}  // namespace fff::db
