// flows/cart_api: the shopper's cart routes under /api/v1/carts and the public shipping
// methods. A flow because a cart line needs the catalog (is the variant for sale, at what
// price), inventory (how many are available) and pricing (what it all costs).
//
//   POST   /api/v1/carts                     new cart (a signed-in customer's open cart if any)
//   GET    /api/v1/carts/{id}                the priced cart (?country=&shipping_method= preview)
//   POST   /api/v1/carts/{id}/lines          {variant_id | sku, quantity}
//   PATCH  /api/v1/carts/{id}/lines/{line}   {quantity}
//   DELETE /api/v1/carts/{id}/lines/{line}
//   POST   /api/v1/carts/{id}/coupon         {code}
//   DELETE /api/v1/carts/{id}/coupon
//   POST   /api/v1/carts/{id}/claim          a signed-in customer takes a guest cart
//   GET    /api/v1/shipping-methods          ?country=
//
// Guest carts are reached by id (the fff_cart cookie holds it). A customer's cart answers only
// that customer. A signed-in customer using a guest cart claims it: it becomes theirs, or is
// merged into their open cart (the answer then is that cart, and fff_cart names it).
#pragma once

#include "flows/cart_pricing.hpp"
#include "infra/http/router.hpp"

namespace fff::flows {

inline constexpr const char* kCartCookie = "fff_cart";

// REQUIRES: the services outlive the router.
void add_cart_routes(http::Router& router, CartServices services);

// The priced cart as the API shows it (also for checkout's error details).
std::string cart_json_text(const PricedCart& cart);

}  // namespace fff::flows
