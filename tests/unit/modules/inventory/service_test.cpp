// Inventory: movements, the ledger, verify(), and no oversell under concurrency, on every
// storage config.
#include "modules/inventory/service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "support/test_databases.hpp"

namespace fff::inventory {
namespace {

// Inventory's tables and the outbox it publishes stock.changed to.
std::vector<db::Migration> migrations() {
  auto all = db::jobs_migrations();
  for (auto& m : db::inventory_migrations()) all.push_back(m);
  return all;
}

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

class InventoryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 8;
    options.busy_timeout_ms = 20'000;  // many threads queue for SQLite's single writer
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    service_ = std::make_unique<InventoryService>(*db_, Clock::system());
    auto location = service_->ensure_location("main", "Main warehouse");
    ASSERT_TRUE(location.ok()) << describe(location);
    location_ = location->id;
  }

  Movement move(const std::string& variant, MovementKind kind, int64_t quantity) {
    return {variant, location_, kind, quantity, "test", "staff:test"};
  }

  int64_t on_hand(const std::string& variant) {
    auto levels = service_->levels(variant);
    EXPECT_TRUE(levels.ok()) << describe(levels);
    return levels.ok() && !levels->empty() ? levels->front().on_hand : -1;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<InventoryService> service_;
  std::string location_;
};
INSTANTIATE_TEST_SUITE_P(, InventoryTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(InventoryTest, ReceiptAddsStockAndWritesOneLedgerEntry) {
  std::string variant = new_id();
  auto level = service_->record(move(variant, MovementKind::receipt, 12));
  ASSERT_TRUE(level.ok()) << describe(level);
  EXPECT_EQ(level->on_hand, 12);
  EXPECT_EQ(level->available(), 12);
  auto ledger = service_->ledger(variant);
  ASSERT_TRUE(ledger.ok()) << describe(ledger);
  ASSERT_EQ(ledger->size(), 1u);
  EXPECT_EQ((*ledger)[0].kind, "receipt");
  EXPECT_EQ((*ledger)[0].quantity, 12);
  EXPECT_EQ((*ledger)[0].actor, "staff:test");
  EXPECT_EQ((*ledger)[0].reason, "test");
}

TEST_P(InventoryTest, SaleOfMoreThanOnHandIsInsufficientStockAndChangesNothing) {
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 2)).ok());
  auto sale = service_->record(move(variant, MovementKind::sale, -3));
  ASSERT_FALSE(sale.ok());
  EXPECT_EQ(sale.error().code, "insufficient_stock");
  EXPECT_EQ(sale.error().kind, ErrorKind::conflict);
  EXPECT_EQ(on_hand(variant), 2);
  EXPECT_EQ(service_->ledger(variant)->size(), 1u);  // no entry for the refused sale
}

TEST_P(InventoryTest, SaleOfVariantNeverStockedIsInsufficientStock) {
  auto sale = service_->record(move(new_id(), MovementKind::sale, -1));
  ASSERT_FALSE(sale.ok());
  EXPECT_EQ(sale.error().code, "insufficient_stock");
}

TEST_P(InventoryTest, MovementsWithTheWrongSignOrNoActorAreRefused) {
  std::string variant = new_id();
  struct Case {
    MovementKind kind;
    int64_t quantity;
    const char* actor;
    const char* field;
  };
  for (const auto& c : {Case{MovementKind::sale, 1, "a", "quantity"},
                        Case{MovementKind::receipt, -1, "a", "quantity"},
                        Case{MovementKind::return_, -1, "a", "quantity"},
                        Case{MovementKind::adjustment, 0, "a", "quantity"},
                        Case{MovementKind::receipt, 1, "", "actor"}}) {
    Movement m = move(variant, c.kind, c.quantity);
    m.actor = c.actor;
    auto r = service_->record(m);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_movement");
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].field, c.field);
  }
  Movement bad_id = move("not-a-uuid", MovementKind::receipt, 1);
  EXPECT_EQ(service_->record(bad_id).error().fields[0].field, "variant_id");
}

TEST_P(InventoryTest, AdjustmentsAndReturnsMoveStockBothWays) {
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 5)).ok());
  ASSERT_TRUE(service_->record(move(variant, MovementKind::sale, -2)).ok());
  ASSERT_TRUE(service_->record(move(variant, MovementKind::return_, 1)).ok());
  ASSERT_TRUE(service_->record(move(variant, MovementKind::adjustment, -4)).ok());
  EXPECT_EQ(on_hand(variant), 0);
  EXPECT_FALSE(service_->record(move(variant, MovementKind::adjustment, -1)).ok());
  auto mismatches = service_->verify();
  ASSERT_TRUE(mismatches.ok()) << describe(mismatches);
  EXPECT_TRUE(mismatches->empty());
}

