// API tokens: issue, hash-only storage, resolution, revocation, expiry, the last-use throttle,
// the bootstrap admin token and the bearer middleware — on every storage config.
#include "modules/staff/tokens.hpp"

#include <gtest/gtest.h>

#include "core/id.hpp"
#include "fixture.hpp"
#include "infra/http/pipeline.hpp"

namespace fff::staff {
namespace {

using testing::describe;

class TokensTest : public testing::StaffStorageTest {
 protected:
  void SetUp() override {
    StaffStorageTest::SetUp();
    tokens_ = std::make_unique<TokenService>(*db_, clock_);
  }

  IssuedToken issue(std::vector<std::string> scopes,
                    std::optional<std::string> expires = std::nullopt) {
    auto issued = tokens_->create({"client", std::move(scopes), "admin-1", std::move(expires)});
    EXPECT_TRUE(issued.ok()) << describe(issued);
    return issued.ok() ? *issued : IssuedToken{};
  }

  std::optional<std::string> last_used(const std::string& id) {
    auto all = tokens_->list();
    EXPECT_TRUE(all.ok());
    for (const auto& t : *all)
      if (t.id == id) return t.last_used_at;
    ADD_FAILURE() << "no token " << id;
    return std::nullopt;
  }

  std::unique_ptr<TokenService> tokens_;
};
INSTANTIATE_TEST_SUITE_P(, TokensTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(TokensTest, IssuedTokenIsPrefixedRandomAndStoredOnlyAsItsHash) {
  auto a = issue({"catalog:write"});
  auto b = issue({"catalog:write"});
  EXPECT_EQ(a.secret.substr(0, 7), "fff_at_");
  EXPECT_EQ(a.secret.size(), 7u + 43u);  // base64url of 32 bytes, no padding
  EXPECT_NE(a.secret, b.secret);
  EXPECT_EQ(a.token.prefix, a.secret.substr(0, 13));
  auto rows = db_->query("SELECT token_hash, prefix, name, scopes FROM api_tokens WHERE id = $1",
                         {a.token.id});
  ASSERT_TRUE(rows.ok()) << describe(rows);
  ASSERT_EQ(rows->rows.size(), 1u);
  EXPECT_EQ(rows->rows[0].text(0), sha256_hex(a.secret));
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(rows->rows[0].text(i).find(a.secret), std::string::npos);
}

TEST_P(TokensTest, ResolvesToAnApiTokenPrincipalWithItsScopes) {
  auto issued = issue({"catalog:write", "orders:read"});
  auto who = tokens_->resolve_token(issued.secret);
  ASSERT_TRUE(who.ok()) << describe(who);
  ASSERT_TRUE(who->has_value());
  EXPECT_EQ((*who)->kind, http::Principal::Kind::api_token);
  EXPECT_EQ((*who)->token_id, issued.token.id);
  EXPECT_EQ((*who)->account_id, "admin-1");
  EXPECT_EQ((*who)->scopes, (std::vector<std::string>{"catalog:write", "orders:read"}));
  EXPECT_FALSE((*who)->by_cookie);
}

TEST_P(TokensTest, UnknownTokenResolvesToNobody) {
  issue({"catalog:read"});
  auto who = tokens_->resolve_token("fff_at_not-a-real-token");
  ASSERT_TRUE(who.ok()) << describe(who);
  EXPECT_FALSE(who->has_value());
}

TEST_P(TokensTest, RevokedTokenResolvesToNobody) {
  auto issued = issue({"catalog:read"});
  ASSERT_TRUE(tokens_->revoke(issued.token.id).ok());
  auto who = tokens_->resolve_token(issued.secret);
  ASSERT_TRUE(who.ok());
  EXPECT_FALSE(who->has_value());
  EXPECT_TRUE(tokens_->revoke(issued.token.id).ok()) << "revoking twice is fine";
  auto list = tokens_->list();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->front().revoked_at.has_value());
}

TEST_P(TokensTest, RevokingAnUnknownTokenIsNotFound) {
  auto r = tokens_->revoke(new_id());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "token_not_found");
  EXPECT_EQ(tokens_->revoke("nonsense").error().kind, ErrorKind::not_found);
}

TEST_P(TokensTest, ExpiredTokenResolvesToNobody) {
  auto issued = issue({"catalog:read"}, "2026-11-26T06:00:00Z");
  clock_.advance(std::chrono::minutes(59));
  auto before = tokens_->resolve_token(issued.secret);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->has_value());
  clock_.advance(std::chrono::minutes(1));
  auto after = tokens_->resolve_token(issued.secret);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
}

TEST_P(TokensTest, LastUseIsRecordedAtMostOnceAMinute) {
  auto issued = issue({"catalog:read"});
  EXPECT_FALSE(last_used(issued.token.id).has_value());
  ASSERT_TRUE(tokens_->resolve_token(issued.secret).ok());
  std::string first = to_iso8601(clock_.now());
  EXPECT_EQ(last_used(issued.token.id), first);
  clock_.advance(std::chrono::seconds(59));
  ASSERT_TRUE(tokens_->resolve_token(issued.secret).ok());
  EXPECT_EQ(last_used(issued.token.id), first);
  clock_.advance(std::chrono::seconds(2));
  ASSERT_TRUE(tokens_->resolve_token(issued.secret).ok());
  EXPECT_EQ(last_used(issued.token.id), to_iso8601(clock_.now()));
}

