#include "core/money.hpp"

#include <cstdlib>
#include <limits>

namespace fff {

std::string_view currency_code(Currency c) {
  switch (c) {
    case Currency::USD: return "USD";
    case Currency::EUR: return "EUR";
    case Currency::VND: return "VND";
  }
  return "USD";
}

int minor_digits(Currency c) {
  return c == Currency::VND ? 0 : 2;
}

std::optional<Currency> parse_currency(std::string_view code) {
  if (code == "USD") return Currency::USD;
  if (code == "EUR") return Currency::EUR;
  if (code == "VND") return Currency::VND;
  return std::nullopt;
}

Result<Money> Money::parse(std::string_view text, Currency currency) {
  auto bad = [&] {
    // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) on "literal" + std::string&&.
    std::string message(1, '\'');
    message.append(text).append("' is not an amount in ").append(currency_code(currency));
    return Error::invalid("invalid_amount", std::move(message));
  };
  if (text.empty()) return bad();
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  const int digits = minor_digits(currency);
  int64_t value = 0;
  int decimals = -1;  // -1: no decimal point seen yet
  bool any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (decimals >= 0 || digits == 0) return bad();
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return bad();
    if (decimals >= 0 && ++decimals > digits) return bad();
    if (value > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return bad();
    value = value * 10 + (c - '0');
    any_digit = true;
  }
  if (!any_digit || decimals == 0) return bad();
  for (int d = decimals < 0 ? 0 : decimals; d < digits; ++d) {
    if (value > std::numeric_limits<int64_t>::max() / 10) return bad();
    value *= 10;
  }
  return Money(negative ? -value : value, currency);
}

std::string Money::decimal() const {
  const auto digits = static_cast<size_t>(minor_digits(currency_));
  // Work in unsigned so that INT64_MIN does not overflow on negation.
  uint64_t magnitude =
      minor_ < 0 ? static_cast<uint64_t>(-(minor_ + 1)) + 1 : static_cast<uint64_t>(minor_);
  std::string whole = std::to_string(magnitude);
  // Left-pad so there is at least one digit before the decimal point ("5" → "005" → "0.05").
  // Built by appending: g++ 12 at -O3 warns (-Wrestrict) on std::string::insert here.
  std::string padded;
  if (whole.size() <= digits) padded.append(digits + 1 - whole.size(), '0');
  padded += whole;
  std::string out;
  if (minor_ < 0) out += '-';
  out.append(padded, 0, padded.size() - digits);
  if (digits > 0) {
    out += '.';
    out.append(padded, padded.size() - digits, digits);
  }
  return out;
}

Result<Money> Money::plus(const Money& other) const {
  if (other.currency_ != currency_)
    return Error::invalid("currency_mismatch", "cannot add amounts in different currencies");
  int64_t r;
  if (__builtin_add_overflow(minor_, other.minor_, &r))
    return Error::invalid("amount_overflow", "amount out of range");
  return Money(r, currency_);
}

Result<Money> Money::minus(const Money& other) const {
  if (other.currency_ != currency_)
    return Error::invalid("currency_mismatch", "cannot subtract amounts in different currencies");
  int64_t r;
  if (__builtin_sub_overflow(minor_, other.minor_, &r))
    return Error::invalid("amount_overflow", "amount out of range");
  return Money(r, currency_);
}

Result<Money> Money::times(int64_t quantity) const {
  int64_t r;
  if (__builtin_mul_overflow(minor_, quantity, &r))
    return Error::invalid("amount_overflow", "amount out of range");
  return Money(r, currency_);
}

std::string format_money(const Money& money) {
  int64_t minor = money.minor();
  bool negative = minor < 0;
  // The magnitude as unsigned, so INT64_MIN has one too.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  const int digits = minor_digits(money.currency());
  uint64_t scale = 1;
  for (int d = 0; d < digits; ++d) scale *= 10;
  std::string whole = std::to_string(magnitude / scale);
  const char group = money.currency() == Currency::VND ? '.' : ',';
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += group;
    grouped += whole[i];
  }
  if (digits > 0) {
    std::string fraction = std::to_string(magnitude % scale);
    grouped += '.' + std::string(static_cast<size_t>(digits) - fraction.size(), '0') + fraction;
  }
  std::string sign = negative ? "-" : "";
  switch (money.currency()) {
    case Currency::USD: return sign + "$" + grouped;
    case Currency::EUR: return sign + "\u20ac" + grouped;
    case Currency::VND: return sign + grouped + " \u20ab";
  }
  return sign + grouped;
}

}  // namespace fff
