#include "web/admin/ops_pages.hpp"

#include <charconv>

#include "web/admin/ops_common.hpp"

namespace fff::web::admin {
namespace ops {

namespace json = boost::json;

std::string when(const std::string& iso) {
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::optional<int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

int64_t page_param(const http::Request& req) {
  auto raw = req.query_param("page");
  if (!raw) return 1;
  auto n = whole_number(*raw);
  return n && *n >= 1 && *n <= 100'000 ? *n : 1;
}

json::object order_status_badge(const std::string& status) {
  static const std::map<std::string, std::pair<const char*, const char*>> kBadges = {
      {"pending_payment", {"Pending payment", "admin-badge-warning"}},
      {"confirmed", {"Confirmed", "admin-badge-info"}},
      {"paid", {"Paid", "admin-badge-info"}},
      {"partially_fulfilled", {"Partially fulfilled", "admin-badge-info"}},
      {"fulfilled", {"Fulfilled", "admin-badge-info"}},
      {"shipped", {"Shipped", "admin-badge-info"}},
      {"delivered", {"Delivered", "admin-badge-success"}},
      {"cancelled", {"Cancelled", "admin-badge-neutral"}},
      {"partially_refunded", {"Partially refunded", "admin-badge-warning"}},
      {"refunded", {"Refunded", "admin-badge-neutral"}},
      {"returned", {"Returned", "admin-badge-neutral"}},
  };
  auto it = kBadges.find(status);
  if (it == kBadges.end()) return {{"label", status}, {"cls", "admin-badge-neutral"}};
  return {{"label", it->second.first}, {"cls", it->second.second}};
}

std::map<std::string, catalog::VariantView> variant_views(Pages& p,
                                                          const std::vector<std::string>& ids) {
  std::map<std::string, catalog::VariantView> out;
  if (ids.empty()) return out;
  auto views = p.s.catalog.variant_views(ids);
  if (!views) return out;
  for (auto& v : *views) out.emplace(v.variant_id, std::move(v));
  return out;
}

std::string variant_label(const catalog::VariantView& v) {
  std::string colour = v.colour_label.empty() ? v.colour : v.colour_label;
  std::string size = v.size_label.empty() ? v.size : v.size_label;
  if (colour.empty()) return size;
  if (size.empty()) return colour;
  return colour + " / " + size;
}

json::object pager(const std::string& base, int64_t page, int64_t per_page, int64_t total,
                   int64_t shown) {
  int64_t pages = total == 0 ? 1 : (total + per_page - 1) / per_page;
  std::string sep = base.find('?') == std::string::npos ? "?" : "&";
  auto href = [&](int64_t n) { return base + sep + "page=" + std::to_string(n); };
  int64_t from = shown == 0 ? 0 : (page - 1) * per_page + 1;
  return {{"page", page},
          {"pages", pages},
          {"total", total},
          {"from", from},
          {"to", from == 0 ? 0 : from + shown - 1},
          {"many", pages > 1},
          {"prev_href", page > 1 ? href(page - 1) : ""},
          {"next_href", page < pages ? href(page + 1) : ""}};
}

json::object errors_json(const FormErrors& errors) {
  return errors.to_json();
}

}  // namespace ops

void add_ops_pages(http::Router& router, const Admin& admin, OpsPageServices services) {
  auto pages = std::make_shared<ops::Pages>(ops::Pages{admin, std::move(services)});
  ops::add_dashboard_page(router, pages);
  ops::add_inventory_pages(router, pages);
  ops::add_discount_pages(router, pages);
}

}  // namespace fff::web::admin
