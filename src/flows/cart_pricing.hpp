// flows/cart_pricing: the cart as the shopper sees it — the cart's lines with the catalog's
// current variants and prices, inventory's availability, and pricing's quote. Used by the cart
// API and by checkout, so both price a cart the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "modules/cart/service.hpp"
#include "modules/catalog/service.hpp"
#include "modules/inventory/service.hpp"
#include "modules/pricing/service.hpp"

namespace fff::flows {

struct CartServices {
  cart::CartService& carts;
  pricing::PricingService& pricing;
  catalog::CatalogService& catalog;
  inventory::InventoryService& inventory;
};

struct PricedCartLine {
  cart::CartLine line;
  std::string sku, product_id, product_name, product_slug, size, colour;  // codes
  std::string size_label, colour_label;
  std::optional<std::string> image_key;  // media key of the product/colour image
  int64_t available = 0;                 // units available now
  std::optional<std::string> warning;    // "only_few_left", "sold_out", "unavailable", "reduced"
  pricing::QuotedLine priced;
};

struct PricedCart {
  cart::Cart cart;
  std::vector<PricedCartLine> lines;
  pricing::Quote quote;
};

// A line is "only_few_left" when at most this many units are available (and it can be bought).
inline constexpr int64_t kFewLeft = 5;

// Re-reads every line's variant from the catalog (active products only, current price: the
// client never sends prices) and availability from inventory, then quotes. `options.lines` is
// ignored (filled from the cart); coupon defaults to the cart's.
// Lines whose variant is gone or whose product is not active are reported with warning
// "unavailable" and priced at 0 (left out of the quote); lines asking for more than is available
// carry "sold_out" (none left) or "reduced" (fewer left than asked). Checkout refuses both.
Result<PricedCart> price_cart(CartServices& services, const cart::Cart& cart,
                              pricing::QuoteRequest options);

}  // namespace fff::flows
