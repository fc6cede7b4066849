// infra/http/principal: who is making a request, as authentication found it.
//
// The authentication middleware (installed by the app) turns a session cookie or a bearer token
// into a Principal and hangs it on the Request; handlers and the access policy read it and never
// look at cookies or tokens themselves. A request without one is anonymous.
#pragma once

#include <string>
#include <vector>

namespace fff::http {

struct Principal {
  enum class Kind {
    customer,   // a shopper's account
    staff,      // a staff account, limited to its scopes
    admin,      // a staff account that may do everything
    api_token,  // a bearer token staff created, limited to its scopes
  };
  Kind kind = Kind::customer;
  std::string account_id;  // accounts.id (for an API token: the staff account that made it)
  std::string session_id;  // sessions.id when authenticated by cookie, else empty
  std::string token_id;    // the API token's id when kind == api_token, else empty
  // Staff scopes ("catalog", "orders", "support") or a token's scopes ("catalog:write").
  std::vector<std::string> scopes;
  // True for a browser session (cookie): unsafe requests must carry the CSRF token.
  bool by_cookie = false;
  // True once this session passed the second factor (TOTP or a recovery code).
  bool second_factor = false;

  bool is_staff() const { return kind == Kind::staff || kind == Kind::admin; }
};

}  // namespace fff::http
