// modules/inventory: how many of each variant the shop holds, where, and every movement that
// changed it. Owns stock_locations, stock_levels and the append-only stock_ledger. Variants are
// the catalog's; this module knows them only by id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fff::inventory {

struct Location {
  std::string id;
  std::string code;  // "main", "warehouse-hn"
  std::string name;
  std::string created_at;
};

enum class MovementKind { receipt, sale, return_, adjustment };
const char* to_string(MovementKind kind);

// A change of on-hand stock. Receipts and returns add, sales take away, adjustments go either way.
struct Movement {
  std::string variant_id;
  std::string location_id;
  MovementKind kind = MovementKind::adjustment;
  int64_t quantity = 0;  // the signed change of on_hand: +5 received, -1 sold
  std::string reason;    // "stock count 2026-11", "order 10482"
  std::string actor;     // who moved it: "staff:anna", "order", "seed"
};

struct Level {
  std::string variant_id;
  std::string location_id;
  int64_t on_hand = 0;
  int64_t reserved = 0;
  int64_t available() const { return on_hand - reserved; }
};

struct LedgerEntry {
  std::string id;
  std::string variant_id;
  std::string location_id;
  std::string kind;
  int64_t quantity = 0;
  std::string reason;
  std::string actor;
  std::string created_at;
};

// One line of a sale made inside a caller's transaction (InventoryService::sell).
struct SaleLine {
  std::string variant_id;
  int64_t quantity = 0;  // units sold, > 0
  std::string sku;       // named in the insufficient_stock error
};

// Where the units of a sale came from (one entry per variant and location), so that a
// cancellation puts them back exactly where they were taken.
struct Allocation {
  std::string variant_id;
  std::string location_id;
  int64_t quantity = 0;  // units taken, > 0
};

// A level whose ledger does not add up to it (verify()).
struct Mismatch {
  std::string variant_id;
  std::string location_id;
  int64_t on_hand = 0;
  int64_t ledger_sum = 0;
};

}  // namespace fff::inventory
