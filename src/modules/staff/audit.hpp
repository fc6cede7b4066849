// modules/staff/audit: the audit log — one row per staff action, refused ones included, that
// admins read and filter. Writing never fails the action it records: a failed write is logged
// as a warning instead.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "infra/http/message.hpp"
#include "modules/staff/model.hpp"
#include "modules/staff/store.hpp"

namespace fff::staff {

inline constexpr int kMaxAuditPage = 200;

// Who did something, as the audit log names them.
struct Actor {
  std::string kind;  // anonymous, customer, staff, admin, api_token, system
  std::string id;    // account id, token id, or "anonymous"
};
Actor actor_of(const http::Principal* who);

// "ok" below 400, "denied" for 401 and 403, "failed" otherwise.
std::string_view outcome_of(int status);

// Thread-safety: every member may run concurrently.
class AuditLog {
 public:
  AuditLog(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  // Records an answered request: its caller, method and route pattern, path parameters, client
  // address, status and request id. Never its body, headers or query.
  void record_request(const http::Request& req, std::string_view permission, int status);
  // For actions that are not a staff route of their own (another module's staff management, a
  // CLI command): `action` says what ("staff.role_changed"), `target` what it was done to.
  void record_action(const Actor& actor, std::string_view action, std::string_view permission,
                     std::string_view target, int status, std::string_view client_ip = "",
                     std::string_view request_id = "");
  // REQUIRES: filter.per_page in [1, kMaxAuditPage]; from/to canonical ISO 8601.
  Result<AuditPage> list(const AuditFilter& filter);

 private:
  void write(AuditEntry entry);
  StaffStore store_;
  const Clock& clock_;
};

}  // namespace fff::staff
