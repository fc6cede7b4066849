// Order notifications on every storage config: the event envelope of the brief (ORDER JSON) to
// one mail to the order's email, rendered from the templates; idempotent per (event, template);
// a failing send is an error for the job to retry and is sent by the retry.
#include "modules/notifications/notifier.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/jobs.hpp"
#include "migrations/notifications.hpp"
#include "support/test_databases.hpp"

namespace fff::notifications {
namespace {

namespace json = boost::json;

class MemoryMailer : public mail::Mailer {
 public:
  bool fail = false;
  Result<void> send(const mail::MailMessage& m) override {
    std::lock_guard lock(mutex);
    if (fail) return Error::unavailable("mail_unavailable", "the SMTP server is down");
    sent.push_back(m);
    return {};
  }
  std::mutex mutex;
  std::vector<mail::MailMessage> sent;
};

json::value money(const char* amount, const char* currency = "USD") {
  return json::object{{"amount", amount}, {"currency", currency}};
}

// ORDER as the brief defines it (the body of GET /api/v1/orders/{number}).
json::object order(const char* currency = "USD", const char* locale = "en") {
  bool vnd = std::string(currency) == "VND";
  return json::object{
      {"id", new_id()},
      {"number", "FFF-10023"},
      {"status", "pending_payment"},
      {"payment_status", "authorized"},
      {"email", "ann@example.com"},
      {"locale", locale},
      {"currency", currency},
      {"customer_name", "Ann Lee"},
      {"lines", json::array{json::object{{"id", new_id()},
                                         {"variant_id", new_id()},
                                         {"sku", "DRESS-M-BLK"},
                                         {"product_name", "<script>alert(1)</script> Linen dress"},
                                         {"product_slug", "linen-dress"},
                                         {"size", "M"},
                                         {"colour", "Black"},
                                         {"quantity", 2},
                                         {"unit_price", money(vnd ? "617000" : "617.25", currency)},
                                         {"subtotal", money(vnd ? "1234000" : "1234.50", currency)},
                                         {"discount", money("0", currency)},
                                         {"tax", money("0", currency)},
                                         {"total", money(vnd ? "1234000" : "1234.50", currency)},
                                         {"image_key", nullptr}}}},
      {"subtotal", money(vnd ? "1234000" : "1234.50", currency)},
      {"discount", money("0", currency)},
      {"shipping", money(vnd ? "30000" : "5.00", currency)},
      {"tax", money("0", currency)},
      {"total", money(vnd ? "1264000" : "1239.50", currency)},
      {"prices_include_tax", false},
      {"coupon_code", nullptr},
      {"shipping_method", json::object{{"code", "standard"}, {"name", "Standard"}}},
      {"shipping_address", json::object{{"name", "Ann Lee"},
                                        {"line1", "1 Main St"},
                                        {"line2", nullptr},
                                        {"city", "Springfield"},
                                        {"region", "IL"},
                                        {"postal_code", "62701"},
                                        {"country", "US"},
                                        {"phone", nullptr}}},
      {"payment_method", "card"},
      {"shipments", json::array{}},
      {"created_at", "2026-11-26T07:00:00.000000Z"},
      {"updated_at", "2026-11-26T07:00:00.000000Z"},
      {"timeline", json::array{}}};
}

std::string envelope(const std::string& topic, json::object data,
                     const std::string& id = new_id()) {
  return json::serialize(json::object{{"id", id},
                                      {"topic", topic},
                                      {"subject", new_id()},
                                      {"created_at", "2026-11-26T07:00:00.000000Z"},
                                      {"data", std::move(data)}});
}

class NotifierTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    std::vector<db::Migration> all = db::jobs_migrations();
    for (auto& m : db::notifications_migrations()) all.push_back(std::move(m));
    ASSERT_TRUE(db::migrate(*db_, all).ok());
    notifier_ = std::make_unique<Notifier>(
        *db_, mailer_, mail::MailTemplates::builtin(),
        NotifierSettings{.public_url = "https://shop.example", .shop_name = "FFF"});
  }

