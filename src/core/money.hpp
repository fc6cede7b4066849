// core/money: amounts in integer minor units of a currency. Never floating point.
//
// USD has 2 decimals (1234 = $12.34); VND has none (1234 = 1.234 ₫). Arithmetic between two
// currencies, or that would overflow, is refused rather than silently wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff {

enum class Currency { USD, EUR, VND };

// ISO 4217 code ("USD") and the number of decimals in the minor unit.
std::string_view currency_code(Currency c);
int minor_digits(Currency c);
std::optional<Currency> parse_currency(std::string_view code);

class Money {
 public:
  Money(int64_t minor, Currency currency) : minor_(minor), currency_(currency) {}
  static Money zero(Currency c) { return Money(0, c); }

  // Parses a plain decimal amount in major units ("12.34", "-5", "1000") for the currency.
  // More decimals than the currency has, separators, exponents or overflow are refused.
  static Result<Money> parse(std::string_view decimal, Currency currency);

  int64_t minor() const { return minor_; }
  Currency currency() const { return currency_; }

  // Plain decimal in major units, no symbol or grouping: "12.34", "-0.05", "1234000".
  std::string decimal() const;

  Result<Money> plus(const Money& other) const;
  Result<Money> minus(const Money& other) const;
  Result<Money> times(int64_t quantity) const;

  friend bool operator==(const Money&, const Money&) = default;

 private:
  int64_t minor_;
  Currency currency_;
};

// For people (mails, receipts): the currency's symbol and digit grouping. USD "$1,234.50",
// EUR "€1,234.50", VND "1.234.000 ₫"; negative amounts lead with '-' ("-$5.00").
std::string format_money(const Money& money);

}  // namespace fff
