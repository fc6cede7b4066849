-- Carts: what shoppers mean to buy. A guest cart has no account; its id is its capability.
CREATE TABLE carts (
  id TEXT PRIMARY KEY,
  account_id TEXT,
  status TEXT NOT NULL CHECK (status IN ('open', 'ordered', 'merged')),
  coupon_code TEXT,
  order_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX carts_account ON carts (account_id, status, updated_at) WHERE account_id IS NOT NULL;

-- One line per variant: adding the same variant again adds to its quantity.
CREATE TABLE cart_lines (
  id TEXT PRIMARY KEY,
  cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  variant_id TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  added_at TEXT NOT NULL,
  UNIQUE (cart_id, variant_id)
);
