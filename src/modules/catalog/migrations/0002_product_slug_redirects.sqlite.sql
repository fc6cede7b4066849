-- A product's former slugs, so links to them (search engines, shared links, old mails) keep
-- working: the storefront answers 301 to the product's current slug.
CREATE TABLE product_slug_redirects (
  slug TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL
);
CREATE INDEX product_slug_redirects_product ON product_slug_redirects (product_id);
