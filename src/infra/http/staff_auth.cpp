#include "infra/http/staff_auth.hpp"

#include "infra/http/problem.hpp"

namespace fff::http {

std::string permission_for(std::string_view area, std::string_view method) {
  bool reads = method == "GET" || method == "HEAD";
  return std::string(area) + (reads ? ":read" : ":write");
}

Response guarded(const StaffAccess& access, std::string_view permission, const Request& req,
                 const std::function<Response(const Request&)>& handler) {
  Response response;
  if (auto allowed = access.authorize(req, permission); !allowed) {
    response = problem(allowed.error(), req.request_id);
    if (response.status == 401)
      response.headers.set("WWW-Authenticate", "Bearer realm=\"fff-staff\"");
  } else {
    response = handler(req);
  }
  access.record(req, permission, response);
  return response;
}

void add_staff_route(Router& router, const StaffAccess& access, std::string_view area,
                     std::string method, std::string pattern, Handler handler,
                     RouteOptions options) {
  std::string permission = permission_for(area, method);
  router.add(
      std::move(method), std::move(pattern),
      [&access, permission, handler = std::move(handler)](const Request& req) {
        return guarded(access, permission, req, handler);
      },
      options);
}

}  // namespace fff::http
