#include "flows/cart_pricing.hpp"

namespace fff::flows {

Result<PricedCart> price_cart(CartServices& services, const cart::Cart& cart,
                              pricing::QuoteRequest options) {
  (void)services;
  (void)options;
  PricedCart priced;
  priced.cart = cart;
  return Error::internal("price_cart: not implemented yet");
}

}  // namespace fff::flows
