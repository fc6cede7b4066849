// flows/order_actions: everything that happens to an order after checkout. Each action is one
// transaction that locks the order (and its payment), checks the state machines, changes order,
// payment and stock together and appends its events to the outbox:
//   cancel        unfulfilled → cancelled; stock restocked where it was taken; payment voided
//                 (authorised, pending) or refunded (captured)        order.cancelled
//                 (+payment.refunded)
//   capture       authorised payment captured                         payment.captured
//   refund        full or partial, never more than captured            payment.refunded
//   ship          a shipment of some or all lines; captures an on_fulfilment payment
//                 → partially_fulfilled or shipped                     order.shipped
//                 (+payment.captured)
//   deliver       shipped → delivered; cash on delivery is captured     order.delivered
//   (+payment.captured) confirm       a payment waiting for its extra step (3-D Secure) →
//   authorised/captured; order → paid webhook       a verified provider event, applied once per
//   event id returns       request → approve | reject → receive (restock at a location) → refund
//   release_unpaid  pending_payment orders older than the timeout → cancelled, stock back
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "modules/inventory/service.hpp"
#include "modules/orders/service.hpp"
#include "modules/payments/service.hpp"

namespace fff::flows {

struct OrderServices {
  orders::OrderService& orders;
  payments::PaymentService& payments;
  inventory::InventoryService& inventory;
  db::Database& database;
};

struct OrderOutcome {
  orders::Order order;
  std::optional<payments::Payment> payment;
  std::optional<orders::ReturnRequest> return_request;
};

using LineQuantities = std::vector<std::pair<std::string, int64_t>>;  // line id → units

class OrderActions {
 public:
  explicit OrderActions(OrderServices services) : s_(services) {}

  // Customer or staff cancellation. `owner` (account id or checked guest email) is the caller's
  // business; errors: not_found order_not_found; conflict illegal_transition once fulfilment began.
  Result<OrderOutcome> cancel(const std::string& order_id, const std::string& actor,
                              const std::string& reason);
  Result<OrderOutcome> capture(const std::string& order_id, std::optional<int64_t> amount,
                               const std::string& actor);
  // amount: none → everything still refundable.
  Result<OrderOutcome> refund(const std::string& order_id, std::optional<int64_t> amount,
                              const std::string& reason, const std::string& actor);
  Result<OrderOutcome> ship(const std::string& order_id, const std::string& carrier,
                            const std::string& tracking_number, const LineQuantities& lines,
                            const std::string& actor);
  Result<OrderOutcome> deliver(const std::string& order_id, const std::string& actor);
  Result<OrderOutcome> note(const std::string& order_id, const std::string& text,
                            const std::string& actor);

  // The extra confirmation step of a payment (simulated 3-D Secure). `succeeded` false fails
  // the payment and cancels its order (stock back).
  Result<OrderOutcome> confirm_payment(const std::string& payment_id, bool succeeded,
                                       const std::string& actor);
  // A verified webhook: applied once per (provider, event id); `applied` false for a replay.
  struct WebhookOutcome {
    bool applied = false;
    std::string payment_id;
  };
  Result<WebhookOutcome> apply_webhook(const payments::WebhookEvent& event);

  Result<OrderOutcome> request_return(const std::string& order_id, const LineQuantities& lines,
                                      const std::string& reason, const std::string& resolution,
                                      const std::optional<std::string>& exchange_for,
                                      const std::string& actor);
  Result<OrderOutcome> approve_return(const std::string& order_id, const std::string& return_id,
                                      const std::string& note, const std::string& actor);
  Result<OrderOutcome> reject_return(const std::string& order_id, const std::string& return_id,
                                     const std::string& note, const std::string& actor);
  // Restocks the returned units at `location_code` (default "main").
  Result<OrderOutcome> receive_return(const std::string& order_id, const std::string& return_id,
                                      const std::string& location_code, const std::string& note,
                                      const std::string& actor);
  // Refunds a received return: `amount` defaults to the returned lines' share of what was paid
  // (their totals), capped by what is still refundable. Exchanges are closed without a refund.
  Result<OrderOutcome> refund_return(const std::string& order_id, const std::string& return_id,
                                     std::optional<int64_t> amount, const std::string& actor);

  // Cancels orders still in pending_payment `older_than` after they were placed, giving their
  // stock back. Returns how many. The periodic task "orders.release_unpaid" calls it.
  Result<int> release_unpaid(std::chrono::seconds older_than, int limit = 100);

 private:
  Result<OrderOutcome> cancel_locked(db::Transaction& tx, orders::Order& order,
                                     const std::string& actor, const std::string& reason,
                                     std::vector<std::string>& restocked);
  OrderServices s_;
};

}  // namespace fff::flows
