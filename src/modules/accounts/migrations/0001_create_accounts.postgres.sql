-- Accounts: customers, staff and admins; their sessions, mailed single-use tokens and addresses.
-- Secrets given to clients (session tokens, mailed tokens) are stored only as SHA-256 hex.
-- Phone numbers and addresses are sealed (infra/crypto); *_key_id names the sealing key so that
-- `fff keys rotate` finds what still needs re-sealing by index.
CREATE TABLE accounts (
  id UUID PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  phone_sealed TEXT,
  phone_key_id TEXT,
  role TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
  scopes TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  email_verified_at TIMESTAMPTZ,
  status TEXT NOT NULL CHECK (status IN ('active', 'deleted')),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX accounts_phone_key ON accounts (phone_key_id);
CREATE INDEX accounts_role ON accounts (role);

CREATE TABLE sessions (
  id UUID PRIMARY KEY,
  account_id UUID NOT NULL REFERENCES accounts (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  absolute_expires_at TIMESTAMPTZ NOT NULL,
  second_factor_at TIMESTAMPTZ
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE account_tokens (
  id UUID PRIMARY KEY,
  account_id UUID NOT NULL REFERENCES accounts (id),
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'unlock',
                                           'change_email')),
  token_hash TEXT NOT NULL UNIQUE,
  new_email TEXT,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

CREATE TABLE addresses (
  id UUID PRIMARY KEY,
  account_id UUID NOT NULL REFERENCES accounts (id),
  sealed TEXT NOT NULL,
  key_id TEXT NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX addresses_account ON addresses (account_id);
CREATE INDEX addresses_key ON addresses (key_id);
