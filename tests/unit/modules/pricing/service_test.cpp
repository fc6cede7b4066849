// Pricing: coupons (kinds, window, minimum, limits, case-insensitive codes), shipping methods,
// VAT, and the rounding rule, on every storage config.
#include "modules/pricing/service.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/pricing.hpp"
#include "support/test_databases.hpp"

namespace fff::pricing {
namespace {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

class ManualClock : public Clock {
 public:
  Timestamp now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::microseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }

 private:
  mutable std::mutex mutex_;
  Timestamp now_ = now_utc();
};

// Builds coupon inputs readably (designated initializers would have to name every member).
struct C {
  CouponInput in;
  C(std::string code, std::string kind) {
    in.code = std::move(code);
    in.kind = std::move(kind);
  }
  C& percent(int64_t bp) { return in.percent_bp = bp, *this; }
  C& amount(int64_t minor) { return in.amount_minor = minor, *this; }
  C& minimum(int64_t minor) { return in.minimum_subtotal_minor = minor, *this; }
  C& starts(std::string at) { return in.starts_at = std::move(at), *this; }
  C& ends(std::string at) { return in.ends_at = std::move(at), *this; }
  C& limit(int64_t n) { return in.usage_limit = n, *this; }
  C& per_customer(int64_t n) { return in.per_customer_limit = n, *this; }
  operator CouponInput() const { return in; }  // NOLINT: a builder
};

class PricingTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::pricing_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    pricing_ = std::make_unique<PricingService>(*db_, clock_, PricingSettings{});
  }

  Coupon coupon(CouponInput in) {
    auto c = pricing_->create_coupon(in);
    EXPECT_TRUE(c.ok()) << describe(c);
    return c.ok() ? *c : Coupon{};
  }

  static QuoteRequest cart(std::vector<std::pair<int64_t, int64_t>> lines) {
    QuoteRequest r;
    for (auto [qty, price] : lines)
      r.lines.push_back(PriceLine{new_id(), "SKU-" + std::to_string(r.lines.size()), qty, price});
    return r;
  }

  Quote quote(const QuoteRequest& r) {
    auto q = pricing_->quote(r);
    EXPECT_TRUE(q.ok()) << describe(q);
    return q.ok() ? *q : Quote{};
  }

  ManualClock clock_;
  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<PricingService> pricing_;
};
INSTANTIATE_TEST_SUITE_P(, PricingTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST(Rounding, MulDivRoundsHalfUp) {
  EXPECT_EQ(mul_div_half_up(5, 1, 2), 3);  // 2.5 → 3
  EXPECT_EQ(mul_div_half_up(3, 1, 2), 2);  // 1.5 → 2
  EXPECT_EQ(mul_div_half_up(1, 1, 3), 0);
  EXPECT_EQ(mul_div_half_up(2, 1, 3), 1);
  EXPECT_EQ(mul_div_half_up(1999, 2000, 10000), 400);  // 399.8
  EXPECT_EQ(mul_div_half_up(int64_t{1} << 52, 10000, 10000), int64_t{1} << 52);
}

TEST_P(PricingTest, SubtotalWithoutExtrasIsTheTotal) {
  Quote q = quote(cart({{2, 1990}, {1, 4990}}));
  EXPECT_EQ(q.subtotal_minor, 8970);
  EXPECT_EQ(q.discount_minor, 0);
  EXPECT_EQ(q.shipping_minor, 0);
  EXPECT_FALSE(q.shipping);
  EXPECT_EQ(q.tax_minor, 0);
  EXPECT_EQ(q.total_minor, 8970);
  ASSERT_EQ(q.lines.size(), 2u);
  EXPECT_EQ(q.lines[0].subtotal_minor, 3980);
  EXPECT_EQ(q.lines[1].total_minor, 4990);
}

TEST_P(PricingTest, PercentageDiscountIsSpreadAndSumsExactly) {
  coupon(C("save10", "percentage").percent(1000));
  auto r = cart({{1, 333}, {1, 333}, {1, 334}});
  r.coupon_code = "SAVE10";
  Quote q = quote(r);
  EXPECT_EQ(q.coupon_code, "SAVE10");
  EXPECT_EQ(q.discount_minor, 100);
  int64_t sum = 0;
  for (const auto& l : q.lines) sum += l.discount_minor;
  EXPECT_EQ(sum, 100);
  EXPECT_EQ(q.lines[0].discount_minor, 33);
  EXPECT_EQ(q.lines[2].discount_minor, 34);  // the remainder goes on the largest line
  EXPECT_EQ(q.total_minor, 900);
}

TEST_P(PricingTest, CodesAreCaseInsensitive) {
  coupon(C("Summer-Sale", "fixed").amount(500));
  auto r = cart({{1, 2000}});
  r.coupon_code = "  summer-SALE ";
  Quote q = quote(r);
  EXPECT_EQ(q.coupon_code, "SUMMER-SALE");
  EXPECT_EQ(q.discount_minor, 500);
  EXPECT_EQ(q.total_minor, 1500);
}

TEST_P(PricingTest, FixedDiscountNeverExceedsTheSubtotal) {
  coupon(C("BIG", "fixed").amount(100000));
  auto r = cart({{1, 2000}});
  r.coupon_code = "big";
  Quote q = quote(r);
  EXPECT_EQ(q.discount_minor, 2000);
  EXPECT_EQ(q.total_minor, 0);
}

TEST_P(PricingTest, UnknownOrInactiveCouponIsCouponNotFound) {
  auto r = cart({{1, 2000}});
  r.coupon_code = "NOPE";
  EXPECT_EQ(pricing_->quote(r).error().code, "coupon_not_found");
  Coupon c = coupon(C("GONE", "percentage").percent(500));
  ASSERT_TRUE(pricing_->deactivate_coupon(c.id).ok());
  r.coupon_code = "gone";
  auto q = pricing_->quote(r);
  EXPECT_EQ(q.error().code, "coupon_not_found");
  EXPECT_EQ(q.error().kind, ErrorKind::unprocessable);
}

TEST_P(PricingTest, CouponValidityWindow) {
  std::string soon = to_iso8601(clock_.now() + std::chrono::hours(1));
  std::string later = to_iso8601(clock_.now() + std::chrono::hours(2));
  coupon(C("WINDOW", "percentage").percent(500).starts(soon).ends(later));
  auto r = cart({{1, 2000}});
  r.coupon_code = "WINDOW";
  EXPECT_EQ(pricing_->quote(r).error().code, "coupon_not_yet_valid");
  clock_.advance(std::chrono::minutes(90));
  EXPECT_TRUE(pricing_->quote(r).ok());
  clock_.advance(std::chrono::minutes(31));
  EXPECT_EQ(pricing_->quote(r).error().code, "coupon_expired");
}

TEST_P(PricingTest, CouponMinimumSubtotal) {
  coupon(C("MIN50", "fixed").amount(500).minimum(5000));
  auto r = cart({{1, 4999}});
  r.coupon_code = "MIN50";
  auto below = pricing_->quote(r);
  EXPECT_EQ(below.error().code, "coupon_minimum_not_met");
  EXPECT_NE(below.error().message.find("50.00"), std::string::npos) << below.error().message;
  r.lines[0].unit_price_minor = 5000;
  EXPECT_EQ(quote(r).discount_minor, 500);
}

TEST_P(PricingTest, FreeShippingCouponZeroesShipping) {
  coupon(C("SHIPFREE", "free_shipping"));
  auto r = cart({{1, 1000}});
  r.shipping_method = "standard";
  r.country = "US";
  EXPECT_EQ(quote(r).shipping_minor, 499);
  r.coupon_code = "shipfree";
  Quote q = quote(r);
  EXPECT_EQ(q.shipping_minor, 0);
  EXPECT_TRUE(q.free_shipping);
  EXPECT_EQ(q.discount_minor, 0);
  EXPECT_EQ(q.total_minor, 1000);
}

TEST_P(PricingTest, SeededShippingMethods) {
  auto everywhere = pricing_->shipping_methods(std::string("au"));
  ASSERT_TRUE(everywhere.ok()) << describe(everywhere);
  ASSERT_EQ(everywhere->size(), 1u);
  EXPECT_EQ((*everywhere)[0].code, "standard");
  auto gb = pricing_->shipping_methods(std::string("GB"));
  ASSERT_TRUE(gb.ok());
  ASSERT_EQ(gb->size(), 2u);
  EXPECT_EQ((*gb)[1].code, "express");
  EXPECT_TRUE((*gb)[1].express);
  EXPECT_EQ(pricing_->shipping_methods(std::string("Germany")).error().code, "invalid_country");
}

TEST_P(PricingTest, StandardShippingIsFreeAboveItsThreshold) {
  auto r = cart({{1, 7499}});
  r.shipping_method = "standard";
  r.country = "US";
  EXPECT_EQ(quote(r).shipping_minor, 499);
  r.lines[0].unit_price_minor = 7500;
  EXPECT_EQ(quote(r).shipping_minor, 0);
}

TEST_P(PricingTest, ExpressOnlyShipsToItsCountries) {
  auto r = cart({{1, 1000}});
  r.shipping_method = "express";
  r.country = "AU";
  auto q = pricing_->quote(r);
  EXPECT_EQ(q.error().code, "shipping_method_unavailable");
  r.country = "VN";
  EXPECT_EQ(quote(r).shipping_minor, 1499);
  r.shipping_method = "teleport";
  EXPECT_EQ(pricing_->quote(r).error().code, "shipping_method_unavailable");
}

TEST_P(PricingTest, VatIsAddedPerLineAndOnShippingWhenPricesExcludeTax) {
  auto r = cart({{1, 1005}, {2, 333}});
  r.country = "gb";  // 20 %
  r.shipping_method = "standard";
  Quote q = quote(r);
  EXPECT_EQ(q.tax_rate_bp, 2000);
  EXPECT_EQ(q.lines[0].tax_minor, 201);  // 201.0
  EXPECT_EQ(q.lines[1].tax_minor, 133);  // 133.2
  EXPECT_EQ(q.shipping_tax_minor, 100);  // 99.8 → 100
  EXPECT_EQ(q.tax_minor, 434);
  EXPECT_EQ(q.total_minor, 1671 + 499 + 434);
}

TEST_P(PricingTest, TaxOnTheDiscountedLineAmount) {
  coupon(C("HALF", "percentage").percent(5000));
  auto r = cart({{1, 1000}});
  r.country = "DE";  // 19 %
  r.coupon_code = "half";
  Quote q = quote(r);
  EXPECT_EQ(q.lines[0].discount_minor, 500);
  EXPECT_EQ(q.lines[0].tax_minor, 95);
  EXPECT_EQ(q.total_minor, 595);
}

TEST_P(PricingTest, InclusivePricesOnlyReportTheTax) {
  PricingService inclusive(*db_, clock_, PricingSettings{Currency::USD, true});
  auto r = cart({{1, 1200}});
  r.country = "FR";  // 20 %: 1200 includes 200
  auto q = inclusive.quote(r);
  ASSERT_TRUE(q.ok()) << describe(q);
  EXPECT_TRUE(q->prices_include_tax);
  EXPECT_EQ(q->tax_minor, 200);
  EXPECT_EQ(q->total_minor, 1200);
  EXPECT_EQ(q->lines[0].total_minor, 1200);
}

TEST_P(PricingTest, UnknownCountryPaysNoVatButMalformedIsInvalid) {
  auto r = cart({{1, 1000}});
  r.country = "ZZ";
  EXPECT_EQ(quote(r).tax_minor, 0);
  r.country = "G1";
  EXPECT_EQ(pricing_->quote(r).error().code, "invalid_country");
}

TEST_P(PricingTest, VndShopUsesItsOwnShippingRows) {
  PricingService vnd(*db_, clock_, PricingSettings{Currency::VND, true});
  auto methods = vnd.shipping_methods(std::string("VN"));
  ASSERT_TRUE(methods.ok());
  ASSERT_EQ(methods->size(), 2u);
  EXPECT_EQ((*methods)[0].price_minor, 125000);
  auto r = cart({{1, 1'223'000}});
  r.country = "VN";
  r.shipping_method = "standard";
  auto q = vnd.quote(r);
  ASSERT_TRUE(q.ok()) << describe(q);
  EXPECT_EQ(q->currency, Currency::VND);
  EXPECT_EQ(q->shipping_minor, 125000);
  EXPECT_EQ(q->tax_minor,
            mul_div_half_up(1'223'000, 1000, 11000) + mul_div_half_up(125000, 1000, 11000));
  EXPECT_EQ(q->total_minor, 1'223'000 + 125000);
}

TEST_P(PricingTest, RedeemCountsUsesUpToTheLimit) {
  Coupon c = coupon(C("TWICE", "percentage").percent(1000).limit(2));
  auto r = cart({{1, 1000}});
  r.coupon_code = "twice";
  Quote q = quote(r);
  for (int i = 0; i < 2; ++i) {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    auto done = pricing_->redeem(*tx, q, new_id(), std::nullopt, "a" + std::to_string(i) + "@x.io");
    ASSERT_TRUE(done.ok()) << describe(done);
    ASSERT_TRUE(tx->commit().ok());
  }
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto third = pricing_->redeem(*tx, q, new_id(), std::nullopt, "c@x.io");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, "coupon_used_up");
  EXPECT_EQ(third.error().kind, ErrorKind::conflict);
  tx->rollback();
  EXPECT_EQ(pricing_->coupon(c.id)->used, 2);
  EXPECT_EQ(pricing_->quote(r).error().code, "coupon_used_up");
}