TEST_P(TokensTest, BadRequestsNameTheFieldAndCreateNothing) {
  struct Case {
    NewApiToken request;
    std::string code;
    std::string field;
  };
  std::vector<Case> cases = {
      {{"  ", {"catalog:read"}, "a", {}}, "name_required", "name"},
      {{std::string(101, 'n'), {"catalog:read"}, "a", {}}, "name_too_long", "name"},
      {{"x", {}, "a", {}}, "scopes_required", "scopes"},
      {{"x", {"catalog:read", "catalog:admin"}, "a", {}}, "unknown_scope", "scopes[1]"},
      {{"x", {"staff:write"}, "a", {}}, "unknown_scope", "scopes[0]"},
      {{"x", {"catalog:read"}, "a", "2026-11-26T04:59:59Z"}, "invalid_expires_at", "expires_at"},
      {{"x", {"catalog:read"}, "a", "soon"}, "invalid_expires_at", "expires_at"},
  };
  for (const auto& c : cases) {
    auto r = tokens_->create(c.request);
    ASSERT_FALSE(r.ok()) << c.code;
    EXPECT_EQ(r.error().kind, ErrorKind::unprocessable);
    EXPECT_EQ(r.error().code, c.code);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].field, c.field);
  }
  EXPECT_TRUE(tokens_->create({std::string(100, 'n'), {"*"}, "a", {}}).ok());
  auto list = tokens_->list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST_P(TokensTest, BootstrapTokenIsIdempotentAndReplacedWhenTheSettingChanges) {
  ASSERT_TRUE(tokens_->ensure_bootstrap("configured-admin-token-one").ok());
  ASSERT_TRUE(tokens_->ensure_bootstrap("configured-admin-token-one").ok());
  auto list = tokens_->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().name, "bootstrap admin");
  EXPECT_EQ(list->front().scopes, std::vector<std::string>{"*"});
  EXPECT_TRUE(list->front().bootstrap);
  EXPECT_EQ(list->front().prefix.find("configured"), std::string::npos) << "no part of the secret";
  auto who = tokens_->resolve_token("configured-admin-token-one");
  ASSERT_TRUE(who.ok() && who->has_value());
  EXPECT_EQ((*who)->scopes, std::vector<std::string>{"*"});

  ASSERT_TRUE(tokens_->ensure_bootstrap("configured-admin-token-two").ok());
  auto old_one = tokens_->resolve_token("configured-admin-token-one");
  ASSERT_TRUE(old_one.ok());
  EXPECT_FALSE(old_one->has_value());
  auto new_one = tokens_->resolve_token("configured-admin-token-two");
  ASSERT_TRUE(new_one.ok());
  EXPECT_TRUE(new_one->has_value());
}

TEST_P(TokensTest, BootstrapLeavesOtherTokensAlone) {
  auto issued = issue({"catalog:read"});
  ASSERT_TRUE(tokens_->ensure_bootstrap("configured-admin-token-one").ok());
  ASSERT_TRUE(tokens_->ensure_bootstrap("configured-admin-token-two").ok());
  auto who = tokens_->resolve_token(issued.secret);
  ASSERT_TRUE(who.ok());
  EXPECT_TRUE(who->has_value());
}

class BearerMiddlewareTest : public TokensTest {
 protected:
  http::Response run(std::optional<std::string> authorization) {
    http::Pipeline pipeline;
    pipeline.use(authenticate_bearer(
        *tokens_,
        [this](const http::Request&, const http::Response& r) { refused_.push_back(r.status); }));
    http::Request req;
    req.method = "GET";
    req.path = "/api/v1/admin/brands";
    if (authorization) req.headers.set("Authorization", *authorization);
    seen_.reset();
    reached_ = false;
    http::Handler terminal = [this](const http::Request& r) {
      reached_ = true;
      seen_ = r.principal;
      return http::Response::text(200, "ok");
    };
    return pipeline.run(req, terminal);
  }
  bool reached_ = false;
  std::shared_ptr<const http::Principal> seen_;
  std::vector<int> refused_;
};
INSTANTIATE_TEST_SUITE_P(, BearerMiddlewareTest,
                         ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(BearerMiddlewareTest, KnownTokenBecomesThePrincipal) {
  auto issued = issue({"catalog:read"});
  auto r = run("Bearer " + issued.secret);
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(seen_);
  EXPECT_EQ(seen_->token_id, issued.token.id);
  EXPECT_TRUE(refused_.empty());
}

TEST_P(BearerMiddlewareTest, BadTokenIsRefusedBeforeTheRoute) {
  auto issued = issue({"catalog:read"});
  ASSERT_TRUE(tokens_->revoke(issued.token.id).ok());
  for (std::string header :
       {"Bearer " + issued.secret, std::string("Bearer nope"), std::string("bearer ")}) {
    auto r = run(header);
    EXPECT_EQ(r.status, 401) << header;
    EXPECT_NE(r.body.find("\"token_invalid\""), std::string::npos) << r.body;
    EXPECT_TRUE(r.headers.get("WWW-Authenticate").has_value());
    EXPECT_FALSE(reached_);
  }
  EXPECT_EQ(refused_.size(), 3u);
}

TEST_P(BearerMiddlewareTest, RequestsWithoutBearerPassUntouched) {
  for (std::optional<std::string> header :
       {std::optional<std::string>{}, std::optional<std::string>{"Basic c3RhZmY6c3RhZmY="}}) {
    auto r = run(header);
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(reached_);
    EXPECT_FALSE(seen_);
  }
}

}  // namespace
}  // namespace fff::staff
