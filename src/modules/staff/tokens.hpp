// modules/staff/tokens: scoped bearer tokens for API clients — made by admins, shown once, kept
// only as a SHA-256, revocable, optionally expiring, with their last use recorded — and the
// bearer authentication middleware that turns "Authorization: Bearer …" into a Principal.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "infra/http/pipeline.hpp"
#include "infra/http/principal.hpp"
#include "modules/staff/model.hpp"
#include "modules/staff/store.hpp"

namespace fff::staff {

inline constexpr std::string_view kTokenPrefix = "fff_at_";
inline constexpr size_t kMaxTokenNameChars = 100;
// The bootstrap token's name: the configured admin token, an API token with scope "*".
inline constexpr std::string_view kBootstrapTokenName = "bootstrap admin";

// Thread-safety: every member may run concurrently.
class TokenService {
 public:
  TokenService(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  // Makes a token "fff_at_" + base64url(32 random bytes). Errors (422, naming the field):
  // name_required, name_too_long (over kMaxTokenNameChars), scopes_required, unknown_scope,
  // invalid_expires_at (not ISO 8601, or not in the future).
  Result<IssuedToken> create(const NewApiToken& request);
  // Every token, newest first, revoked ones included.
  Result<std::vector<ApiToken>> list();
  // Error: not_found token_not_found. Revoking a revoked token is fine.
  Result<void> revoke(const std::string& id);

  // The principal a bearer token stands for: kind api_token, its id and scopes ("*" makes it
  // admin-equivalent). Nothing for an unknown, revoked or expired token — callers cannot tell
  // which. Records the use, at most once a minute per token.
  Result<std::optional<http::Principal>> resolve_token(std::string_view bearer);

  // Makes `configured` (the admin token from settings) a token named "bootstrap admin" with scope
  // "*", unless it exists; revokes bootstrap tokens made from earlier values. Idempotent, and
  // safe when several nodes start at once. A bootstrap token an admin revoked stays revoked.
  Result<void> ensure_bootstrap(std::string_view configured);

 private:
  StaffStore store_;
  const Clock& clock_;
};

// SHA-256 of `text`, in hex: how tokens and recovery codes are stored.
std::string sha256_hex(std::string_view text);

// Authentication for bearer tokens: a request with "Authorization: Bearer …" gets the token's
// principal, or is answered 401 token_invalid (with WWW-Authenticate) here and now — unknown,
// revoked and expired tokens alike. `on_refused`, when set, sees each refused request (the app
// audits them). Requests without a bearer token pass untouched. REQUIRES: `tokens` outlives it.
http::Middleware authenticate_bearer(
    TokenService& tokens,
    std::function<void(const http::Request&, const http::Response&)> on_refused = {});

}  // namespace fff::staff
