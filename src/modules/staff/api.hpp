// modules/staff/api: the staff module's routes.
//
//   GET/POST /api/v1/admin/tokens, DELETE /api/v1/admin/tokens/{id}    (admin: tokens:*)
//   GET /api/v1/admin/audit                                              (admin: audit:read)
//   GET/POST /api/v1/admin/staff, PATCH /api/v1/admin/staff/{id}         (admin: staff:*)
//   POST/DELETE /api/v1/admin/me/totp, POST /api/v1/admin/me/totp/confirm (a staff member: me:*)
//   POST /api/v1/auth/second-factor                     (a staff member's cookie session)
//
// Staff accounts live in the accounts module; the routes reach them through StaffDirectory and
// ConfirmSecondFactor, which the composition root fills. While they are unset, the staff routes
// answer 503 staff_directory_unavailable and the second-factor route 503
// second_factor_unavailable.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/staff/audit.hpp"
#include "modules/staff/second_factor.hpp"
#include "modules/staff/tokens.hpp"

namespace fff::staff {

inline constexpr std::string_view kRoles[] = {"staff", "admin"};
inline constexpr size_t kMaxStaffNameChars = 200;
inline constexpr size_t kMaxEmailChars = 254;

struct StaffMember {
  std::string id;
  std::string email;
  std::string name;
  std::string role;                 // staff or admin
  std::vector<std::string> scopes;  // catalog, orders, support (empty for an admin)
  std::string created_at;
};

struct NewStaffMember {
  std::string email;
  std::string name;
  std::string password;
  std::string role;
  std::vector<std::string> scopes;
};

// What the staff routes need from the accounts module. The routes validate role and scopes
// before calling; the accounts module validates email and password (and answers conflict for a
// taken email). find() answers nullopt for an id that is not a staff account.
struct StaffDirectory {
  std::function<Result<StaffMember>(const NewStaffMember&)> create_staff;
  std::function<Result<StaffMember>(const std::string& id, const std::string& role,
                                    const std::vector<std::string>& scopes)>
      set_role;
  std::function<Result<std::vector<StaffMember>>()> list;
  std::function<Result<std::optional<StaffMember>>(const std::string& id)> find;

  bool available() const { return create_staff && set_role && list && find; }
};

// Marks the cookie session `session_id` as having passed the second factor and rotates its
// token; returns the new session token (the accounts module implements it).
using ConfirmSecondFactor = std::function<Result<std::string>(const std::string& session_id)>;

inline constexpr const char* kSessionCookie = "fff_session";

struct StaffRoutes {
  TokenService& tokens;
  AuditLog& audit;
  SecondFactorService& second_factor;
  const http::StaffAccess& access;
  StaffDirectory directory;                   // may be left empty
  ConfirmSecondFactor confirm_second_factor;  // may be left empty
};

// Registers every route above. REQUIRES: the services and `access` outlive the router.
void add_routes(http::Router& router, StaffRoutes routes);

}  // namespace fff::staff
