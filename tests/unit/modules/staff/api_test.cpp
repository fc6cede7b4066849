// The staff routes' own logic, through the router with the real gate: staff management against an
// in-memory directory (the accounts module fills the real one), and the cookie session's second
// factor with its rotated session cookie — on every storage config.
#include "modules/staff/api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "core/id.hpp"
#include "fixture.hpp"
#include "modules/staff/access.hpp"
#include "modules/staff/totp.hpp"

namespace fff::staff {
namespace {

using testing::describe;
using Kind = http::Principal::Kind;

// What the accounts module will provide, kept in a map.
struct MemoryDirectory {
  std::map<std::string, StaffMember> members;
  StaffDirectory directory() {
    StaffDirectory d;
    d.create_staff = [this](const NewStaffMember& m) -> Result<StaffMember> {
      for (const auto& [id, existing] : members)
        if (existing.email == m.email) return Error::conflict("email_taken", "taken");
      StaffMember s{new_id(), m.email, m.name, m.role, m.scopes, "2026-11-26T05:00:00.000000Z"};
      members[s.id] = s;
      return s;
    };
    d.set_role = [this](const std::string& id, const std::string& role,
                        const std::vector<std::string>& scopes) -> Result<StaffMember> {
      auto& m = members.at(id);
      m.role = role;
      m.scopes = scopes;
      return m;
    };
    d.list = [this]() -> Result<std::vector<StaffMember>> {
      std::vector<StaffMember> out;
      for (const auto& [id, m] : members) out.push_back(m);
      return out;
    };
    d.find = [this](const std::string& id) -> Result<std::optional<StaffMember>> {
      auto it = members.find(id);
      if (it == members.end()) return std::optional<StaffMember>{};
      return std::optional<StaffMember>{it->second};
    };
    return d;
  }
};

class StaffApiTest : public testing::StaffStorageTest {
 protected:
  void SetUp() override {
    StaffStorageTest::SetUp();
    tokens_ = std::make_unique<TokenService>(*db_, clock_);
    audit_ = std::make_unique<AuditLog>(*db_, clock_);
    second_factor_ = std::make_unique<SecondFactorService>(*db_, clock_, *keys_, *kv_);
    gate_ = std::make_unique<StaffGate>(PolicySettings{}, *audit_);
  }

  void add_routes(bool with_directory, bool with_sessions) {
    StaffRoutes routes{*tokens_, *audit_, *second_factor_, *gate_, {}, {}};
    if (with_directory) routes.directory = directory_.directory();
    if (with_sessions)
      routes.confirm_second_factor = [this](const std::string& session) -> Result<std::string> {
        confirmed_sessions_.push_back(session);
        return std::string("rotated-session-token");
      };
    staff::add_routes(router_, std::move(routes));
  }

  static std::shared_ptr<const http::Principal> who(Kind kind, bool by_cookie = false,
                                                    std::vector<std::string> scopes = {}) {
    auto p = std::make_shared<http::Principal>();
    p->kind = kind;
    p->account_id = kind == Kind::api_token
                        ? "creator"
                        : "acc-" + std::string(kind == Kind::admin ? "admin" : "staff");
    p->token_id = kind == Kind::api_token ? "tok" : "";
    p->by_cookie = by_cookie;
    p->session_id = by_cookie ? "session-1" : "";
    p->scopes = std::move(scopes);
    return p;
  }

  http::Response call(std::string method, std::string target,
                      std::shared_ptr<const http::Principal> principal, std::string body = "",
                      bool secure = false) {
    http::Request req;
    req.method = std::move(method);
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    auto match = router_.match(req.method, req.path);
    EXPECT_EQ(match.outcome, http::RouteMatch::Outcome::found) << target;
    if (!match.route) return http::Response::text(404, "");
    req.route = match.route;
    req.path_params = match.params;
    req.principal = std::move(principal);
    req.client_address = "127.0.0.1";
    req.request_id = "r1";
    req.secure = secure;
    if (!body.empty()) {
      req.body = std::move(body);
      req.headers.set("Content-Type", "application/json");
    }
    return match.route->handler(req);
  }

