#include "modules/staff/tokens.hpp"

#include <sodium.h>

#include <chrono>
#include <memory>

#include "core/id.hpp"
#include "core/log.hpp"
#include "infra/http/problem.hpp"
#include "modules/staff/policy.hpp"

namespace fff::staff {
namespace {

size_t utf8_chars(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

std::string trim(std::string_view text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(b, e - b + 1));
}

std::string random_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(kTokenPrefix) + text;
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<IssuedToken> TokenService::create(const NewApiToken& request) {
  std::string name = trim(request.name);
  if (name.empty())
    return Error::unprocessable("name_required", "a token needs a name",
                                {{"name", "must not be empty"}});
  if (utf8_chars(name) > kMaxTokenNameChars)
    return Error::unprocessable(
        "name_too_long", "the name is too long",
        {{"name", "at most " + std::to_string(kMaxTokenNameChars) + " characters"}});
  if (request.scopes.empty())
    return Error::unprocessable("scopes_required", "a token needs at least one scope",
                                {{"scopes", "must not be empty"}});
  for (size_t i = 0; i < request.scopes.size(); ++i)
    if (!is_token_scope(request.scopes[i]))
      return Error::unprocessable(
          "unknown_scope", "'" + request.scopes[i] + "' is not a known scope",
          {{"scopes[" + std::to_string(i) + "]", "expected <area>:read, <area>:write or *"}});
  Timestamp now = clock_.now();
  std::optional<std::string> expires;
  if (request.expires_at) {
    auto at = parse_iso8601(*request.expires_at);
    if (!at || *at <= now)
      return Error::unprocessable("invalid_expires_at",
                                  "expires_at must be an ISO 8601 time in the future",
                                  {{"expires_at", "an ISO 8601 time in the future"}});
    expires = to_iso8601(*at);
  }
  IssuedToken issued;
  issued.secret = random_token();
  ApiToken& t = issued.token;
  t.id = new_id();
  t.name = name;
  t.prefix = issued.secret.substr(0, kTokenPrefix.size() + 6);
  t.scopes = request.scopes;
  t.created_by = request.created_by;
  t.created_at = to_iso8601(now);
  t.expires_at = expires;
  if (auto r = store_.insert_token(t, sha256_hex(issued.secret)); !r) return r.error();
  return issued;
}

Result<std::vector<ApiToken>> TokenService::list() {
  return store_.tokens();
}

Result<void> TokenService::revoke(const std::string& id) {
  if (!is_uuid(id)) return Error::not_found("token_not_found", "no such token");
  auto exists = store_.token_exists(id);
  if (!exists) return exists.error();
  if (!*exists) return Error::not_found("token_not_found", "no such token");
  auto revoked = store_.revoke_token(id, to_iso8601(clock_.now()));
  if (!revoked) return revoked.error();
  return {};
}

Result<std::optional<http::Principal>> TokenService::resolve_token(std::string_view bearer) {
  auto found = store_.token_by_hash(sha256_hex(bearer));
  if (!found) return found.error();
  if (!*found) return std::optional<http::Principal>{};
  const ApiToken& t = **found;
  Timestamp now = clock_.now();
  std::string now_text = to_iso8601(now);
  if (t.revoked_at) return std::optional<http::Principal>{};
  if (t.expires_at && *t.expires_at <= now_text) return std::optional<http::Principal>{};
  // At most one write a minute per token: a busy client must not turn every read into a write.
  if (!t.last_used_at || *t.last_used_at < to_iso8601(now - std::chrono::minutes(1))) {
    if (auto r = store_.touch_token(t.id, now_text); !r)
      log::warn("token last use not recorded", {{"token_id", t.id}, {"error", r.error().code}});
  }
  http::Principal p;
  p.kind = http::Principal::Kind::api_token;
  p.account_id = t.created_by;
  p.token_id = t.id;
  p.scopes = t.scopes;
  return std::optional<http::Principal>{std::move(p)};
}

Result<void> TokenService::ensure_bootstrap(std::string_view configured) {
  std::string hash = sha256_hex(configured);
  std::string now = to_iso8601(clock_.now());
  ApiToken t;
  t.id = new_id();
  t.name = std::string(kBootstrapTokenName);
  // A configured token is a shared secret that need not look like ours: show none of it.
  t.prefix = "(admin_token)";
  t.scopes = {"*"};
  t.created_by = "system";
  t.created_at = now;
  t.bootstrap = true;
  auto inserted = store_.insert_token_if_absent(t, hash);
  if (!inserted) return inserted.error();
  if (*inserted) log::info("bootstrap admin token registered", {{"token_id", t.id}});
  auto revoked = store_.revoke_other_bootstraps(hash, now);
  if (!revoked) return revoked.error();
  if (*revoked > 0) log::info("earlier bootstrap admin tokens revoked", {{"count", *revoked}});
  return {};
}

http::Middleware authenticate_bearer(
    TokenService& tokens,
    std::function<void(const http::Request&, const http::Response&)> on_refused) {
  return [&tokens, on_refused = std::move(on_refused)](http::Request& req, const http::Next& next) {
    auto header = req.headers.get("Authorization");
    constexpr std::string_view kScheme = "Bearer ";
    if (!header || header->size() < kScheme.size() ||
        !http::iequals(header->substr(0, kScheme.size()), kScheme))
      return next(req);
    std::string_view given = header->substr(kScheme.size());
    auto resolved = tokens.resolve_token(given);
    if (!resolved) return http::problem(resolved.error(), req.request_id);
    if (!*resolved) {
      http::Response refused = http::problem(
          Error::unauthenticated("token_invalid", "the bearer token is not valid"), req.request_id);
      refused.headers.set("WWW-Authenticate",
                          "Bearer realm=\"fff-staff\", error=\"invalid_token\"");
      if (on_refused) on_refused(req, refused);
      return refused;
    }
    req.principal = std::make_shared<const http::Principal>(std::move(**resolved));
    return next(req);
  };
}

}  // namespace fff::staff
