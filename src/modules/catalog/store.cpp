#include "modules/catalog/store.hpp"

#include "modules/catalog/store_rows.hpp"

#include "infra/jobs/queue.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace fff::catalog {
namespace {

using rows::kProductColumns;
using rows::nullable;

// Collects bound parameters while a statement is assembled; placeholders are numbered in order.
class SqlBuilder {
 public:
  std::string bind(db::Value v) {
    params_.push_back(std::move(v));
    return "$" + std::to_string(params_.size());
  }
  std::string bind_list(const std::vector<std::string>& values) {
    std::string out = "(";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + bind(values[i]);
    return out + ")";
  }
  db::Params& params() { return params_; }

 private:
  db::Params params_;
};

// The WHERE clause shared by the page query and the facet query. Colour, size and in-stock are
// asked of one variant together: "red in M, in stock" means one variant that is all three.
std::string where_clause(const ResolvedFilter& f, SqlBuilder& b) {
  std::string w = "p.status = 'active'";
  if (!f.category_ids.empty()) w += " AND p.category_id IN " + b.bind_list(f.category_ids);
  if (!f.brand_ids.empty()) w += " AND p.brand_id IN " + b.bind_list(f.brand_ids);
  if (f.price_min_minor) w += " AND p.price_minor >= " + b.bind(*f.price_min_minor);
  if (f.price_max_minor) w += " AND p.price_minor <= " + b.bind(*f.price_max_minor);
  if (!f.tags.empty())
    w += " AND EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = p.id AND t.tag IN " +
         b.bind_list(f.tags) + ")";
  if (f.in_stock && f.colours.empty() && f.sizes.empty()) {
    w += " AND p.in_stock";  // the product-level mirror answers without touching variants
  } else if (!f.colours.empty() || !f.sizes.empty() || f.in_stock) {
    w += " AND EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id";
    if (!f.colours.empty()) w += " AND v.colour IN " + b.bind_list(f.colours);
    if (!f.sizes.empty()) w += " AND v.size IN " + b.bind_list(f.sizes);
    if (f.in_stock) w += " AND v.in_stock";
    w += ")";
  }
  return w;
}

const char* order_by(ProductSort sort) {
  switch (sort) {
    case ProductSort::price_asc: return "p.price_minor ASC, p.id ASC";
    case ProductSort::price_desc: return "p.price_minor DESC, p.id ASC";
    case ProductSort::best_selling: return "p.sales_count DESC, p.id ASC";
    case ProductSort::relevance:  // SQL has no text to rank by; the index answers searches
    case ProductSort::newest: break;
  }
  return "p.created_at DESC, p.id DESC";
}

// Inserts rows in chunks of one multi-row statement each, so a large load costs few round trips.
Result<int64_t> insert_rows(db::Transaction& tx, const std::string& table,
                            const std::vector<std::string>& columns,
                            const std::vector<db::Params>& rows) {
  // Short statements: SQLite's parser looks numbered parameters up linearly, so very long
  // VALUES lists cost more to prepare than the round trips they save.
  const size_t per_statement = std::max<size_t>(1, 400 / columns.size());
  int64_t inserted = 0;
  for (size_t start = 0; start < rows.size(); start += per_statement) {
    size_t end = std::min(rows.size(), start + per_statement);
    std::string sql = "INSERT INTO " + table + " (";
    for (size_t c = 0; c < columns.size(); ++c) sql += (c ? ", " : "") + columns[c];
    sql += ") VALUES ";
    db::Params params;
    params.reserve((end - start) * columns.size());
    for (size_t r = start; r < end; ++r) {
      sql += (r > start ? ", (" : "(");
      for (size_t c = 0; c < columns.size(); ++c) {
        params.push_back(rows[r][c]);
        sql += (c ? ", $" : "$") + std::to_string(params.size());
      }
      sql += ")";
    }
    sql += " ON CONFLICT DO NOTHING";
    auto result = tx.query(sql, params);
    if (!result) return result.error();
    inserted += result->affected;
  }
  return inserted;
}

}  // namespace

std::string PriceBand::label() const {
  return std::to_string(lower) + "-" + (upper ? std::to_string(*upper) : "");
}

