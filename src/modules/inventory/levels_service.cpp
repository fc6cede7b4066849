// InventoryService's staff listings and the low-stock threshold (see service.hpp).
#include <string>

#include "core/id.hpp"
#include "modules/inventory/service.hpp"

namespace fff::inventory {
namespace {

constexpr const char* kLowStockThreshold = "low_stock_threshold";

}  // namespace

Result<LevelPage> InventoryService::level_page(const LevelQuery& query) {
  if (query.limit < 1 || query.limit > 500)
    return Error::invalid("invalid_parameter", "limit must be from 1 to 500");
  if (query.offset < 0) return Error::invalid("invalid_parameter", "offset must not be negative");
  LevelQuery q = query;
  if (!query.variant_ids.empty()) {
    q.variant_ids.clear();
    for (const auto& id : query.variant_ids)
      if (is_uuid(id)) q.variant_ids.push_back(id);
    if (q.variant_ids.empty()) return LevelPage{};  // only ids that name nothing
  }
  return store_.level_page(q);
}

Result<int64_t> InventoryService::low_stock_threshold() {
  auto stored = store_.setting(kLowStockThreshold);
  if (!stored) return stored.error();
  return stored->value_or(kDefaultLowStockThreshold);
}

Result<void> InventoryService::set_low_stock_threshold(int64_t threshold) {
  if (threshold < 0 || threshold > kMaxLowStockThreshold) {
    std::string message = "must be from 0 to " + std::to_string(kMaxLowStockThreshold);
    return Error::unprocessable("invalid_threshold", "threshold " + message,
                                {{"threshold", message}});
  }
  return store_.set_setting(kLowStockThreshold, threshold);
}

Result<std::vector<VariantStock>> InventoryService::low_stock(int limit) {
  if (limit < 1 || limit > 500)
    return Error::invalid("invalid_parameter", "limit must be from 1 to 500");
  auto threshold = low_stock_threshold();
  if (!threshold) return threshold.error();
  return store_.low_stock(*threshold, limit);
}

}  // namespace fff::inventory
