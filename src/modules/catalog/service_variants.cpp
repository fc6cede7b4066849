// The catalog's side of the cart: variants as cart lines show them, and the shop currency.
#include <atomic>

#include "core/id.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {
namespace {

std::atomic<Currency> g_shop_currency{Currency::USD};

}  // namespace

CatalogService::ShopCurrency::operator Currency() const {
  return g_shop_currency.load(std::memory_order_relaxed);
}

void CatalogService::set_shop_currency(Currency currency) {
  g_shop_currency.store(currency, std::memory_order_relaxed);
}

Result<std::vector<VariantView>> CatalogService::variant_views(
    const std::vector<std::string>& variant_ids) {
  std::vector<std::string> ids;
  for (const auto& id : variant_ids)
    if (is_uuid(id)) ids.push_back(id);
  if (ids.empty()) return std::vector<VariantView>{};
  return store_.variant_views(ids);
}

}  // namespace fff::catalog
