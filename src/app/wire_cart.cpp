// Cart and pricing: the shop currency, the cart and pricing services, the shopper's cart routes
// (flows/cart_api) and the staff routes for coupons, shipping methods and tax rates.
#include "app/app.hpp"
#include "flows/cart_api.hpp"
#include "modules/cart/service.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/pricing/api.hpp"
#include "modules/pricing/service.hpp"

namespace fff::app {

Result<void> App::wire_cart() {
  Currency currency = config_.currency == "VND" ? Currency::VND : Currency::USD;
  // One shop currency for the catalog, carts and orders.
  catalog::CatalogService::set_shop_currency(currency);
  carts_ = std::make_shared<cart::CartService>(
      *database_, Clock::system(),
      cart::CartLimits{.max_quantity = config_.cart_max_quantity,
                       .max_lines = config_.cart_max_lines,
                       .expiry_days = config_.cart_expiry_days});
  pricing_ = std::make_shared<pricing::PricingService>(
      *database_, Clock::system(),
      pricing::PricingSettings{
          .currency = currency,
          .prices_include_tax = config_.prices_include_tax.value_or(currency == Currency::VND)});
  pricing::add_staff_routes(router_, *pricing_, *staff_access_);
  flows::add_cart_routes(router_, flows::CartServices{*carts_, *pricing_, *catalog_, *inventory_});
  return {};
}

}  // namespace fff::app