// Many shoppers buy the last units of one variant at once: exactly the units on hand are sold,
// on hand ends at zero, and the ledger still adds up.
TEST_P(InventoryTest, ConcurrentSalesOfTheLastUnitsNeverOversell) {
  std::string variant = new_id();
  constexpr int kUnits = 7;
  constexpr int kThreads = 8;
  constexpr int kAttemptsPerThread = 4;
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, kUnits)).ok());
  std::atomic<int> sold{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kAttemptsPerThread; ++i) {
        auto r = service_->record(move(variant, MovementKind::sale, -1));
        if (r.ok())
          ++sold;
        else if (r.error().code == "insufficient_stock")
          ++refused;
        else
          ++failed;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(sold.load(), kUnits);
  EXPECT_EQ(refused.load(), kThreads * kAttemptsPerThread - kUnits);
  EXPECT_EQ(on_hand(variant), 0);
  EXPECT_EQ(service_->ledger(variant)->size(), static_cast<size_t>(kUnits + 1));
  auto mismatches = service_->verify();
  ASSERT_TRUE(mismatches.ok()) << describe(mismatches);
  EXPECT_TRUE(mismatches->empty());
}

TEST_P(InventoryTest, VerifyReportsALevelChangedBehindTheLedgersBack) {
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 4)).ok());
  ASSERT_TRUE(
      db_->query("UPDATE stock_levels SET on_hand = 9 WHERE variant_id = $1", {variant}).ok());
  auto mismatches = service_->verify();
  ASSERT_TRUE(mismatches.ok()) << describe(mismatches);
  ASSERT_EQ(mismatches->size(), 1u);
  EXPECT_EQ((*mismatches)[0].variant_id, variant);
  EXPECT_EQ((*mismatches)[0].on_hand, 9);
  EXPECT_EQ((*mismatches)[0].ledger_sum, 4);
}

TEST_P(InventoryTest, VerifyReportsALedgerWithoutItsLevel) {
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 4)).ok());
  ASSERT_TRUE(db_->query("DELETE FROM stock_levels WHERE variant_id = $1", {variant}).ok());
  auto mismatches = service_->verify();
  ASSERT_TRUE(mismatches.ok()) << describe(mismatches);
  ASSERT_EQ(mismatches->size(), 1u);
  EXPECT_EQ((*mismatches)[0].ledger_sum, 4);
}

TEST_P(InventoryTest, ReceiveNewStocksManyAndSkipsVariantsAlreadyStocked) {
  std::string stocked = new_id(), fresh = new_id(), empty = new_id();
  ASSERT_TRUE(service_->record(move(stocked, MovementKind::receipt, 3)).ok());
  auto r = service_->receive_new({move(stocked, MovementKind::receipt, 50),
                                  move(fresh, MovementKind::receipt, 6),
                                  move(empty, MovementKind::receipt, 0)});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(on_hand(stocked), 3);
  EXPECT_EQ(on_hand(fresh), 6);
  EXPECT_EQ(on_hand(empty), 0);
  auto units = service_->available({stocked, fresh, empty, "junk"});
  ASSERT_TRUE(units.ok()) << describe(units);
  EXPECT_EQ((*units)[fresh], 6);
  EXPECT_EQ((*units)[empty], 0);
  EXPECT_TRUE(service_->verify()->empty());
}

TEST_P(InventoryTest, StockChangedListenerHearsEveryCommittedMovement) {
  std::vector<std::string> heard;
  service_->on_stock_changed([&](const std::string& id) { heard.push_back(id); });
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 1)).ok());
  ASSERT_FALSE(service_->record(move(variant, MovementKind::sale, -2)).ok());
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], variant);
}

// The stock.changed events in the outbox, oldest first, as their data text.
std::vector<std::string> stock_events(db::Database& db) {
  auto rows = db.query(
      "SELECT subject, data FROM outbox_events WHERE topic = 'stock.changed' ORDER BY seq");
  EXPECT_TRUE(rows.ok());
  std::vector<std::string> out;
  if (rows.ok())
    for (const auto& r : rows->rows) out.push_back(r.text(0) + " " + r.text(1));
  return out;
}

TEST_P(InventoryTest, EveryMovementPublishesStockChangedInItsTransaction) {
  std::string variant = new_id();
  ASSERT_TRUE(service_->record(move(variant, MovementKind::receipt, 2)).ok());
  ASSERT_FALSE(service_->record(move(variant, MovementKind::sale, -3)).ok());  // refused: none
  StockAdjustment a;
  a.variant_id = variant;
  a.delta = 1;
  a.reason = "count";
  a.actor = "staff:test";
  ASSERT_TRUE(service_->adjust(a).ok());
  auto events = stock_events(*db_);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) EXPECT_EQ(e, variant + " {\"variant_ids\":[\"" + variant + "\"]}");
}

