-- The hourly sweep deletes expired sessions and tokens by these columns.
CREATE INDEX sessions_expiry ON sessions (expires_at);
CREATE INDEX sessions_absolute_expiry ON sessions (absolute_expires_at);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);