const std::vector<PriceBand>& price_bands() {
  static const std::vector<PriceBand> bands = {
      {0, 2500}, {2500, 5000}, {5000, 10000}, {10000, 20000}, {20000, std::nullopt}};
  return bands;
}

Result<int64_t> ProductStore::count_all() {
  auto rows = db_.query("SELECT count(*) FROM products");
  if (!rows) return rows.error();
  return rows->rows.at(0).int64(0);
}

Result<std::vector<Category>> ProductStore::categories() {
  auto rows = db_.query(
      "SELECT id, parent_id, slug, name, position FROM categories ORDER BY position, slug");
  if (!rows) return rows.error();
  std::vector<Category> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows)
    out.push_back({r.text(0), r.opt_text(1), r.text(2), r.text(3), r.int64(4)});
  return out;
}

Result<std::vector<Brand>> ProductStore::brands() {
  auto rows = db_.query("SELECT id, slug, name FROM brands ORDER BY name, slug");
  if (!rows) return rows.error();
  std::vector<Brand> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.text(2)});
  return out;
}

Result<std::vector<OptionValue>> ProductStore::option_values() {
  auto rows = db_.query(
      "SELECT option, code, label, swatch_hex, position FROM option_values "
      "ORDER BY option, position, code");
  if (!rows) return rows.error();
  std::vector<OptionValue> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows)
    out.push_back({r.text(0), r.text(1), r.text(2), r.opt_text(3), r.int64(4)});
  return out;
}

Result<std::map<std::string, int64_t>> ProductStore::active_counts_by_category() {
  auto rows = db_.query(
      "SELECT CAST(category_id AS TEXT), count(*) FROM products "
      "WHERE status = 'active' AND category_id IS NOT NULL GROUP BY category_id");
  if (!rows) return rows.error();
  std::map<std::string, int64_t> out;
  for (const auto& r : rows->rows) out[r.text(0)] = r.int64(1);
  return out;
}

Result<FacetCounts> ProductStore::facet_counts(const ResolvedFilter& filter) {
  // One narrow row per matching product, counted here: cheaper than a GROUP BY per facet over
  // every variant, and the same on both dialects.
  SqlBuilder b;
  std::string sql =
      "SELECT CAST(p.category_id AS TEXT), CAST(p.brand_id AS TEXT), p.price_minor, p.colours, "
      "p.sizes, p.tag_list, p.in_stock FROM products p WHERE " +
      where_clause(filter, b);
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  FacetCounts out;
  out.total = static_cast<int64_t>(rows->rows.size());
  auto count_words = [](const std::string& words, std::map<std::string, int64_t>& into) {
    size_t start = 0;
    while (start < words.size()) {
      size_t space = words.find(' ', start);
      if (space == std::string::npos) space = words.size();
      if (space > start) ++into[words.substr(start, space - start)];
      start = space + 1;
    }
  };
  for (const auto& r : rows->rows) {
    if (auto category = r.opt_text(0)) ++out.categories[*category];
    if (auto brand = r.opt_text(1)) ++out.brands[*brand];
    int64_t price = r.int64(2);
    if (!out.price_min_minor || price < *out.price_min_minor) out.price_min_minor = price;
    if (!out.price_max_minor || price > *out.price_max_minor) out.price_max_minor = price;
    for (const auto& band : price_bands())
      if (price >= band.lower && (!band.upper || price < *band.upper)) {
        ++out.price_bands[band.label()];
        break;
      }
    count_words(r.text(3), out.colours);
    count_words(r.text(4), out.sizes);
    count_words(r.text(5), out.tags);
    if (r.boolean(6)) ++out.in_stock;
  }
  return out;
}

Result<std::vector<Product>> ProductStore::list_active(const ResolvedFilter& filter,
                                                       ProductSort sort, int limit,
                                                       int64_t offset) {
  SqlBuilder b;
  std::string sql = std::string("SELECT ") + kProductColumns + " FROM products p WHERE " +
                    where_clause(filter, b) + " ORDER BY " + order_by(sort);
  sql += " LIMIT " + b.bind(int64_t{limit});
  sql += " OFFSET " + b.bind(offset);
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  std::vector<Product> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back(rows::product(r));
  return out;
}

