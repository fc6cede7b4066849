// Secrets never reach the log: a server taken through sign-up, login, wrong passwords, password
// reset and a stolen cookie at debug level prints none of the passwords, tokens or cookie values
// it saw (issue 4, item 8). SQLite: this tests logging, not storage.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace fff::api_secrets {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& cookie = "") {
  HttpConnection conn(port);
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  if (!cookie.empty()) req.headers.push_back({"Cookie", "fff_session=" + cookie});
  return conn.request(req, Millis(15000));
}

std::string session_of(const HttpResponse& r) {
  for (const auto& v : r.header_values("Set-Cookie"))
    if (v.rfind("fff_session=", 0) == 0) return v.substr(12, v.find(';') - 12);
  return "";
}

std::string mailed_token(uint16_t port, const std::string& to) {
  HttpResponse r = call(port, "GET", "/_test/mail/latest?to=" + to, "");
  if (r.status != 200) return "";
  return std::string(boost::json::parse(r.body).as_object().at("token").as_string());
}

TEST(AccountSecrets, NeverAppearInTheLog) {
  ServerProcess server(ServerOptions{.env = {{"FFF_DEMO", "0"},
                                             {"FFF_TEST_ROUTES", "1"},
                                             {"FFF_LOG_LEVEL", "debug"},
                                             {"FFF_PASSWORD_HASH", "min"}}});
  uint16_t port = server.port();
  const std::string first = "Sekrit-Passphrase-One";
  const std::string second = "Sekrit-Passphrase-Two";
  const std::string wrong = "Sekrit-Wrong-Guess";
  std::vector<std::string> secrets = {first, second, wrong};

  ASSERT_EQ(call(port, "POST", "/api/v1/auth/signup",
                 R"({"email":"secret@example.com","password":")" + first + R"(","name":"S"})")
                .status,
            202);
  secrets.push_back(mailed_token(port, "secret@example.com"));
  ASSERT_EQ(call(port, "POST", "/api/v1/auth/login",
                 R"({"email":"secret@example.com","password":")" + wrong + R"("})")
                .status,
            401);
  HttpResponse login = call(port, "POST", "/api/v1/auth/login",
                            R"({"email":"secret@example.com","password":")" + first + R"("})");
  ASSERT_EQ(login.status, 200) << login.describe();
  std::string cookie = session_of(login);
  secrets.push_back(cookie);
  ASSERT_EQ(
      call(port, "POST", "/api/v1/auth/verify", R"({"token":")" + secrets[3] + R"("})").status,
      200);
  ASSERT_EQ(call(port, "POST", "/api/v1/auth/password/forgot", R"({"email":"secret@example.com"})")
                .status,
            202);
  std::string reset = mailed_token(port, "secret@example.com");
  secrets.push_back(reset);
  ASSERT_EQ(call(port, "POST", "/api/v1/auth/password/reset",
                 R"({"token":")" + reset + R"(","password":")" + second + R"("})")
                .status,
            204);
  EXPECT_EQ(call(port, "POST", "/api/v1/auth/password/reset",
                 R"({"token":")" + reset + R"(","password":")" + second + R"("})")
                .status,
            422);
  EXPECT_EQ(call(port, "GET", "/api/v1/me", "", cookie).status, 401);  // the stolen cookie
  EXPECT_EQ(call(port, "POST", "/api/v1/auth/signup",
                 R"({"email":"secret@example.com","password":"short","name":"S"})")
                .status,
            422);

  auto status = server.stop(SIGTERM);
  EXPECT_TRUE(status.clean()) << status.describe();
  std::string log = server.output();
  ASSERT_NE(log.find("/api/v1/auth/login"), std::string::npos);  // the access log is there
  for (const auto& secret : secrets) {
    ASSERT_GE(secret.size(), 10u);
    EXPECT_EQ(log.find(secret), std::string::npos) << "the log shows a secret";
  }
  EXPECT_EQ(log.find("short\""), std::string::npos);
}

}  // namespace
}  // namespace fff::api_secrets
