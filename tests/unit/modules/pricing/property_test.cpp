// Pricing properties over thousands of random carts, coupons, shipping methods, countries and
// tax settings: the total is the sum of its parts, nothing is negative, the lines add up to the
// order's amounts. And a coupon's usage limit holds when many threads redeem at once.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/pricing.hpp"
#include "modules/pricing/service.hpp"
#include "support/test_databases.hpp"

namespace fff::pricing {
namespace {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

class PricingPropertyTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 8;
    options.busy_timeout_ms = 30'000;
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::pricing_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
};
INSTANTIATE_TEST_SUITE_P(, PricingPropertyTest,
                         ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(PricingPropertyTest, RandomCartsAlwaysAddUp) {
  std::mt19937_64 rng(20261126);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (Currency currency : {Currency::USD, Currency::VND}) {
    for (bool inclusive : {false, true}) {
      PricingService pricing(*db_, Clock::system(), PricingSettings{currency, inclusive});
      // A spread of coupons in this currency.
      std::vector<std::string> codes;
      std::string tag = std::string(currency_code(currency)) + (inclusive ? "I" : "E");
      for (int i = 0; i < 12; ++i) {
        CouponInput in;
        in.code = "P" + tag + std::to_string(i);
        int kind = i % 3;
        in.kind = kind == 0 ? "percentage" : kind == 1 ? "fixed" : "free_shipping";
        if (kind == 0) in.percent_bp = pick(1, 10000);
        if (kind == 1) in.amount_minor = pick(1, 200'000);
        if (i % 4 == 3) in.minimum_subtotal_minor = pick(0, 50'000);
        auto made = pricing.create_coupon(in);
        ASSERT_TRUE(made.ok()) << describe(made);
        codes.push_back(made->code);
      }
      const char* countries[] = {"VN", "GB", "DE", "FR", "US", "ZZ", "JP"};
      const char* methods[] = {"standard", "express"};
      int quoted = 0;
      for (int n = 0; n < 1500; ++n) {
        QuoteRequest r;
        int64_t lines = pick(1, 8);
        for (int64_t l = 0; l < lines; ++l)
          r.lines.push_back(PriceLine{new_id(), "S" + std::to_string(l), pick(1, 20),
                                      pick(0, currency == Currency::VND ? 5'000'000 : 50'000)});
        if (pick(0, 3) > 0) r.coupon_code = codes[static_cast<size_t>(pick(0, 11))];
        if (pick(0, 4) > 0) r.country = countries[pick(0, 6)];
        if (pick(0, 2) > 0) r.shipping_method = methods[pick(0, 1)];
        auto q = pricing.quote(r);
        if (!q) {
          // Only the documented refusals: a coupon minimum, express abroad.
          const std::string& code = q.error().code;
          EXPECT_TRUE(code == "coupon_minimum_not_met" || code == "shipping_method_unavailable")
              << code;
          continue;
        }
        ++quoted;
        int64_t subtotal = 0, discount = 0, tax = 0, total = 0;
        for (size_t i = 0; i < q->lines.size(); ++i) {
          const QuotedLine& l = q->lines[i];
          EXPECT_EQ(l.subtotal_minor, r.lines[i].quantity * r.lines[i].unit_price_minor);
          EXPECT_GE(l.discount_minor, 0);
          EXPECT_LE(l.discount_minor, l.subtotal_minor);
          EXPECT_GE(l.tax_minor, 0);
          EXPECT_EQ(l.total_minor,
                    l.subtotal_minor - l.discount_minor + (inclusive ? 0 : l.tax_minor));
          subtotal += l.subtotal_minor;
          discount += l.discount_minor;
          tax += l.tax_minor;
          total += l.total_minor;
        }
        EXPECT_EQ(subtotal, q->subtotal_minor);
        EXPECT_EQ(discount, q->discount_minor);
        EXPECT_EQ(tax + q->shipping_tax_minor, q->tax_minor);
        EXPECT_GE(q->shipping_minor, 0);
        EXPECT_GE(q->shipping_tax_minor, 0);
        EXPECT_GE(q->discount_minor, 0);
        EXPECT_LE(q->discount_minor, q->subtotal_minor);
        EXPECT_GE(q->total_minor, 0);
        EXPECT_EQ(q->total_minor, q->subtotal_minor - q->discount_minor + q->shipping_minor +
                                      (inclusive ? 0 : q->tax_minor));
        EXPECT_EQ(total + q->shipping_minor + (inclusive ? 0 : q->shipping_tax_minor),
                  q->total_minor);
        EXPECT_EQ(q->currency, currency);
        if (!r.shipping_method) {
          EXPECT_EQ(q->shipping_minor, 0);
        }
        if (::testing::Test::HasFailure()) return;  // one bad cart is enough to read
      }
      EXPECT_GT(quoted, 1000);
    }
  }
}

TEST_P(PricingPropertyTest, CouponUsageNeverExceedsItsLimitUnderConcurrentRedeem) {
  PricingService pricing(*db_, Clock::system(), PricingSettings{});
  CouponInput in;
  in.code = "RUSH";
  in.kind = "percentage";
  in.percent_bp = 1000;
  in.usage_limit = 7;
  auto made = pricing.create_coupon(in);
  ASSERT_TRUE(made.ok()) << describe(made);
  QuoteRequest r;
  r.lines.push_back(PriceLine{new_id(), "S", 1, 1000});
  r.coupon_code = "rush";
  auto q = pricing.quote(r);
  ASSERT_TRUE(q.ok()) << describe(q);
  std::atomic<int> redeemed{0}, used_up{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        auto tx = db_->begin();
        if (!tx) {
          ++other;
          continue;
        }
        auto done = pricing.redeem(*tx, *q, new_id(), std::nullopt,
                                   "c" + std::to_string(t) + "-" + std::to_string(i) + "@x.io");
        if (done.ok() && tx->commit().ok())
          ++redeemed;
        else if (!done.ok() && done.error().code == "coupon_used_up")
          ++used_up;
        else
          ++other;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(redeemed.load(), 7);
  EXPECT_EQ(used_up.load(), 16 * 4 - 7);
  EXPECT_EQ(other.load(), 0);
  auto after = pricing.coupon(made->id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->used, 7);
  auto rows =
      db_->query("SELECT COUNT(*) FROM coupon_redemptions WHERE coupon_id = $1", {made->id});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->rows[0].int64(0), 7);
}

TEST_P(PricingPropertyTest, PerCustomerLimitHoldsUnderConcurrentRedeem) {
  PricingService pricing(*db_, Clock::system(), PricingSettings{});
  CouponInput in;
  in.code = "MINE2";
  in.kind = "fixed";
  in.amount_minor = 100;
  in.per_customer_limit = 2;
  auto made = pricing.create_coupon(in);
  ASSERT_TRUE(made.ok()) << describe(made);
  QuoteRequest r;
  r.lines.push_back(PriceLine{new_id(), "S", 1, 1000});
  r.coupon_code = "MINE2";
  auto q = pricing.quote(r);
  ASSERT_TRUE(q.ok());
  std::string account = new_id();
  std::atomic<int> redeemed{0}, used_up{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&] {
      auto tx = db_->begin();
      if (!tx) return;
      auto done = pricing.redeem(*tx, *q, new_id(), account, "same@x.io");
      if (done.ok() && tx->commit().ok())
        ++redeemed;
      else if (!done.ok() && done.error().code == "coupon_used_up")
        ++used_up;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(redeemed.load(), 2);
  EXPECT_EQ(used_up.load(), 10);
  EXPECT_EQ(pricing.coupon(made->id)->used, 2);
}

}  // namespace
}  // namespace fff::pricing