  static boost::json::value json(const http::Response& r) { return boost::json::parse(r.body); }
  static std::string code(const http::Response& r) {
    return std::string(json(r).at("code").as_string());
  }
  static std::string field(const http::Response& r) {
    return std::string(json(r).at("errors").at(0).at("field").as_string());
  }

  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<SecondFactorService> second_factor_;
  std::unique_ptr<StaffGate> gate_;
  MemoryDirectory directory_;
  std::vector<std::string> confirmed_sessions_;
  http::Router router_;
};
INSTANTIATE_TEST_SUITE_P(, StaffApiTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(StaffApiTest, AdminCreatesListsAndChangesStaff) {
  add_routes(true, false);
  auto admin = who(Kind::admin);
  auto created = call("POST", "/api/v1/admin/staff", admin,
                      R"({"email":"ann@example.com","name":"Ann","password":"long enough pw",)"
                      R"("role":"staff","scopes":["catalog","support"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(json(created).at("id").as_string());
  EXPECT_EQ(json(created).at("scopes").as_array().size(), 2u);
  auto listed = call("GET", "/api/v1/admin/staff", admin);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(json(listed).at("items").as_array().size(), 1u);
  auto changed = call("PATCH", "/api/v1/admin/staff/" + id, admin, R"({"scopes":["orders"]})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(directory_.members.at(id).scopes, std::vector<std::string>{"orders"});
  EXPECT_EQ(directory_.members.at(id).role, "staff");
  auto promoted = call("PATCH", "/api/v1/admin/staff/" + id, admin, R"({"role":"admin"})");
  ASSERT_EQ(promoted.status, 200);
  EXPECT_EQ(directory_.members.at(id).role, "admin");
  EXPECT_TRUE(directory_.members.at(id).scopes.empty());
  // Every change is audited; the password is not.
  auto audited = audit_->list({.action = "/api/v1/admin/staff"});
  ASSERT_TRUE(audited.ok());
  EXPECT_EQ(audited->items.size(), 3u);
  auto all = db_->query("SELECT * FROM audit_log");
  ASSERT_TRUE(all.ok());
  for (const auto& row : all->rows)
    for (size_t i = 0; i < row.size(); ++i)
      if (auto* t = std::get_if<std::string>(&row[i])) {
        EXPECT_EQ(t->find("long enough"), std::string::npos);
      }
}

TEST_P(StaffApiTest, BadRoleOrScopeIsUnprocessableNamingTheField) {
  add_routes(true, false);
  auto admin = who(Kind::admin);
  struct Case {
    std::string body, code, field;
  };
  for (const auto& c : std::vector<Case>{
           {R"({"email":"a@x.io","name":"A","password":"pw","role":"owner"})", "unknown_role",
            "role"},
           {R"({"email":"a@x.io","name":"A","password":"pw","scopes":["catalog","marketing"]})",
            "unknown_scope", "scopes[1]"},
           {R"({"email":"nope","name":"A","password":"pw"})", "invalid_email", "email"},
           {R"({"email":"a@x.io","name":"","password":"pw"})", "name_required", "name"},
           {R"({"email":"a@x.io","name":")" + std::string(201, 'n') + R"(","password":"pw"})",
            "name_too_long", "name"},
           {R"({"email":"a@x.io","name":"A"})", "password_required", "password"},
           {R"({"email":"a@x.io","name":"A","password":"pw","scopes":"catalog"})", "invalid_type",
            "scopes"},
       }) {
    auto r = call("POST", "/api/v1/admin/staff", admin, c.body);
    EXPECT_EQ(r.status, 422) << c.body;
    EXPECT_EQ(code(r), c.code) << c.body;
    EXPECT_EQ(field(r), c.field) << c.body;
  }
  EXPECT_TRUE(directory_.members.empty());
  auto created = call("POST", "/api/v1/admin/staff", admin,
                      R"({"email":"a@x.io","name":"A","password":"pw"})");
  ASSERT_EQ(created.status, 201);
  std::string id(json(created).at("id").as_string());
  auto bad = call("PATCH", "/api/v1/admin/staff/" + id, admin, R"({"role":"root"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(field(bad), "role");
  EXPECT_EQ(directory_.members.at(id).role, "staff");
  auto missing = call("PATCH", "/api/v1/admin/staff/" + new_id(), admin, R"({"role":"admin"})");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(code(missing), "staff_not_found");
}

TEST_P(StaffApiTest, OnlyAdminsManageStaff) {
  add_routes(true, false);
  auto r = call("POST", "/api/v1/admin/staff", who(Kind::staff, false, {"catalog", "orders"}),
                R"({"email":"a@x.io","name":"A","password":"pw","role":"admin"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(code(r), "admin_only");
  EXPECT_TRUE(directory_.members.empty());
  auto denied = audit_->list({.outcome = "denied"});
  ASSERT_TRUE(denied.ok());
  ASSERT_EQ(denied->items.size(), 1u);
  EXPECT_EQ(denied->items[0].actor_id, "acc-staff");
}

TEST_P(StaffApiTest, WithoutADirectoryStaffRoutesAreUnavailable) {
  add_routes(false, false);
  auto r = call("GET", "/api/v1/admin/staff", who(Kind::admin));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(code(r), "staff_directory_unavailable");
}

TEST_P(StaffApiTest, StaffMemberEnrolsConfirmsAndPassesTheSecondFactor) {
  add_routes(true, true);
  auto me = who(Kind::staff, true, {"catalog"});
  auto started = call("POST", "/api/v1/admin/me/totp", me);
  ASSERT_EQ(started.status, 201) << started.body;
  std::string uri(json(started).at("otpauth_uri").as_string());
  EXPECT_EQ(uri.rfind("otpauth://totp/FFF:acc-staff?secret=", 0), 0u) << uri;
  std::string secret_text(json(started).at("secret").as_string());
  // Decode the base32 secret the way an authenticator app would.
  std::string secret;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : secret_text) {
    buffer = (buffer << 5) | static_cast<uint32_t>(c >= 'A' ? c - 'A' : c - '2' + 26);
    if ((bits += 5) >= 8) secret.push_back(static_cast<char>((buffer >> (bits -= 8)) & 0xff));
  }
  auto step = [&] {
    return totp::step_at(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count());
  };
  auto confirmed = call("POST", "/api/v1/admin/me/totp/confirm", me,
                        R"({"code":")" + totp::hotp(secret, step()) + R"("})");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(json(confirmed).at("recovery_codes").as_array().size(), 10u);
  std::string recovery(json(confirmed).at("recovery_codes").at(0).as_string());

  clock_.advance(std::chrono::seconds(30));
  auto wrong = call("POST", "/api/v1/auth/second-factor", me, R"({"code":"000000"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(code(wrong), "second_factor_invalid");
  EXPECT_TRUE(confirmed_sessions_.empty());

  auto passed = call("POST", "/api/v1/auth/second-factor", me,
                     R"({"code":")" + totp::hotp(secret, step()) + R"("})", true);
  ASSERT_EQ(passed.status, 200) << passed.body;
  EXPECT_EQ(confirmed_sessions_, std::vector<std::string>{"session-1"});
  EXPECT_EQ(passed.headers.get("Set-Cookie").value_or(""),
            "fff_session=rotated-session-token; HttpOnly; SameSite=Lax; Path=/; Secure");

  auto by_recovery =
      call("POST", "/api/v1/auth/second-factor", me, R"({"recovery_code":")" + recovery + R"("})");
  ASSERT_EQ(by_recovery.status, 200) << by_recovery.body;
  EXPECT_EQ(by_recovery.headers.get("Set-Cookie").value_or(""),
            "fff_session=rotated-session-token; HttpOnly; SameSite=Lax; Path=/");
  auto reused =
      call("POST", "/api/v1/auth/second-factor", me, R"({"recovery_code":")" + recovery + R"("})");
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(confirmed_sessions_.size(), 2u);

  auto audited = audit_->list({.action = "second-factor"});
  ASSERT_TRUE(audited.ok());
  EXPECT_EQ(audited->items.size(), 4u);
}

TEST_P(StaffApiTest, SecondFactorRouteIsForStaffCookieSessionsOnly) {
  add_routes(true, true);
  for (const auto& p : {std::shared_ptr<const http::Principal>{}, who(Kind::customer, true),
                        who(Kind::admin, false), who(Kind::api_token)}) {
    auto r = call("POST", "/api/v1/auth/second-factor", p, R"({"code":"123456"})");
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(code(r), "not_signed_in");
  }
  auto not_enrolled =
      call("POST", "/api/v1/auth/second-factor", who(Kind::admin, true), R"({"code":"123456"})");
  EXPECT_EQ(not_enrolled.status, 409);
  EXPECT_EQ(code(not_enrolled), "second_factor_not_enabled");
  EXPECT_TRUE(confirmed_sessions_.empty());
}

TEST_P(StaffApiTest, WrongCodesAreRateLimitedWithRetryAfter) {
  add_routes(true, true);
  auto me = who(Kind::admin, true);
  ASSERT_EQ(call("POST", "/api/v1/admin/me/totp", me).status, 201);
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(call("POST", "/api/v1/admin/me/totp/confirm", me, R"({"code":"000000"})").status,
              422);
  auto blocked = call("POST", "/api/v1/admin/me/totp/confirm", me, R"({"code":"000000"})");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(code(blocked), "too_many_attempts");
  EXPECT_TRUE(blocked.headers.get("Retry-After").has_value());
}

TEST_P(StaffApiTest, MissingCodeNamesTheField) {
  add_routes(true, true);
  auto r = call("POST", "/api/v1/admin/me/totp/confirm", who(Kind::admin, true), R"({})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(field(r), "code");
}

TEST_P(StaffApiTest, AuditFiltersAreValidated) {
  add_routes(false, false);
  auto admin = who(Kind::admin);
  for (const char* bad : {"from=yesterday", "to=2026-02-30T00:00:00Z", "outcome=meh", "per_page=0",
                          "per_page=x", "after=1"}) {
    auto r = call("GET", std::string("/api/v1/admin/audit?") + bad, admin);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(code(r), "invalid_parameter");
    std::string name(bad, std::string_view(bad).find('='));
    EXPECT_EQ(field(r), name);
  }
  EXPECT_EQ(call("GET", "/api/v1/admin/audit?per_page=200", admin).status, 200);
}

}  // namespace
}  // namespace fff::staff
