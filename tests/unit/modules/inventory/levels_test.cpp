// Staff listings of stock: levels by variant and location with filters and pages, low stock
// against the threshold, and the threshold setting itself, on every storage config.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "modules/inventory/service.hpp"
#include "support/test_databases.hpp"

namespace fff::inventory {
namespace {

class StockLevelsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    auto all = db::jobs_migrations();
    for (auto& m : db::inventory_migrations()) all.push_back(m);
    ASSERT_TRUE(db::migrate(*db_, all).ok());
    service_ = std::make_unique<InventoryService>(*db_, Clock::system());
    ASSERT_TRUE(service_->ensure_location("main", "Main warehouse").ok());
    ASSERT_TRUE(service_->ensure_location("shop", "Shop floor").ok());
  }

  void receive(const std::string& variant, int64_t units, const std::string& location = "main") {
    StockAdjustment a;
    a.variant_id = variant;
    a.location_code = location;
    a.delta = units;
    a.reason = "receipt";
    a.actor = "test";
    auto done = service_->adjust(a);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<InventoryService> service_;
};
INSTANTIATE_TEST_SUITE_P(, StockLevelsTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(StockLevelsTest, TheThresholdDefaultsAndCanBeSet) {
  EXPECT_EQ(*service_->low_stock_threshold(), kDefaultLowStockThreshold);
  ASSERT_TRUE(service_->set_low_stock_threshold(12).ok());
  EXPECT_EQ(*service_->low_stock_threshold(), 12);
  ASSERT_TRUE(service_->set_low_stock_threshold(0).ok());
  EXPECT_EQ(*service_->low_stock_threshold(), 0);
}

TEST_P(StockLevelsTest, ABadThresholdIsRefusedNamingTheField) {
  auto refused = service_->set_low_stock_threshold(-1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_threshold");
  ASSERT_EQ(refused.error().fields.size(), 1u);
  EXPECT_EQ(refused.error().fields[0].field, "threshold");
  EXPECT_FALSE(service_->set_low_stock_threshold(kMaxLowStockThreshold + 1).ok());
  EXPECT_EQ(*service_->low_stock_threshold(), kDefaultLowStockThreshold);
}

TEST_P(StockLevelsTest, LowStockSumsLocationsAndListsFewestFirst) {
  std::string a = new_id(), b = new_id(), c = new_id();
  receive(a, 3);
  receive(a, 4, "shop");  // 7 in all: not low at 5
  receive(b, 2);
  receive(c, 5);
  ASSERT_TRUE(service_->set_low_stock_threshold(5).ok());
  auto low = service_->low_stock(10);
  ASSERT_TRUE(low.ok()) << low.error().message;
  ASSERT_EQ(low->size(), 2u);
  EXPECT_EQ((*low)[0].variant_id, b);
  EXPECT_EQ((*low)[0].available(), 2);
  EXPECT_EQ((*low)[1].variant_id, c);
  ASSERT_TRUE(service_->set_low_stock_threshold(7).ok());
  EXPECT_EQ(service_->low_stock(10)->size(), 3u);
  EXPECT_EQ(service_->low_stock(1)->size(), 1u);
}

TEST_P(StockLevelsTest, LevelPagesListEveryLocationAndFilter) {
  std::string a = new_id(), b = new_id();
  receive(a, 3);
  receive(a, 4, "shop");
  receive(b, 20);
  LevelQuery all;
  auto page = service_->level_page(all);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->total, 3);
  EXPECT_EQ(page->items.size(), 3u);

  LevelQuery one;
  one.variant_ids = {a};
  page = service_->level_page(one);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
  for (const auto& l : page->items) EXPECT_EQ(l.variant_id, a);

  LevelQuery low;
  low.at_most_available = 7;
  page = service_->level_page(low);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);  // both of a's levels: 7 available in all

  LevelQuery paged;
  paged.limit = 2;
  paged.offset = 2;
  page = service_->level_page(paged);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 3);
  EXPECT_EQ(page->items.size(), 1u);

  LevelQuery nonsense;
  nonsense.variant_ids = {"not-a-uuid"};
  page = service_->level_page(nonsense);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 0);

  LevelQuery bad;
  bad.limit = 0;
  EXPECT_FALSE(service_->level_page(bad).ok());
}

}  // namespace
}  // namespace fff::inventory
