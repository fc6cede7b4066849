#include "modules/staff/access.hpp"

namespace fff::staff {

bool worth_auditing(std::string_view method, std::string_view permission, int status) {
  bool reads = method == "GET" || method == "HEAD";
  return !reads || status == 401 || status == 403 || is_sensitive_read(permission);
}

Result<void> StaffGate::authorize(const http::Request& req, std::string_view permission) const {
  return decide(req.principal.get(), permission, settings_);
}

void StaffGate::record(const http::Request& req, std::string_view permission,
                       const http::Response& response) const {
  if (worth_auditing(req.method, permission, response.status))
    audit_.record_request(req, permission, response.status);
}

}  // namespace fff::staff
