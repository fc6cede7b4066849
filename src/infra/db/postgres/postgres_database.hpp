// infra/db/postgres: the scale-out driver over libpq. A bounded pool of connections made on first
// use, each with its own prepared statements; broken connections are dropped and replaced, so
// the pool heals by itself after the server restarts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "infra/db/database.hpp"

namespace fff::db {

// Validates the URL (libpq's own parser) without connecting.
Result<std::unique_ptr<Database>> open_postgres(const std::string& url, const Options& options,
                                                MetricsRegistry* metrics);

// PostgreSQL's ISO text for timestamptz ("2026-11-25 23:08:53.1+00") or timestamp ("2026-11-25
// 23:08:53", taken as UTC) in fff's canonical form "2026-11-25T23:08:53.100000Z". Values that
// form cannot hold (infinity, years before 1 or after 9999) come back unchanged.
std::string canonical_timestamp(std::string_view text, bool has_zone);

}  // namespace fff::db
