// app/demo_shop: the demo fashion shop loaded into an empty database on first start, so that
// `fff serve` on a new machine shows a real-looking shop at once.
#pragma once

#include "core/error.hpp"

namespace fff::catalog {
class CatalogService;
}

namespace fff::app {

// Adds the demo products that are missing (idempotent; safe when several nodes start at once).
Result<void> load_demo_shop(catalog::CatalogService& catalog);

}  // namespace fff::app
