// modules/catalog/store_rows: the column lists and row readers shared by the catalog's SQL
// (store.cpp for the shop's reads, staff_store.cpp for staff writes). Internal to the module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "infra/db/database.hpp"
#include "modules/catalog/model.hpp"

namespace fff::catalog::rows {

// Select with "FROM products p".
inline constexpr const char* kProductColumns =
    "p.id, p.slug, p.title, p.description, p.brand_id, p.category_id, p.material, p.fit, "
    "p.gender, p.season, p.seo_title, p.seo_description, p.price_minor, p.currency, "
    "p.sales_count, p.status, p.created_at, p.updated_at";
Product product(const db::Row& r);  // a row of kProductColumns

inline constexpr const char* kVariantColumns =
    "id, product_id, sku, size, colour, price_minor, compare_at_minor, barcode, weight_grams, "
    "position, in_stock";
Variant variant(const db::Row& r);  // a row of kVariantColumns

// SQL NULL for an absent value.
db::Value nullable(const std::optional<std::string>& v);
db::Value nullable(const std::optional<int64_t>& v);

}  // namespace fff::catalog::rows