TEST_P(PricingTest, PerCustomerLimitCountsByAccountOrEmail) {
  coupon(C("ONCE", "fixed").amount(100).per_customer(1));
  auto r = cart({{1, 1000}});
  r.coupon_code = "ONCE";
  r.email = "Ann@Example.com";
  Quote q = quote(r);
  {
    auto tx = db_->begin();
    ASSERT_TRUE(pricing_->redeem(*tx, q, new_id(), std::nullopt, "ann@example.com").ok());
    ASSERT_TRUE(tx->commit().ok());
  }
  EXPECT_EQ(pricing_->quote(r).error().code, "coupon_used_up");
  auto tx = db_->begin();
  auto again = pricing_->redeem(*tx, q, new_id(), std::nullopt, "ANN@example.com");
  EXPECT_EQ(again.error().code, "coupon_used_up");
  tx->rollback();
  r.email = "bob@example.com";
  EXPECT_TRUE(pricing_->quote(r).ok());
  std::string account = new_id();
  r.account_id = account;
  EXPECT_TRUE(pricing_->quote(r).ok());
}

TEST_P(PricingTest, RedeemWithoutCouponIsANoOp) {
  Quote q = quote(cart({{1, 1000}}));
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE(pricing_->redeem(*tx, q, new_id(), std::nullopt, "a@b.c").ok());
}

