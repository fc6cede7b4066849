-- Shared by both dialects: plain SQL both understand.
CREATE TABLE fixture_garments (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
