// modules/inventory/store: the inventory's SQL. The only code that touches its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/inventory/model.hpp"

namespace fff::inventory {

class StockStore {
 public:
  explicit StockStore(db::Database& database) : db_(database) {}

  // Inserts the location unless its code exists; returns the stored one either way.
  Result<Location> ensure_location(const Location& location);
  Result<std::optional<Location>> location_by_code(const std::string& code);

  // In one transaction: makes sure the level row exists, moves on_hand by movement.quantity
  // only if that leaves it at or above zero, and appends the ledger entry. Returns the new
  // level, or nullopt (and nothing written) when there was not enough on hand.
  Result<std::optional<Level>> apply(const Movement& movement, const std::string& entry_id,
                                     const std::string& now);

  // Bulk receipts for a fresh catalog (the demo seed): one transaction, multi-row inserts of
  // levels and their ledger entries. Levels that exist already are left alone, and so are
  // their entries, so repeating the same load (same ids) is harmless.
  Result<void> receive_new(const std::vector<Movement>& receipts,
                           const std::vector<std::string>& entry_ids, const std::string& now);

  // Available units (on hand minus reserved, summed over locations) per variant id.
  Result<std::map<std::string, int64_t>> available(const std::vector<std::string>& variant_ids);
  Result<std::vector<Level>> levels(const std::string& variant_id);
  Result<std::vector<LedgerEntry>> ledger(const std::string& variant_id);
  // Levels whose on_hand differs from the sum of their ledger, and ledger sums without a level.
  Result<std::vector<Mismatch>> mismatches();

 private:
  db::Database& db_;
};

}  // namespace fff::inventory
