// Orders, payments and checkout: services, the periodic release of unpaid orders, and routes.
#include <chrono>

#include "app/app.hpp"
#include "core/log.hpp"
#include "flows/checkout.hpp"
#include "flows/order_actions.hpp"
#include "flows/order_api.hpp"
#include "infra/jobs/queue.hpp"
#include "modules/cart/service.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/orders/service.hpp"
#include "modules/payments/service.hpp"
#include "modules/pricing/service.hpp"

namespace fff::app {

namespace {
// What the routes and the periodic task hold on to; kept alive by the closures that use it.
struct OrdersWiring {
  OrdersWiring(flows::CheckoutServices c, flows::OrderServices o) : checkout(c), actions(o) {}
  flows::CheckoutServices checkout;
  flows::OrderActions actions;
};
}  // namespace

Result<void> App::wire_orders() {
  // Checkout prices and closes carts: wire_cart() built those services first.
  if (!carts_ || !pricing_) return Error::internal("wire_orders needs wire_cart's services");

  payments::PaymentSettings settings;
  settings.capture_mode = config_.payment_capture_mode;
  settings.webhook_tolerance = std::chrono::seconds(config_.payment_webhook_tolerance);
  auto secret = kept_secret(config_, config_.payment_webhook_secret, "payment-webhook-key",
                            "payment_webhook_key", random_hex_secret);
  if (!secret) return secret.error();
  settings.webhook_secret = *secret;
  payments_ =
      std::make_shared<payments::PaymentService>(*database_, Clock::system(), std::move(settings));
  orders_ = std::make_shared<orders::OrderService>(*database_, Clock::system());

  auto wiring = std::make_shared<OrdersWiring>(
      flows::CheckoutServices{
          {*carts_, *pricing_, *catalog_, *inventory_}, *orders_, *payments_, *database_},
      flows::OrderServices{*orders_, *payments_, *inventory_, *database_});

  // Orders left in pending_payment (a card that never finished its extra step) give their stock
  // back after order_unpaid_minutes.
  auto unpaid_after = std::chrono::minutes(config_.order_unpaid_minutes);
  jobs_->every("orders.release_unpaid", std::chrono::minutes(1),
               [wiring, unpaid_after]() -> Result<void> {
                 auto released = wiring->actions.release_unpaid(
                     std::chrono::duration_cast<std::chrono::seconds>(unpaid_after));
                 if (!released) return released.error();
                 if (*released > 0)
                   log::info("unpaid orders released", {{"orders", std::to_string(*released)}});
                 return {};
               });

  flows::add_order_routes(router_, flows::OrderRoutes{wiring->checkout, wiring->actions, *orders_,
                                                      *payments_, *staff_access_});
  if (config_.test_routes) flows::add_order_test_routes(router_, *payments_);
  // The routes refer into `wiring`; keep it as long as the App.
  orders_wiring_ = wiring;
  return {};
}

}  // namespace fff::app
