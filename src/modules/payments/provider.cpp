#include "modules/payments/provider.hpp"

#include <cctype>

namespace fff::payments {

bool luhn_valid(const std::string& digits) {
  if (digits.size() < 12 || digits.size() > 19) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (!std::isdigit(static_cast<unsigned char>(*it))) return false;
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

Result<ProviderCharge> SimulatedCardProvider::authorize(const ChargeRequest& request) {
  std::string number;
  for (char c : request.card_number.value_or(""))
    if (c != ' ' && c != '-') number += c;
  if (number.empty())
    return Error::unprocessable("card_number_required", "a card payment needs payment.card_number",
                                {{"payment.card_number", "is required for card payments"}});
  if (!luhn_valid(number))
    return Error::unprocessable("invalid_card_number", "the card number is not valid",
                                {{"payment.card_number", "is not a valid card number"}});
  if (number == "4000000000000002")
    return Error::payment_failed("card_declined", "the card was declined; try another card");
  if (number == "4000000000009995")
    return Error::payment_failed("insufficient_funds",
                                 "the card has insufficient funds; try another card");
  ProviderCharge charge;
  charge.reference = "sim_" + request.payment_id;
  charge.card_last4 = number.substr(number.size() - 4);
  charge.status = number == "4000000000003220" ? "requires_action" : "authorized";
  return charge;
}

}  // namespace fff::payments
