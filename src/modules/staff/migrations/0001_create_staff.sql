-- Staff access: API tokens, the audit log and staff two-factor. Accounts are the accounts
-- module's; this module knows them only by id. Times are ISO 8601 text (fixed width, so text
-- order is time order) on both databases.

-- Bearer tokens for API clients. Only a SHA-256 of the token is kept; `prefix` is what a listing
-- shows so that staff can tell tokens apart. scopes: space-separated ("catalog:write orders:read").
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT,
  bootstrap INTEGER NOT NULL DEFAULT 0  -- 1: made from the configured admin token at start
);

-- Append-only: one row per staff action (and per refused one). Never bodies, headers or secrets.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,  -- UUIDv7: id order is time order, which keyset pagination relies on
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL,  -- anonymous, customer, staff, admin, api_token, system
  actor_id TEXT NOT NULL,    -- account id, token id, or "anonymous"
  action TEXT NOT NULL,      -- "PATCH /api/v1/admin/products/{id}"
  permission TEXT NOT NULL,
  target TEXT NOT NULL,      -- the path parameters: "id=…"
  client_ip TEXT NOT NULL,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  request_id TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- A staff member's TOTP secret, sealed with the KeyRing (key_id names the key, for rotation).
-- enabled_at is NULL while enrolment waits for its first code. last_step is the last time step
-- accepted, so no code is accepted twice.
CREATE TABLE staff_second_factors (
  account_id TEXT PRIMARY KEY,
  secret_sealed TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  enabled_at TEXT,
  last_step BIGINT NOT NULL DEFAULT -1
);
CREATE INDEX staff_second_factors_key ON staff_second_factors (key_id);

-- Single-use recovery codes, kept as SHA-256 only.
CREATE TABLE staff_recovery_codes (
  account_id TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (account_id, code_hash)
);
