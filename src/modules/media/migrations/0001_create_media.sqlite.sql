-- Media assets: one row per distinct original image, keyed by the SHA-256 of its bytes. The
-- files themselves live under <data_dir>/media; variant_widths lists the WebP renditions made.
CREATE TABLE media_assets (
  media_key TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  variant_widths TEXT NOT NULL,
  created_at TEXT NOT NULL
);
