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

 private:
  db::Database& db_;
};

}  // namespace fff::pricing
