// The audit log: what a request leaves behind, what the gate chooses to record, the filters and
// keyset pagination, and that a failed write never breaks the request — on every storage config.
#include "modules/staff/audit.hpp"

#include <gtest/gtest.h>

#include "core/id.hpp"
#include "fixture.hpp"
#include "infra/http/router.hpp"
#include "modules/staff/access.hpp"

namespace fff::staff {
namespace {

using testing::describe;

class AuditTest : public testing::StaffStorageTest {
 protected:
  void SetUp() override {
    StaffStorageTest::SetUp();
    audit_ = std::make_unique<AuditLog>(*db_, clock_);
    router_.add("PATCH", "/api/v1/admin/products/{id}", {});
    router_.add("GET", "/api/v1/admin/customers/{id}", {});
    router_.add("GET", "/api/v1/admin/brands", {});
  }

  http::Request request(std::string method, std::string path,
                        std::shared_ptr<const http::Principal> who = nullptr) {
    http::Request req;
    auto match = router_.match(method, path);
    req.method = std::move(method);
    req.path = std::move(path);
    req.route = match.route;
    req.path_params = match.params;
    req.principal = std::move(who);
    req.client_address = "203.0.113.9";
    req.remote_address = "10.0.0.1";
    req.request_id = "req-" + std::to_string(++requests_);
    req.headers.set("Authorization", "Bearer secret-token-value");
    req.body = R"({"password":"hunter2hunter2"})";
    return req;
  }

  std::vector<AuditEntry> all(AuditFilter f = {}) {
    auto page = audit_->list(f);
    EXPECT_TRUE(page.ok()) << describe(page);
    return page.ok() ? page->items : std::vector<AuditEntry>{};
  }

  std::shared_ptr<const http::Principal> token(std::string id) {
    auto p = std::make_shared<http::Principal>();
    p->kind = http::Principal::Kind::api_token;
    p->token_id = std::move(id);
    p->account_id = "creator";
    return p;
  }

  std::unique_ptr<AuditLog> audit_;
  http::Router router_;
  int requests_ = 0;
};
INSTANTIATE_TEST_SUITE_P(, AuditTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(AuditTest, RequestIsRecordedWithActorActionTargetAddressAndOutcome) {
  std::string product = new_id();
  audit_->record_request(request("PATCH", "/api/v1/admin/products/" + product, token("tok-1")),
                         "catalog:write", 200);
  auto items = all();
  ASSERT_EQ(items.size(), 1u);
  const auto& e = items[0];
  EXPECT_TRUE(is_uuid(e.id));
  EXPECT_EQ(e.at, "2026-11-26T05:00:00.000000Z");
  EXPECT_EQ(e.actor_kind, "api_token");
  EXPECT_EQ(e.actor_id, "tok-1");
  EXPECT_EQ(e.action, "PATCH /api/v1/admin/products/{id}");
  EXPECT_EQ(e.permission, "catalog:write");
  EXPECT_EQ(e.target, "id=" + product);
  EXPECT_EQ(e.client_ip, "203.0.113.9");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.request_id, "req-1");
}

TEST_P(AuditTest, NeverStoresBodiesHeadersOrTokens) {
  audit_->record_request(request("PATCH", "/api/v1/admin/products/x", token("tok-1")),
                         "catalog:write", 422);
  auto rows = db_->query("SELECT * FROM audit_log");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows.size(), 1u);
  for (size_t i = 0; i < rows->rows[0].size(); ++i) {
    if (rows->rows[0].is_null(i)) continue;
    if (auto* text = std::get_if<std::string>(&rows->rows[0][i])) {
      EXPECT_EQ(text->find("hunter2"), std::string::npos);
      EXPECT_EQ(text->find("secret-token-value"), std::string::npos);
    }
  }
}

TEST_P(AuditTest, AnonymousCallerAndOutcomes) {
  audit_->record_request(request("GET", "/api/v1/admin/brands"), "catalog:read", 401);
  audit_->record_request(request("GET", "/api/v1/admin/brands", token("t")), "catalog:read", 403);
  audit_->record_request(request("GET", "/api/v1/admin/brands", token("t")), "catalog:read", 503);
  auto items = all();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[2].actor_kind, "anonymous");
  EXPECT_EQ(items[2].actor_id, "anonymous");
  EXPECT_EQ(items[2].outcome, "denied");
  EXPECT_EQ(items[1].outcome, "denied");
  EXPECT_EQ(items[0].outcome, "failed");
}

