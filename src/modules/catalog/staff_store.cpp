// The SQL behind staff writes (see the "Staff writes" block in store.hpp).
#include <algorithm>

#include "modules/catalog/store.hpp"
#include "modules/catalog/store_rows.hpp"

namespace fff::catalog {
namespace {

using rows::kProductColumns;
using rows::kVariantColumns;
using rows::nullable;

Result<void> run(db::Transaction& tx, std::string_view sql, const db::Params& params) {
  auto r = tx.query(sql, params);
  if (!r) return r.error();
  return {};
}

Result<int64_t> count(db::Transaction& tx, std::string_view sql, const db::Params& params) {
  auto r = tx.query(sql, params);
  if (!r) return r.error();
  return r->rows.at(0).int64(0);
}

Result<std::vector<std::string>> tags_in(db::Transaction& tx, const std::string& product_id) {
  auto rows =
      tx.query("SELECT tag FROM product_tags WHERE product_id = $1 ORDER BY tag", {product_id});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(r.text(0));
  return out;
}

void add_word(std::string& words, const std::string& word) {
  if ((" " + words + " ").find(" " + word + " ") != std::string::npos) return;
  if (!words.empty()) words += ' ';
  words += word;
}

}  // namespace

Result<db::Transaction> ProductStore::begin() {
  return db_.begin();
}

Result<void> ProductStore::insert_category(db::Transaction& tx, const Category& c) {
  return run(tx,
             "INSERT INTO categories (id, parent_id, slug, name, position) "
             "VALUES ($1, $2, $3, $4, $5)",
             {c.id, nullable(c.parent_id), c.slug, c.name, c.position});
}

Result<void> ProductStore::update_category(db::Transaction& tx, const Category& c) {
  return run(tx,
             "UPDATE categories SET parent_id = $1, slug = $2, name = $3, position = $4 "
             "WHERE id = $5",
             {nullable(c.parent_id), c.slug, c.name, c.position, c.id});
}

Result<void> ProductStore::delete_category(db::Transaction& tx, const std::string& id) {
  if (auto t = run(tx,
                   "DELETE FROM catalog_translations WHERE entity = 'category' AND "
                   "entity_id = $1",
                   {id});
      !t)
    return t;
  return run(tx, "DELETE FROM categories WHERE id = $1", {id});
}

Result<int64_t> ProductStore::category_use(db::Transaction& tx, const std::string& id) {
  return count(tx,
               "SELECT (SELECT count(*) FROM categories WHERE parent_id = $1) + "
               "(SELECT count(*) FROM products WHERE category_id = $1)",
               {id});
}

Result<void> ProductStore::insert_brand(db::Transaction& tx, const Brand& b) {
  return run(tx, "INSERT INTO brands (id, slug, name) VALUES ($1, $2, $3)", {b.id, b.slug, b.name});
}

Result<void> ProductStore::update_brand(db::Transaction& tx, const Brand& b) {
  return run(tx, "UPDATE brands SET slug = $1, name = $2 WHERE id = $3", {b.slug, b.name, b.id});
}

Result<void> ProductStore::delete_brand(db::Transaction& tx, const std::string& id) {
  if (auto t = run(tx, "DELETE FROM catalog_translations WHERE entity = 'brand' AND entity_id = $1",
                   {id});
      !t)
    return t;
  return run(tx, "DELETE FROM brands WHERE id = $1", {id});
}

Result<int64_t> ProductStore::brand_use(db::Transaction& tx, const std::string& id) {
  return count(tx, "SELECT count(*) FROM products WHERE brand_id = $1", {id});
}

Result<void> ProductStore::insert_option_value(db::Transaction& tx, const OptionValue& o) {
  return run(tx,
             "INSERT INTO option_values (option, code, label, swatch_hex, position) "
             "VALUES ($1, $2, $3, $4, $5)",
             {o.option, o.code, o.label, nullable(o.swatch_hex), o.position});
}

Result<void> ProductStore::update_option_value(db::Transaction& tx, const OptionValue& o) {
  return run(tx,
             "UPDATE option_values SET label = $1, swatch_hex = $2, position = $3 "
             "WHERE option = $4 AND code = $5",
             {o.label, nullable(o.swatch_hex), o.position, o.option, o.code});
}

Result<std::optional<Product>> ProductStore::product_by_id(db::Transaction& tx,
                                                           const std::string& id, bool lock) {
  if (lock) {
    // A no-op write takes the row lock on both dialects (SQLite has no FOR UPDATE).
    if (auto l = run(tx, "UPDATE products SET updated_at = updated_at WHERE id = $1", {id}); !l)
      return l.error();
  }
  auto rows =
      tx.query(std::string("SELECT ") + kProductColumns + " FROM products p WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Product>{};
  Product p = rows::product(rows->rows[0]);
  auto tags = tags_in(tx, p.id);
  if (!tags) return tags.error();
  p.tags = std::move(*tags);
  return std::optional<Product>{std::move(p)};
}

Result<std::optional<Product>> ProductStore::product_by_slug(db::Transaction& tx,
                                                             const std::string& slug) {
  auto rows = tx.query(
      std::string("SELECT ") + kProductColumns + " FROM products p WHERE slug = $1", {slug});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Product>{};
  Product p = rows::product(rows->rows[0]);
  auto tags = tags_in(tx, p.id);
  if (!tags) return tags.error();
  p.tags = std::move(*tags);
  return std::optional<Product>{std::move(p)};
}

Result<void> ProductStore::insert_product(db::Transaction& tx, const Product& p) {
  return run(tx,
             "INSERT INTO products (id, slug, title, description, brand_id, category_id, "
             "material, fit, gender, season, seo_title, seo_description, price_minor, currency, "
             "sales_count, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
             "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
             {p.id, p.slug, p.title, p.description, nullable(p.brand_id), nullable(p.category_id),
              p.material, p.fit, p.gender, p.season, p.seo_title, p.seo_description,
              p.price.minor(), std::string(currency_code(p.price.currency())), p.sales_count,
              p.status, p.created_at, p.updated_at});
}

Result<void> ProductStore::update_product(db::Transaction& tx, const Product& p) {
  return run(
      tx,
      "UPDATE products SET slug = $1, title = $2, description = $3, brand_id = $4, "
      "category_id = $5, material = $6, fit = $7, gender = $8, season = $9, "
      "seo_title = $10, seo_description = $11, status = $12, updated_at = $13 "
      "WHERE id = $14",
      {p.slug, p.title, p.description, nullable(p.brand_id), nullable(p.category_id), p.material,
       p.fit, p.gender, p.season, p.seo_title, p.seo_description, p.status, p.updated_at, p.id});
}

Result<void> ProductStore::record_former_slug(db::Transaction& tx, const std::string& product_id,
                                              const std::string& former_slug,
                                              const std::string& new_slug, const std::string& at) {
  if (auto d = run(tx, "DELETE FROM product_slug_redirects WHERE slug = $1", {new_slug}); !d)
    return d;
  return run(tx,
             "INSERT INTO product_slug_redirects (slug, product_id, created_at) "
             "VALUES ($1, $2, $3) ON CONFLICT (slug) DO UPDATE SET "
             "product_id = excluded.product_id, created_at = excluded.created_at",
             {former_slug, product_id, at});
}

Result<void> ProductStore::replace_tags(db::Transaction& tx, const std::string& product_id,
                                        const std::vector<std::string>& tags) {
  if (auto d = run(tx, "DELETE FROM product_tags WHERE product_id = $1", {product_id}); !d)
    return d;
  for (const auto& tag : tags)
    if (auto i = run(tx,
                     "INSERT INTO product_tags (product_id, tag) VALUES ($1, $2) "
                     "ON CONFLICT DO NOTHING",
                     {product_id, tag});
        !i)
      return i;
  return {};
}

Result<void> ProductStore::refresh_product(db::Transaction& tx, const std::string& product_id) {
  auto variants = variants_in(tx, product_id);
  if (!variants) return variants.error();
  auto tags = tags_in(tx, product_id);
  if (!tags) return tags.error();
  std::string colours, sizes, tag_list;
  std::optional<int64_t> from;
  bool in_stock = false;
  for (const auto& v : *variants) {
    add_word(colours, v.colour);
    add_word(sizes, v.size);
    if (!from || v.price_minor < *from) from = v.price_minor;
    in_stock = in_stock || v.in_stock;
  }
  for (const auto& t : *tags) add_word(tag_list, t);
  return run(tx,
             "UPDATE products SET price_minor = $1, colours = $2, sizes = $3, tag_list = $4, "
             "in_stock = $5 WHERE id = $6",
             {from.value_or(0), colours, sizes, tag_list, in_stock, product_id});
}

Result<std::vector<Variant>> ProductStore::variants_in(db::Transaction& tx,
                                                       const std::string& product_id) {
  auto rows = tx.query(std::string("SELECT ") + kVariantColumns +
                           " FROM variants WHERE product_id = $1 ORDER BY position, sku",
                       {product_id});
  if (!rows) return rows.error();
  std::vector<Variant> out;
  for (const auto& r : rows->rows) out.push_back(rows::variant(r));
  return out;
}

Result<std::optional<Variant>> ProductStore::variant_by_sku(db::Transaction& tx,
                                                            const std::string& sku) {
  auto rows =
      tx.query(std::string("SELECT ") + kVariantColumns + " FROM variants WHERE sku = $1", {sku});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Variant>{};
  return std::optional<Variant>{rows::variant(rows->rows[0])};
}

Result<void> ProductStore::insert_variant(db::Transaction& tx, const Variant& v) {
  return run(
      tx,
      "INSERT INTO variants (id, product_id, sku, size, colour, price_minor, "
      "compare_at_minor, barcode, weight_grams, position, in_stock) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      {v.id, v.product_id, v.sku, v.size, v.colour, v.price_minor, nullable(v.compare_at_minor),
       nullable(v.barcode), nullable(v.weight_grams), v.position, v.in_stock});
}

Result<void> ProductStore::update_variant(db::Transaction& tx, const Variant& v) {
  return run(tx,
             "UPDATE variants SET sku = $1, size = $2, colour = $3, price_minor = $4, "
             "compare_at_minor = $5, barcode = $6, weight_grams = $7, position = $8 "
             "WHERE id = $9",
             {v.sku, v.size, v.colour, v.price_minor, nullable(v.compare_at_minor),
              nullable(v.barcode), nullable(v.weight_grams), v.position, v.id});
}

Result<void> ProductStore::delete_variant(db::Transaction& tx, const std::string& id) {
  return run(tx, "DELETE FROM variants WHERE id = $1", {id});
}

Result<std::vector<Image>> ProductStore::images_in(db::Transaction& tx,
                                                   const std::string& product_id) {
  auto rows = tx.query(
      "SELECT id, product_id, colour, media_key, alt, position FROM product_images "
      "WHERE product_id = $1 ORDER BY position, id",
      {product_id});
  if (!rows) return rows.error();
  std::vector<Image> out;
  for (const auto& r : rows->rows)
    out.push_back({r.text(0), r.text(1), r.opt_text(2), r.text(3), r.text(4), r.int64(5)});
  return out;
}

Result<void> ProductStore::insert_image(db::Transaction& tx, const Image& i) {
  return run(tx,
             "INSERT INTO product_images (id, product_id, colour, media_key, alt, position) "
             "VALUES ($1, $2, $3, $4, $5, $6)",
             {i.id, i.product_id, nullable(i.colour), i.media_key, i.alt, i.position});
}

Result<void> ProductStore::update_image(db::Transaction& tx, const Image& i) {
  return run(tx,
             "UPDATE product_images SET colour = $1, media_key = $2, alt = $3, position = $4 "
             "WHERE id = $5",
             {nullable(i.colour), i.media_key, i.alt, i.position, i.id});
}

Result<void> ProductStore::delete_image(db::Transaction& tx, const std::string& id) {
  return run(tx, "DELETE FROM product_images WHERE id = $1", {id});
}

Result<std::map<std::string, std::map<std::string, std::string>>> ProductStore::all_translations(
    db::Transaction& tx, const std::string& entity, const std::string& id) {
  auto rows = tx.query(
      "SELECT locale, field, value FROM catalog_translations WHERE entity = $1 AND "
      "entity_id = $2 ORDER BY locale, field",
      {entity, id});
  if (!rows) return rows.error();
  std::map<std::string, std::map<std::string, std::string>> out;
  for (const auto& r : rows->rows) out[r.text(0)][r.text(1)] = r.text(2);
  return out;
}

Result<void> ProductStore::replace_translations(db::Transaction& tx, const std::string& entity,
                                                const std::string& id, const std::string& locale,
                                                const std::map<std::string, std::string>& fields) {
  if (auto d = run(tx,
                   "DELETE FROM catalog_translations WHERE entity = $1 AND entity_id = $2 AND "
                   "locale = $3",
                   {entity, id, locale});
      !d)
    return d;
  for (const auto& [field, value] : fields)
    if (auto i = run(tx,
                     "INSERT INTO catalog_translations (entity, entity_id, locale, field, value) "
                     "VALUES ($1, $2, $3, $4, $5)",
                     {entity, id, locale, field, value});
        !i)
      return i;
  return {};
}

Result<std::pair<std::vector<Product>, int64_t>> ProductStore::staff_list(
    const std::optional<std::string>& status, const std::string& q,
    const std::optional<std::string>& category_id, const std::optional<std::string>& brand_id,
    int limit, int64_t offset) {
  db::Params params;
  std::string where = "1 = 1";
  if (status) {
    params.push_back(*status);
    where += " AND status = $" + std::to_string(params.size());
  }
  if (category_id) {
    params.push_back(*category_id);
    where += " AND category_id = $" + std::to_string(params.size());
  }
  if (brand_id) {
    params.push_back(*brand_id);
    where += " AND brand_id = $" + std::to_string(params.size());
  }
  if (!q.empty()) {
    // LIKE wildcards in what staff typed are literal.
    std::string pattern = "%";
    for (char c : q) {
      if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
      pattern.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    }
    pattern += "%";
    params.push_back(pattern);
    std::string like = "$" + std::to_string(params.size());
    params.push_back(q);
    std::string sku = "$" + std::to_string(params.size());
    where += " AND (lower(title) LIKE " + like + " ESCAPE '\\' OR slug LIKE " + like +
             " ESCAPE '\\' OR EXISTS (SELECT 1 FROM " +
             "variants v WHERE v.product_id = p.id AND v.sku = " + sku + "))";
  }
  auto total = db_.query("SELECT count(*) FROM products p WHERE " + where, params);
  if (!total) return total.error();
  db::Params page_params = params;
  page_params.push_back(int64_t{limit});
  page_params.push_back(offset);
  auto rows = db_.query(std::string("SELECT ") + kProductColumns + " FROM products p WHERE " +
                            where + " ORDER BY updated_at DESC, id DESC LIMIT $" +
                            std::to_string(page_params.size() - 1) + " OFFSET $" +
                            std::to_string(page_params.size()),
                        page_params);
  if (!rows) return rows.error();
  std::vector<Product> out;
  for (const auto& r : rows->rows) out.push_back(rows::product(r));
  return std::make_pair(std::move(out), total->rows.at(0).int64(0));
}

Result<std::vector<Product>> ProductStore::products_after(const std::string& after_slug,
                                                          int limit) {
  auto rows = db_.query(std::string("SELECT ") + kProductColumns +
                            " FROM products p WHERE slug > $1 ORDER BY slug LIMIT $2",
                        {after_slug, int64_t{limit}});
  if (!rows) return rows.error();
  std::vector<Product> out;
  for (const auto& r : rows->rows) out.push_back(rows::product(r));
  return out;
}

Result<std::optional<ProductRecord>> ProductStore::product_record(const std::string& id) {
  auto rows =
      db_.query(std::string("SELECT ") + kProductColumns + " FROM products p WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<ProductRecord>{};
  ProductRecord record;
  record.product = rows::product(rows->rows[0]);
  auto variants = variants_of({id});
  if (!variants) return variants.error();
  record.variants = std::move(*variants);
  auto images = images_of({id});
  if (!images) return images.error();
  record.images = std::move(*images);
  auto tags = tags_of({id});
  if (!tags) return tags.error();
  if (auto it = tags->find(id); it != tags->end()) record.product.tags = std::move(it->second);
  auto translated = db_.query(
      "SELECT locale, field, value FROM catalog_translations WHERE entity = 'product' AND "
      "entity_id = $1 ORDER BY locale, field",
      {id});
  if (!translated) return translated.error();
  for (const auto& r : translated->rows) record.translations[r.text(0)][r.text(1)] = r.text(2);
  return std::optional<ProductRecord>{std::move(record)};
}

Result<std::optional<Variant>> ProductStore::find_variant(const std::string& sku,
                                                          const std::string& id) {
  auto rows =
      sku.empty()
          ? db_.query(std::string("SELECT ") + kVariantColumns + " FROM variants WHERE id = $1",
                      {id})
          : db_.query(std::string("SELECT ") + kVariantColumns + " FROM variants WHERE sku = $1",
                      {sku});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Variant>{};
  return std::optional<Variant>{rows::variant(rows->rows[0])};
}

}  // namespace fff::catalog
