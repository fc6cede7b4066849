// web/storefront/catalog_pages: the pages shoppers browse — home, category listings, search with
// suggestions, product pages, the sitemap — and the `nav` layout filler.
//
// `nav` (added to every page's data): an array of the top categories, each
//   {"name", "slug", "url", "href" (= url), "current" (the page is in it), "has_children",
//    "children": [{"name", "slug", "url", "href"}]},
// in the catalog's order, in the visitor's language. Category URLs are /c/{top} and
// /c/{top}/{sub}, where {sub} is the subcategory's slug without its parent's prefix
// ("women-dresses" under "women" → /c/women/dresses).
#pragma once

#include "infra/http/router.hpp"
#include "modules/catalog/api.hpp"
#include "modules/catalog/service.hpp"
#include "web/site.hpp"

namespace fff::web {

struct CatalogPageServices {
  catalog::CatalogService& catalog;
  // Units available per variant (inventory); without it product pages use the catalog's in-stock
  // mirror (sold out or not, no "only N left").
  catalog::AvailabilityLookup availability;
};

// Registers the catalog's page routes and the `nav` layout filler. `site` and the services must
// outlive the router.
void add_catalog_pages(http::Router& router, Site& site, CatalogPageServices services);

}  // namespace fff::web
