// flows/order_api: the HTTP routes of checkout, orders and payments (they span the orders,
// payments, cart, pricing and inventory modules, so they live with the flows):
//   POST /api/v1/checkout                                      (Idempotency-Key)
//   GET  /api/v1/orders                 a signed-in customer's orders, newest first
//   GET  /api/v1/orders/{number}        owner, or anyone with ?email= of the order
//   POST /api/v1/orders/{number}/cancel, /returns
//   POST /api/v1/payments/{id}/confirm  the simulated card's extra step
//   POST /api/v1/payments/webhook/{provider}
//   staff (area "orders") under /api/v1/admin/orders…
#pragma once

#include "flows/checkout.hpp"
#include "flows/order_actions.hpp"
#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"

namespace fff::flows {

struct OrderRoutes {
  CheckoutServices& checkout;
  OrderActions& actions;
  orders::OrderService& orders;
  payments::PaymentService& payments;
  const http::StaffAccess& access;
};

// REQUIRES: everything in `routes` outlives the router.
void add_order_routes(http::Router& router, OrderRoutes routes);

// Test-only (FFF_TEST_ROUTES): POST /_test/payments/sign?timestamp= answers
// {"signature": "t=…,v1=…"} for the request body under the shop's webhook secret.
void add_order_test_routes(http::Router& router, payments::PaymentService& payments);

}  // namespace fff::flows
