// modules/pricing/store: pricing's SQL. The only code that touches coupons,
// coupon_redemptions, shipping_methods and tax_rates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "infra/db/database.hpp"
#include "modules/pricing/model.hpp"

namespace fff::pricing {

class PricingStore {
 public:
  explicit PricingStore(db::Database& database) : db_(database) {}

  db::Database& database() { return db_; }

  // --- coupons ---
  Result<std::optional<Coupon>> coupon_by_code(const std::string& code);
  Result<std::optional<Coupon>> coupon_by_id(const std::string& id);
  Result<std::vector<Coupon>> coupons();
  // Inserts; false when the code is taken.
  Result<bool> insert_coupon(const Coupon& coupon);
  // Replaces every editable column; false when the (new) code is taken.
  Result<bool> update_coupon(const Coupon& coupon);
  // Redemptions of the coupon by one customer key.
  Result<int64_t> redemptions_by(const std::string& coupon_id, const std::string& customer_key);
  // Counts one use unless that passes usage_limit; returns the coupon's id and per-customer
  // limit, or nullopt (nothing changed) when it is used up or inactive or unknown.
  struct Counted {
    std::string coupon_id;
    std::optional<int64_t> per_customer_limit;
  };
  Result<std::optional<Counted>> count_use(db::Transaction& tx, const std::string& code,
                                           Currency currency, const std::string& now);
  Result<void> insert_redemption(db::Transaction& tx, const std::string& id,
                                 const std::string& coupon_id, const std::string& order_id,
                                 const std::string& customer_key, const std::string& now);
  Result<int64_t> redemptions_by(db::Transaction& tx, const std::string& coupon_id,
                                 const std::string& customer_key);

  // --- shipping ---
  Result<std::vector<ShippingMethod>> shipping_methods(Currency currency, bool active_only);
  Result<std::optional<ShippingMethod>> shipping_method_by_id(const std::string& id);
  Result<bool> insert_shipping_method(const ShippingMethod& method, Currency currency,
                                      const std::string& now);
  Result<bool> update_shipping_method(const ShippingMethod& method, const std::string& now);

  // --- tax ---
  Result<std::optional<int64_t>> tax_rate(const std::string& country);
  Result<std::vector<TaxRate>> tax_rates();
  Result<TaxRate> upsert_tax_rate(const TaxRate& rate);
  // False when there was no such row.
  Result<bool> delete_tax_rate(const std::string& country);

 private:
  db::Database& db_;
};

}  // namespace fff::pricing
