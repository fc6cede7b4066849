-- Carts: what shoppers mean to buy. A guest cart has no account; its id is its capability.
CREATE TABLE carts (
  id UUID PRIMARY KEY,
  account_id UUID,
  status TEXT NOT NULL CHECK (status IN ('open', 'ordered', 'merged')),
  coupon_code TEXT,
  order_id UUID,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX carts_account ON carts (account_id, status, updated_at) WHERE account_id IS NOT NULL;

-- One line per variant: adding the same variant again adds to its quantity.
CREATE TABLE cart_lines (
  id UUID PRIMARY KEY,
  cart_id UUID NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  variant_id UUID NOT NULL,
  quantity BIGINT NOT NULL CHECK (quantity > 0),
  added_at TIMESTAMPTZ NOT NULL,
  UNIQUE (cart_id, variant_id)
);
