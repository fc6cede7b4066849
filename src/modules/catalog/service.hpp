// modules/catalog/service: the catalog's rules; the module's only door for other code.
#pragma once

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "modules/catalog/model.hpp"
#include "modules/catalog/store.hpp"

namespace fff::catalog {

class CatalogService {
 public:
  static constexpr int kMaxPerPage = 100;
  static constexpr int kDefaultPerPage = 24;

  CatalogService(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  // REQUIRES: page >= 1 and 1 <= per_page <= kMaxPerPage (validated at the API boundary).
  Result<ProductPage> list_products(int page, int per_page);
  // Error: not_found / product_not_found when no active product has the slug.
  Result<Product> product_by_slug(const std::string& slug);
  // Adds products (active at once); existing slugs are skipped. Returns how many were added.
  // Error: unprocessable / invalid_product naming the field for a bad slug, title or price.
  Result<int64_t> add_products(const std::vector<NewProduct>& products);

 private:
  ProductStore store_;
  const Clock& clock_;
};

// A slug is 1–120 characters of a-z, 0-9 and single hyphens, not at either end.
bool valid_slug(const std::string& slug);

}  // namespace fff::catalog
