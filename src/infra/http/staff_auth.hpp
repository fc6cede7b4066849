// infra/http/staff_auth: who may call the staff (admin) API.
//
// Until accounts exist, staff prove themselves with one bearer token from configuration. Routes
// take a StaffGuard rather than the token so that roles can replace it later without touching
// the modules that register staff routes.
#pragma once

#include <functional>
#include <string>

#include "core/error.hpp"
#include "infra/http/message.hpp"
#include "infra/http/router.hpp"

namespace fff::http {

// Ok when the request may use the staff API. Errors: unauthenticated "staff_token_missing"
// (no "Authorization: Bearer …") and "staff_token_invalid" (a token that does not match).
using StaffGuard = std::function<Result<void>(const Request&)>;

// A guard accepting exactly `token`, compared in constant time. REQUIRES: token not empty.
StaffGuard bearer_token_guard(std::string token);

// Applies `guard`: the handler runs only when it passes; otherwise the problem response (401
// carries "WWW-Authenticate: Bearer").
Response guarded(const StaffGuard& guard, const Request& req,
                 const std::function<Response(const Request&)>& handler);

// Registers a staff route: `handler` behind `guard`.
void add_staff_route(Router& router, const StaffGuard& guard, std::string method,
                     std::string pattern, Handler handler, RouteOptions options = {});

}  // namespace fff::http
