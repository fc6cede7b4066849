// The shop's mail over SMTP end to end: `fff serve` with FFF_SMTP_URL (and AUTH) pointed at a
// loopback SMTP sink the test starts hands the account mails to it — headers and both parts from
// the templates — while /_test/mail/latest keeps working, and neither the SMTP password nor the
// mailed token reaches the log. SQLite: this tests mail, not storage.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/smtp_sink.hpp"

namespace fff::api_mail {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;
using testing::SmtpSink;

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body) {
  HttpConnection conn(port);
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  return conn.request(req, Millis(15000));
}

TEST(MailOverSmtp, AccountMailsReachTheSmtpServerFromTheTemplates) {
  const std::string smtp_password = "Smtp-Pass-Not-For-Logs-42";
  SmtpSink sink(SmtpSink::Options{.user = "shop", .password = smtp_password});
  ServerProcess server(ServerOptions{.env = {{"FFF_DEMO", "0"},
                                             {"FFF_TEST_ROUTES", "1"},
                                             {"FFF_LOG_LEVEL", "debug"},
                                             {"FFF_PASSWORD_HASH", "min"},
                                             {"FFF_SMTP_URL", sink.url()},
                                             {"FFF_SMTP_USER", "shop"},
                                             {"FFF_SMTP_PASSWORD", smtp_password},
                                             {"FFF_MAIL_FROM", "FFF <orders@shop.example>"},
                                             {"FFF_PUBLIC_URL", "https://shop.example"}}});
  uint16_t port = server.port();
  ASSERT_EQ(
      call(
          port, "POST", "/api/v1/auth/signup",
          R"({"email":"smtp.ann@example.com","password":"Quite-Long-Passphrase-7","name":"Ann <b>"})")
          .status,
      202);
  ASSERT_TRUE(sink.wait_for(1, 15000)) << server.output();
  auto m = sink.messages().at(0);
  EXPECT_EQ(m.mail_from, "orders@shop.example");
  ASSERT_EQ(m.rcpt_to.size(), 1u);
  EXPECT_EQ(m.rcpt_to[0], "smtp.ann@example.com");
  EXPECT_EQ(m.user, "shop");
  EXPECT_EQ(m.password, smtp_password);
  EXPECT_NE(m.data.find("Subject: Confirm your email address\r\n"), std::string::npos) << m.data;
  EXPECT_NE(m.data.find("From: FFF <orders@shop.example>\r\n"), std::string::npos);
  EXPECT_NE(m.data.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(m.data.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  // The name is escaped in the HTML part (quoted-printable keeps & and ; as they are).
  EXPECT_NE(m.data.find("Hello Ann &lt;b&gt;,"), std::string::npos) << m.data;
  EXPECT_NE(m.data.find("Hello Ann <b>,"), std::string::npos);  // the text part
  EXPECT_NE(m.data.find("https://shop.example/account/verify?token=3D"), std::string::npos)
      << m.data;  // '=' is =3D in quoted-printable

  // /_test/mail/latest still reads what was sent, and the link's token works.
  HttpResponse latest = call(port, "GET", "/_test/mail/latest?to=smtp.ann@example.com", "");
  ASSERT_EQ(latest.status, 200);
  auto body = boost::json::parse(latest.body).as_object();
  EXPECT_EQ(body.at("subject").as_string(), "Confirm your email address");
  std::string token(body.at("token").as_string());
  ASSERT_EQ(token.size(), 43u);
  EXPECT_EQ(call(port, "POST", "/api/v1/auth/verify", R"({"token":")" + token + R"("})").status,
            200);

  EXPECT_EQ(server.output().find(smtp_password), std::string::npos);
  EXPECT_EQ(server.output().find(token), std::string::npos);
}

TEST(MailOverSmtp, AnSmtpServerThatIsDownDoesNotChangeTheAnswer) {
  uint16_t port_gone;
  {
    SmtpSink gone;
    port_gone = gone.port();
  }
  ServerProcess server(
      ServerOptions{.env = {{"FFF_DEMO", "0"},
                            {"FFF_TEST_ROUTES", "1"},
                            {"FFF_PASSWORD_HASH", "min"},
                            {"FFF_SMTP_URL", "smtp://127.0.0.1:" + std::to_string(port_gone)}}});
  EXPECT_EQ(call(server.port(), "POST", "/api/v1/auth/signup",
                 R"({"email":"down@example.com","password":"Quite-Long-Passphrase-7","name":"D"})")
                .status,
            202);
  EXPECT_TRUE(server.wait_for_log({"mail not sent", "mail_unavailable"}, Millis(10000)))
      << server.output();
  EXPECT_EQ(call(server.port(), "GET", "/_test/mail/latest?to=down@example.com", "").status, 404);
}

TEST(MailOverSmtp, ABadSmtpUrlStopsTheStart) {
  EXPECT_THROW(ServerProcess(ServerOptions{.env = {{"FFF_SMTP_URL", "http://mail.example.com"}}}),
               std::runtime_error);
}

}  // namespace
}  // namespace fff::api_mail
