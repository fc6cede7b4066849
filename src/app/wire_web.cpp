// The storefront: the shared Site (templates, strings, assets, page cache) and every page area's
// routes. Each area registers its pages in its own block below.
#include "app/app.hpp"
#include "infra/jobs/queue.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "web/site.hpp"
#include "web/storefront/account_pages.hpp"
#include "web/storefront/cart_pages.hpp"
#include "web/storefront/catalog_pages.hpp"
#include "web/storefront/checkout_pages.hpp"

namespace fff::app {

Result<void> App::wire_web() {
  auto site = web::Site::create(
      web::SiteOptions{.shop_name = "FFF", .public_url = config_.public_url}, csrf_tokens_);
  if (!site) return site.error();
  site_ = std::move(*site);
  site_->add_routes(router_);

  // --- catalog pages: home, categories, search, products, sitemap ---
  web::add_catalog_pages(
      router_, *site_,
      web::CatalogPageServices{
          .catalog = *catalog_,
          .availability = [inventory = inventory_.get()](const std::vector<std::string>& ids) {
            return inventory->available(ids);
          }});
  // Cached pages show the catalog: any change here or on another node (catalog.changed reaches
  // apply_remote_change) forgets them, in-stock flips included (catalog.stock_mirror); so does
  // every stock movement, for the product pages' "only N left" (stock.changed, node-local).
  catalog_->on_change(
      [site = site_.get()](const catalog::CatalogChange&) { site->invalidate_pages(); });
  // Search pages come from the index, which follows a write about a second later: a search made
  // in between may have cached "no results", so the pages are forgotten again once it caught up.
  // (The index updater is the catalog's thread and outlives site_ while the App is destroyed:
  // the listener holds the site weakly.)
  catalog_->on_indexed([site = std::weak_ptr<web::Site>(site_)] {
    if (auto alive = site.lock()) alive->invalidate_pages();
  });
  jobs_->on_event({"stock.changed"},
                  [site = site_.get()](const jobs::Event&) { site->invalidate_pages(); });

  // --- cart, checkout, confirmation, guest order tracking ---
  {
    flows::CartServices cart{*carts_, *pricing_, *catalog_, *inventory_};
    web::add_cart_pages(router_, *site_, web::CartPageServices{cart});
    web::add_checkout_pages(
        router_, *site_,
        web::CheckoutPageServices{
            flows::CheckoutServices{cart, *orders_, *payments_, *database_},
            flows::OrderServices{*orders_, *payments_, *inventory_, *database_}, accounts_.get()});
  }

  // --- customer account pages ---
  web::add_account_pages(
      router_, *site_,
      web::AccountPageServices{
          .accounts = *accounts_, .orders = *orders_, .carts = *carts_, .inventory = *inventory_});

  return {};
}

}  // namespace fff::app
