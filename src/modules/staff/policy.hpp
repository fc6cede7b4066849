// modules/staff: who may do what on the staff side — the permission policy, scoped API tokens,
// the audit log and staff two-factor (TOTP). Staff accounts themselves are the accounts module's;
// this module reaches them only through StaffDirectory (api.hpp) and callbacks the app fills.
//
// policy: the one place that decides whether a caller may use a permission. A permission is
// "<area>:read" or "<area>:write". Areas and who holds them:
//
//   | area                                  | admin | staff scope           | API token scope |
//   |---------------------------------------|-------|-----------------------|----------------------|
//   | catalog, inventory, media             | yes   | catalog (read, write) | <area>:read / :write
//   | | orders, shipments, returns, payments  | yes   | orders (read, write)  | <area>:read /
//   :write | | orders:read, customers:read           | yes   | support (read only)   | <area>:read
//   / :write | | tokens, staff, audit, settings        | yes   | never (admin only)    | only "*" |
//   | me (one's own two-factor)             | yes   | yes (any scopes)      | never |
//
// A token scope "<area>:write" implies "<area>:read"; "*" is everything. A customer is never
// staff (403 staff_only); no caller at all is 401 not_signed_in. With require_admin_totp, an admin
// or staff member signed in by cookie who has not passed the second factor gets 403
// second_factor_required for everything but the "me" area (where they enrol); API tokens are
// exempt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "infra/http/principal.hpp"

namespace fff::staff {

struct PolicySettings {
  bool require_admin_totp = false;
};

// Staff scopes an account may carry.
inline constexpr std::string_view kStaffScopes[] = {"catalog", "orders", "support"};
// Areas a token may be scoped to (":read" or ":write"), besides "*".
inline constexpr std::string_view kTokenAreas[] = {
    "catalog", "inventory", "media", "orders", "shipments", "returns", "payments", "customers"};
// Areas only an admin (or a "*" token) may use.
inline constexpr std::string_view kAdminAreas[] = {"tokens", "staff", "audit", "settings"};

bool is_staff_scope(std::string_view scope);
// "catalog:write", "orders:read", or "*".
bool is_token_scope(std::string_view scope);

// Ok when `who` (null: anonymous) may use `permission`. Errors: unauthenticated "not_signed_in";
// forbidden "staff_only" (a customer), "admin_only", "permission_denied",
// "second_factor_required", "staff_account_only" (an API token on a personal route).
Result<void> decide(const http::Principal* who, std::string_view permission,
                    const PolicySettings& settings);

// Permissions whose reads are audited too: reading them is itself worth a trace.
bool is_sensitive_read(std::string_view permission);

}  // namespace fff::staff
