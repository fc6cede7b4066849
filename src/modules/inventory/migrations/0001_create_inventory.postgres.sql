-- Inventory: where stock is kept, how much of each variant is there, and every movement.
-- Variants are the catalog's; this module knows them only by id.
CREATE TABLE stock_locations (
  id UUID PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);

-- reserved is held for carts and unpaid orders; available = on_hand - reserved.
CREATE TABLE stock_levels (
  variant_id UUID NOT NULL,
  location_id UUID NOT NULL REFERENCES stock_locations (id),
  on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
  reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (variant_id, location_id)
);

-- Append-only: a level is the sum of its ledger. Written in the transaction that moves the level.
CREATE TABLE stock_ledger (
  id UUID PRIMARY KEY,
  variant_id UUID NOT NULL,
  location_id UUID NOT NULL REFERENCES stock_locations (id),
  kind TEXT NOT NULL CHECK (kind IN ('receipt', 'sale', 'return', 'adjustment')),
  quantity BIGINT NOT NULL CHECK (quantity <> 0),
  reason TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_ledger_level ON stock_ledger (variant_id, location_id, created_at);
