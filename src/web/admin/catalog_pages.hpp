// web/admin/catalog_pages: the admin console's product pages (area "catalog").
//
//   /admin/products                  list: search by title/slug/SKU, filters status, category,
//                                    brand; pages of 25; bulk publish/draft/archive
//   POST /admin/products/bulk        the bulk action on the checked products
//   /admin/products/new              a new product, its variants generated from sizes × colours
//   /admin/products/{id}             the editor: fields, SEO, variants (SKU, price, compare-at,
//                                    stock), images (drag-and-drop upload, alt text, order)
//   POST /admin/products/{id}/variants          adds the missing size × colour variants
//   POST /admin/products/{id}/images/{image_id} alt text, move up/down, remove
//   /admin/products/import           CSV upload, all or nothing, errors per row
//   /admin/products/export           the CSV export (the same file as the staff API's)
//
// The editor carries the product's updated_at: a save against an older version answers 409
// with both versions side by side and writes nothing. Stock is the inventory module's: stock
// fields are shown with inventory:read and saved (as a count) only with inventory:write.
// Uploads go straight from the browser to the media module's pre-signed URL
// (web/static/admin/catalog.js) and are attached through the staff API.
#pragma once

#include "infra/http/router.hpp"
#include "web/admin/admin.hpp"

namespace fff::catalog {
class CatalogService;
}
namespace fff::inventory {
class InventoryService;
}

namespace fff::web::admin {

struct CatalogPageServices {
  catalog::CatalogService& catalog;
  inventory::InventoryService& inventory;
};

// REQUIRES: `admin` and the services outlive the router.
void add_catalog_pages(http::Router& router, const Admin& admin, CatalogPageServices services);

}  // namespace fff::web::admin
