-- The inventory's own settings, changed by staff at run time (not start-up configuration):
-- low_stock_threshold — a variant with this many units available or fewer is "low stock".
CREATE TABLE inventory_settings (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
