// Staff stock adjustments: deltas and counts with reasons, the ledger, never negative, and
// Idempotency-Key replays (also when the same key races), on every storage config.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "modules/inventory/service.hpp"
#include "support/test_databases.hpp"

namespace fff::inventory {
namespace {

// Inventory's tables and the outbox it publishes stock.changed to.
std::vector<db::Migration> migrations() {
  auto all = db::jobs_migrations();
  for (auto& m : db::inventory_migrations()) all.push_back(m);
  return all;
}

class StaffStockTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 8;
    options.busy_timeout_ms = 20'000;
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    ASSERT_TRUE(db::migrate(*db_, migrations()).ok());
    service_ = std::make_unique<InventoryService>(*db_, Clock::system());
    service_->on_stock_changed([this](const std::string&) { ++notified_; });
    ASSERT_TRUE(service_->ensure_location("main", "Main warehouse").ok());
    variant_ = new_id();
  }

  StockAdjustment adjustment(std::optional<int64_t> delta, const std::string& reason) {
    StockAdjustment a;
    a.variant_id = variant_;
    a.delta = delta;
    a.reason = reason;
    a.actor = "staff-token";
    return a;
  }

  int64_t on_hand() {
    auto levels = service_->levels(variant_);
    return levels.ok() && !levels->empty() ? levels->front().on_hand : -1;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<InventoryService> service_;
  std::string variant_;
  std::atomic<int> notified_{0};
};
INSTANTIATE_TEST_SUITE_P(, StaffStockTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(StaffStockTest, AReceiptAddsStockAndIsLedgeredWithReasonAndActor) {
  auto a = adjustment(5, "receipt");
  a.note = "PO 1001";
  auto done = service_->adjust(a);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->level.on_hand, 5);
  EXPECT_EQ(notified_, 1);
  auto ledger = service_->ledger_page(variant_, 10, 0);
  ASSERT_TRUE(ledger.ok());
  ASSERT_EQ(ledger->total, 1);
  EXPECT_EQ(ledger->items[0].kind, "receipt");
  EXPECT_EQ(ledger->items[0].reason, "receipt: PO 1001");
  EXPECT_EQ(ledger->items[0].actor, "staff-token");
  EXPECT_TRUE(service_->verify()->empty());
}

TEST_P(StaffStockTest, ACountSetsOnHandAndLedgersTheDifference) {
  ASSERT_TRUE(service_->adjust(adjustment(10, "receipt")).ok());
  StockAdjustment count = adjustment(std::nullopt, "count");
  count.set_on_hand = 7;
  auto done = service_->adjust(count);
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->quantity, -3);
  EXPECT_EQ(on_hand(), 7);
  // Counting what is there already moves nothing and writes no entry.
  auto same = service_->adjust(count);
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->entry_id.has_value());
  EXPECT_EQ(service_->ledger_page(variant_, 10, 0)->total, 2);
  EXPECT_TRUE(service_->verify()->empty());
}

TEST_P(StaffStockTest, OnHandNeverGoesNegativeAndNothingIsWritten) {
  ASSERT_TRUE(service_->adjust(adjustment(2, "receipt")).ok());
  auto refused = service_->adjust(adjustment(-3, "damage"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "stock_would_go_negative");
  EXPECT_EQ(refused.error().fields.at(0).field, "delta");
  EXPECT_EQ(on_hand(), 2);
  EXPECT_EQ(service_->ledger_page(variant_, 10, 0)->total, 1);
}

TEST_P(StaffStockTest, BadAdjustmentsNameTheirField) {
  EXPECT_EQ(service_->adjust(adjustment(-1, "receipt")).error().fields.at(0).field, "delta");
  EXPECT_EQ(service_->adjust(adjustment(1, "gift")).error().fields.at(0).field, "reason");
  EXPECT_EQ(service_->adjust(adjustment(0, "adjustment")).error().fields.at(0).field, "delta");
  auto elsewhere = adjustment(1, "receipt");
  elsewhere.location_code = "moon";
  EXPECT_EQ(service_->adjust(elsewhere).error().code, "unknown_location");
}

TEST_P(StaffStockTest, TheSameIdempotencyKeyAnswersAgainWithoutMovingStock) {
  auto a = adjustment(4, "receipt");
  a.idempotency_key = "po-77";
  auto first = service_->adjust(a);
  ASSERT_TRUE(first.ok());
  auto again = service_->adjust(a);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->entry_id, first->entry_id);
  EXPECT_EQ(on_hand(), 4);
  EXPECT_EQ(notified_, 1);
  a.delta = 40;
  EXPECT_EQ(service_->adjust(a).error().code, "idempotency_key_reused");
}

TEST_P(StaffStockTest, RacingRequestsWithOneKeyMoveStockOnce) {
  auto a = adjustment(3, "receipt");
  a.idempotency_key = "racing-key";
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i)
    threads.emplace_back([&] {
      if (service_->adjust(a).ok()) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(on_hand(), 3);
  EXPECT_EQ(service_->ledger_page(variant_, 10, 0)->total, 1);
}

}  // namespace
}  // namespace fff::inventory
