// modules/catalog/api: the catalog's JSON routes under /api/v1.
#pragma once

#include "infra/http/router.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {

// GET /api/v1/products, GET /api/v1/products/{slug}. `service` must outlive the router.
void add_routes(http::Router& router, CatalogService& service);

}  // namespace fff::catalog
