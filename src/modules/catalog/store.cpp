#include "modules/catalog/store.hpp"

namespace fff::catalog {
namespace {

constexpr const char* kColumns =
    "id, slug, title, description, price_minor, currency, status, created_at, updated_at";

Product to_product(const db::Row& r) {
  Product p;
  p.id = r.text(0);
  p.slug = r.text(1);
  p.title = r.text(2);
  p.description = r.text(3);
  p.price = Money(r.int64(4), parse_currency(r.text(5)).value_or(Currency::USD));
  p.status = r.text(6);
  p.created_at = r.text(7);
  p.updated_at = r.text(8);
  return p;
}

}  // namespace

Result<std::vector<Product>> ProductStore::list_active(int limit, int offset) {
  auto rows = db_.query(std::string("SELECT ") + kColumns +
                            " FROM products WHERE status = 'active'"
                            " ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2",
                        {int64_t{limit}, int64_t{offset}});
  if (!rows) return rows.error();
  std::vector<Product> out;
  out.reserve(rows->rows.size());
  for (const auto& r : rows->rows) out.push_back(to_product(r));
  return out;
}

Result<int64_t> ProductStore::count_active() {
  auto rows = db_.query("SELECT count(*) FROM products WHERE status = 'active'");
  if (!rows) return rows.error();
  return rows->rows.at(0).int64(0);
}

Result<std::optional<Product>> ProductStore::find_active_by_slug(const std::string& slug) {
  auto rows = db_.query(
      std::string("SELECT ") + kColumns + " FROM products WHERE slug = $1 AND status = 'active'",
      {slug});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Product>{};
  return std::optional<Product>{to_product(rows->rows[0])};
}

Result<int64_t> ProductStore::insert_missing(const std::vector<Product>& products) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  int64_t inserted = 0;
  for (const auto& p : products) {
    auto r = tx->query(
        "INSERT INTO products (id, slug, title, description, price_minor, currency, status, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (slug) DO NOTHING",
        {p.id, p.slug, p.title, p.description, p.price.minor(),
         std::string(currency_code(p.price.currency())), p.status, p.created_at, p.updated_at});
    if (!r) return r.error();
    inserted += r->affected;
  }
  if (auto c = tx->commit(); !c) return c.error();
  return inserted;
}

}  // namespace fff::catalog
