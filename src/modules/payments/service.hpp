// modules/payments/service: payments and their rules; the module's only door. Changes take the
// caller's transaction (a flow's), so a payment commits with the order it pays for.
//
// Thread-safety: safe from many threads.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/payments/model.hpp"
#include "modules/payments/provider.hpp"

namespace fff::payments {

struct PaymentSettings {
  std::string capture_mode = "immediate";  // or "on_fulfilment"
  std::string webhook_secret;              // HMAC-SHA256 key of provider webhooks
  std::chrono::seconds webhook_tolerance{300};
};

// {id, method, status, amount, captured, refunded} with MONEY amounts.
boost::json::object payment_json(const Payment& payment);

// The webhook signature header value for `body` at unix time `timestamp`:
// "t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>".
std::string webhook_signature(const std::string& secret, int64_t timestamp,
                              const std::string& body);

class PaymentService {
 public:
  PaymentService(db::Database& database, const Clock& clock, PaymentSettings settings);

  const PaymentSettings& settings() const { return settings_; }

  // Runs the provider for `method` ("card" or "cash_on_delivery") and records the payment.
  // Card payments are captured at once when capture_mode is immediate. Errors: payment_failed
  // card_declined / insufficient_funds, unprocessable invalid_card_number / card_number_required
  // / invalid_payment_method. Nothing is written on an error.
  Result<Payment> create(db::Transaction& tx, const std::string& order_id,
                         const std::string& method, int64_t amount_minor,
                         const std::string& currency,
                         const std::optional<std::string>& card_number);

  Result<Payment> find(const std::string& id);  // not_found payment_not_found
  // Locks and reads (every change to a payment starts here).
  Result<Payment> lock(db::Transaction& tx, const std::string& id);

  // authorized → captured (card), pending → captured (cash collected). `amount` defaults to the
  // whole authorisation and may not exceed it. conflict illegal_transition otherwise.
  Result<void> capture(db::Transaction& tx, Payment& p, std::optional<int64_t> amount = {});
  // Gives back `amount` of what was captured: never more than captured − refunded
  // (unprocessable refund_exceeds_captured), at least one minor unit (invalid_refund).
  Result<void> refund(db::Transaction& tx, Payment& p, int64_t amount, const std::string& reason);
  // requires_action / authorized / pending → voided (nothing was taken).
  Result<void> cancel(db::Transaction& tx, Payment& p);
  // requires_action → authorized (and captured when immediate); conflict illegal_transition.
  Result<void> confirm(db::Transaction& tx, Payment& p);
  // requires_action → failed.
  Result<void> fail(db::Transaction& tx, Payment& p);

  // Checks a provider webhook: the provider is known (not_found unknown_provider), the
  // signature header is "t=…,v1=…" (invalid missing_signature / malformed_signature), the
  // timestamp within the tolerance of now (unprocessable timestamp_out_of_tolerance), the
  // signature right (unauthenticated invalid_signature), the body an event with id, type and
  // payment_id (invalid invalid_webhook).
  Result<WebhookEvent> verify_webhook(const std::string& provider,
                                      const std::optional<std::string>& signature_header,
                                      const std::string& body);
  // Records the event id in the caller's transaction; false when it was seen before (a replay:
  // the caller applies nothing). On PostgreSQL a concurrent delivery waits for this transaction.
  Result<bool> claim_webhook(db::Transaction& tx, const WebhookEvent& event);

 private:
  Result<void> save(db::Transaction& tx, Payment& p);
  Provider& provider(const std::string& name);

  db::Database& db_;
  const Clock& clock_;
  PaymentSettings settings_;
  SimulatedCardProvider card_;
  CashOnDeliveryProvider cash_;
};

}  // namespace fff::payments
