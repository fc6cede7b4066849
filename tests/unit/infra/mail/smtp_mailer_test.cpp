// The SMTP driver against a loopback SMTP sink the test starts: what arrives (envelope,
// headers, both parts), AUTH when configured, and every failure as mail_unavailable.
#include "infra/mail/smtp_mailer.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "support/smtp_sink.hpp"

namespace fff::mail {
namespace {

using fff::testing::SmtpSink;

MailMessage sample() {
  return {"Ann <ann@example.com>", "Your order FFF-10023", "Hello Ann,\nthanks.",
          "<p>Hello Ann,</p><p>thanks.</p>"};
}

SmtpSettings settings_for(const SmtpSink& sink) {
  SmtpSettings s;
  s.url = sink.url();
  s.connect_timeout = std::chrono::milliseconds(2000);
  s.timeout = std::chrono::milliseconds(5000);
  return s;
}

TEST(SmtpMailer, DeliversTheMessageWithEnvelopeHeadersAndBothParts) {
  SmtpSink sink;
  SmtpMailer mailer(settings_for(sink), "FFF Shop <no-reply@shop.example>");
  auto sent = mailer.send(sample());
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(sink.wait_for(1));
  auto m = sink.messages().at(0);
  EXPECT_EQ(m.mail_from, "no-reply@shop.example");
  ASSERT_EQ(m.rcpt_to.size(), 1u);
  EXPECT_EQ(m.rcpt_to[0], "ann@example.com");
  EXPECT_FALSE(m.user.has_value());  // no AUTH without a user
  EXPECT_NE(m.data.find("From: FFF Shop <no-reply@shop.example>\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("To: Ann <ann@example.com>\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("Subject: Your order FFF-10023\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(m.data.find("multipart/alternative"), std::string::npos);
  EXPECT_NE(m.data.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(m.data.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_NE(m.data.find("Hello Ann,\r\nthanks."), std::string::npos);
  EXPECT_NE(m.data.find("<p>Hello Ann,</p><p>thanks.</p>"), std::string::npos);
}

TEST(SmtpMailer, AuthenticatesWithTheConfiguredUserAndPassword) {
  SmtpSink sink(SmtpSink::Options{.user = "shop", .password = "s3cret pass"});
  SmtpSettings s = settings_for(sink);
  s.user = "shop";
  s.password = "s3cret pass";
  SmtpMailer mailer(s, "FFF <no-reply@shop.example>");
  auto sent = mailer.send(sample());
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  ASSERT_TRUE(sink.wait_for(1));
  auto m = sink.messages().at(0);
  EXPECT_EQ(m.user, "shop");
  EXPECT_EQ(m.password, "s3cret pass");
}

TEST(SmtpMailer, AWrongPasswordIsUnavailableAndNeverShowsThePassword) {
  SmtpSink sink(SmtpSink::Options{.user = "shop", .password = "right-password"});
  SmtpSettings s = settings_for(sink);
  s.user = "shop";
  s.password = "wrong-password-xyz";
  SmtpMailer mailer(s, "FFF <no-reply@shop.example>");
  auto sent = mailer.send(sample());
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "mail_unavailable");
  EXPECT_EQ(sent.error().message.find("wrong-password-xyz"), std::string::npos);
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpMailer, RequiredStartTlsThatTheServerLacksSendsNothing) {
  SmtpSink sink;
  SmtpSettings s = settings_for(sink);
  s.starttls = true;
  SmtpMailer mailer(s, "FFF <no-reply@shop.example>");
  auto sent = mailer.send(sample());
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "mail_unavailable");
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpMailer, AServerThatNeverAnswersTimesOut) {
  SmtpSink sink(SmtpSink::Options{.hang = true});
  SmtpSettings s = settings_for(sink);
  s.timeout = std::chrono::milliseconds(1000);
  SmtpMailer mailer(s, "FFF <no-reply@shop.example>");
  auto started = std::chrono::steady_clock::now();
  auto sent = mailer.send(sample());
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "mail_unavailable");
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(4000));
}

TEST(SmtpMailer, NoServerIsUnavailable) {
  uint16_t port;
  {
    SmtpSink gone;  // a port that was just free and is closed again
    port = gone.port();
  }
  SmtpSettings s;
  s.url = "smtp://127.0.0.1:" + std::to_string(port);
  SmtpMailer mailer(s, "FFF <no-reply@shop.example>");
  auto sent = mailer.send(sample());
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "mail_unavailable");
}

TEST(SmtpMailer, HeaderInjectionIsRefusedBeforeConnecting) {
  SmtpSink sink;
  SmtpMailer mailer(settings_for(sink), "FFF <no-reply@shop.example>");
  auto sent = mailer.send({"ann@example.com\r\nBcc: eve@example.com", "Hi", "x", ""});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, "invalid_mail");
  EXPECT_TRUE(sink.messages().empty());
}

TEST(SmtpMailer, UrlsAreSmtpOrSmtps) {
  EXPECT_TRUE(check_smtp_url("smtp://mail.example.com:587").ok());
  EXPECT_TRUE(check_smtp_url("smtps://mail.example.com").ok());
  EXPECT_EQ(check_smtp_url("http://mail.example.com").error().code, "invalid_smtp_url");
  EXPECT_EQ(check_smtp_url("smtp://").error().code, "invalid_smtp_url");
  EXPECT_EQ(envelope_address("FFF <no-reply@shop.example>"), "no-reply@shop.example");
  EXPECT_EQ(envelope_address(" plain@example.com "), "plain@example.com");
}

// A mailer that fails on demand, for the decorator.
class Flaky : public Mailer {
 public:
  bool fail = false;
  Result<void> send(const MailMessage&) override {
    if (fail) return Error::unavailable("mail_unavailable", "down");
    return {};
  }
};

TEST(RecordingMailer, RemembersOnlyWhatWasHandedOver) {
  auto flaky = std::make_unique<Flaky>();
  Flaky* inner = flaky.get();
  RecordingMailer mailer(std::move(flaky));
  ASSERT_TRUE(mailer.send({"Ann@Example.com", "one", "1", ""}).ok());
  inner->fail = true;
  EXPECT_FALSE(mailer.send({"ann@example.com", "two", "2", ""}).ok());
  auto last = mailer.last_sent_to("ann@example.COM");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->subject, "one");
  EXPECT_FALSE(mailer.last_sent_to("bob@example.com").has_value());
}

}  // namespace
}  // namespace fff::mail
