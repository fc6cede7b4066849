// modules/webhooks/api: the staff routes under /api/v1/admin/webhooks (area "settings").
#pragma once

#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/webhooks/service.hpp"

namespace fff::webhooks {

// POST/GET /api/v1/admin/webhooks, GET/PATCH/DELETE /api/v1/admin/webhooks/{id},
// GET /api/v1/admin/webhooks/{id}/deliveries,
// POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/retry.
void add_staff_routes(http::Router& router, WebhookService& service,
                      const http::StaffAccess& access);

}  // namespace fff::webhooks
