// Sales analytics over stored orders: what counts as a sale, net revenue, units, days without
// sales, top products and window edges, on every storage config.
#include "modules/orders/analytics.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "core/id.hpp"
#include "core/time.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/orders.hpp"
#include "modules/orders/store.hpp"
#include "support/test_databases.hpp"

namespace fff::orders {
namespace {

class SalesAnalyticsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    ASSERT_TRUE(db::migrate(*db_, db::orders_migrations()).ok());
    store_ = std::make_unique<OrderStore>(*db_);
    analytics_ = std::make_unique<SalesAnalytics>(*db_);
  }

  struct LineSpec {
    std::string product;
    int64_t quantity;
    int64_t total_minor;
  };

  // Stores an order created at `at` with the given lines; its total is the lines' sum.
  void order(const std::string& at, Status status, std::vector<LineSpec> lines,
             int64_t refunded = 0, const std::string& currency = "USD") {
    Order o;
    o.id = new_id();
    o.number = "FFF-" + std::to_string(10001 + count_++);
    o.status = status;
    o.payment_status = "captured";
    o.payment_method = "card";
    o.email = "a@example.com";
    o.currency = currency;
    o.customer_name = "Ana";
    o.shipping_method_code = "standard";
    o.shipping_method_name = "Standard";
    o.created_at = o.updated_at = to_iso8601(*parse_iso8601(at));  // as the shop stores it
    o.refunded_minor = refunded;
    for (const auto& l : lines) {
      OrderLine line;
      line.id = new_id();
      line.variant_id = new_id();
      line.sku = l.product + "-M";
      line.product_id = "prod-" + l.product;
      line.product_name = "Product " + l.product;
      line.product_slug = "product-" + l.product;
      line.quantity = l.quantity;
      line.unit_price_minor = l.total_minor / l.quantity;
      line.subtotal_minor = line.total_minor = l.total_minor;
      o.subtotal_minor += l.total_minor;
      o.total_minor += l.total_minor;
      o.lines.push_back(line);
    }
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    auto done = store_->insert(*tx, o, {});
    ASSERT_TRUE(done.ok()) << done.error().message;
    ASSERT_TRUE(tx->commit().ok());
  }

  SalesWindow window(const std::string& from, const std::string& to) {
    return SalesWindow{from, to, "USD"};
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<OrderStore> store_;
  std::unique_ptr<SalesAnalytics> analytics_;
  int count_ = 0;
};
INSTANTIATE_TEST_SUITE_P(, SalesAnalyticsTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(SalesAnalyticsTest, NoOrdersAreZeroFigures) {
  auto f = analytics_->figures(window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->orders, 0);
  EXPECT_EQ(f->revenue_minor, 0);
  EXPECT_EQ(f->units, 0);
  EXPECT_EQ(f->average_order_minor(), 0);
}

TEST_P(SalesAnalyticsTest, FiguresCountSalesNetOfRefundsAndSkipUnpaidAndCancelled) {
  order("2026-11-10T09:00:00Z", Status::paid, {{"a", 2, 4000}, {"b", 1, 1500}});
  order("2026-11-11T09:00:00Z", Status::delivered, {{"a", 1, 2000}}, /*refunded=*/500);
  order("2026-11-11T10:00:00Z", Status::confirmed, {{"c", 3, 3000}});
  order("2026-11-12T09:00:00Z", Status::pending_payment, {{"a", 5, 10000}});
  order("2026-11-12T10:00:00Z", Status::cancelled, {{"a", 5, 10000}});
  order("2026-11-12T11:00:00Z", Status::paid, {{"a", 5, 10000}}, 0, "VND");  // another currency
  auto f = analytics_->figures(window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->orders, 3);
  EXPECT_EQ(f->revenue_minor, 5500 + 1500 + 3000);
  EXPECT_EQ(f->units, 3 + 1 + 3);
  EXPECT_EQ(f->average_order_minor(), 3333);
}

TEST_P(SalesAnalyticsTest, TheWindowIncludesFromAndExcludesTo) {
  order("2026-11-10T00:00:00Z", Status::paid, {{"a", 1, 1000}});
  order("2026-11-11T00:00:00Z", Status::paid, {{"a", 1, 2000}});
  auto f = analytics_->figures(window("2026-11-10T00:00:00Z", "2026-11-11T00:00:00Z"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->orders, 1);
  EXPECT_EQ(f->revenue_minor, 1000);
}

TEST_P(SalesAnalyticsTest, ByDayHasEveryDayOfTheWindowWithZeroForDaysWithoutSales) {
  order("2026-11-10T23:59:59Z", Status::paid, {{"a", 1, 1000}});
  order("2026-11-10T08:00:00Z", Status::shipped, {{"b", 1, 500}});
  order("2026-11-12T00:00:00Z", Status::paid, {{"a", 1, 2000}});
  auto days = analytics_->by_day(window("2026-11-09T12:00:00Z", "2026-11-13T00:00:00Z"));
  ASSERT_TRUE(days.ok()) << days.error().message;
  ASSERT_EQ(days->size(), 4u);
  EXPECT_EQ((*days)[0].day, "2026-11-09");
  EXPECT_EQ((*days)[0].revenue_minor, 0);
  EXPECT_EQ((*days)[1].day, "2026-11-10");
  EXPECT_EQ((*days)[1].revenue_minor, 1500);
  EXPECT_EQ((*days)[1].orders, 2);
  EXPECT_EQ((*days)[2].day, "2026-11-11");
  EXPECT_EQ((*days)[2].orders, 0);
  EXPECT_EQ((*days)[3].day, "2026-11-12");
  EXPECT_EQ((*days)[3].revenue_minor, 2000);
}

TEST_P(SalesAnalyticsTest, TopProductsAreByUnitsThenRevenueAndLimited) {
  order("2026-11-10T09:00:00Z", Status::paid, {{"a", 2, 4000}, {"b", 3, 3000}});
  order("2026-11-11T09:00:00Z", Status::paid, {{"a", 1, 2000}, {"c", 1, 9000}});
  order("2026-11-11T10:00:00Z", Status::cancelled, {{"c", 9, 9000}});
  auto top = analytics_->top_products(window("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), 2);
  ASSERT_TRUE(top.ok()) << top.error().message;
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].product_id, "prod-a");  // 3 units, $60 beats b's 3 units, $30
  EXPECT_EQ((*top)[0].units, 3);
  EXPECT_EQ((*top)[0].revenue_minor, 6000);
  EXPECT_EQ((*top)[0].product_name, "Product a");
  EXPECT_EQ((*top)[0].product_slug, "product-a");
  EXPECT_EQ((*top)[1].product_id, "prod-b");
}

TEST_P(SalesAnalyticsTest, BadWindowsAreRefused) {
  EXPECT_EQ(analytics_->figures(window("yesterday", "2026-11-01T00:00:00Z")).error().code,
            "invalid_window");
  EXPECT_EQ(
      analytics_->figures(window("2026-11-02T00:00:00Z", "2026-11-01T00:00:00Z")).error().code,
      "invalid_window");
  EXPECT_EQ(analytics_->by_day(window("2020-01-01T00:00:00Z", "2026-11-01T00:00:00Z")).error().code,
            "invalid_window");
  EXPECT_EQ(analytics_->top_products(window("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"), 0)
                .error()
                .code,
            "invalid_limit");
}

}  // namespace
}  // namespace fff::orders
