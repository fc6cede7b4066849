// The admin console (/admin): the shared door and layout (web::admin::Admin, on the storefront's
// Site for templates and assets), then each area's pages in its own block below.
#include "app/app.hpp"
#include "web/admin/admin.hpp"
#include "web/admin/door_pages.hpp"
#include "web/admin/orders_pages.hpp"
#include "web/site.hpp"

namespace fff::app {

Result<void> App::wire_admin() {
  admin_ = std::make_shared<web::admin::Admin>(*site_, *staff_access_,
                                               web::admin::AdminOptions{.shop_name = "FFF"});

  // --- sign-in, second factor, sign-out, one's own account (lead) ---
  web::admin::add_door_pages(
      router_, *admin_,
      web::admin::DoorPageServices{.accounts = *accounts_, .second_factor = *second_factor_});

  // --- dashboard, inventory, discounts (ops) ---

  // --- products: list, editor, images, import/export (catalog) ---

  // --- orders, packing slips, customers (orders) ---
  web::admin::add_orders_pages(
      router_, *admin_,
      web::admin::OrdersPageServices{
          .orders = flows::OrderServices{*orders_, *payments_, *inventory_, *database_},
          .accounts = *accounts_});

  // --- settings, webhooks, jobs, audit, staff, tokens (system) ---

  return {};
}

}  // namespace fff::app
