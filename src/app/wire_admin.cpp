// The admin console (/admin): the shared door and layout (web::admin::Admin, on the storefront's
// Site for templates and assets), then each area's pages in its own block below.
#include "app/app.hpp"
#include "modules/accounts/service.hpp"
#include "modules/staff/second_factor.hpp"
#include "web/admin/admin.hpp"
#include "web/admin/door_pages.hpp"
#include "web/admin/ops_pages.hpp"
#include "web/site.hpp"

namespace fff::app {

Result<void> App::wire_admin() {
  web::admin::AdminOptions options{
      .shop_name = "FFF",
      .staff_profile = [accounts = accounts_.get()](const std::string& account_id)
          -> std::optional<web::admin::StaffProfile> {
        auto found = accounts->find_account(account_id);
        if (!found || !*found) return std::nullopt;
        return web::admin::StaffProfile{(*found)->name, (*found)->email};
      },
      .has_second_factor =
          [second_factor = second_factor_.get()](const std::string& account_id) {
            auto on = second_factor->enabled(account_id);
            return !on || *on;  // unknown → ask for the code rather than let it pass
          }};
  admin_ = std::make_shared<web::admin::Admin>(*site_, *staff_access_, std::move(options));

  // --- sign-in, second factor, sign-out, one's own account (lead) ---
  web::admin::add_door_pages(
      router_, *admin_,
      web::admin::DoorPageServices{.accounts = *accounts_, .second_factor = *second_factor_});

  // --- dashboard, inventory, discounts (ops) ---
  web::admin::add_ops_pages(
      router_, *admin_,
      web::admin::OpsPageServices{.orders = *orders_,
                                  .analytics = std::make_shared<orders::SalesAnalytics>(*database_),
                                  .inventory = *inventory_,
                                  .catalog = *catalog_,
                                  .pricing = *pricing_,
                                  .accounts = *accounts_});

  // --- products: list, editor, images, import/export (catalog) ---

  // --- orders, packing slips, customers (orders) ---

  // --- settings, webhooks, jobs, audit, staff, tokens (system) ---

  return {};
}

}  // namespace fff::app
