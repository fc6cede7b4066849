// modules/accounts/api: the JSON routes under /api/v1/auth and /api/v1/me, and the middleware
// that turns the fff_session cookie into the request's Principal.
#pragma once

#include <string>
#include <string_view>

#include "infra/http/pipeline.hpp"
#include "infra/http/router.hpp"
#include "modules/accounts/service.hpp"

namespace fff::accounts {

inline constexpr const char* kSessionCookie = "fff_session";

// Sets request.principal from a valid fff_session cookie; leaves the request anonymous for a
// missing, unknown or expired one (and then clears the cookie on /api/v1/auth and /api/v1/me
// responses). Requests with "Authorization: Bearer" are left to the staff module. A storage
// failure answers 503. REQUIRES: `service` outlives the pipeline.
http::Middleware authenticate(AccountService& service);

// "fff_session=…; Path=/; Max-Age=…; HttpOnly; SameSite=Lax" (+ "; Secure" when `secure`).
std::string session_cookie(std::string_view token, int64_t max_age_seconds, bool secure);
// The same cookie, emptied and expired.
std::string cleared_session_cookie(bool secure);

void add_routes(http::Router& router, AccountService& service);

}  // namespace fff::accounts
