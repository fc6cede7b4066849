// modules/inventory/staff: stock adjustments made by staff (receipts, counts, damage) through
// the admin API, with a reason, a note and an Idempotency-Key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "modules/inventory/model.hpp"

namespace fff::inventory {

// Why staff moved stock. receipt and return add; the rest go either way and are ledger kind
// "adjustment" with the reason kept in the entry.
inline constexpr const char* kAdjustmentReasons[] = {"receipt", "return", "adjustment", "damage",
                                                     "count",   "theft",  "correction"};

struct StockAdjustment {
  std::string variant_id;
  std::string location_code = "main";
  std::optional<int64_t> delta;        // exactly one of delta and set_on_hand
  std::optional<int64_t> set_on_hand;  // a stock count: the level becomes this
  std::string reason;
  std::string note;
  std::string actor;
  std::optional<std::string> idempotency_key;
};

struct AdjustmentOutcome {
  Level level;
  std::optional<std::string> entry_id;  // none when set_on_hand matched the level already
  int64_t quantity = 0;                 // the change made
  bool replayed = false;                // answered from an earlier request with the same key
};

struct LedgerPage {
  std::vector<LedgerEntry> items;  // newest first
  int64_t total = 0;
};

}  // namespace fff::inventory
