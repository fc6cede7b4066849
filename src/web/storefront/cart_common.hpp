// web/storefront/cart_common: what the cart and checkout pages share — finding the shopper's
// cart (the fff_cart cookie for a guest, the open cart for a signed-in customer, claiming a
// guest cart as flows/cart_api does), its cookie, and the priced cart as a view model.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "flows/cart_pricing.hpp"
#include "infra/http/message.hpp"
#include "web/site.hpp"

namespace fff::web {

// The signed-in customer's account id (staff sessions are not shoppers).
std::optional<std::string> shopper_of(const http::Request& request);

// The shopper's open cart, if there is one. For a customer holding a guest cart's cookie the
// guest cart is claimed (merged into their open cart). `set_cookie` says the response should
// (re)name the answered cart in fff_cart; `stale_cookie` that the cookie names no usable cart
// (unknown, expired, already ordered) and may be cleared.
struct CurrentCart {
  std::optional<cart::Cart> cart;
  bool set_cookie = false;
  bool stale_cookie = false;
};
Result<CurrentCart> current_cart(flows::CartServices& services, const http::Request& request);

// Set-Cookie values for fff_cart.
std::string cart_cookie(const std::string& cart_id, int expiry_days, bool secure);
std::string clear_cart_cookie(bool secure);

// Units available now for each variant (absent: none).
Result<std::map<std::string, int64_t>> availability(flows::CartServices& services,
                                                    const std::vector<std::string>& variant_ids);

// Prices the cart; a stored coupon that no longer applies is left out (and `coupon_error` says
// why) rather than hiding the cart.
struct PricedView {
  flows::PricedCart priced;
  std::optional<Error> coupon_error;
};
Result<PricedView> price_for_view(flows::CartServices& services, const cart::Cart& cart,
                                  pricing::QuoteRequest options = {});

// Units in the cart.
int64_t item_count(const cart::Cart& cart);

// The view model of a priced cart: lines (image, name, colour/size, prices, warning text),
// totals as formatted money, item count.
boost::json::object cart_view(const Site& site, const std::string& locale, const PricedView& view);

// Image URLs of a media key at a thumbnail size.
boost::json::object image_view(const std::optional<std::string>& key, const std::string& alt);

}  // namespace fff::web
