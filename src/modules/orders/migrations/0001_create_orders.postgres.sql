-- Orders: a snapshot of what was bought, its life cycle and its history.
-- The order number comes from a counter row updated in the checkout transaction: a number is used
-- once (a rolled-back checkout gives its number back, a committed one never).
CREATE TABLE order_counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO order_counters (name, value) VALUES ('orders', 10000);

CREATE TABLE orders (
  id UUID PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  account_id UUID,
  status TEXT NOT NULL,
  payment_status TEXT NOT NULL,
  payment_method TEXT NOT NULL,
  payment_id UUID,
  email TEXT NOT NULL,
  locale TEXT NOT NULL,
  currency TEXT NOT NULL,
  customer_name TEXT NOT NULL,
  subtotal_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  shipping_minor BIGINT NOT NULL,
  tax_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL CHECK (total_minor >= 0),
  refunded_minor BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  prices_include_tax BOOLEAN NOT NULL,
  coupon_code TEXT,
  shipping_method_code TEXT NOT NULL,
  shipping_method_name TEXT NOT NULL,
  shipping_address TEXT NOT NULL,  -- JSON object
  billing_address TEXT NOT NULL,   -- JSON object
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_account ON orders (account_id, id);
CREATE INDEX orders_email ON orders (lower(email), id);
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_created ON orders (created_at);

CREATE TABLE order_lines (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL REFERENCES orders (id),
  position INTEGER NOT NULL,
  variant_id UUID NOT NULL,
  sku TEXT NOT NULL,
  product_id TEXT NOT NULL,
  product_name TEXT NOT NULL,
  product_slug TEXT NOT NULL,
  size TEXT NOT NULL,
  colour TEXT NOT NULL,
  image_key TEXT,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  unit_price_minor BIGINT NOT NULL,
  subtotal_minor BIGINT NOT NULL,
  discount_minor BIGINT NOT NULL,
  tax_minor BIGINT NOT NULL,
  total_minor BIGINT NOT NULL,
  shipped_quantity BIGINT NOT NULL DEFAULT 0 CHECK (shipped_quantity >= 0),
  returned_quantity BIGINT NOT NULL DEFAULT 0 CHECK (returned_quantity >= 0)
);
CREATE INDEX order_lines_order ON order_lines (order_id, position);

-- Where each sold unit came from, so a cancellation restocks exactly there.
CREATE TABLE order_allocations (
  order_id UUID NOT NULL REFERENCES orders (id),
  variant_id UUID NOT NULL,
  location_id UUID NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  released BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (order_id, variant_id, location_id)
);

CREATE TABLE order_timeline (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL REFERENCES orders (id),
  at TIMESTAMPTZ NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  detail TEXT NOT NULL,
  internal BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX order_timeline_order ON order_timeline (order_id, at, id);

CREATE TABLE order_shipments (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL REFERENCES orders (id),
  carrier TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  tracking_url TEXT,
  lines TEXT NOT NULL,  -- JSON array of {line_id, sku, product_name, quantity}
  shipped_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_shipments_order ON order_shipments (order_id, shipped_at);

CREATE TABLE order_returns (
  id UUID PRIMARY KEY,
  order_id UUID NOT NULL REFERENCES orders (id),
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  resolution TEXT NOT NULL,
  exchange_note TEXT,
  lines TEXT NOT NULL,  -- JSON array of {line_id, sku, product_name, quantity}
  refund_minor BIGINT,
  note TEXT NOT NULL DEFAULT '',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_returns_order ON order_returns (order_id, created_at);

-- Idempotency-Key of POST /api/v1/checkout, written in the checkout's transaction: a key exists
-- exactly when its order does. A concurrent retry's insert waits for the first transaction.
CREATE TABLE checkout_keys (
  idempotency_key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  order_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
