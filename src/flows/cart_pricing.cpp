#include "flows/cart_pricing.hpp"

#include <map>
#include <utility>

namespace fff::flows {

Result<PricedCart> price_cart(CartServices& services, const cart::Cart& cart,
                              pricing::QuoteRequest options) {
  PricedCart out;
  out.cart = cart;
  std::vector<std::string> ids;
  ids.reserve(cart.lines.size());
  for (const auto& l : cart.lines) ids.push_back(l.variant_id);

  std::map<std::string, catalog::VariantView> views;
  std::map<std::string, int64_t> available;
  if (!ids.empty()) {
    auto found = services.catalog.variant_views(ids);
    if (!found) return found.error();
    for (auto& v : *found) views.emplace(v.variant_id, std::move(v));
    auto stock = services.inventory.available(ids);
    if (!stock) return stock.error();
    available = std::move(*stock);
  }

  options.lines.clear();
  std::vector<size_t> priced_index;  // out.lines index of each quoted line
  for (const auto& l : cart.lines) {
    PricedCartLine p;
    p.line = l;
    p.priced.variant_id = l.variant_id;
    p.priced.quantity = l.quantity;
    auto v = views.find(l.variant_id);
    if (v == views.end() || v->second.product_status != "active") {
      p.warning = "unavailable";
      if (v != views.end()) {
        p.sku = v->second.sku;
        p.product_id = v->second.product_id;
        p.product_name = v->second.product_title;
        p.product_slug = v->second.product_slug;
      }
      p.priced.sku = p.sku;
      out.lines.push_back(std::move(p));
      continue;
    }
    const catalog::VariantView& view = v->second;
    p.sku = view.sku;
    p.product_id = view.product_id;
    p.product_name = view.product_title;
    p.product_slug = view.product_slug;
    p.size = view.size;
    p.colour = view.colour;
    p.size_label = view.size_label;
    p.colour_label = view.colour_label;
    p.image_key = view.image_key;
    auto a = available.find(l.variant_id);
    p.available = a == available.end() ? 0 : std::max<int64_t>(a->second, 0);
    if (p.available <= 0)
      p.warning = "sold_out";
    else if (p.available < l.quantity)
      p.warning = "reduced";
    else if (p.available <= kFewLeft)
      p.warning = "only_few_left";
    options.lines.push_back(
        pricing::PriceLine{l.variant_id, view.sku, l.quantity, view.price_minor});
    priced_index.push_back(out.lines.size());
    out.lines.push_back(std::move(p));
  }
  if (!options.coupon_code) options.coupon_code = cart.coupon_code;
  auto quote = services.pricing.quote(options);
  if (!quote) return quote.error();
  for (size_t i = 0; i < priced_index.size() && i < quote->lines.size(); ++i)
    out.lines[priced_index[i]].priced = quote->lines[i];
  out.quote = std::move(*quote);
  return out;
}

}  // namespace fff::flows
