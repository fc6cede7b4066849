// infra/http/perimeter: what a web application firewall would do for the shop, as middleware.
//
// - forwarded(): who the client is when nginx (or another trusted proxy) stands in front.
// - rate_limit(): a global budget of requests per client address, and a tighter one on the
//   endpoints attackers hammer (sign-in, sign-up, password reset, tokens), counted in the shared
//   key-value store so that every node of a shop agrees.
// - csrf(): browsers' cookie sessions must prove that an unsafe request came from our own pages;
//   unsafe requests from another site's pages are refused outright.
// The order the app installs them in matters; see App::create.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "infra/http/pipeline.hpp"

namespace fff::kv {
class KeyValueStore;
}

namespace fff::http {

// With a trusted proxy as the peer, the client is the last X-Forwarded-For hop that is not
// itself a trusted proxy, and `secure` follows X-Forwarded-Proto; otherwise the peer is the
// client and X-Forwarded-* are ignored (anyone can send them). Proxies are exact addresses.
Middleware forwarded(std::vector<std::string> trusted_proxies);

struct RateLimits {
  // Requests per client address per minute on every route; 0 turns the limit off.
  int global_per_minute = 3000;
  // Requests per client address, and per signed-in account, per minute on sensitive routes:
  // unsafe requests to a route whose pattern starts with one of `sensitive_routes`; 0 turns it
  // off.
  int sensitive_per_minute = 20;
  // The storefront's account forms that take a password or a mailed token are as sensitive as
  // their API twins; editing an address is not.
  std::vector<std::string> sensitive_routes = {
      "/api/v1/auth/",           "/api/v1/admin/tokens",
      "/api/v1/admin/me/totp",   "/account/signin",
      "/account/signup",         "/account/forgot",
      "/account/reset",          "/account/verify",
      "/account/unlock",         "/account/profile/password",
      "/account/profile/email",  "/admin/signin",
      "/admin/account/password", "/admin/account/totp"};
};

// Answers 429 `rate_limited` with Retry-After once a budget is spent. When the shared store
// cannot be reached the request goes through (a logged warning): an unreachable Redis must not
// take the shop down, and /readyz reports it.
Middleware rate_limit(kv::KeyValueStore& store, RateLimits limits);

// The CSRF token of a session: an HMAC of the session cookie's value under the shop's secret,
// so that no state is kept and every node computes the same one.
class CsrfTokens {
 public:
  // REQUIRES: secret.size() >= 32.
  explicit CsrfTokens(std::string secret);
  std::string token_for(std::string_view session_cookie) const;
  bool matches(std::string_view session_cookie, std::string_view token) const;

 private:
  std::string key_;  // 32 bytes derived from the secret
};

// For unsafe methods (anything but GET, HEAD, OPTIONS):
// - a request whose Origin (or, without one, Sec-Fetch-Site) says another site made it gets
//   403 `cross_origin_refused`;
// - a request authenticated by the `session_cookie` cookie (principal->by_cookie) must carry the
//   session's token in X-CSRF-Token or, for a form post, the `_csrf` field: 403
//   `csrf_token_missing` / `csrf_token_invalid` otherwise.
// Every response that sets a new session cookie carries that session's token in X-CSRF-Token.
// Install after the authentication middleware.
Middleware csrf(std::shared_ptr<const CsrfTokens> tokens, std::string session_cookie);

// `GET /api/v1/auth/csrf`: the current session's token (401 `not_signed_in` without a session).
void add_csrf_route(Router& router, std::shared_ptr<const CsrfTokens> tokens,
                    std::string session_cookie);

}  // namespace fff::http
