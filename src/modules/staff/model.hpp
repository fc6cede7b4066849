// modules/staff/model: plain structs of API tokens, audit entries and second factors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fff::staff {

// A bearer token staff made for an API client. The token itself is shown once, when it is made;
// afterwards only `prefix` identifies it.
struct ApiToken {
  std::string id;
  std::string name;
  std::string prefix;  // "fff_at_AbCd" — enough to tell tokens apart, too little to use
  std::vector<std::string> scopes;
  std::string created_by;  // the account (or token) that made it
  std::string created_at;
  std::optional<std::string> expires_at;
  std::optional<std::string> last_used_at;  // updated at most once a minute
  std::optional<std::string> revoked_at;
  bool bootstrap = false;  // made from the configured admin token
};

struct NewApiToken {
  std::string name;
  std::vector<std::string> scopes;
  std::string created_by;
  std::optional<std::string> expires_at;  // ISO 8601, in the future
};

// What creating a token returns: the row, and the token text (never stored, never shown again).
struct IssuedToken {
  ApiToken token;
  std::string secret;
};

// One audited action. Never carries bodies, headers, tokens or passwords.
struct AuditEntry {
  std::string id;  // UUIDv7
  std::string at;
  std::string actor_kind;  // anonymous, customer, staff, admin, api_token, system
  std::string actor_id;    // account id, token id, or "anonymous"
  std::string action;      // "PATCH /api/v1/admin/products/{id}"
  std::string permission;  // "catalog:write"
  std::string target;      // "id=…" (path parameters, comma-separated)
  std::string client_ip;
  int status = 0;
  std::string outcome;  // ok (< 400), denied (401, 403), failed (anything else)
  std::string request_id;
};

struct AuditFilter {
  std::optional<std::string> actor = std::nullopt;    // exact actor id
  std::optional<std::string> action = std::nullopt;   // substring of the action
  std::optional<std::string> outcome = std::nullopt;  // ok, denied, failed
  std::optional<std::string> from = std::nullopt;     // at >= from (canonical ISO 8601)
  std::optional<std::string> to = std::nullopt;       // at < to
  std::optional<std::string> after = std::nullopt;    // keyset: entries older than this id
  int per_page = 50;
};

struct AuditPage {
  std::vector<AuditEntry> items;  // newest first
  std::optional<std::string> next_after;
};

// A staff member's TOTP enrolment as stored.
struct SecondFactor {
  std::string account_id;
  std::string secret_sealed;
  std::string key_id;
  std::string created_at;
  std::optional<std::string> enabled_at;  // none while enrolment waits for its first code
  int64_t last_step = -1;
};

}  // namespace fff::staff