  int64_t rows() {
    auto r = db_->query("SELECT COUNT(*) FROM notifications_sent");
    return r.ok() ? r->rows[0].int64(0) : -1;
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  MemoryMailer mailer_;
  std::unique_ptr<Notifier> notifier_;
};
INSTANTIATE_TEST_SUITE_P(, NotifierTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(NotifierTest, OrderPlacedMailsTheOrderEmailWithLinesAndMoney) {
  auto handled = notifier_->handle(envelope("order.placed", {{"order", order()}}));
  ASSERT_TRUE(handled.ok()) << handled.error().message;
  ASSERT_EQ(mailer_.sent.size(), 1u);
  const auto& m = mailer_.sent[0];
  EXPECT_EQ(m.to, "ann@example.com");
  EXPECT_EQ(m.subject, "Thank you for your order FFF-10023");
  EXPECT_NE(m.text.find("Hello Ann Lee,"), std::string::npos);
  EXPECT_NE(m.text.find("(M / Black) × 2  $1,234.50"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("Total: $1,239.50"), std::string::npos) << m.text;
  EXPECT_EQ(m.text.find("Discount"), std::string::npos);  // zero discount is not shown
  EXPECT_NE(m.text.find("https://shop.example/track?number=FFF-10023&email=ann%40example.com"),
            std::string::npos);
  // The product name is text: escaped in HTML, never markup.
  EXPECT_EQ(m.html.find("<script>"), std::string::npos);
  EXPECT_NE(m.html.find("&lt;script&gt;alert(1)&lt;/script&gt; Linen dress"), std::string::npos);
  EXPECT_EQ(rows(), 1);
}

TEST_P(NotifierTest, TheSameEventTwiceSendsOneMail) {
  std::string e = envelope("order.placed", {{"order", order()}});
  ASSERT_TRUE(notifier_->handle(e).ok());
  ASSERT_TRUE(notifier_->handle(e).ok());
  EXPECT_EQ(mailer_.sent.size(), 1u);
  EXPECT_EQ(rows(), 1);
  // Another event about the same order is another mail.
  ASSERT_TRUE(notifier_->handle(envelope("order.placed", {{"order", order()}})).ok());
  EXPECT_EQ(mailer_.sent.size(), 2u);
}

TEST_P(NotifierTest, AFailedSendIsAnErrorAndTheRetrySendsIt) {
  std::string e = envelope("order.cancelled", {{"order", order()}});
  mailer_.fail = true;
  auto first = notifier_->handle(e);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, "mail_unavailable");
  EXPECT_EQ(rows(), 0);
  mailer_.fail = false;
  ASSERT_TRUE(notifier_->handle(e).ok());
  ASSERT_EQ(mailer_.sent.size(), 1u);
  EXPECT_EQ(mailer_.sent[0].subject, "Your order FFF-10023 was cancelled");
  EXPECT_EQ(rows(), 1);
}

TEST_P(NotifierTest, ShippedMailCarriesTheTrackingLink) {
  json::object shipment{
      {"id", new_id()},
      {"carrier", "UPS"},
      {"tracking_number", "1Z999AA1"},
      {"tracking_url", "https://track.example/1Z999AA1"},
      {"shipped_at", "2026-11-27T10:00:00.000000Z"},
      {"lines", json::array{json::object{
                    {"sku", "DRESS-M-BLK"}, {"product_name", "Linen dress"}, {"quantity", 2}}}}};
  ASSERT_TRUE(
      notifier_->handle(envelope("order.shipped", {{"order", order()}, {"shipment", shipment}}))
          .ok());
  ASSERT_EQ(mailer_.sent.size(), 1u);
  const auto& m = mailer_.sent[0];
  EXPECT_EQ(m.subject, "Your order FFF-10023 is on its way");
  EXPECT_NE(m.text.find("Tracking number: 1Z999AA1"), std::string::npos) << m.text;
  EXPECT_NE(m.text.find("Track your parcel: https://track.example/1Z999AA1"), std::string::npos);
  EXPECT_NE(m.html.find("href=\"https://track.example/1Z999AA1\""), std::string::npos);
  EXPECT_NE(m.text.find("- Linen dress × 2"), std::string::npos);
}

TEST_P(NotifierTest, ATrackingUrlThatIsNoWebAddressIsNotALink) {
  json::object shipment{{"carrier", "UPS"},
                        {"tracking_number", "1Z"},
                        {"tracking_url", "javascript:alert(1)"},
                        {"lines", json::array{}}};
  ASSERT_TRUE(
      notifier_->handle(envelope("order.shipped", {{"order", order()}, {"shipment", shipment}}))
          .ok());
  ASSERT_EQ(mailer_.sent.size(), 1u);
  EXPECT_EQ(mailer_.sent[0].html.find("javascript:"), std::string::npos);
  EXPECT_EQ(mailer_.sent[0].text.find("Track your parcel"), std::string::npos);
}

TEST_P(NotifierTest, RefundInVndIsFormattedTheVietnameseWay) {
  json::object data{
      {"order", order("VND", "vi")},
      {"payment", json::object{{"id", new_id()},
                               {"method", "card"},
                               {"status", "partially_refunded"},
                               {"amount", money("1264000", "VND")}}},
      {"refund", json::object{{"amount", money("1234000", "VND")}, {"reason", "damaged"}}}};
  ASSERT_TRUE(notifier_->handle(envelope("payment.refunded", data)).ok());
  ASSERT_EQ(mailer_.sent.size(), 1u);
  const auto& m = mailer_.sent[0];
  EXPECT_EQ(m.subject, "Hoàn tiền cho đơn hàng FFF-10023");
  EXPECT_NE(m.text.find("Chúng tôi đã hoàn 1.234.000 ₫ cho đơn hàng FFF-10023 (damaged)"),
            std::string::npos)
      << m.text;
  EXPECT_NE(m.text.find("Xin chào Ann Lee,"), std::string::npos);
}

TEST_P(NotifierTest, EveryOrderTopicHasItsMail) {
  json::object ret{
      {"id", new_id()},
      {"status", "requested"},
      {"reason", "too small"},
      {"lines", json::array{json::object{
                    {"sku", "DRESS-M-BLK"}, {"product_name", "Linen dress"}, {"quantity", 1}}}},
      {"refund_amount", nullptr},
      {"note", ""}};
  json::object payment{{"id", new_id()},
                       {"method", "card"},
                       {"status", "captured"},
                       {"amount", money("1239.50")},
                       {"captured", money("1239.50")},
                       {"refunded", money("0")}};
  for (const auto& topic : topics()) {
    json::object data{{"order", order()},
                      {"return", ret},
                      {"payment", payment},
                      {"refund", json::object{{"amount", money("10.00")}, {"reason", ""}}}};
    auto handled = notifier_->handle(envelope(topic, data));
    ASSERT_TRUE(handled.ok()) << topic << ": " << handled.error().message;
  }
  ASSERT_EQ(mailer_.sent.size(), topics().size());
  EXPECT_EQ(rows(), static_cast<int64_t>(topics().size()));
  bool payment_received = false;
  for (const auto& m : mailer_.sent)
    if (m.subject == "Payment received for order FFF-10023") {
      payment_received = true;
      EXPECT_NE(m.text.find("$1,239.50"), std::string::npos);
    }
  EXPECT_TRUE(payment_received);
}

TEST_P(NotifierTest, ThroughTheQueueAnEventBecomesOneMailAndAFailureIsRetried) {
  jobs::JobQueue queue(*db_, Clock::system());
  notifier_->subscribe(queue);
  auto publish = [&](const std::string& topic) {
    auto tx = db_->begin();
    EXPECT_TRUE(tx.ok());
    auto e = jobs::publish(*tx, topic, new_id(), json::serialize(json::object{{"order", order()}}),
                           Clock::system().now());
    EXPECT_TRUE(e.ok());
    EXPECT_TRUE(tx->commit().ok());
  };
  auto drain = [&] {
    for (int i = 0; i < 10; ++i) {
      auto ran = queue.run_due();
      ASSERT_TRUE(ran.ok()) << ran.error().message;
      if (*ran == 0) return;
    }
  };
  publish("order.placed");
  drain();
  ASSERT_EQ(mailer_.sent.size(), 1u);
  EXPECT_EQ(mailer_.sent[0].subject, "Thank you for your order FFF-10023");

  // The SMTP server is down: the job fails and waits for its retry; nothing is recorded.
  mailer_.fail = true;
  publish("order.cancelled");
  drain();
  EXPECT_EQ(mailer_.sent.size(), 1u);
  auto failed = queue.list(jobs::JobFilter{.kind = "notifications.mail"});
  ASSERT_TRUE(failed.ok());
  std::optional<jobs::Job> waiting;
  for (const auto& j : *failed)
    if (j.status == "ready" && j.last_error) waiting = j;
  ASSERT_TRUE(waiting.has_value());
  EXPECT_NE(waiting->last_error->find("down"), std::string::npos);
  // Back up: the retried job sends it, once.
  mailer_.fail = false;
  ASSERT_TRUE(queue.retry(waiting->id).ok());
  drain();
  ASSERT_EQ(mailer_.sent.size(), 2u);
  EXPECT_EQ(mailer_.sent[1].subject, "Your order FFF-10023 was cancelled");
  EXPECT_EQ(rows(), 2);
}

TEST_P(NotifierTest, OtherTopicsAndOrdersWithoutEmailSendNothing) {
  ASSERT_TRUE(notifier_->handle(envelope("stock.changed", {{"variant_ids", json::array{}}})).ok());
  json::object o = order();
  o["email"] = "";
  ASSERT_TRUE(notifier_->handle(envelope("order.placed", {{"order", o}})).ok());
  EXPECT_TRUE(mailer_.sent.empty());
}

TEST_P(NotifierTest, APayloadThatIsNoEnvelopeIsAnError) {
  EXPECT_EQ(notifier_->handle("not json").error().code, "invalid_event");
  EXPECT_EQ(notifier_->handle(envelope("order.placed", {{"nothing", 1}})).error().code,
            "invalid_event_data");
  EXPECT_TRUE(mailer_.sent.empty());
}

}  // namespace
}  // namespace fff::notifications
