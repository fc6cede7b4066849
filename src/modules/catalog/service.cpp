#include "modules/catalog/service.hpp"

#include <chrono>

#include "core/id.hpp"

namespace fff::catalog {

bool valid_slug(const std::string& s) {
  if (s.empty() || s.size() > 120 || s.front() == '-' || s.back() == '-') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return true;
}

Result<ProductPage> CatalogService::list_products(int page, int per_page) {
  ProductPage out;
  out.page = page;
  out.per_page = per_page;
  auto total = store_.count_active();
  if (!total) return total.error();
  out.total = *total;
  int64_t offset = static_cast<int64_t>(page - 1) * per_page;
  if (offset >= out.total) return out;  // past the end: an empty page, not an error
  auto items = store_.list_active(per_page, static_cast<int>(offset));
  if (!items) return items.error();
  out.items = std::move(*items);
  return out;
}

Result<Product> CatalogService::product_by_slug(const std::string& slug) {
  if (!valid_slug(slug))
    return Error::not_found("product_not_found", "no product with slug '" + slug + "'");
  auto found = store_.find_active_by_slug(slug);
  if (!found) return found.error();
  if (!*found) return Error::not_found("product_not_found", "no product with slug '" + slug + "'");
  return std::move(**found);
}

Result<int64_t> CatalogService::add_products(const std::vector<NewProduct>& products) {
  std::vector<Product> rows;
  rows.reserve(products.size());
  // Each product gets a distinct creation time so "newest first" has a stable, meaningful order.
  Timestamp now = clock_.now();
  for (size_t i = 0; i < products.size(); ++i) {
    const auto& n = products[i];
    std::string where = "products[" + std::to_string(i) + "]";
    if (!valid_slug(n.slug))
      return Error::unprocessable(
          "invalid_product", "invalid slug '" + n.slug + "'",
          {{where + ".slug", "use lower-case letters, digits and hyphens"}});
    if (n.title.empty() || n.title.size() > 200)
      return Error::unprocessable("invalid_product", "invalid title",
                                  {{where + ".title", "must be 1 to 200 characters"}});
    if (n.price.minor() < 0)
      return Error::unprocessable("invalid_product", "negative price",
                                  {{where + ".price", "must not be negative"}});
    Product p;
    p.id = new_id();
    p.slug = n.slug;
    p.title = n.title;
    p.description = n.description;
    p.price = n.price;
    p.status = "active";
    p.created_at = to_iso8601(now - std::chrono::seconds(static_cast<long>(products.size() - i)));
    p.updated_at = p.created_at;
    rows.push_back(std::move(p));
  }
  return store_.insert_missing(rows);
}

}  // namespace fff::catalog