TEST_P(AuditTest, GateRecordsWritesRefusalsAndSensitiveReadsOnly) {
  StaffGate gate({}, *audit_);
  http::Response ok;
  http::Response refused;
  refused.status = 403;
  gate.record(request("GET", "/api/v1/admin/brands", token("t")), "catalog:read", ok);
  EXPECT_EQ(all().size(), 0u) << "a plain read is not audited";
  gate.record(request("GET", "/api/v1/admin/brands", token("t")), "catalog:read", refused);
  gate.record(request("PATCH", "/api/v1/admin/products/p", token("t")), "catalog:write", ok);
  gate.record(request("GET", "/api/v1/admin/customers/c", token("t")), "customers:read", ok);
  auto items = all();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].permission, "customers:read");
  EXPECT_EQ(items[1].permission, "catalog:write");
  EXPECT_EQ(items[2].status, 403);
}

TEST_P(AuditTest, GateAuthorizesThroughThePolicy) {
  StaffGate gate({}, *audit_);
  EXPECT_EQ(gate.authorize(request("GET", "/api/v1/admin/brands"), "catalog:read").error().code,
            "not_signed_in");
  auto who = std::make_shared<http::Principal>();
  who->kind = http::Principal::Kind::api_token;
  who->scopes = {"catalog:read"};
  EXPECT_TRUE(gate.authorize(request("GET", "/api/v1/admin/brands", who), "catalog:read").ok());
  EXPECT_EQ(
      gate.authorize(request("GET", "/api/v1/admin/brands", who), "catalog:write").error().code,
      "permission_denied");
}

TEST_P(AuditTest, FiltersNarrowByActorActionOutcomeAndTime) {
  audit_->record_request(request("PATCH", "/api/v1/admin/products/p", token("alice")),
                         "catalog:write", 200);
  clock_.advance(std::chrono::hours(1));
  audit_->record_request(request("GET", "/api/v1/admin/brands", token("bob")), "catalog:read", 403);
  clock_.advance(std::chrono::hours(1));
  audit_->record_action({"admin", "alice"}, "staff.role_changed", "staff:write", "id=s1", 200);

  EXPECT_EQ(all({.actor = "alice"}).size(), 2u);
  EXPECT_EQ(all({.actor = "carol"}).size(), 0u);
  EXPECT_EQ(all({.action = "brands"}).size(), 1u);
  EXPECT_EQ(all({.action = "%"}).size(), 0u) << "LIKE wildcards are matched literally";
  EXPECT_EQ(all({.action = "role_"}).size(), 1u);
  EXPECT_EQ(all({.outcome = "denied"}).size(), 1u);
  EXPECT_EQ(all({.outcome = "ok"}).size(), 2u);
  EXPECT_EQ(all({.from = "2026-11-26T06:00:00.000000Z"}).size(), 2u);
  EXPECT_EQ(all({.to = "2026-11-26T06:00:00.000000Z"}).size(), 1u);
  EXPECT_EQ(
      all({.from = "2026-11-26T05:30:00.000000Z", .to = "2026-11-26T06:30:00.000000Z"}).size(), 1u);
  auto action = all({.action = "staff."});
  ASSERT_EQ(action.size(), 1u);
  EXPECT_EQ(action[0].target, "id=s1");
  EXPECT_EQ(action[0].actor_kind, "admin");
}

TEST_P(AuditTest, KeysetPaginationWalksNewestFirstWithoutGapsOrRepeats) {
  for (int i = 0; i < 7; ++i)
    audit_->record_request(
        request("PATCH", "/api/v1/admin/products/p" + std::to_string(i), token("t")),
        "catalog:write", 200);
  std::vector<std::string> seen;
  AuditFilter f{.per_page = 3};
  for (int pages = 0; pages < 5; ++pages) {
    auto page = audit_->list(f);
    ASSERT_TRUE(page.ok()) << describe(page);
    for (const auto& e : page->items) seen.push_back(e.target);
    if (!page->next_after) break;
    f.after = page->next_after;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"id=p6", "id=p5", "id=p4", "id=p3", "id=p2", "id=p1",
                                            "id=p0"}));
}

TEST_P(AuditTest, AFailedWriteIsLoggedNotThrown) {
  ASSERT_TRUE(db_->query("DROP TABLE audit_log").ok());
  EXPECT_NO_THROW(audit_->record_request(request("GET", "/api/v1/admin/brands"), "x:read", 401));
  EXPECT_FALSE(audit_->list({}).ok());
}

}  // namespace
}  // namespace fff::staff
