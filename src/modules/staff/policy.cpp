#include "modules/staff/policy.hpp"

#include <algorithm>

namespace fff::staff {
namespace {

template <size_t N>
bool contains(const std::string_view (&list)[N], std::string_view item) {
  return std::find(std::begin(list), std::end(list), item) != std::end(list);
}

struct Permission {
  std::string_view area;
  bool write = false;
  bool valid = false;
};

Permission split(std::string_view permission) {
  auto colon = permission.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view verb = permission.substr(colon + 1);
  if (verb != "read" && verb != "write") return {};
  return {permission.substr(0, colon), verb == "write", colon > 0};
}

// Does staff scope `scope` cover `p`?
bool staff_scope_covers(std::string_view scope, const Permission& p) {
  if (scope == "catalog") return p.area == "catalog" || p.area == "inventory" || p.area == "media";
  if (scope == "orders")
    return p.area == "orders" || p.area == "shipments" || p.area == "returns" ||
           p.area == "payments";
  if (scope == "support") return !p.write && (p.area == "customers" || p.area == "orders");
  return false;
}

bool token_scope_covers(std::string_view scope, const Permission& p) {
  if (scope == "*") return true;
  Permission held = split(scope);
  if (!held.valid || held.area != p.area) return false;
  return held.write || !p.write;  // write implies read
}

Error denied(std::string_view permission) {
  return Error::forbidden("permission_denied",
                          "this caller may not use " + std::string(permission));
}

}  // namespace

bool is_staff_scope(std::string_view scope) {
  return contains(kStaffScopes, scope);
}

bool is_token_scope(std::string_view scope) {
  if (scope == "*") return true;
  Permission p = split(scope);
  return p.valid && contains(kTokenAreas, p.area);
}

bool is_sensitive_read(std::string_view permission) {
  return permission == "customers:read" || permission == "audit:read";
}

Result<void> decide(const http::Principal* who, std::string_view permission,
                    const PolicySettings& settings) {
  if (!who) return Error::unauthenticated("not_signed_in", "sign in or send a bearer token");
  Permission p = split(permission);
  using Kind = http::Principal::Kind;
  if (who->kind == Kind::customer)
    return Error::forbidden("staff_only", "this is for staff accounts only");
  if (who->kind == Kind::api_token) {
    if (p.area == "me")
      return Error::forbidden("staff_account_only", "this is for a signed-in staff member");
    for (const auto& scope : who->scopes)
      if (p.valid && token_scope_covers(scope, p)) return {};
    return denied(permission);
  }
  // A staff account (admin or staff), by cookie or otherwise.
  if (settings.require_admin_totp && who->by_cookie && !who->second_factor && p.area != "me")
    return Error::forbidden("second_factor_required",
                            "confirm the sign-in with your authenticator app first");
  if (who->kind == Kind::admin) return {};
  if (!p.valid) return denied(permission);
  if (p.area == "me") return {};
  if (contains(kAdminAreas, p.area))
    return Error::forbidden("admin_only", std::string(permission) + " is for admins only");
  for (const auto& scope : who->scopes)
    if (staff_scope_covers(scope, p)) return {};
  return denied(permission);
}

}  // namespace fff::staff