Result<std::optional<std::string>> ProductStore::current_slug_for(const std::string& former_slug) {
  auto rows = db_.query(
      "SELECT p.slug FROM product_slug_redirects r JOIN products p ON p.id = r.product_id "
      "WHERE r.slug = $1 AND p.status = 'active'",
      {former_slug});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<std::string>{};
  return std::optional<std::string>{rows->rows[0].text(0)};
}

Result<std::optional<Product>> ProductStore::find_active_by_slug(const std::string& slug) {
  auto rows = db_.query(std::string("SELECT ") + kProductColumns +
                            " FROM products p WHERE p.slug = $1 AND p.status = 'active'",
                        {slug});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Product>{};
  return std::optional<Product>{rows::product(rows->rows[0])};
}

namespace {

std::vector<Product> to_products(const db::QueryResult& result) {
  std::vector<Product> out;
  out.reserve(result.rows.size());
  for (const auto& r : result.rows) out.push_back(rows::product(r));
  return out;
}

}  // namespace

Result<std::vector<Product>> ProductStore::active_by_ids(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<Product>{};
  SqlBuilder b;
  // The status is checked here, not in SQL: with "status = 'active'" beside the id list SQLite
  // picks a status index and walks every active product instead of looking up the page's ids.
  std::string sql = std::string("SELECT ") + kProductColumns + " FROM products p WHERE p.id IN " +
                    b.bind_list(ids);
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  auto products = to_products(*rows);
  std::erase_if(products, [](const Product& p) { return p.status != "active"; });
  return products;
}

Result<std::vector<Product>> ProductStore::products_by_id_after(const std::string& after_id,
                                                                int limit) {
  // The first batch has no bound: an empty string is not a valid uuid on PostgreSQL.
  auto rows = after_id.empty()
                  ? db_.query(std::string("SELECT ") + kProductColumns +
                                  " FROM products p ORDER BY p.id LIMIT $1",
                              {int64_t{limit}})
                  : db_.query(std::string("SELECT ") + kProductColumns +
                                  " FROM products p WHERE p.id > $1 ORDER BY p.id LIMIT $2",
                              {after_id, int64_t{limit}});
  if (!rows) return rows.error();
  return to_products(*rows);
}

Result<int64_t> ProductStore::count_active() {
  auto rows = db_.query("SELECT COUNT(*) FROM products WHERE status = 'active'", {});
  if (!rows) return rows.error();
  return rows->rows[0].int64(0);
}

Result<std::vector<Variant>> ProductStore::variants_of(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<Variant>{};
  SqlBuilder b;
  std::string sql =
      "SELECT id, product_id, sku, size, colour, price_minor, compare_at_minor, barcode, "
      "weight_grams, position, in_stock FROM variants WHERE product_id IN " +
      b.bind_list(ids) + " ORDER BY product_id, position, sku";
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  std::vector<Variant> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back(rows::variant(r));
  return out;
}

Result<std::vector<Image>> ProductStore::images_of(const std::vector<std::string>& ids) {
  if (ids.empty()) return std::vector<Image>{};
  SqlBuilder b;
  std::string sql =
      "SELECT id, product_id, colour, media_key, alt, position FROM product_images "
      "WHERE product_id IN " +
      b.bind_list(ids) + " ORDER BY product_id, position, id";
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  std::vector<Image> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows)
    out.push_back({r.text(0), r.text(1), r.opt_text(2), r.text(3), r.text(4), r.int64(5)});
  return out;
}

Result<std::map<std::string, std::vector<std::string>>> ProductStore::tags_of(
    const std::vector<std::string>& ids) {
  std::map<std::string, std::vector<std::string>> out;
  if (ids.empty()) return out;
  SqlBuilder b;
  std::string sql = "SELECT CAST(product_id AS TEXT), tag FROM product_tags WHERE product_id IN " +
                    b.bind_list(ids) + " ORDER BY tag";
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) out[r.text(0)].push_back(r.text(1));
  return out;
}

