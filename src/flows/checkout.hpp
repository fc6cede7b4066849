// flows/checkout: a cart becomes an order, in ONE transaction:
//   Idempotency-Key claimed → cart closed (open → ordered, conditional) → coupon redeemed
//   (conditional on its limits) → order number taken from the counter row → stock sold
//   (conditional updates, never below zero, ledger) → payment run through its provider →
//   order with its snapshot written → order.placed (+ payment.*) appended to the outbox → commit.
// Any failure rolls everything back: a declined card leaves no order, the stock and the coupon
// untouched and the cart open, so the shopper can try another card.
//
// Rows are locked in one order by every checkout (key, cart, coupon, counter, stock levels by
// variant id), so concurrent checkouts wait for each other but do not deadlock; a
// serialization_failure or database_busy is retried a few times all the same.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "flows/cart_pricing.hpp"
#include "modules/orders/service.hpp"
#include "modules/payments/service.hpp"

namespace fff::flows {

struct CheckoutServices {
  CartServices cart;
  orders::OrderService& orders;
  payments::PaymentService& payments;
  db::Database& database;
};

struct CheckoutRequest {
  std::string cart_id;
  std::string email;
  orders::Address shipping_address;
  std::optional<orders::Address> billing_address;  // none: same as shipping
  std::string shipping_method;
  std::string payment_method;  // "card" | "cash_on_delivery"
  std::optional<std::string> card_number;
  std::string locale = "en";
  std::optional<std::string> account_id;  // signed-in customer
  std::optional<std::string> idempotency_key;
  // What identifies the request behind the key: the caller's canonical body + account.
  std::string fingerprint;
};

struct CheckoutResult {
  orders::Order order;
  payments::Payment payment;
  bool replayed = false;  // answered from an earlier request with the same Idempotency-Key
};

// Errors: unprocessable invalid_checkout (naming the field), cart_empty, variant_unavailable,
// invalid_payment_method, card_number_required, invalid_card_number, the pricing errors
// (coupon_*, shipping_method_unavailable, invalid_country); not_found cart_not_found;
// conflict cart_not_open, insufficient_stock (naming the SKU), coupon_used_up;
// payment_failed card_declined / insufficient_funds; unprocessable idempotency_key_reused.
Result<CheckoutResult> checkout(CheckoutServices& services, const CheckoutRequest& request);

// The checks on a request before anything is read (email, address fields, method names).
Result<void> validate_checkout(const CheckoutRequest& request);

}  // namespace fff::flows
