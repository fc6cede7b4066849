#include "infra/http/perimeter.hpp"

#include <gtest/gtest.h>

#include "infra/kv/stores.hpp"

namespace fff::http {
namespace {

const std::string kSecret(40, 's');

Response run(const Middleware& middleware, Request& req) {
  Pipeline pipeline;
  pipeline.use(middleware);
  return pipeline.run(req, [](const Request&) { return Response::text(200, "ok"); });
}

TEST(CsrfTokensTest, TokenBelongsToOneSessionAndOneSecret) {
  CsrfTokens tokens(kSecret);
  std::string token = tokens.token_for("session-a");
  EXPECT_TRUE(tokens.matches("session-a", token));
  EXPECT_FALSE(tokens.matches("session-b", token));
  EXPECT_FALSE(tokens.matches("session-a", token.substr(1)));
  EXPECT_FALSE(CsrfTokens(std::string(40, 't')).matches("session-a", token));
  EXPECT_EQ(token, CsrfTokens(kSecret).token_for("session-a"));  // every node agrees
}

Request cookie_post(const std::string& cookie) {
  Request req;
  req.method = "POST";
  req.headers.set("Host", "shop.test");
  req.headers.set("Cookie", "theme=dark; fff_session=" + cookie);
  auto p = std::make_shared<Principal>();
  p->by_cookie = true;
  req.principal = p;
  return req;
}

TEST(CsrfTest, CookieSessionWithoutTokenIsRefused) {
  auto middleware = csrf(std::make_shared<CsrfTokens>(kSecret), "fff_session");
  Request req = cookie_post("abc");
  Response res = run(middleware, req);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("csrf_token_missing"), std::string::npos);
}

TEST(CsrfTest, HeaderOrFormFieldTokenIsAccepted) {
  auto tokens = std::make_shared<CsrfTokens>(kSecret);
  auto middleware = csrf(tokens, "fff_session");
  Request by_header = cookie_post("abc");
  by_header.headers.set("X-CSRF-Token", tokens->token_for("abc"));
  EXPECT_EQ(run(middleware, by_header).status, 200);

  Request by_form = cookie_post("abc");
  by_form.headers.set("Content-Type", "application/x-www-form-urlencoded");
  by_form.body = "qty=1&_csrf=" + tokens->token_for("abc") + "&x=y";
  EXPECT_EQ(run(middleware, by_form).status, 200);
}

TEST(CsrfTest, AnotherSessionsTokenIsRefused) {
  auto tokens = std::make_shared<CsrfTokens>(kSecret);
  auto middleware = csrf(tokens, "fff_session");
  Request req = cookie_post("abc");
  req.headers.set("X-CSRF-Token", tokens->token_for("other"));
  Response res = run(middleware, req);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("csrf_token_invalid"), std::string::npos);
}

TEST(CsrfTest, SafeMethodsAndBearerClientsNeedNoToken) {
  auto middleware = csrf(std::make_shared<CsrfTokens>(kSecret), "fff_session");
  Request get = cookie_post("abc");
  get.method = "GET";
  EXPECT_EQ(run(middleware, get).status, 200);
  Request api = cookie_post("abc");
  auto p = std::make_shared<Principal>();
  p->kind = Principal::Kind::api_token;
  api.principal = p;
  EXPECT_EQ(run(middleware, api).status, 200);
}

TEST(CsrfTest, SameOriginPasses) {
  auto tokens = std::make_shared<CsrfTokens>(kSecret);
  Request req = cookie_post("abc");
  req.headers.set("Origin", "https://shop.test");
  req.headers.set("X-CSRF-Token", tokens->token_for("abc"));
  EXPECT_EQ(run(csrf(tokens, "fff_session"), req).status, 200);
  req.headers.set("Origin", "https://shop.test.evil.example");
  EXPECT_EQ(run(csrf(tokens, "fff_session"), req).status, 403);
}

TEST(CsrfTest, ANewSessionCookieComesWithItsToken) {
  auto tokens = std::make_shared<CsrfTokens>(kSecret);
  Pipeline pipeline;
  pipeline.use(csrf(tokens, "fff_session"));
  Request req;
  req.method = "POST";
  Response res = pipeline.run(req, [](const Request&) {
    Response r = Response::text(200, "signed in");
    r.headers.add("Set-Cookie", "fff_session=newtoken; Path=/; HttpOnly");
    return r;
  });
  EXPECT_EQ(res.headers.get("X-CSRF-Token").value_or(""), tokens->token_for("newtoken"));
}

TEST(RateLimitTest, SensitiveRoutesCountPerAddressAndPerAccount) {
  auto store = kv::make_memory_store();
  RateLimits limits{.global_per_minute = 0, .sensitive_per_minute = 2};
  auto middleware = rate_limit(*store, limits);
  Route route{"POST", "/api/v1/auth/login", {}, {}, true};
  auto request = [&](const std::string& address, const std::string& account) {
    Request req;
    req.method = "POST";
    req.route = &route;
    req.client_address = address;
    if (!account.empty()) {
      auto p = std::make_shared<Principal>();
      p->account_id = account;
      req.principal = p;
    }
    return req;
  };
  for (int i = 0; i < 2; ++i) {
    Request req = request("10.0.0.1", "");
    EXPECT_EQ(run(middleware, req).status, 200);
  }
  Request third = request("10.0.0.1", "");
  Response refused = run(middleware, third);
  EXPECT_EQ(refused.status, 429);
  EXPECT_TRUE(refused.headers.has("Retry-After"));
  // The same account from other addresses still runs out.
  Request a1 = request("10.0.0.2", "acct"), a2 = request("10.0.0.3", "acct"),
          a3 = request("10.0.0.4", "acct");
  EXPECT_EQ(run(middleware, a1).status, 200);
  EXPECT_EQ(run(middleware, a2).status, 200);
  EXPECT_EQ(run(middleware, a3).status, 429);
  // Reads are not counted.
  Request get = request("10.0.0.1", "");
  get.method = "GET";
  EXPECT_EQ(run(middleware, get).status, 200);
}

}  // namespace
}  // namespace fff::http
