// modules/inventory/staff_api: the staff routes for stock: adjustments, levels and the ledger,
// under /api/v1/admin/inventory.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/inventory/service.hpp"

namespace fff::inventory {

struct VariantRef {
  std::string variant_id;
  std::string sku;
};
// Finds a variant by SKU (when given) or id. Inventory knows variants by id only; the
// composition root answers from the catalog. nullopt: no such variant.
using VariantLookup = std::function<Result<std::optional<VariantRef>>(
    const std::string& sku, const std::string& variant_id)>;

// The actor written to the ledger for staff moves until staff accounts exist.
inline constexpr const char* kStaffActor = "staff-token";

// POST /api/v1/admin/inventory/adjustments, GET …/levels, GET …/ledger, each behind `guard`.
// `service` must outlive the router.
void add_staff_routes(http::Router& router, InventoryService& service,
                      const http::StaffAccess& access, VariantLookup variants);

}  // namespace fff::inventory
