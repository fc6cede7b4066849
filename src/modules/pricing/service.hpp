// modules/pricing/service: quotes, coupons, shipping methods and tax rates; the module's only
// door for other code.
//
// Thread-safety: safe to use from many threads at once (all state is in the database).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/pricing/model.hpp"
#include "modules/pricing/store.hpp"

namespace fff::pricing {

struct PricingSettings {
  Currency currency = Currency::USD;  // the shop currency (setting `currency`)
  bool prices_include_tax = false;    // setting `prices_include_tax`
};

class PricingService {
 public:
  PricingService(db::Database& database, const Clock& clock, PricingSettings settings = {});

  const PricingSettings& settings() const { return settings_; }

  // Prices `request.lines` (quantities and unit prices as given; the caller takes them from the
  // catalog) with the coupon, shipping and the country's VAT, by the one rounding rule.
  // Errors (unprocessable): coupon_not_found, coupon_expired, coupon_not_yet_valid,
  // coupon_minimum_not_met, coupon_used_up; shipping_method_unavailable; invalid_country.
  Result<Quote> quote(const QuoteRequest& request);
  // In checkout's transaction: counts one use of quote.coupon_code with a conditional update
  // that never passes the total or per-customer limit. conflict "coupon_used_up". No coupon: ok.
  Result<void> redeem(db::Transaction& tx, const Quote& quote, const std::string& order_id,
                      const std::optional<std::string>& account_id, const std::string& email);
  // Active methods that ship to `country` (all active ones without a country), cheapest first.
  // Error: invalid_country.
  Result<std::vector<ShippingMethod>> shipping_methods(const std::optional<std::string>& country);

  // Checks a code can be applied to a cart with this subtotal (for POST /carts/{id}/coupon);
  // returns the normalised code. Same errors as quote().
  Result<std::string> check_coupon(const std::string& code, int64_t subtotal_minor,
                                   const std::optional<std::string>& account_id,
                                   const std::optional<std::string>& email);

  // --- Staff (admin API) ---
  // Validation failures are unprocessable naming the field (invalid_coupon); a taken code is a
  // conflict coupon_code_taken; unknown ids are not_found coupon_not_found.
  Result<std::vector<Coupon>> coupons();
  Result<Coupon> coupon(const std::string& id);
  Result<Coupon> create_coupon(const CouponInput& input);
  Result<Coupon> update_coupon(const std::string& id, const CouponInput& input);
  Result<Coupon> deactivate_coupon(const std::string& id);

  // Every method in the shop currency, active or not. Errors: invalid_shipping_method,
  // shipping_method_code_taken, shipping_method_not_found.
  Result<std::vector<ShippingMethod>> all_shipping_methods();
  Result<ShippingMethod> create_shipping_method(const ShippingMethodInput& input);
  Result<ShippingMethod> update_shipping_method(const std::string& id,
                                                const ShippingMethodInput& input);

  Result<std::vector<TaxRate>> tax_rates();
  // Sets (creates or replaces) a country's rate. Errors: invalid_country, invalid_tax_rate.
  Result<TaxRate> set_tax_rate(const std::string& country, int64_t rate_bp,
                               const std::string& name);
  Result<void> delete_tax_rate(const std::string& country);

  // Normalises a coupon code: trimmed, upper case.
  static std::string normalise_code(const std::string& code);
  // Error: unprocessable invalid_country unless two ASCII letters; returns upper case.
  static Result<std::string> normalise_country(const std::string& country);

 private:
  PricingStore store_;
  const Clock& clock_;
  PricingSettings settings_;
};

// The rounding rule, exposed for tests: a * b / c rounded half up, for a, b, c >= 0, c > 0.
// Exact (128-bit intermediate).
int64_t mul_div_half_up(int64_t a, int64_t b, int64_t c);

}  // namespace fff::pricing
