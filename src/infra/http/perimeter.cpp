#include "infra/http/perimeter.hpp"

#include <algorithm>

#include <sodium.h>

#include "core/log.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"
#include "infra/kv/kv_store.hpp"

namespace fff::http {
namespace {

constexpr std::chrono::milliseconds kWindow{60'000};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_unsafe(std::string_view method) {
  return !(method == "GET" || method == "HEAD" || method == "OPTIONS");
}

Response too_many(const Request& req, std::chrono::milliseconds left, std::string_view what) {
  auto seconds = std::max<int64_t>(1, (left.count() + 999) / 1000);
  // problem() turns retry_after into the Retry-After header, as for every other 429.
  return problem(Error::rate_limited("rate_limited",
                                     "too many requests " + std::string(what) + "; retry in " +
                                         std::to_string(seconds) + " s",
                                     static_cast<int>(seconds)),
                 req.request_id);
}

// The value of `name` in an application/x-www-form-urlencoded body, decoded.
std::optional<std::string> form_field(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    size_t end = body.find('&');
    std::string_view pair = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string value;
    if (!percent_decode(pair.substr(eq + 1), value, true)) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

// "https://shop.example:8443" → "shop.example:8443"; empty when it is not an http(s) origin.
std::string_view origin_authority(std::string_view origin) {
  for (std::string_view scheme : {"http://", "https://"})
    if (origin.substr(0, scheme.size()) == scheme) return origin.substr(scheme.size());
  return {};
}

}  // namespace

Middleware forwarded(std::vector<std::string> trusted_proxies) {
  return [trusted = std::move(trusted_proxies)](Request& req, const Next& next) {
    auto is_trusted = [&](std::string_view address) {
      return std::find(trusted.begin(), trusted.end(), address) != trusted.end();
    };
    if (!trusted.empty() && is_trusted(req.remote_address)) {
      if (auto chain = req.headers.get("X-Forwarded-For")) {
        // Walk from the nearest hop outwards: the first address no proxy of ours added is the
        // client (anything further left the client could have written itself).
        std::string_view rest = *chain;
        while (!rest.empty()) {
          size_t comma = rest.rfind(',');
          std::string_view hop =
              trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
          rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
          if (hop.empty()) continue;
          req.client_address = std::string(hop);
          if (!is_trusted(hop)) break;
        }
      }
      if (auto proto = req.headers.get("X-Forwarded-Proto"))
        req.secure = iequals(trim(*proto), "https");
    }
    return next(req);
  };
}

Middleware rate_limit(kv::KeyValueStore& store, RateLimits limits) {
  return [&store, limits = std::move(limits)](Request& req, const Next& next) {
    // Counts one request against `key`; a response when the budget is spent.
    auto spend = [&](const std::string& key, int budget,
                     std::string_view what) -> std::optional<Response> {
      auto count = store.increment(key, 1, kWindow);
      if (!count) {
        log::warn("rate limit not applied",
                  {{"request_id", req.request_id}, {"error", count.error().message}});
        return std::nullopt;
      }
      if (*count <= budget) return std::nullopt;
      auto left = store.time_left(key);
      return too_many(req, left && *left ? **left : kWindow, what);
    };
    if (limits.global_per_minute > 0)
      if (auto refused =
              spend("rl:all:" + req.client_address, limits.global_per_minute, "from this address"))
        return *refused;
    if (limits.sensitive_per_minute > 0 && req.route && is_unsafe(req.method)) {
      std::string_view pattern = req.route->pattern;
      bool sensitive = std::any_of(
          limits.sensitive_routes.begin(), limits.sensitive_routes.end(),
          [&](const std::string& prefix) { return pattern.substr(0, prefix.size()) == prefix; });
      if (sensitive) {
        if (auto refused = spend("rl:auth:ip:" + req.client_address, limits.sensitive_per_minute,
                                 "to this endpoint from this address"))
          return *refused;
        if (req.principal && !req.principal->account_id.empty())
          if (auto refused =
                  spend("rl:auth:account:" + req.principal->account_id, limits.sensitive_per_minute,
                        "to this endpoint for this account"))
            return *refused;
      }
    }
    return next(req);
  };
}

CsrfTokens::CsrfTokens(std::string secret) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot start");
  // A key of its own for this purpose, whatever the secret's length.
  key_.assign(crypto_auth_hmacsha256_KEYBYTES, '\0');
  std::string context = "fff csrf v1|" + secret;
  crypto_generichash(reinterpret_cast<unsigned char*>(key_.data()), key_.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     nullptr, 0);
  sodium_memzero(context.data(), context.size());
}

std::string CsrfTokens::token_for(std::string_view session_cookie) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(session_cookie.data()),
                         session_cookie.size(),
                         reinterpret_cast<const unsigned char*>(key_.data()));
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_encoded_len(sizeof mac, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), mac, sizeof mac, kVariant);
  out.resize(out.size() - 1);
  return out;
}

