// The policy table: every kind of caller against every family of permission.
#include "modules/staff/policy.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace fff::staff {
namespace {

using Kind = http::Principal::Kind;

http::Principal make(Kind kind, std::vector<std::string> scopes = {}, bool by_cookie = false,
                     bool second_factor = false) {
  http::Principal p;
  p.kind = kind;
  p.account_id = "acc";
  p.token_id = kind == Kind::api_token ? "tok" : "";
  p.scopes = std::move(scopes);
  p.by_cookie = by_cookie;
  p.session_id = by_cookie ? "sess" : "";
  p.second_factor = second_factor;
  return p;
}

// The error code, or "ok".
std::string decide_code(const std::optional<http::Principal>& who, std::string_view permission,
                        PolicySettings settings = {}) {
  auto r = decide(who ? &*who : nullptr, permission, settings);
  return r.ok() ? "ok" : r.error().code;
}

const char* kEveryPermission[] = {
    "catalog:read",   "catalog:write",  "inventory:read", "inventory:write", "media:read",
    "media:write",    "orders:read",    "orders:write",   "shipments:read",  "shipments:write",
    "returns:write",  "payments:write", "customers:read", "customers:write", "tokens:read",
    "tokens:write",   "staff:read",     "staff:write",    "audit:read",      "settings:read",
    "settings:write", "me:write"};

TEST(Policy, NobodyIsNotSignedIn) {
  for (const char* p : kEveryPermission) EXPECT_EQ(decide_code(std::nullopt, p), "not_signed_in");
  auto r = decide(nullptr, "catalog:read", {});
  EXPECT_EQ(r.error().kind, ErrorKind::unauthenticated);
}

TEST(Policy, CustomerIsNeverStaff) {
  for (const char* p : kEveryPermission)
    EXPECT_EQ(decide_code(make(Kind::customer), p), "staff_only") << p;
  auto customer = make(Kind::customer);
  EXPECT_EQ(decide(&customer, "catalog:read", {}).error().kind, ErrorKind::forbidden);
}

TEST(Policy, AdminMayDoEverything) {
  for (const char* p : kEveryPermission) EXPECT_EQ(decide_code(make(Kind::admin), p), "ok") << p;
}

TEST(Policy, StaffCatalogScopeCoversCatalogInventoryAndMedia) {
  auto who = make(Kind::staff, {"catalog"});
  for (const char* p : {"catalog:read", "catalog:write", "inventory:read", "inventory:write",
                        "media:read", "media:write"})
    EXPECT_EQ(decide_code(who, p), "ok") << p;
  for (const char* p : {"orders:read", "shipments:write", "customers:read", "payments:read"})
    EXPECT_EQ(decide_code(who, p), "permission_denied") << p;
}

TEST(Policy, StaffOrdersScopeCoversOrdersShipmentsReturnsPayments) {
  auto who = make(Kind::staff, {"orders"});
  for (const char* p : {"orders:read", "orders:write", "shipments:read", "shipments:write",
                        "returns:write", "payments:write"})
    EXPECT_EQ(decide_code(who, p), "ok") << p;
  for (const char* p : {"catalog:read", "customers:read", "inventory:write"})
    EXPECT_EQ(decide_code(who, p), "permission_denied") << p;
}

TEST(Policy, StaffSupportScopeReadsCustomersAndOrdersOnly) {
  auto who = make(Kind::staff, {"support"});
  EXPECT_EQ(decide_code(who, "customers:read"), "ok");
  EXPECT_EQ(decide_code(who, "orders:read"), "ok");
  for (const char* p : {"customers:write", "orders:write", "shipments:read", "catalog:read"})
    EXPECT_EQ(decide_code(who, p), "permission_denied") << p;
}

TEST(Policy, StaffNeverHoldsAdminOnlyPermissions) {
  auto who = make(Kind::staff, {"catalog", "orders", "support"});
  for (const char* p : {"tokens:read", "tokens:write", "staff:read", "staff:write", "audit:read",
                        "settings:read", "settings:write"})
    EXPECT_EQ(decide_code(who, p), "admin_only") << p;
}

TEST(Policy, StaffWithoutScopesMayOnlyManageThemselves) {
  auto who = make(Kind::staff);
  EXPECT_EQ(decide_code(who, "catalog:read"), "permission_denied");
  EXPECT_EQ(decide_code(who, "me:write"), "ok");
}

TEST(Policy, TokenWriteScopeImpliesReadOfTheSameAreaOnly) {
  auto who = make(Kind::api_token, {"catalog:write"});
  EXPECT_EQ(decide_code(who, "catalog:read"), "ok");
  EXPECT_EQ(decide_code(who, "catalog:write"), "ok");
  EXPECT_EQ(decide_code(who, "inventory:read"), "permission_denied");
  EXPECT_EQ(decide_code(who, "tokens:read"), "permission_denied");
  EXPECT_EQ(decide_code(who, "audit:read"), "permission_denied");
}

TEST(Policy, TokenReadScopeCannotWrite) {
  auto who = make(Kind::api_token, {"catalog:read", "orders:read"});
  EXPECT_EQ(decide_code(who, "catalog:read"), "ok");
  EXPECT_EQ(decide_code(who, "orders:read"), "ok");
  EXPECT_EQ(decide_code(who, "catalog:write"), "permission_denied");
}

TEST(Policy, StarTokenIsAdminEquivalentButHasNoAccountOfItsOwn) {
  auto who = make(Kind::api_token, {"*"});
  for (const char* p : kEveryPermission)
    if (std::string_view(p) != "me:write") {
      EXPECT_EQ(decide_code(who, p), "ok") << p;
    }
  EXPECT_EQ(decide_code(who, "me:write"), "staff_account_only");
}

TEST(Policy, SecondFactorRequiredForCookieStaffWhenSettingIsOn) {
  PolicySettings on{.require_admin_totp = true};
  auto admin = make(Kind::admin, {}, true, false);
  auto staff = make(Kind::staff, {"catalog"}, true, false);
  EXPECT_EQ(decide_code(admin, "catalog:read", on), "second_factor_required");
  EXPECT_EQ(decide_code(staff, "catalog:write", on), "second_factor_required");
  EXPECT_EQ(decide(&admin, "catalog:read", on).error().kind, ErrorKind::forbidden);
  // Enrolling is how one gets a second factor: the "me" area stays open.
  EXPECT_EQ(decide_code(admin, "me:write", on), "ok");
  // Passed, setting off, or a token: no second factor needed.
  EXPECT_EQ(decide_code(make(Kind::admin, {}, true, true), "tokens:write", on), "ok");
  EXPECT_EQ(decide_code(admin, "catalog:read", {}), "ok");
  EXPECT_EQ(decide_code(make(Kind::api_token, {"*"}), "tokens:write", on), "ok");
  // A customer is still a customer.
  EXPECT_EQ(decide_code(make(Kind::customer, {}, true), "catalog:read", on), "staff_only");
}

TEST(Policy, MalformedPermissionIsDeniedExceptToAdmins) {
  EXPECT_EQ(decide_code(make(Kind::staff, {"catalog"}), "catalog"), "permission_denied");
  EXPECT_EQ(decide_code(make(Kind::api_token, {"catalog:write"}), "catalog:delete"),
            "permission_denied");
}

TEST(Policy, KnownScopes) {
  EXPECT_TRUE(is_token_scope("*"));
  EXPECT_TRUE(is_token_scope("catalog:write"));
  EXPECT_TRUE(is_token_scope("customers:read"));
  EXPECT_FALSE(is_token_scope("tokens:write"));  // admin-only areas come only with "*"
  EXPECT_FALSE(is_token_scope("catalog"));
  EXPECT_FALSE(is_token_scope("catalog:delete"));
  EXPECT_FALSE(is_token_scope(""));
  EXPECT_TRUE(is_staff_scope("support"));
  EXPECT_FALSE(is_staff_scope("admin"));
}

}  // namespace
}  // namespace fff::staff