TEST_P(InventoryTest, SellInACallersTransactionTakesStockWritesSalesAndCommitsWithIt) {
  std::string a = new_id(), b = new_id();
  ASSERT_TRUE(service_->record(move(a, MovementKind::receipt, 5)).ok());
  ASSERT_TRUE(service_->record(move(b, MovementKind::receipt, 5)).ok());
  auto second = service_->ensure_location("shop", "Shop floor");
  ASSERT_TRUE(second.ok());
  Movement more = move(b, MovementKind::receipt, 3);
  more.location_id = second->id;
  ASSERT_TRUE(service_->record(more).ok());
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  // b needs 7: 5 from one location and 2 from the other (locations in id order).
  auto sold = service_->sell(*tx, {{b, 7, "B"}, {a, 2, "A"}}, "order FFF-1", "order:FFF-1");
  ASSERT_TRUE(sold.ok()) << describe(sold);
  int64_t units_b = 0;
  for (const auto& al : *sold)
    if (al.variant_id == b) units_b += al.quantity;
  EXPECT_EQ(units_b, 7);
  ASSERT_TRUE(tx->commit().ok());
  auto available = service_->available({a, b});
  ASSERT_TRUE(available.ok());
  EXPECT_EQ((*available)[a], 3);
  EXPECT_EQ((*available)[b], 1);
  auto ledger = service_->ledger(a);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->back().kind, "sale");
  EXPECT_EQ(ledger->back().reason, "order FFF-1");
  EXPECT_TRUE(service_->verify()->empty());
  auto events = stock_events(*db_);
  ASSERT_FALSE(events.empty());
  EXPECT_NE(events.back().find(a), std::string::npos);
  EXPECT_NE(events.back().find(b), std::string::npos);

  // Put it all back where it came from.
  auto back = db_->begin();
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(service_->restock(*back, *sold, "order FFF-1 cancelled", "order:FFF-1").ok());
  ASSERT_TRUE(back->commit().ok());
  available = service_->available({a, b});
  EXPECT_EQ((*available)[a], 5);
  EXPECT_EQ((*available)[b], 8);
  EXPECT_EQ(service_->ledger(a)->back().kind, "return");
  EXPECT_TRUE(service_->verify()->empty());
}

TEST_P(InventoryTest, SellOfMoreThanOnHandNamesTheSkuAndLeavesNothingAfterRollback) {
  std::string a = new_id();
  ASSERT_TRUE(service_->record(move(a, MovementKind::receipt, 2)).ok());
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    auto sold = service_->sell(*tx, {{a, 3, "SKU-A"}}, "order FFF-2", "order:FFF-2");
    ASSERT_FALSE(sold.ok());
    EXPECT_EQ(sold.error().code, "insufficient_stock");
    EXPECT_NE(sold.error().message.find("SKU-A"), std::string::npos);
    auto none = service_->sell(*tx, {{new_id(), 1, "GHOST"}}, "order FFF-2", "order:FFF-2");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, "insufficient_stock");
  }  // rolled back
  EXPECT_EQ(on_hand(a), 2);
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto zero = service_->sell(*tx, {{a, 0, "SKU-A"}}, "order FFF-3", "order:FFF-3");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, "invalid_movement");
}

TEST_P(InventoryTest, ConcurrentSalesInTransactionsNeverOversell) {
  std::string a = new_id(), b = new_id();
  ASSERT_TRUE(service_->record(move(a, MovementKind::receipt, 6)).ok());
  ASSERT_TRUE(service_->record(move(b, MovementKind::receipt, 6)).ok());
  std::atomic<int> sold{0}, refused{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      // Half list b first: the service sorts, so they still lock in one order.
      std::vector<SaleLine> lines = i % 2 ? std::vector<SaleLine>{{b, 1, "B"}, {a, 1, "A"}}
                                          : std::vector<SaleLine>{{a, 1, "A"}, {b, 1, "B"}};
      for (int attempt = 0; attempt < 5; ++attempt) {
        auto tx = db_->begin();
        if (!tx.ok()) continue;
        auto r = service_->sell(*tx, lines, "order", "order:x");
        if (r.ok() && tx->commit().ok()) {
          ++sold;
          return;
        }
        if (!r.ok() && r.error().code == "insufficient_stock") {
          ++refused;
          return;
        }
      }
      ++failed;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(sold.load(), 6);
  EXPECT_EQ(refused.load(), 6);
  EXPECT_EQ(on_hand(a), 0);
  EXPECT_EQ(on_hand(b), 0);
  EXPECT_TRUE(service_->verify()->empty());
}

TEST_P(InventoryTest, EnsureLocationIsIdempotent) {
  auto again = service_->ensure_location("main", "Another name");
  ASSERT_TRUE(again.ok()) << describe(again);
  EXPECT_EQ(again->id, location_);
  EXPECT_EQ(again->name, "Main warehouse");
}

}  // namespace
}  // namespace fff::inventory