Result<std::map<std::string, std::map<std::string, std::string>>> ProductStore::translations(
    const std::string& entity, const std::vector<std::string>& ids, const std::string& locale) {
  std::map<std::string, std::map<std::string, std::string>> out;
  if (ids.empty()) return out;
  SqlBuilder b;
  std::string sql =
      "SELECT CAST(entity_id AS TEXT), field, value FROM catalog_translations WHERE entity = " +
      b.bind(entity) + " AND locale = " + b.bind(locale) + " AND entity_id IN " + b.bind_list(ids);
  auto rows = db_.query(sql, b.params());
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) out[r.text(0)][r.text(1)] = r.text(2);
  return out;
}

Result<int64_t> ProductStore::insert_batch(const CatalogBatch& batch) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  std::vector<db::Params> rows;
  auto flush = [&](const std::string& table,
                   const std::vector<std::string>& columns) -> Result<int64_t> {
    auto n = insert_rows(*tx, table, columns, rows);
    rows.clear();
    return n;
  };

  // Parents before children, so a category's parent row exists when it is inserted.
  for (const auto& c : batch.categories)
    rows.push_back({c.id, nullable(c.parent_id), c.slug, c.name, c.position});
  if (auto n = flush("categories", {"id", "parent_id", "slug", "name", "position"}); !n)
    return n.error();
  for (const auto& br : batch.brands) rows.push_back({br.id, br.slug, br.name});
  if (auto n = flush("brands", {"id", "slug", "name"}); !n) return n.error();
  for (const auto& o : batch.option_values)
    rows.push_back({o.option, o.code, o.label, nullable(o.swatch_hex), o.position});
  if (auto n = flush("option_values", {"option", "code", "label", "swatch_hex", "position"}); !n)
    return n.error();

  // The facet columns: each product's distinct colours and sizes in variant order, its tags, and
  // whether any variant is in stock.
  struct FacetColumns {
    std::string colours, sizes;
    bool in_stock = false;
  };
  std::map<std::string, FacetColumns> facet_columns;
  auto add_word = [](std::string& words, const std::string& word) {
    if ((" " + words + " ").find(" " + word + " ") != std::string::npos) return;
    if (!words.empty()) words += ' ';
    words += word;
  };
  for (const auto& v : batch.variants) {
    auto& f = facet_columns[v.product_id];
    add_word(f.colours, v.colour);
    add_word(f.sizes, v.size);
    f.in_stock = f.in_stock || v.in_stock;
  }
  for (const auto& p : batch.products) {
    const auto& f = facet_columns[p.id];
    std::string tags;
    for (const auto& t : p.tags) add_word(tags, t);
    rows.push_back({p.id,
                    p.slug,
                    p.title,
                    p.description,
                    nullable(p.brand_id),
                    nullable(p.category_id),
                    p.material,
                    p.fit,
                    p.gender,
                    p.season,
                    p.seo_title,
                    p.seo_description,
                    p.price.minor(),
                    std::string(currency_code(p.price.currency())),
                    p.sales_count,
                    f.colours,
                    f.sizes,
                    tags,
                    f.in_stock,
                    p.status,
                    p.created_at,
                    p.updated_at});
  }
  auto products = flush(
      "products",
      {"id",          "slug",     "title",       "description", "brand_id",  "category_id",
       "material",    "fit",      "gender",      "season",      "seo_title", "seo_description",
       "price_minor", "currency", "sales_count", "colours",     "sizes",     "tag_list",
       "in_stock",    "status",   "created_at",  "updated_at"});
  if (!products) return products.error();

  for (const auto& p : batch.products)
    for (const auto& tag : p.tags) rows.push_back({p.id, tag});
  if (auto n = flush("product_tags", {"product_id", "tag"}); !n) return n.error();

  for (const auto& v : batch.variants)
    rows.push_back({v.id, v.product_id, v.sku, v.size, v.colour, v.price_minor,
                    nullable(v.compare_at_minor), nullable(v.barcode), nullable(v.weight_grams),
                    v.position, v.in_stock});
  if (auto n = flush("variants",
                     {"id", "product_id", "sku", "size", "colour", "price_minor",
                      "compare_at_minor", "barcode", "weight_grams", "position", "in_stock"});
      !n)
    return n.error();

  for (const auto& i : batch.images)
    rows.push_back({i.id, i.product_id, nullable(i.colour), i.media_key, i.alt, i.position});
  if (auto n =
          flush("product_images", {"id", "product_id", "colour", "media_key", "alt", "position"});
      !n)
    return n.error();

  for (const auto& t : batch.translations)
    rows.push_back({t.entity, t.entity_id, t.locale, t.field, t.value});
  if (auto n = flush("catalog_translations", {"entity", "entity_id", "locale", "field", "value"});
      !n)
    return n.error();

  // Other nodes learn of the bulk load through the outbox (CatalogService::kChangedTopic).
  if (auto e = jobs::publish(*tx, "catalog.changed", "", R"({"product_ids":[],"everything":true})",
                             now_utc());
      !e)
    return e.error();
  if (auto c = tx->commit(); !c) return c.error();
  return *products;
}

