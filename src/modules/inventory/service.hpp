// modules/inventory/service: the inventory's rules; the module's only door for other code.
//
// Thread-safety: safe to use from many threads at once (all state is in the database).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/inventory/model.hpp"
#include "modules/inventory/store.hpp"

namespace fff::inventory {

class InventoryService {
 public:
  // Called after a movement commits, with the variant whose stock changed. Set once at start-up
  // (the composition root keeps the catalog's in-stock mirror current through it).
  using StockChanged = std::function<void(const std::string& variant_id)>;

  InventoryService(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  void on_stock_changed(StockChanged listener) { listener_ = std::move(listener); }

  // The location with `code`, created with `name` when missing. Safe when nodes race.
  Result<Location> ensure_location(const std::string& code, const std::string& name);

  // Moves stock and appends the ledger entry in one transaction. On hand never goes below zero:
  // when fewer units are on hand than a sale or negative adjustment takes, nothing changes.
  // Errors: unprocessable / invalid_movement naming the field (zero quantity, a sale that adds,
  // a receipt or return that takes, a missing actor, a variant id that is not a UUID);
  // conflict / insufficient_stock when there is not enough on hand.
  Result<Level> record(const Movement& movement);

  // Sells in the caller's transaction (checkout): see StockStore::sell. `reason` names the order
  // ("order FFF-10023"). Errors: unprocessable invalid_movement (empty lines, a quantity < 1, a
  // bad variant id); conflict insufficient_stock naming the SKU — the caller must roll back.
  // Publishes stock.changed in `tx`; call stock_changed() after the commit for the listener.
  Result<std::vector<Allocation>> sell(db::Transaction& tx, const std::vector<SaleLine>& lines,
                                       const std::string& reason, const std::string& actor);
  // Puts sold units back in the caller's transaction (cancellation, received return), as 'return'
  // entries, at the locations given. Publishes stock.changed in `tx`.
  Result<void> restock(db::Transaction& tx, const std::vector<Allocation>& units,
                       const std::string& reason, const std::string& actor);
  // The location with `code` (unprocessable unknown_location when none).
  Result<Location> location(const std::string& code);
  // Tells the stock listener that these variants changed (after the caller's commit).
  void stock_changed(const std::vector<std::string>& variant_ids);

  // Stocks variants that have no level yet at a location, as receipts, in one transaction
  // (the demo seed, first imports). Variants that already have a level there are skipped.
  Result<void> receive_new(const std::vector<Movement>& receipts);

  // Units available to sell per variant id, summed over locations; variants without stock
  // are absent.
  Result<std::map<std::string, int64_t>> available(const std::vector<std::string>& variant_ids);
  Result<std::vector<Level>> levels(const std::string& variant_id);
  Result<std::vector<LedgerEntry>> ledger(const std::string& variant_id);

  // Checks that every level equals the sum of its ledger. Empty means consistent.
  Result<std::vector<Mismatch>> verify();

  // Staff adjustments (staff_service.cpp).
  // Moves stock by `delta` or to `set_on_hand` at the location with `location_code`, with a
  // reason from kAdjustmentReasons, and tells the stock listener. With an idempotency key, a
  // repeat of the same request answers as the first did without moving stock again.
  // Errors: unprocessable naming the field (invalid_adjustment, unknown_location,
  // stock_would_go_negative, idempotency_key_reused for the key with a different request).
  Result<AdjustmentOutcome> adjust(const StockAdjustment& adjustment);
  Result<LedgerPage> ledger_page(const std::string& variant_id, int limit, int64_t offset);
  Result<std::map<std::string, int64_t>> on_hand(const std::vector<std::string>& variant_ids);
  Result<std::vector<Location>> locations();

  // Staff listings and the low-stock threshold (levels_service.cpp).
  // Levels by variant and location. Error: invalid invalid_parameter for a limit outside
  // 1..500 or a negative offset; ids that are not UUIDs match nothing.
  Result<LevelPage> level_page(const LevelQuery& query);
  // At or below this many units available a variant is low on stock (default
  // kDefaultLowStockThreshold until staff set one).
  Result<int64_t> low_stock_threshold();
  // Error: unprocessable invalid_threshold (field "threshold") outside 0..kMaxLowStockThreshold.
  Result<void> set_low_stock_threshold(int64_t threshold);
  // Variants at or below the threshold, fewest available first, at most `limit` (1..500).
  Result<std::vector<VariantStock>> low_stock(int limit);

 private:
  StockStore store_;
  const Clock& clock_;
  StockChanged listener_;
};

}  // namespace fff::inventory
