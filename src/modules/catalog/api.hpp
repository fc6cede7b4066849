// modules/catalog/api: the catalog's public JSON routes under /api/v1.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/http/router.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {

// Units available to sell per variant id (on hand minus reserved, over every location). The
// catalog does not own stock: the composition root answers this from the inventory module.
// Variants missing from the answer have none.
using AvailabilityLookup = std::function<Result<std::map<std::string, int64_t>>(
    const std::vector<std::string>& variant_ids)>;

// A variant with this many units or fewer left is shown as "only N left".
inline constexpr int64_t kLowStockThreshold = 3;

// GET /api/v1/categories, GET /api/v1/products, GET /api/v1/products/{slug}.
// `service` must outlive the router. Without `availability`, the detail page falls back to the
// catalog's in-stock mirror (in stock or sold out, no counts).
void add_routes(http::Router& router, CatalogService& service,
                AvailabilityLookup availability = nullptr);

}  // namespace fff::catalog
