#include "core/money.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace fff {
namespace {

TEST(Money, ParsesUsdDecimalsIntoCents) {
  auto m = Money::parse("12.34", Currency::USD);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->minor(), 1234);
  EXPECT_EQ(Money::parse("12", Currency::USD)->minor(), 1200);
  EXPECT_EQ(Money::parse("12.5", Currency::USD)->minor(), 1250);
  EXPECT_EQ(Money::parse("-0.05", Currency::USD)->minor(), -5);
}

TEST(Money, VndHasNoMinorUnit) {
  EXPECT_EQ(Money::parse("1234000", Currency::VND)->minor(), 1234000);
  EXPECT_FALSE(Money::parse("1234.5", Currency::VND));
  EXPECT_EQ(Money(1234000, Currency::VND).decimal(), "1234000");
}

TEST(Money, RefusesMoreDecimalsThanTheCurrencyHas) {
  auto m = Money::parse("12.345", Currency::USD);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "invalid_amount");
}

TEST(Money, RefusesNonNumbersAndOverflow) {
  for (const char* bad :
       {"", "-", ".", "1.", "1e3", "1,000", "12.3.4", "abc", " 1", "99999999999999999999"})
    EXPECT_FALSE(Money::parse(bad, Currency::USD)) << bad;
}

TEST(Money, FormatsDecimalWithPadding) {
  EXPECT_EQ(Money(5, Currency::USD).decimal(), "0.05");
  EXPECT_EQ(Money(-5, Currency::USD).decimal(), "-0.05");
  EXPECT_EQ(Money(123456, Currency::USD).decimal(), "1234.56");
  EXPECT_EQ(Money(0, Currency::EUR).decimal(), "0.00");
  EXPECT_EQ(Money(std::numeric_limits<int64_t>::min(), Currency::VND).decimal(),
            "-9223372036854775808");
}

TEST(Money, ArithmeticRefusesMixedCurrenciesAndOverflow) {
  Money usd(100, Currency::USD), vnd(100, Currency::VND);
  EXPECT_EQ(usd.plus(usd)->minor(), 200);
  EXPECT_EQ(usd.minus(Money(150, Currency::USD))->minor(), -50);
  EXPECT_EQ(usd.times(3)->minor(), 300);
  EXPECT_EQ(usd.plus(vnd).error().code, "currency_mismatch");
  Money big(std::numeric_limits<int64_t>::max(), Currency::USD);
  EXPECT_EQ(big.plus(usd).error().code, "amount_overflow");
  EXPECT_EQ(big.times(2).error().code, "amount_overflow");
}

TEST(Money, CurrencyCodesRoundTrip) {
  for (Currency c : {Currency::USD, Currency::EUR, Currency::VND})
    EXPECT_EQ(parse_currency(currency_code(c)), c);
  EXPECT_FALSE(parse_currency("usd"));
  EXPECT_FALSE(parse_currency("XYZ"));
}

TEST(Money, FormatsForPeoplePerCurrency) {
  EXPECT_EQ(format_money(Money(123450, Currency::USD)), "$1,234.50");
  EXPECT_EQ(format_money(Money(5, Currency::USD)), "$0.05");
  EXPECT_EQ(format_money(Money(-500, Currency::USD)), "-$5.00");
  EXPECT_EQ(format_money(Money(99999999, Currency::USD)), "$999,999.99");
  EXPECT_EQ(format_money(Money(1234000, Currency::VND)), "1.234.000 \u20ab");
  EXPECT_EQ(format_money(Money(999, Currency::VND)), "999 \u20ab");
  EXPECT_EQ(format_money(Money(0, Currency::VND)), "0 \u20ab");
  EXPECT_EQ(format_money(Money(100000, Currency::EUR)), "\u20ac1,000.00");
  EXPECT_EQ(format_money(Money(std::numeric_limits<int64_t>::min(), Currency::VND)),
            "-9.223.372.036.854.775.808 \u20ab");
}

}  // namespace
}  // namespace fff
