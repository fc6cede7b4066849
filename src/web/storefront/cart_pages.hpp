// web/storefront/cart_pages: the shopping bag.
//   POST /cart/add                      variant_id, quantity → 303 /cart (or JSON for the script)
//   GET  /cart                          lines, warnings, coupon, totals, checkout button
//   POST /cart/lines/{line_id}          quantity
//   POST /cart/lines/{line_id}/remove
//   POST /cart/coupon                   code
//   POST /cart/coupon/remove
// and the layout's `cart_count`. Guest carts live in the fff_cart cookie (as the cart API sets
// it); a signed-in customer uses their own cart.
#pragma once

#include "flows/cart_pricing.hpp"
#include "infra/http/router.hpp"
#include "web/site.hpp"

namespace fff::web {

struct CartPageServices {
  flows::CartServices cart;
};

// REQUIRES: the services and `site` outlive the router.
void add_cart_pages(http::Router& router, Site& site, CartPageServices services);

// The country the shop assumes before the shopper says (US for a USD shop, VN for VND).
std::string default_country(Currency shop_currency);

}  // namespace fff::web
