// infra/db: schema migrations. Each module owns its migrations as SQL files under
// src/modules/<module>/migrations/, embedded into the binary at build time by
// fff_add_migrations() (cmake/migrations.cmake):
//   NNNN_name.sql                              the same SQL for both dialects, or
//   NNNN_name.sqlite.sql + NNNN_name.postgres.sql   one file per dialect.
// Code includes "migrations/<module>.hpp" and passes fff::db::<module>_migrations() to migrate().
//
// The applied ones are recorded in schema_migrations(module, version, name, checksum,
// applied_at), which the migrator creates itself. Each migration runs in its own transaction
// together with its row, so a failing migration leaves neither half its changes nor its row.
// Migrations therefore cannot use statements PostgreSQL refuses inside a transaction
// (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE before PostgreSQL 12).
#pragma once

#include <string>
#include <vector>

#include "infra/db/database.hpp"

namespace fff::db {

struct Migration {
  std::string module;  // owning module, e.g. "catalog"
  int version;         // NNNN from the file name; unique within the module
  std::string name;    // the rest of the file name, e.g. "create_products"
  std::string sqlite_sql;
  std::string postgres_sql;
};

struct MigrationReport {
  std::vector<std::string> applied;  // "module/NNNN_name", in the order they ran
  int already_applied = 0;
};

struct MigrationStatus {
  int applied = 0;  // given migrations recorded as applied
  int pending = 0;  // given migrations not applied yet
  int changed = 0;  // applied ones whose SQL no longer matches what ran
};

// Applies the pending migrations in (module, version) order, whatever order they are given in.
// Before applying anything, refuses with ErrorKind::conflict "migration_changed" when the SQL of
// an applied migration differs from what was applied (edit a migration by adding a new one), and
// with ErrorKind::invalid "duplicate_migration" when two share a module and version. A failing
// migration stops the run with its SQL error; the ones before it stay applied.
//
// Safe to run from several processes at once: on PostgreSQL each migration's transaction first
// takes a transaction-level advisory lock and then re-checks schema_migrations, so each
// migration runs exactly once; SQLite's single writer (BEGIN IMMEDIATE) does the same there.
Result<MigrationReport> migrate(Database& db, const std::vector<Migration>& migrations);

// Counts without changing anything (for /readyz).
Result<MigrationStatus> status(Database& db, const std::vector<Migration>& migrations);

// The checksum recorded for a migration's SQL: FNV-1a 64 as 16 hex digits, over the text with
// carriage returns removed so a checkout with CRLF line ends does not look like an edit.
std::string migration_checksum(std::string_view sql);

}  // namespace fff::db
