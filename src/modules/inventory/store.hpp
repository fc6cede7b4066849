// modules/inventory/store: the inventory's SQL. The only code that touches its tables.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/inventory/model.hpp"
#include "modules/inventory/staff.hpp"

namespace fff::inventory {

// Appends `stock.changed` {"variant_ids":[…]} (subject: the first id) to the outbox in `tx`.
// Nothing for an empty list.
Result<void> publish_stock_changed(db::Transaction& tx, const std::vector<std::string>& variant_ids,
                                   const std::string& now);

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

  // In the caller's transaction: takes each line's units from its variant's levels (locations
  // in id order, variants in id order so concurrent sales lock rows in one order), each with a
  // conditional update that never goes below zero, and appends 'sale' ledger entries. Returns
  // where the units came from, or the SKU (variant id when none given) of the first line that
  // cannot be served — then the caller must roll back (part of the sale may be written).
  Result<std::variant<std::vector<Allocation>, std::string>> sell(
      db::Transaction& tx, std::vector<SaleLine> lines, const std::string& reason,
      const std::string& actor, const std::vector<std::string>& entry_ids, const std::string& now);
  // In the caller's transaction: puts units back ('return' ledger entries).
  Result<void> restock(db::Transaction& tx, const std::vector<Allocation>& units,
                       const std::string& reason, const std::string& actor, const std::string& now);

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

  // Staff adjustments (staff_store.cpp).
  // In one transaction: answers from the stored key when `a.idempotency_key` was seen (with
  // replayed set, whatever the fingerprint; the caller compares), else moves on_hand by the delta
  // (or to set_on_hand), appends the ledger entry and stores the key. Returns nullopt, writing
  // nothing, when on_hand would go below zero. REQUIRES: a.location_code resolved to location_id.
  struct AdjustmentRecord {
    AdjustmentOutcome outcome;
    std::string fingerprint;
  };
  Result<std::optional<AdjustmentRecord>> adjust(const StockAdjustment& a,
                                                 const std::string& location_id, MovementKind kind,
                                                 const std::string& ledger_reason,
                                                 const std::string& fingerprint,
                                                 const std::string& entry_id,
                                                 const std::string& now);
  // One variant's ledger, newest first.
  Result<LedgerPage> ledger_page(const std::string& variant_id, int limit, int64_t offset);
  // Units on hand per variant id, summed over locations.
  Result<std::map<std::string, int64_t>> on_hand(const std::vector<std::string>& variant_ids);
  Result<std::vector<Location>> locations();

  // Staff listings and settings (levels_store.cpp).
  Result<LevelPage> level_page(const LevelQuery& query);
  // Variants whose available units (summed over locations) are at most `threshold`, fewest
  // first, at most `limit`.
  Result<std::vector<VariantStock>> low_stock(int64_t threshold, int limit);
  // An integer setting from inventory_settings; nullopt when never set.
  Result<std::optional<int64_t>> setting(const std::string& name);
  Result<void> set_setting(const std::string& name, int64_t value);

 private:
  db::Database& db_;
};

}  // namespace fff::inventory
