// Staff two-factor over real HTTP, as an admin meets it with `require_admin_totp` on: the staff
// API refuses the cookie session until it passes TOTP; enrolment gives an otpauth URI and
// recovery codes; a code from the authenticator (computed here from the secret) confirms it; a
// recovery code passes the second factor once and gives a new session cookie; a spent code is
// refused. The codes come from this process's own RFC 6238 implementation, which staff_tests
// check against the RFC's vectors.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "modules/staff/totp.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace fff::api_second_factor {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;
namespace json = boost::json;

const std::string kToken = "second-factor-admin-token-0123456789";

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body, std::vector<testing::Header> headers = {}) {
  HttpConnection connection(port);
  HttpRequest req{method, target, std::move(headers), body};
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  return connection.request(req, Millis(15000));
}

std::string cookie_of(const HttpResponse& r) {
  for (const auto& v : r.header_values("Set-Cookie"))
    if (v.rfind("fff_session=", 0) == 0) return v.substr(12, v.find(';') - 12);
  return "";
}

std::string code_of(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : "";
}

std::string from_base32(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
    if (value < 0) continue;
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

TEST(SecondFactor, AnAdminSessionNeedsTotpBeforeTheStaffApi) {
  ServerProcess server(ServerOptions{.env = {{"FFF_DEMO", "0"},
                                             {"FFF_ADMIN_TOKEN", kToken},
                                             {"FFF_REQUIRE_ADMIN_TOTP", "1"},
                                             {"FFF_PASSWORD_HASH", "min"}}});
  uint16_t port = server.port();
  ASSERT_EQ(call(port, "POST", "/api/v1/admin/staff",
                 R"({"email":"boss@example.com","name":"Boss","password":"the boss of it all",)"
                 R"("role":"admin","scopes":[]})",
                 {{"Authorization", "Bearer " + kToken}})
                .status,
            201);
  HttpResponse login = call(port, "POST", "/api/v1/auth/login",
                            R"({"email":"boss@example.com","password":"the boss of it all"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie = cookie_of(login);
  std::string csrf = login.header("X-CSRF-Token").value_or("");
  std::vector<testing::Header> session = {{"Cookie", "fff_session=" + cookie},
                                          {"X-CSRF-Token", csrf}};

  HttpResponse refused = call(port, "GET", "/api/v1/admin/brands", "", session);
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("second_factor_required"), std::string::npos) << refused.body;

  HttpResponse enrol = call(port, "POST", "/api/v1/admin/me/totp", "", session);
  ASSERT_EQ(enrol.status, 201) << enrol.body;
  json::object enrolment = json::parse(enrol.body).as_object();
  std::string uri = code_of(enrolment.at("otpauth_uri"));
  EXPECT_EQ(uri.rfind("otpauth://totp/", 0), 0u) << uri;
  EXPECT_NE(uri.find("issuer=FFF"), std::string::npos) << uri;
  std::string key = from_base32(code_of(enrolment.at("secret")));
  ASSERT_EQ(key.size(), staff::totp::kSecretBytes);

  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  std::string code = staff::totp::hotp(key, static_cast<uint64_t>(staff::totp::step_at(now)));
  HttpResponse wrong =
      call(port, "POST", "/api/v1/admin/me/totp/confirm",
           R"({"code":")" + std::string(code == "000000" ? "111111" : "000000") + R"("})", session);
  EXPECT_EQ(wrong.status, 422) << wrong.body;  // enrolment: the field is wrong, not the caller
  EXPECT_NE(wrong.body.find("second_factor_invalid"), std::string::npos) << wrong.body;
  HttpResponse confirmed =
      call(port, "POST", "/api/v1/admin/me/totp/confirm", R"({"code":")" + code + R"("})", session);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  json::array recovery = json::parse(confirmed.body).at("recovery_codes").as_array();
  ASSERT_EQ(recovery.size(), 10u);

  // The code the confirmation used is spent: the same step cannot pass the second factor.
  HttpResponse replay =
      call(port, "POST", "/api/v1/auth/second-factor", R"({"code":")" + code + R"("})", session);
  EXPECT_EQ(replay.status, 401) << replay.body;

  std::string recovery_code = code_of(recovery[0]);
  HttpResponse passed = call(port, "POST", "/api/v1/auth/second-factor",
                             R"({"recovery_code":")" + recovery_code + R"("})", session);
  ASSERT_EQ(passed.status, 200) << passed.body;
  std::string upgraded = cookie_of(passed);
  ASSERT_FALSE(upgraded.empty());
  EXPECT_NE(upgraded, cookie);  // a privilege change gets a new session token
  EXPECT_EQ(
      call(port, "GET", "/api/v1/admin/brands", "", {{"Cookie", "fff_session=" + cookie}}).status,
      401);  // the old token is gone
  EXPECT_EQ(
      call(port, "GET", "/api/v1/admin/brands", "", {{"Cookie", "fff_session=" + upgraded}}).status,
      200);

  HttpResponse again = call(port, "POST", "/api/v1/auth/second-factor",
                            R"({"recovery_code":")" + recovery_code + R"("})",
                            {{"Cookie", "fff_session=" + upgraded},
                             {"X-CSRF-Token", passed.header("X-CSRF-Token").value_or("")}});
  EXPECT_EQ(again.status, 401) << again.body;  // each recovery code works once
}

}  // namespace
}  // namespace fff::api_second_factor
