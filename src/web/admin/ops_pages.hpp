// web/admin/ops_pages: how the shop is doing and what it holds — the admin dashboard, stock and
// discounts.
//
//   GET  /admin                                  dashboard (any staff; revenue cards, charts and
//                                                recent orders with orders:read, low stock with
//                                                inventory:read); ?period=today|7d|30d
//   GET  /admin/inventory                        levels by variant and location; ?q=SKU, ?low=1,
//                                                ?page=
//   POST /admin/inventory/threshold              the low-stock threshold
//   GET  /admin/inventory/{variant_id}           levels, the adjustment form, the ledger (?page=)
//   POST /admin/inventory/{variant_id}/adjust    by a delta or to a counted level, with a reason
//   GET  /admin/discounts                        coupons with their usage
//   GET  /admin/discounts/new, POST /admin/discounts
//   GET  /admin/discounts/{id}, POST /admin/discounts/{id}
//   POST /admin/discounts/{id}/disable, POST /admin/discounts/{id}/enable
//
// Inventory pages are area inventory; discounts are area catalog, like the coupon staff API.
// Every change goes through the modules' services (InventoryService::adjust,
// PricingService::*_coupon), the same code as the JSON admin API.
#pragma once

#include <memory>

#include "infra/http/router.hpp"
#include "modules/accounts/service.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/orders/analytics.hpp"
#include "modules/orders/service.hpp"
#include "modules/pricing/service.hpp"
#include "web/admin/admin.hpp"

namespace fff::web::admin {

struct OpsPageServices {
  orders::OrderService& orders;
  std::shared_ptr<orders::SalesAnalytics> analytics;
  inventory::InventoryService& inventory;
  catalog::CatalogService& catalog;
  pricing::PricingService& pricing;
  accounts::AccountService& accounts;  // names the staff in the stock ledger
};

// REQUIRES: `admin` and the services outlive the router.
void add_ops_pages(http::Router& router, const Admin& admin, OpsPageServices services);

}  // namespace fff::web::admin
