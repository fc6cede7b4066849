// Mail templates: every embedded mail renders (English and Vietnamese), HTML escapes by default
// while text and subjects do not, the layout wraps both bodies, partials and locales resolve.
#include "infra/mail/templates.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

namespace fff::mail {
namespace {

namespace json = boost::json;

json::object sample() {
  return json::parse(R"({
    "shop_name": "FFF", "public_url": "https://shop.example", "locale": "en",
    "name": "Ann", "customer_name": "Ann", "link": "https://shop.example/account/verify?token=abc",
    "welcome": true, "everywhere": true,
    "order": {"number": "FFF-10023", "email": "ann@example.com",
              "link": "https://shop.example/orders/FFF-10023?email=ann%40example.com"},
    "lines": [{"product_name": "Linen dress", "variant": "M / Black", "quantity": "2",
               "unit_price": "$49.50", "total": "$99.00"}],
    "totals": {"subtotal": "$99.00", "discount": "$9.90", "shipping": "$5.00", "tax": "$0.00",
               "total": "$94.10"},
    "coupon_code": "SPRING10", "shipping_method": "Standard", "prices_include_tax": false,
    "shipping_address": {"name": "Ann", "line1": "1 Main St", "line2": "", "city": "Springfield",
                         "region": "", "postal_code": "12345", "country": "US"},
    "payment_method": "Card",
    "payment": {"amount": "$94.10"},
    "refund": {"amount": "$10.00", "reason": "damaged"},
    "shipment": {"carrier": "UPS", "tracking_number": "1Z999", "has_lines": true,
                 "tracking_url": "https://track.example/1Z999",
                 "lines": [{"product_name": "Linen dress", "quantity": "2"}]},
    "return": {"status": "approved", "reason": "too small", "note": "", "has_lines": true,
               "refund_amount": "$49.50", "lines": [{"product_name": "Linen dress", "quantity": "1"}]}
  })")
      .as_object();
}

TEST(MailTemplates, EveryEmbeddedMailRendersInEveryLocale) {
  const MailTemplates& t = MailTemplates::builtin();
  std::set<std::string> names;
  for (const auto& n : t.names()) names.insert(n);
  for (const char* expected :
       {"order_placed", "payment_received", "order_shipped", "order_cancelled", "payment_refunded",
        "return_requested", "return_approved", "return_rejected", "return_received", "verify_email",
        "signup_attempt", "account_locked", "email_changed", "reset_password", "password_changed",
        "change_email"})
    EXPECT_TRUE(names.count(expected)) << expected;
  for (const auto& name : names) {
    for (const char* locale : {"en", "vi"}) {
      auto r = t.render(name, sample(), locale);
      ASSERT_TRUE(r.ok()) << name << ": " << r.error().message;
      EXPECT_FALSE(r->subject.empty()) << name;
      EXPECT_EQ(r->subject.find_first_of("\r\n"), std::string::npos) << name;
      for (const std::string* body : {&r->subject, &r->text, &r->html}) {
        EXPECT_EQ(body->find("{{"), std::string::npos) << name << " " << locale;
        EXPECT_EQ(body->find("}}"), std::string::npos) << name << " " << locale;
      }
      // The layout: the shop's name and footer around both bodies.
      EXPECT_NE(r->html.find("<!doctype html>"), std::string::npos) << name;
      EXPECT_NE(r->html.find("https://shop.example"), std::string::npos) << name;
      EXPECT_NE(r->text.find("FFF · https://shop.example"), std::string::npos) << name;
    }
  }
}

TEST(MailTemplates, HtmlEscapesValuesAndTextKeepsThem) {
  json::object data = sample();
  data["lines"].as_array()[0].as_object()["product_name"] = "<script>alert(1)</script> & \"co\"";
  data["customer_name"] = "O'Brien <b>";
  auto r = MailTemplates::builtin().render("order_placed", data);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->html.find("<script>"), std::string::npos);
  EXPECT_NE(r->html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;"),
            std::string::npos);
  EXPECT_NE(r->html.find("O&apos;Brien &lt;b&gt;"), std::string::npos);
  EXPECT_NE(r->text.find("<script>alert(1)</script> & \"co\""), std::string::npos);
  EXPECT_NE(r->text.find("Hello O'Brien <b>,"), std::string::npos);
}

TEST(MailTemplates, OrderMailShowsLinesTotalsAndLinks) {
  auto r = MailTemplates::builtin().render("order_placed", sample());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->subject, "Thank you for your order FFF-10023");
  EXPECT_NE(r->text.find("- Linen dress (M / Black) × 2  $99.00"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("Discount (SPRING10): -$9.90"), std::string::npos) << r->text;
  EXPECT_NE(r->text.find("Total: $94.10"), std::string::npos);
  EXPECT_NE(r->text.find("https://shop.example/orders/FFF-10023?email=ann%40example.com"),
            std::string::npos);
  EXPECT_NE(r->html.find("href=\"https://shop.example/orders/FFF-10023?email=ann%40example.com\""),
            std::string::npos);
}

TEST(MailTemplates, EmptyValuesAreFalsy) {
  json::object data = sample();
  data["customer_name"] = "";
  data["coupon_code"] = "";
  auto r = MailTemplates::builtin().render("order_placed", data);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->text.starts_with("Hello,\n")) << r->text;
  EXPECT_NE(r->text.find("Discount: -$9.90"), std::string::npos) << r->text;
  EXPECT_EQ(r->text.find("()"), std::string::npos);
}

TEST(MailTemplates, NoDiscountLineWhenThereIsNone) {
  json::object data = sample();
  data["totals"].as_object()["discount"] = nullptr;
  auto r = MailTemplates::builtin().render("order_placed", data);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text.find("Discount"), std::string::npos);
  EXPECT_EQ(r->html.find("Discount"), std::string::npos);
}

TEST(MailTemplates, VietnameseFilesWinForTheirLocale) {
  auto vi = MailTemplates::builtin().render("order_placed", sample(), "vi");
  ASSERT_TRUE(vi.ok());
  EXPECT_EQ(vi->subject, "Cảm ơn bạn đã đặt hàng FFF-10023");
  EXPECT_NE(vi->text.find("Tổng cộng: $94.10"), std::string::npos);
  // A locale without its own files falls back to English.
  auto fr = MailTemplates::builtin().render("order_placed", sample(), "fr");
  ASSERT_TRUE(fr.ok());
  EXPECT_EQ(fr->subject, "Thank you for your order FFF-10023");
}

TEST(MailTemplates, UnknownMailAndBrokenTemplatesAreErrors) {
  EXPECT_EQ(MailTemplates::builtin().render("no_such_mail", sample()).error().code,
            "mail_template_not_found");
  auto broken = MailTemplates::from_files({{"x.subject.mustache", "Hi {{#open}}"}});
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "mail_template_invalid");
  EXPECT_NE(broken.error().message.find("x.subject.mustache"), std::string::npos);
}

TEST(MailTemplates, SubjectsAreOneLine) {
  auto t = MailTemplates::from_files({{"m.subject.mustache", "Hello\n{{name}}\r\n"},
                                      {"m.txt.mustache", "t"},
                                      {"m.html.mustache", "h"}});
  ASSERT_TRUE(t.ok());
  auto r = t->render("m", json::object{{"name", "Ann\r\nBcc: eve@example.com"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(r->text, "t");  // no layout in this set
}

}  // namespace
}  // namespace fff::mail
