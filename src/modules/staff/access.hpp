// modules/staff/access: the staff API's door as the app installs it — the policy decides, the
// audit log remembers.
#pragma once

#include "infra/http/staff_auth.hpp"
#include "modules/staff/audit.hpp"
#include "modules/staff/policy.hpp"

namespace fff::staff {

// Records: every request that is not GET/HEAD, every refused one (401/403), and reads of
// sensitive permissions (is_sensitive_read). Thread-safe. REQUIRES: `audit` outlives it.
class StaffGate : public http::StaffAccess {
 public:
  StaffGate(PolicySettings settings, AuditLog& audit) : settings_(settings), audit_(audit) {}

  Result<void> authorize(const http::Request& req, std::string_view permission) const override;
  void record(const http::Request& req, std::string_view permission,
              const http::Response& response) const override;

  const PolicySettings& settings() const { return settings_; }

 private:
  PolicySettings settings_;
  AuditLog& audit_;
};

// Whether an answered staff request belongs in the audit log.
bool worth_auditing(std::string_view method, std::string_view permission, int status);

}  // namespace fff::staff
