-- Payments: money taken for orders, apart from the order's own state.
CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  method TEXT NOT NULL,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
  captured_minor INTEGER NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
  refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  capture_mode TEXT NOT NULL,
  card_last4 TEXT,
  reference TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (captured_minor <= amount_minor),
  CHECK (refunded_minor <= captured_minor)
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE payment_refunds (
  id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL REFERENCES payments (id),
  amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX payment_refunds_payment ON payment_refunds (payment_id);

-- Provider webhook events seen, written in the transaction that applies the event: a delivery
-- repeated any number of times is applied once.
CREATE TABLE payment_webhook_events (
  provider TEXT NOT NULL,
  event_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (provider, event_id)
);
