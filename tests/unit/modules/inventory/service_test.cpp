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
#include "support/test_databases.hpp"

namespace fff::inventory {
namespace {

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
    auto migrated = db::migrate(*db_, db::inventory_migrations());
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

TEST_P(InventoryTest, EnsureLocationIsIdempotent) {
  auto again = service_->ensure_location("main", "Another name");
  ASSERT_TRUE(again.ok()) << describe(again);
  EXPECT_EQ(again->id, location_);
  EXPECT_EQ(again->name, "Main warehouse");
}

}  // namespace
}  // namespace fff::inventory