bool CsrfTokens::matches(std::string_view session_cookie, std::string_view token) const {
  std::string expected = token_for(session_cookie);
  return token.size() == expected.size() &&
         sodium_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

Middleware csrf(std::shared_ptr<const CsrfTokens> tokens, std::string session_cookie) {
  return [tokens = std::move(tokens), cookie_name = std::move(session_cookie)](Request& req,
                                                                               const Next& next) {
    if (is_unsafe(req.method)) {
      auto refuse = [&](std::string code, std::string message) {
        return problem(Error::forbidden(std::move(code), std::move(message)), req.request_id);
      };
      auto origin = req.headers.get("Origin");
      auto host = req.headers.get("Host");
      if (origin) {
        if (!host || !iequals(origin_authority(*origin), *host))
          return refuse("cross_origin_refused", "this request came from another site's page");
      } else if (auto site = req.headers.get("Sec-Fetch-Site");
                 site && iequals(*site, "cross-site")) {
        return refuse("cross_origin_refused", "this request came from another site's page");
      }
      if (req.principal && req.principal->by_cookie) {
        auto cookie = req.cookie(cookie_name);
        std::optional<std::string> token;
        if (auto header = req.headers.get("X-CSRF-Token")) {
          token = std::string(*header);
        } else if (auto type = req.headers.get("Content-Type");
                   type && type->substr(0, 33) == "application/x-www-form-urlencoded") {
          token = form_field(req.body, "_csrf");
        }
        if (!token)
          return refuse("csrf_token_missing",
                        "a signed-in browser request must carry its CSRF token (X-CSRF-Token "
                        "header or _csrf field)");
        if (!cookie || !tokens->matches(*cookie, *token))
          return refuse("csrf_token_invalid", "the CSRF token does not belong to this session");
      }
    }
    Response res = next(req);
    // A response starting a session hands the page its token at once.
    std::string prefix = cookie_name + "=";
    for (const auto& [field, value] : res.headers) {
      if (!iequals(field, "Set-Cookie") || value.rfind(prefix, 0) != 0) continue;
      std::string_view session = std::string_view(value).substr(prefix.size());
      session = session.substr(0, session.find(';'));
      if (!session.empty()) res.headers.set("X-CSRF-Token", tokens->token_for(session));
      break;
    }
    return res;
  };
}

void add_csrf_route(Router& router, std::shared_ptr<const CsrfTokens> tokens,
                    std::string session_cookie) {
  router.add("GET", "/api/v1/auth/csrf",
             [tokens = std::move(tokens), name = std::move(session_cookie)](const Request& req) {
               auto cookie = req.cookie(name);
               if (!req.principal || !req.principal->by_cookie || !cookie)
                 return problem(Error::unauthenticated("not_signed_in", "sign in first"),
                                req.request_id);
               return json_response({{"csrf_token", tokens->token_for(*cookie)}});
             });
}

}  // namespace fff::http
