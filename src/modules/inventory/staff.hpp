// modules/inventory/staff: stock adjustments made by staff (receipts, counts, damage) through
// the admin API, with a reason, a note and an Idempotency-Key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// A variant's stock summed over locations (the low-stock list).
struct VariantStock {
  std::string variant_id;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  int64_t available() const { return on_hand - reserved; }
};

// Which levels (variant × location) a staff listing shows.
struct LevelQuery {
  std::vector<std::string> variant_ids;  // only these variants (empty: every variant)
  // Only variants whose units available, summed over locations, are at most this.
  std::optional<int64_t> at_most_available;
  int limit = 50;  // 1..500
  int64_t offset = 0;
};

struct LevelPage {
  std::vector<Level> items;  // by variant id, then location id
  int64_t total = 0;         // levels matching the query
};

// Staff settings of the inventory.
inline constexpr int64_t kDefaultLowStockThreshold = 5;
inline constexpr int64_t kMaxLowStockThreshold = 1'000'000;

struct LedgerPage {
  std::vector<LedgerEntry> items;  // newest first
  int64_t total = 0;
};

}  // namespace fff::inventory
