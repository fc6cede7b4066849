// infra/jobs/staff_api: the queue for staff — jobs and dead letters, one job, retry.
//   GET  /api/v1/admin/jobs?status=&kind=&limit=&before=   newest first, with the queue's counts
//   GET  /api/v1/admin/jobs/{id}
//   POST /api/v1/admin/jobs/{id}/retry                     a dead (or waiting) job, due now
// Staff area "settings" (admins).
#pragma once

#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "infra/jobs/queue.hpp"

namespace fff::jobs {

// REQUIRES: `queue` and `access` outlive the router.
void add_staff_routes(http::Router& router, JobQueue& queue, const http::StaffAccess& access);

}  // namespace fff::jobs
