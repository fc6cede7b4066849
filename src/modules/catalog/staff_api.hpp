// modules/catalog/staff_api: the staff (admin) JSON routes under /api/v1/admin for categories,
// brands, option values, products with their variants and images, and bulk import/export.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/http/router.hpp"
#include "infra/http/staff_auth.hpp"
#include "modules/catalog/service.hpp"

namespace fff::catalog {

// Units on hand per variant id, over every location, for the export's on_hand column. The
// catalog does not own stock: the composition root answers from the inventory module.
using OnHandLookup = std::function<Result<std::map<std::string, int64_t>>(
    const std::vector<std::string>& variant_ids)>;

// Limits of one import request (the body is also bounded by the server's body limit).
inline constexpr size_t kMaxImportRows = 10'000;

// The products of a CSV import (the export's columns, one row per variant), grouped by slug, for
// import_products(); rows that cannot be read are appended to `errors` and left out. Errors:
// the CSV as a whole is unreadable (csv_*, import_too_large, unknown_column, missing_column,
// empty_import). The same reading as POST /api/v1/admin/products/import?format=csv.
Result<std::vector<ImportProduct>> import_rows_from_csv(const std::string& text,
                                                        std::vector<ImportRowError>& errors);
// "a, b,,c " → {"a", "b", "c"}: the tags cell of a CSV row or a form field, trimmed, empties
// dropped.
std::vector<std::string> split_tags(const std::string& text);
// Every product as the CSV export (GET /api/v1/admin/products/export?format=csv) writes it.
Result<std::string> export_csv(CatalogService& service, const OnHandLookup& on_hand);

// Registers every staff catalog route, each behind `guard`. `service` must outlive the router.
void add_staff_routes(http::Router& router, CatalogService& service,
                      const http::StaffAccess& access, OnHandLookup on_hand = nullptr);

}  // namespace fff::catalog
