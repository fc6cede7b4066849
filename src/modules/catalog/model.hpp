// modules/catalog: the products shoppers browse. Owns the `products` table.
// (The foundation serves products by page and by slug; the catalog issue grows this module
// into variants, options, categories, brands, images and search.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/money.hpp"

namespace fff::catalog {

struct Product {
  std::string id;  // UUIDv7
  std::string slug;
  std::string title;
  std::string description;
  Money price{0, Currency::USD};
  std::string status;  // draft | active | archived
  std::string created_at;
  std::string updated_at;
};

struct NewProduct {
  std::string slug;
  std::string title;
  std::string description;
  Money price{0, Currency::USD};
};

struct ProductPage {
  std::vector<Product> items;
  int page = 1;
  int per_page = 24;
  int64_t total = 0;
};

}  // namespace fff::catalog
