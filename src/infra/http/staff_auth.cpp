#include "infra/http/staff_auth.hpp"

#include "infra/http/problem.hpp"

namespace fff::http {
namespace {

// Time depends on the lengths only, never on where the first difference is.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  std::string_view shorter = a.size() <= b.size() ? a : b;
  std::string_view longer = a.size() <= b.size() ? b : a;
  for (size_t i = 0; i < longer.size(); ++i)
    diff |= static_cast<unsigned char>(longer[i]) ^
            static_cast<unsigned char>(i < shorter.size() ? shorter[i] : 0);
  return diff == 0;
}

}  // namespace

StaffGuard bearer_token_guard(std::string token) {
  return [token = std::move(token)](const Request& req) -> Result<void> {
    auto header = req.headers.get("Authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (!header || header->size() <= kScheme.size() ||
        !iequals(header->substr(0, kScheme.size()), kScheme))
      return Error::unauthenticated(
          "staff_token_missing", "the staff API needs an 'Authorization: Bearer <token>' header");
    if (!same_secret(header->substr(kScheme.size()), token))
      return Error::unauthenticated("staff_token_invalid", "the staff token is not valid");
    return {};
  };
}

Response guarded(const StaffGuard& guard, const Request& req,
                 const std::function<Response(const Request&)>& handler) {
  if (auto allowed = guard(req); !allowed) {
    Response r = problem(allowed.error(), req.request_id);
    if (r.status == 401) r.headers.set("WWW-Authenticate", "Bearer realm=\"fff-staff\"");
    return r;
  }
  return handler(req);
}

void add_staff_route(Router& router, const StaffGuard& guard, std::string method,
                     std::string pattern, Handler handler, RouteOptions options) {
  router.add(
      std::move(method), std::move(pattern),
      [guard, handler = std::move(handler)](const Request& req) {
        return guarded(guard, req, handler);
      },
      options);
}

}  // namespace fff::http
