// modules/payments: money taken for orders, kept apart from the order's own state. A payment
// goes through a provider (payments/provider.hpp): the simulated card provider or cash on
// delivery. Owns payments, payment_refunds and payment_webhook_events. Knows orders only by id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fff::payments {

// Payment status:
//   card:  requires_action → authorized | failed;  authorized → captured | voided;
//          captured → partially_refunded → refunded
//   cash on delivery: pending → captured (collected at the door) | voided
struct Payment {
  std::string id;
  std::string order_id;
  std::string provider;  // "simulated_card" | "cash_on_delivery"
  std::string method;    // "card" | "cash_on_delivery"
  std::string status;
  std::string currency;
  int64_t amount_minor = 0;    // authorised (or to collect)
  int64_t captured_minor = 0;  // taken
  int64_t refunded_minor = 0;  // given back, never more than captured
  std::string capture_mode;    // "immediate" | "on_fulfilment"
  std::optional<std::string> card_last4;
  std::string reference;  // the provider's id for it
  std::string created_at, updated_at;
};

// A provider's webhook after its signature and timestamp were checked.
struct WebhookEvent {
  std::string provider;
  std::string id;    // the provider's event id (deduplicated)
  std::string type;  // payment.authorized | payment.failed | payment.captured
  std::string payment_id;
};

}  // namespace fff::payments
