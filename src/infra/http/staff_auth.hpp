// infra/http/staff_auth: the staff (admin) API's door.
//
// Modules register staff routes through add_staff_route() naming the area they belong to
// ("catalog", "inventory", "media"); the route's permission is "<area>:read" for GET and HEAD and
// "<area>:write" for everything else. Whether a caller holds a permission, and what is written to
// the audit log afterwards, is decided by one StaffAccess implementation that the app provides
// (the staff module's policy), so modules never look at roles, scopes or tokens themselves.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "infra/http/message.hpp"
#include "infra/http/router.hpp"

namespace fff::http {

// Thread-safety: both calls run concurrently on handler threads.
class StaffAccess {
 public:
  virtual ~StaffAccess() = default;
  // Ok when the request's caller may use `permission` ("catalog:write"). Errors are
  // unauthenticated (no or a bad credential) or forbidden (known, but not allowed).
  virtual Result<void> authorize(const Request& req, std::string_view permission) const = 0;
  // Called once a staff request is answered, refused ones included, so that every staff action
  // lands in the audit log with its outcome.
  virtual void record(const Request& req, std::string_view permission,
                      const Response& response) const = 0;
};

// "catalog" + GET → "catalog:read"; any other method → "catalog:write".
std::string permission_for(std::string_view area, std::string_view method);

// Runs `handler` when `access` allows `permission`, else answers the problem (a 401 carries
// "WWW-Authenticate: Bearer"); records the outcome either way.
Response guarded(const StaffAccess& access, std::string_view permission, const Request& req,
                 const std::function<Response(const Request&)>& handler);

// Registers a staff route of `area` behind `access`. REQUIRES: `access` outlives the router.
void add_staff_route(Router& router, const StaffAccess& access, std::string_view area,
                     std::string method, std::string pattern, Handler handler,
                     RouteOptions options = {});

}  // namespace fff::http
