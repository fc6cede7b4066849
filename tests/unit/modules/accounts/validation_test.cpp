// Accounts input rules: email normalisation and syntax, UTF-8, names, phones, country codes.
#include "modules/accounts/validation.hpp"

#include <gtest/gtest.h>

namespace fff::accounts {
namespace {

TEST(EmailTest, IsTrimmedAndLowerCased) {
  auto email = normalise_email("  Ann.Lee+Shop@Example.COM \t");
  ASSERT_TRUE(email.ok());
  EXPECT_EQ(*email, "ann.lee+shop@example.com");
}

TEST(EmailTest, KeepsUtf8LocalPartsAndDomains) {
  auto email = normalise_email("Đặng@ví-dụ.vn");
  ASSERT_TRUE(email.ok()) << email.error().message;
  EXPECT_EQ(*email, "Đặng@ví-dụ.vn");
}

TEST(EmailTest, RefusesMalformedAddresses) {
  for (const char* bad :
       {"", "plain", "@example.com", "ann@", "ann@@example.com", "ann@localhost",
        ".ann@example.com", "ann.@example.com", "a..b@example.com", "ann@-example.com",
        "ann@example-.com", "ann@exa mple.com", "ann lee@example.com", "ann@example.123",
        "ann@example..com", "ann\"@example.com", "ann@exam\nple.com"}) {
    auto email = normalise_email(bad);
    EXPECT_FALSE(email.ok()) << bad;
    if (!email.ok()) {
      EXPECT_EQ(email.error().code, "invalid_email") << bad;
      EXPECT_EQ(email.error().fields.at(0).field, "email");
    }
  }
}

TEST(EmailTest, RefusesOverLongAddressesAndLocalParts) {
  std::string local(65, 'a');
  EXPECT_FALSE(normalise_email(local + "@example.com").ok());
  EXPECT_TRUE(normalise_email(std::string(64, 'a') + "@example.com").ok());
  std::string label(60, 'd');
  std::string domain = label + "." + label + "." + label + "." + label + ".com";  // 247 bytes
  EXPECT_TRUE(normalise_email("abcde@" + domain).ok());                           // 253
  EXPECT_FALSE(normalise_email("abcdefgh@" + domain).ok());                       // 256
}

TEST(EmailTest, RefusesInvalidUtf8) {
  EXPECT_FALSE(normalise_email("ann\xff@example.com").ok());
  EXPECT_FALSE(normalise_email("ann\xc0\xaf@example.com").ok());  // overlong '/'
}

TEST(Utf8Test, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(valid_utf8("Hà Nội 👗"));
  EXPECT_FALSE(valid_utf8("\xc0\x80"));
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // U+D800
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xe2\x82"));
  EXPECT_EQ(utf8_length("Hà Nội"), 6u);
}

TEST(TextTest, TrimsAndCountsCharactersNotBytes) {
  auto name = check_text("  Đặng Thị Ý ", "name", 1, 10);
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "Đặng Thị Ý");
  EXPECT_FALSE(check_text("Đặng Thị Ý!", "name", 1, 10).ok());
  EXPECT_FALSE(check_text("   ", "name", 1, 10).ok());
}

TEST(TextTest, RefusesControlCharacters) {
  for (const char* bad : {"a\x07z", "a\nz", "a\x7fz", "a\xc2\x85z"}) {
    auto r = check_text(bad, "name", 1, 100);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_field");
    EXPECT_EQ(r.error().fields.at(0).field, "name");
  }
}

TEST(PhoneTest, AcceptsCommonNotationsOnly) {
  EXPECT_TRUE(check_phone("+84 (0) 90-123.4567").ok());
  EXPECT_FALSE(check_phone("12345").ok());
  EXPECT_FALSE(check_phone("call me").ok());
  EXPECT_FALSE(check_phone("84+123456789").ok());
}

TEST(CountryTest, KnowsAssignedAlpha2Codes) {
  EXPECT_TRUE(is_country_code("VN"));
  EXPECT_TRUE(is_country_code("FR"));
  EXPECT_TRUE(is_country_code("ZW"));
  EXPECT_FALSE(is_country_code("XX"));
  EXPECT_FALSE(is_country_code("vn"));
  EXPECT_FALSE(is_country_code("VNM"));
}

}  // namespace
}  // namespace fff::accounts
