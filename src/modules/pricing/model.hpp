// modules/pricing: what a cart costs. Owns coupons, coupon_redemptions, shipping_methods and
// tax_rates. Prices come in from the caller (the catalog's current prices); pricing adds
// discounts, shipping and tax with one rounding rule (README "Rounding"), exactly, in integer
// minor units of the shop currency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.hpp"

namespace fff::pricing {

struct PriceLine {
  std::string variant_id;
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0;  // the catalog's current price
};

struct QuoteRequest {
  std::vector<PriceLine> lines;
  std::optional<std::string> coupon_code;
  std::optional<std::string> shipping_method;  // code; absent: no shipping yet (cart view)
  std::optional<std::string> country;          // ISO 3166-1 alpha-2: shipping zone and VAT
  std::optional<std::string> account_id;       // per-customer coupon limits
  std::optional<std::string> email;
};

struct QuotedLine {
  std::string variant_id;
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0, subtotal_minor = 0, discount_minor = 0, tax_minor = 0,
          total_minor = 0;
};

struct ShippingMethod {
  std::string code;
  std::string name;
  int64_t price_minor = 0;
  std::optional<int64_t> free_above_minor;
  int min_days = 0, max_days = 0;
  std::vector<std::string> countries;  // empty: everywhere
  bool express = false;
  // Staff view (admin API); not part of the checkout contract.
  std::string id;
  bool active = true;
  int64_t position = 0;
};

struct Quote {
  Currency currency = Currency::USD;
  std::vector<QuotedLine> lines;
  int64_t subtotal_minor = 0, discount_minor = 0, shipping_minor = 0, tax_minor = 0,
          total_minor = 0;
  bool prices_include_tax = false;
  std::optional<std::string> coupon_code;  // applied code (normalised)
  std::optional<ShippingMethod> shipping;
  // Added: the tax on shipping (part of tax_minor; tax_minor == Σ lines' tax + shipping_tax),
  // the rate applied in basis points (2000 = 20 %) and the country it came from.
  int64_t shipping_tax_minor = 0;
  int64_t tax_rate_bp = 0;
  std::optional<std::string> country;
  bool free_shipping = false;  // a free-shipping coupon made shipping 0
};

// --- Staff: coupons, shipping methods, tax rates ---

enum class CouponKind { percentage, fixed, free_shipping };
const char* to_string(CouponKind kind);
std::optional<CouponKind> parse_coupon_kind(const std::string& text);

struct Coupon {
  std::string id;
  std::string code;  // normalised: upper case
  CouponKind kind = CouponKind::percentage;
  int64_t percent_bp = 0;    // percentage: basis points (1000 = 10 %)
  int64_t amount_minor = 0;  // fixed: off the subtotal
  std::optional<int64_t> minimum_subtotal_minor;
  std::optional<std::string> starts_at, ends_at;  // ISO 8601; ends_at exclusive
  std::optional<int64_t> usage_limit;             // total redemptions
  std::optional<int64_t> per_customer_limit;      // per account (or e-mail for guests)
  int64_t used = 0;
  bool active = true;
  Currency currency = Currency::USD;
  std::string created_at, updated_at;
};

// A create or update: absent fields are left alone on update (set_* flags say "clear it").
struct CouponInput {
  std::optional<std::string> code;
  std::optional<std::string> kind;
  std::optional<int64_t> percent_bp;
  std::optional<int64_t> amount_minor;
  std::optional<int64_t> minimum_subtotal_minor;
  std::optional<std::string> starts_at, ends_at;
  std::optional<int64_t> usage_limit;
  std::optional<int64_t> per_customer_limit;
  std::optional<bool> active;
  bool clear_minimum = false, clear_starts_at = false, clear_ends_at = false,
       clear_usage_limit = false, clear_per_customer_limit = false;
};

struct ShippingMethodInput {
  std::optional<std::string> code;
  std::optional<std::string> name;
  std::optional<int64_t> price_minor;
  std::optional<int64_t> free_above_minor;
  bool clear_free_above = false;
  std::optional<int> min_days, max_days;
  std::optional<std::vector<std::string>> countries;
  std::optional<bool> express;
  std::optional<bool> active;
  std::optional<int64_t> position;
};

struct TaxRate {
  std::string country;  // ISO 3166-1 alpha-2, upper case
  int64_t rate_bp = 0;  // basis points: 2000 = 20 %
  std::string name;     // "VAT"
  std::string updated_at;
};

}  // namespace fff::pricing
