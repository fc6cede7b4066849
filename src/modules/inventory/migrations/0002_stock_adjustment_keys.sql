-- Idempotency keys of staff stock adjustments: a retried request (same Idempotency-Key) gets the
-- first answer back instead of moving stock a second time. Written in the transaction that moves
-- the stock, so a key exists exactly when its movement does.
CREATE TABLE stock_adjustment_keys (
  idempotency_key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,  -- the request it answered; the same key with another request is refused
  entry_id TEXT,              -- the ledger entry made, NULL when the level was already right
  variant_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  quantity BIGINT NOT NULL,
  on_hand BIGINT NOT NULL,
  reserved BIGINT NOT NULL,
  created_at TEXT NOT NULL
);
