// web/storefront/checkout_pages: checkout, the order confirmation and guest order tracking.
//   GET  /checkout, POST /checkout     one page: contact, address, shipping method, payment
//   GET  /order/{order_id}             the confirmation (secret path: only its buyer sees it)
//   POST /order/{order_id}/confirm-payment   the simulated card's extra step (3-D Secure)
//   GET  /track, POST /track           order number + email → status and shipment timeline
// A checkout POST carries a key made when the form was rendered (Idempotency-Key of
// flows::checkout), so a double submit makes one order. The buyer's browser keeps the order id
// in the short-lived fff_last_order cookie, which (or the signed-in owner) opens the
// confirmation.
#pragma once

#include "flows/checkout.hpp"
#include "flows/order_actions.hpp"
#include "infra/http/router.hpp"
#include "web/site.hpp"

namespace fff::accounts {
class AccountService;
}

namespace fff::web {

inline constexpr const char* kLastOrderCookie = "fff_last_order";

struct CheckoutPageServices {
  flows::CheckoutServices checkout;
  flows::OrderServices orders;
  // Fills in a signed-in customer's email, name and default address (may be null).
  accounts::AccountService* accounts = nullptr;
};

// REQUIRES: the services and `site` outlive the router.
void add_checkout_pages(http::Router& router, Site& site, CheckoutPageServices services);

}  // namespace fff::web
