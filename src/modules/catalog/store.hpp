// modules/catalog/store: the catalog's SQL. The only code that touches its tables.
#pragma once

#include <optional>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/catalog/model.hpp"

namespace fff::catalog {

class ProductStore {
 public:
  explicit ProductStore(db::Database& database) : db_(database) {}

  Result<std::vector<Product>> list_active(int limit, int offset);
  Result<int64_t> count_active();
  Result<std::optional<Product>> find_active_by_slug(const std::string& slug);
  // Inserts in one transaction; products whose slug exists already are left alone.
  // Returns how many were inserted.
  Result<int64_t> insert_missing(const std::vector<Product>& products);

 private:
  db::Database& db_;
};

}  // namespace fff::catalog