TEST_P(PricingTest, CouponValidation) {
  auto bad = pricing_->create_coupon(C("x y", "percentage").percent(0));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_coupon");
  EXPECT_GE(bad.error().fields.size(), 2u);
  EXPECT_EQ(pricing_->create_coupon(C("K", "bogus")).error().code, "invalid_coupon");
  coupon(C("DUP", "free_shipping"));
  EXPECT_EQ(pricing_->create_coupon(C("dup", "free_shipping")).error().code, "coupon_code_taken");
}

TEST_P(PricingTest, UpdateCouponChangesLimitsAndKeepsUses) {
  Coupon c = coupon(C("EDIT", "percentage").percent(1000));
  auto changed = pricing_->update_coupon(c.id, [] {
    CouponInput in;
    in.percent_bp = 1500;
    in.usage_limit = 10;
    return in;
  }());
  ASSERT_TRUE(changed.ok()) << describe(changed);
  EXPECT_EQ(changed->percent_bp, 1500);
  EXPECT_EQ(changed->usage_limit, 10);
  EXPECT_EQ(changed->code, "EDIT");
  EXPECT_EQ(pricing_->update_coupon(new_id(), CouponInput{}).error().code, "coupon_not_found");
}

TEST_P(PricingTest, TaxRatesCanBeSetAndRemoved) {
  auto set = pricing_->set_tax_rate("nl", 2100, "BTW");
  ASSERT_TRUE(set.ok()) << describe(set);
  EXPECT_EQ(set->country, "NL");
  auto r = cart({{1, 1000}});
  r.country = "NL";
  EXPECT_EQ(quote(r).tax_minor, 210);
  ASSERT_TRUE(pricing_->delete_tax_rate("NL").ok());
  EXPECT_EQ(quote(r).tax_minor, 0);
  EXPECT_EQ(pricing_->set_tax_rate("NL", 10001, "").error().code, "invalid_tax_rate");
  EXPECT_EQ(pricing_->delete_tax_rate("NL").error().code, "tax_rate_not_found");
}

TEST_P(PricingTest, ShippingMethodsCanBeAddedAndDisabled) {
  ShippingMethodInput in;
  in.code = "pickup";
  in.name = "Pick up in store";
  in.price_minor = 0;
  in.countries = std::vector<std::string>{"vn"};
  auto made = pricing_->create_shipping_method(in);
  ASSERT_TRUE(made.ok()) << describe(made);
  EXPECT_EQ(made->countries, std::vector<std::string>{"VN"});
  EXPECT_EQ(pricing_->create_shipping_method(in).error().code, "shipping_method_code_taken");
  ShippingMethodInput off;
  off.active = false;
  ASSERT_TRUE(pricing_->update_shipping_method(made->id, off).ok());
  auto vn = pricing_->shipping_methods(std::string("VN"));
  ASSERT_TRUE(vn.ok());
  for (const auto& m : *vn) EXPECT_NE(m.code, "pickup");
}

}  // namespace
}  // namespace fff::pricing
