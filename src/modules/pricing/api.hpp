// modules/pricing/api: the staff routes for coupons (area `catalog`), shipping methods and tax
// rates (area `settings`):
//   GET/POST /api/v1/admin/coupons, GET/PATCH/DELETE /api/v1/admin/coupons/{id} (DELETE
//   deactivates: redemptions keep pointing at it), GET/POST /api/v1/admin/shipping-methods,
//   PATCH /api/v1/admin/shipping-methods/{id}, GET /api/v1/admin/tax-rates,
//   PUT/DELETE /api/v1/admin/tax-rates/{country}.
#pragma once

#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/pricing/service.hpp"

namespace fff::pricing {

// REQUIRES: `service` and `access` outlive the router.
void add_staff_routes(http::Router& router, PricingService& service,
                      const http::StaffAccess& access);

}  // namespace fff::pricing
