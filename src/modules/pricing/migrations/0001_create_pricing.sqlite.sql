-- Pricing: coupons and their redemptions, shipping methods, VAT rates. Amounts are integer minor
-- units of the row's currency (the shop currency is a setting; rows in another currency are
-- not used).
CREATE TABLE coupons (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,  -- upper case: codes are case-insensitive
  currency TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('percentage', 'fixed', 'free_shipping')),
  percent_bp INTEGER NOT NULL DEFAULT 0 CHECK (percent_bp BETWEEN 0 AND 10000),
  amount_minor INTEGER NOT NULL DEFAULT 0 CHECK (amount_minor >= 0),
  minimum_subtotal_minor INTEGER,
  starts_at TEXT,
  ends_at TEXT,
  usage_limit INTEGER,
  per_customer_limit INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (usage_limit IS NULL OR used <= usage_limit)
);

-- One row per order that used a coupon; customer_key is "account:<id>" or "email:<address>".
CREATE TABLE coupon_redemptions (
  id TEXT PRIMARY KEY,
  coupon_id TEXT NOT NULL REFERENCES coupons (id),
  order_id TEXT NOT NULL,
  customer_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (coupon_id, order_id)
);
CREATE INDEX coupon_redemptions_customer ON coupon_redemptions (coupon_id, customer_key);

-- countries: comma-separated ISO codes ("US,GB"); empty ships everywhere.
CREATE TABLE shipping_methods (
  id TEXT PRIMARY KEY,
  currency TEXT NOT NULL,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
  free_above_minor INTEGER,
  min_days INTEGER NOT NULL DEFAULT 0,
  max_days INTEGER NOT NULL DEFAULT 0,
  countries TEXT NOT NULL DEFAULT '',
  express INTEGER NOT NULL DEFAULT 0 CHECK (express IN (0, 1)),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  position INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (currency, code)
);

-- VAT by destination country, in basis points (2000 = 20 %). A country without a row pays none.
CREATE TABLE tax_rates (
  country TEXT PRIMARY KEY,
  rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 10000),
  name TEXT NOT NULL DEFAULT 'VAT',
  updated_at TEXT NOT NULL
);

-- Defaults so a fresh shop can check out in either currency.
INSERT INTO shipping_methods (id, currency, code, name, price_minor, free_above_minor, min_days, max_days, countries, express, active, position, created_at, updated_at)
  VALUES ('0190a0a0-0000-7000-8000-000000000001', 'USD', 'standard', 'Standard shipping', 499, 7500, 3, 7, '', 0, 1, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
INSERT INTO shipping_methods (id, currency, code, name, price_minor, free_above_minor, min_days, max_days, countries, express, active, position, created_at, updated_at)
  VALUES ('0190a0a0-0000-7000-8000-000000000002', 'USD', 'express', 'Express shipping', 1499, NULL, 1, 2, 'US,GB,DE,FR,VN', 1, 1, 2, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
INSERT INTO shipping_methods (id, currency, code, name, price_minor, free_above_minor, min_days, max_days, countries, express, active, position, created_at, updated_at)
  VALUES ('0190a0a0-0000-7000-8000-000000000003', 'VND', 'standard', 'Standard shipping', 125000, 1875000, 3, 7, '', 0, 1, 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
INSERT INTO shipping_methods (id, currency, code, name, price_minor, free_above_minor, min_days, max_days, countries, express, active, position, created_at, updated_at)
  VALUES ('0190a0a0-0000-7000-8000-000000000004', 'VND', 'express', 'Express shipping', 375000, NULL, 1, 2, 'US,GB,DE,FR,VN', 1, 1, 2, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
INSERT INTO tax_rates (country, rate_bp, name, updated_at) VALUES
  ('VN', 1000, 'VAT', '2026-01-01T00:00:00.000000Z'),
  ('GB', 2000, 'VAT', '2026-01-01T00:00:00.000000Z'),
  ('DE', 1900, 'MwSt', '2026-01-01T00:00:00.000000Z'),
  ('FR', 2000, 'TVA', '2026-01-01T00:00:00.000000Z'),
  ('US', 0, 'Sales tax', '2026-01-01T00:00:00.000000Z'),
  ('NL', 2100, 'BTW', '2026-01-01T00:00:00.000000Z'),
  ('IT', 2200, 'IVA', '2026-01-01T00:00:00.000000Z'),
  ('ES', 2100, 'IVA', '2026-01-01T00:00:00.000000Z'),
  ('JP', 1000, 'Consumption tax', '2026-01-01T00:00:00.000000Z'),
  ('SG', 900, 'GST', '2026-01-01T00:00:00.000000Z'),
  ('AU', 1000, 'GST', '2026-01-01T00:00:00.000000Z');
