// infra/db/sqlite: the embedded driver. One writer connection behind a mutex (SQLite allows one
// writer at a time anyway, and waiting on our own mutex never fails with "database is locked"),
// plus a pool of reader connections that WAL lets run alongside the writer.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "infra/db/database.hpp"

namespace fff::db {

// Opens (creating when missing) the SQLite database at `path`, with WAL, foreign keys on,
// synchronous=NORMAL and busy_timeout. Creates the parent directory when missing.
Result<std::unique_ptr<Database>> open_sqlite(const std::string& path, const Options& options,
                                              MetricsRegistry* metrics);

// Rewrites PostgreSQL's "$N" parameters to SQLite's "?N", which binds by number ("$N" is a
// *named* parameter in SQLite, numbered by first appearance). Text inside string literals,
// quoted identifiers and comments is left alone, and so is '$' within an identifier ("a$1").
std::string translate_placeholders(std::string_view sql);

}  // namespace fff::db