Result<std::optional<ProductStore::StockMirrorUpdate>> ProductStore::set_variant_in_stock(
    const std::string& variant_id, bool in_stock) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto owner = tx->query("SELECT product_id FROM variants WHERE id = $1", {variant_id});
  if (!owner) return owner.error();
  if (owner->rows.empty()) return std::optional<StockMirrorUpdate>();
  std::string product_id = owner->rows[0].text(0);
  // Most stock movements leave availability as it was: then nothing is written or announced.
  auto r = tx->query("UPDATE variants SET in_stock = $1 WHERE id = $2 AND in_stock <> $1",
                     {in_stock, variant_id});
  if (!r) return r.error();
  if (r->affected == 0) {
    tx->rollback();
    return std::optional<StockMirrorUpdate>(StockMirrorUpdate{std::move(product_id), false});
  }
  // The product is in stock while any of its variants is.
  auto p = tx->query(
      "UPDATE products SET in_stock = EXISTS (SELECT 1 FROM variants v "
      "WHERE v.product_id = products.id AND v.in_stock) "
      "WHERE id = $1",
      {product_id});
  if (!p) return p.error();
  if (auto e =
          jobs::publish(*tx, "catalog.changed", product_id,
                        boost::json::serialize(boost::json::object{
                            {"product_ids", boost::json::array{boost::json::value(product_id)}},
                            {"everything", false}}),
                        now_utc());
      !e)
    return e.error();
  if (auto c = tx->commit(); !c) return c.error();
  return std::optional<StockMirrorUpdate>(StockMirrorUpdate{std::move(product_id), true});
}

namespace rows {

Product product(const db::Row& r) {
  Product p;
  p.id = r.text(0);
  p.slug = r.text(1);
  p.title = r.text(2);
  p.description = r.text(3);
  p.brand_id = r.opt_text(4);
  p.category_id = r.opt_text(5);
  p.material = r.text(6);
  p.fit = r.text(7);
  p.gender = r.text(8);
  p.season = r.text(9);
  p.seo_title = r.text(10);
  p.seo_description = r.text(11);
  p.price = Money(r.int64(12), parse_currency(r.text(13)).value_or(Currency::USD));
  p.sales_count = r.int64(14);
  p.status = r.text(15);
  p.created_at = r.text(16);
  p.updated_at = r.text(17);
  return p;
}

Variant variant(const db::Row& r) {
  Variant v;
  v.id = r.text(0);
  v.product_id = r.text(1);
  v.sku = r.text(2);
  v.size = r.text(3);
  v.colour = r.text(4);
  v.price_minor = r.int64(5);
  v.compare_at_minor = r.opt_int64(6);
  v.barcode = r.opt_text(7);
  v.weight_grams = r.opt_int64(8);
  v.position = r.int64(9);
  v.in_stock = r.boolean(10);
  return v;
}

db::Value nullable(const std::optional<std::string>& v) {
  return v ? db::Value(*v) : db::Value();
}
db::Value nullable(const std::optional<int64_t>& v) {
  return v ? db::Value(*v) : db::Value();
}

}  // namespace rows

}  // namespace fff::catalog
