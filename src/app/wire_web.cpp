// The storefront: the shared Site (templates, strings, assets, page cache) and every page area's
// routes. Each area registers its pages in its own block below.
#include "app/app.hpp"
#include "web/site.hpp"
#include "web/storefront/account_pages.hpp"

namespace fff::app {

Result<void> App::wire_web() {
  auto site = web::Site::create(
      web::SiteOptions{.shop_name = "FFF", .public_url = config_.public_url}, csrf_tokens_);
  if (!site) return site.error();
  site_ = std::move(*site);
  site_->add_routes(router_);

  // --- catalog pages: home, categories, search, products, sitemap ---

  // --- cart, checkout, confirmation, guest order tracking ---

  // --- customer account pages ---
  web::add_account_pages(
      router_, *site_,
      web::AccountPageServices{
          .accounts = *accounts_, .orders = *orders_, .carts = *carts_, .inventory = *inventory_});

  return {};
}

}  // namespace fff::app
