// web/admin/ops_common: what the ops pages (ops_dashboard.cpp, ops_inventory.cpp,
// ops_discounts.cpp) share. Internal to them.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/money.hpp"
#include "web/admin/ops_pages.hpp"

namespace fff::web::admin::ops {

struct Pages {
  const Admin& admin;
  OpsPageServices s;
  Currency currency() const { return s.pricing.settings().currency; }
  std::string money(int64_t minor) const { return Site::money(Money(minor, currency())); }
};

// The layout's description of an ops page (each draws its own heading with its actions).
inline AdminPage page_for(std::string title, std::string section,
                          std::vector<std::pair<std::string, std::string>> crumbs = {}) {
  AdminPage page;
  page.title = std::move(title);
  page.section = std::move(section);
  page.crumbs = std::move(crumbs);
  page.own_heading = true;
  return page;
}

// "2026-11-26T13:59:11.123456Z" → "2026-11-26 13:59" (UTC), as the admin shows times.
std::string when(const std::string& iso);
// A whole number from a form or query ("12", "-3"); nullopt for anything else or out of range.
std::optional<int64_t> whole_number(const std::string& text);
// ?page= as a number from 1 (1 when absent or bad).
int64_t page_param(const http::Request& req);
// {"label": "Delivered", "cls": "text-bg-success"} for an order status.
boost::json::object order_status_badge(const std::string& status);
// Catalog views of variants by id (unknown ids absent).
std::map<std::string, catalog::VariantView> variant_views(Pages& p,
                                                          const std::vector<std::string>& ids);
// "Red / M" from a view's labels.
std::string variant_label(const catalog::VariantView& v);
// Pagination for a list: {pages, prev_href, next_href, from, to, total} ("" hrefs at the ends).
boost::json::object pager(const std::string& base, int64_t page, int64_t per_page, int64_t total,
                          int64_t shown);
// Form errors as templates use them, from a FormErrors.
boost::json::object errors_json(const FormErrors& errors);

void add_dashboard_page(http::Router& router, const std::shared_ptr<Pages>& p);
void add_inventory_pages(http::Router& router, const std::shared_ptr<Pages>& p);
void add_discount_pages(http::Router& router, const std::shared_ptr<Pages>& p);

}  // namespace fff::web::admin::ops
