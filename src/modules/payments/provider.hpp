// modules/payments/provider: the interface every payment provider implements, and the two
// built in. Both run in-process and answer at once, so checkout calls them inside its
// transaction; an external provider would authorise before the transaction and void the
// authorisation when the transaction fails (see README "Payments").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"

namespace fff::payments {

struct ChargeRequest {
  std::string payment_id;
  int64_t amount_minor = 0;
  std::string currency;
  std::optional<std::string> card_number;
};

struct ProviderCharge {
  std::string status;     // "authorized" | "requires_action" | "pending" (cash on delivery)
  std::string reference;  // the provider's id
  std::optional<std::string> card_last4;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string name() const = 0;
  // Errors: payment_failed card_declined / insufficient_funds (nothing reserved),
  // unprocessable invalid_card_number.
  virtual Result<ProviderCharge> authorize(const ChargeRequest& request) = 0;
  virtual Result<void> capture(const std::string& reference, int64_t amount_minor) = 0;
  virtual Result<void> refund(const std::string& reference, int64_t amount_minor) = 0;
  virtual Result<void> cancel(const std::string& reference) = 0;
};

// Test cards (any future expiry, any CVC; only the number matters):
//   4242424242424242  authorised
//   4000000000000002  declined            → 402 card_declined
//   4000000000009995  insufficient funds  → 402 insufficient_funds
//   4000000000003220  needs a confirmation step (3-D Secure): the payment waits in
//                     requires_action until POST /api/v1/payments/{id}/confirm (or a
//                     payment.authorized webhook)
// Any other number passing the Luhn check is authorised; one failing it is
// 422 invalid_card_number.
class SimulatedCardProvider : public Provider {
 public:
  std::string name() const override { return "simulated_card"; }
  Result<ProviderCharge> authorize(const ChargeRequest& request) override;
  Result<void> capture(const std::string&, int64_t) override { return {}; }
  Result<void> refund(const std::string&, int64_t) override { return {}; }
  Result<void> cancel(const std::string&) override { return {}; }
};

// Cash on delivery: nothing to authorise; the courier collects the total, and staff mark the
// payment captured when the order is delivered.
class CashOnDeliveryProvider : public Provider {
 public:
  std::string name() const override { return "cash_on_delivery"; }
  Result<ProviderCharge> authorize(const ChargeRequest& request) override {
    return ProviderCharge{"pending", "cod_" + request.payment_id, std::nullopt};
  }
  Result<void> capture(const std::string&, int64_t) override { return {}; }
  Result<void> refund(const std::string&, int64_t) override { return {}; }
  Result<void> cancel(const std::string&) override { return {}; }
};

bool luhn_valid(const std::string& digits);

}  // namespace fff::payments
