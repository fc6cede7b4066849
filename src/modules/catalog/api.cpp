#include "modules/catalog/api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::catalog {
namespace {

boost::json::object money_json(const Money& m) {
  return {{"amount", m.decimal()}, {"currency", currency_code(m.currency())}};
}

boost::json::object product_json(const Product& p) {
  return {{"id", p.id},
          {"slug", p.slug},
          {"title", p.title},
          {"description", p.description},
          {"price", money_json(p.price)},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at}};
}

// Reads an optional integer query parameter within [lo, hi].
Result<int> int_param(const http::Request& req, const char* name, int fallback, int lo, int hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi)
    return Error::invalid("invalid_parameter",
                          std::string(name) + " must be a whole number from " + std::to_string(lo) +
                              " to " + std::to_string(hi),
                          {{name, "must be a whole number from " + std::to_string(lo) + " to " +
                                      std::to_string(hi)}});
  return v;
}

}  // namespace

void add_routes(http::Router& router, CatalogService& service) {
  router.add("GET", "/api/v1/products", [&service](const http::Request& req) {
    auto page = int_param(req, "page", 1, 1, 1'000'000);
    if (!page) return http::problem(page.error(), req.request_id);
    auto per_page =
        int_param(req, "per_page", CatalogService::kDefaultPerPage, 1, CatalogService::kMaxPerPage);
    if (!per_page) return http::problem(per_page.error(), req.request_id);
    auto result = service.list_products(*page, *per_page);
    if (!result) return http::problem(result.error(), req.request_id);
    boost::json::array items;
    items.reserve(result->items.size());
    for (const auto& p : result->items) items.push_back(product_json(p));
    return http::json_response({{"items", std::move(items)},
                                {"page", result->page},
                                {"per_page", result->per_page},
                                {"total", result->total}});
  });

  router.add("GET", "/api/v1/products/{slug}", [&service](const http::Request& req) {
    auto product = service.product_by_slug(std::string(req.param("slug")));
    if (!product) return http::problem(product.error(), req.request_id);
    return http::json_response(product_json(*product));
  });
}

}  // namespace fff::catalog
