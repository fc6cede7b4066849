-- The catalog: categories, brands, products, option values, variants, images, tags, translations.
-- English text is stored inline; other locales live in catalog_translations.
CREATE TABLE categories (
  id UUID PRIMARY KEY,
  parent_id UUID REFERENCES categories (id),
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent ON categories (parent_id, position);

CREATE TABLE brands (
  id UUID PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);

-- price_minor is the product's "from" price (its cheapest variant), kept with the product so the
-- list can filter and sort by price without touching variants. sales_count feeds best_selling.
CREATE TABLE products (
  id UUID PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  brand_id UUID REFERENCES brands (id),
  category_id UUID REFERENCES categories (id),
  material TEXT NOT NULL DEFAULT '',
  fit TEXT NOT NULL DEFAULT '',
  gender TEXT NOT NULL DEFAULT '',
  season TEXT NOT NULL DEFAULT '',
  seo_title TEXT NOT NULL DEFAULT '',
  seo_description TEXT NOT NULL DEFAULT '',
  price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
  currency TEXT NOT NULL,
  sales_count BIGINT NOT NULL DEFAULT 0,
  -- What the list's facets count, copied from the variants and tags when they are written, so
  -- facets read one row per product instead of every variant: colour and size codes and tags,
  -- space-separated, and whether any variant is in stock.
  colours TEXT NOT NULL DEFAULT '',
  sizes TEXT NOT NULL DEFAULT '',
  tag_list TEXT NOT NULL DEFAULT '',
  in_stock BOOLEAN NOT NULL DEFAULT false,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX products_status_created ON products (status, created_at DESC, id DESC);
CREATE INDEX products_status_price ON products (status, price_minor, id);
CREATE INDEX products_status_sales ON products (status, sales_count DESC, id);
CREATE INDEX products_category ON products (category_id, status);
CREATE INDEX products_brand ON products (brand_id, status);
-- Covers the facet query: counting a result set reads this index, never the wide product rows.
CREATE INDEX products_facets
  ON products (status, category_id, brand_id, price_minor, in_stock, colours, sizes, tag_list);

CREATE TABLE product_tags (
  product_id UUID NOT NULL REFERENCES products (id),
  tag TEXT NOT NULL,
  PRIMARY KEY (product_id, tag)
);
CREATE INDEX product_tags_tag ON product_tags (tag, product_id);

-- The values an option can take: option 'size' (XS, 28, 38) or 'colour' (with a swatch).
CREATE TABLE option_values (
  option TEXT NOT NULL CHECK (option IN ('size', 'colour')),
  code TEXT NOT NULL,
  label TEXT NOT NULL,
  swatch_hex TEXT,
  position BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (option, code)
);

-- in_stock mirrors inventory (the source of truth) so listing filters need no second module's
-- tables; the composition root keeps it current when stock moves.
CREATE TABLE variants (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL REFERENCES products (id),
  sku TEXT NOT NULL UNIQUE,
  size TEXT NOT NULL,
  colour TEXT NOT NULL,
  price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
  compare_at_minor BIGINT CHECK (compare_at_minor >= 0),
  barcode TEXT,
  weight_grams BIGINT CHECK (weight_grams >= 0),
  position BIGINT NOT NULL DEFAULT 0,
  in_stock BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX variants_product ON variants (product_id, position);
CREATE INDEX variants_colour ON variants (colour, product_id);
CREATE INDEX variants_size ON variants (size, product_id);

CREATE TABLE product_images (
  id UUID PRIMARY KEY,
  product_id UUID NOT NULL REFERENCES products (id),
  colour TEXT,
  media_key TEXT NOT NULL,
  alt TEXT NOT NULL DEFAULT '',
  position BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX product_images_product ON product_images (product_id, position);

CREATE TABLE catalog_translations (
  entity TEXT NOT NULL CHECK (entity IN ('product', 'category', 'brand')),
  entity_id UUID NOT NULL,
  locale TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (entity, entity_id, locale, field)
);
