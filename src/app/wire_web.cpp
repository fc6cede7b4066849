// The storefront: the shared Site (templates, strings, assets, page cache) and every page area's
// routes. Each area registers its pages in its own block below.
#include "app/app.hpp"
#include "web/site.hpp"
#include "web/storefront/cart_pages.hpp"
#include "web/storefront/checkout_pages.hpp"

namespace fff::app {

Result<void> App::wire_web() {
  auto site = web::Site::create(
      web::SiteOptions{.shop_name = "FFF", .public_url = config_.public_url}, csrf_tokens_);
  if (!site) return site.error();
  site_ = std::move(*site);
  site_->add_routes(router_);

  // --- catalog pages: home, categories, search, products, sitemap ---

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

  return {};
}

}  // namespace fff::app
