#include "modules/orders/analytics.hpp"

#include <chrono>
#include <map>
#include <optional>

#include "core/time.hpp"

namespace fff::orders {
namespace {

// Orders that are sales: paid or confirmed, whatever happened after (refunds are netted out).
constexpr const char* kSaleFilter =
    "o.currency = $1 AND o.created_at >= $2 AND o.created_at < $3 "
    "AND o.status NOT IN ('pending_payment', 'cancelled')";

struct Bounds {
  Timestamp from, to;
  db::Params params;  // currency, from, to in canonical form (text order is time order)
};

Result<Bounds> bounds(const SalesWindow& w) {
  auto from = parse_iso8601(w.from);
  auto to = parse_iso8601(w.to);
  if (!from || !to)
    return Error::invalid("invalid_window", "from and to must be ISO 8601 timestamps");
  if (*from > *to) return Error::invalid("invalid_window", "from must not be after to");
  return Bounds{*from, *to, {w.currency, to_iso8601(*from), to_iso8601(*to)}};
}

std::string day_of(Timestamp t) {
  return to_iso8601(t).substr(0, 10);
}

}  // namespace

Result<SalesFigures> SalesAnalytics::figures(const SalesWindow& window) {
  auto b = bounds(window);
  if (!b) return b.error();
  auto totals = db_.query(std::string("SELECT COUNT(*), CAST(COALESCE(SUM(o.total_minor - "
                                      "o.refunded_minor), 0) AS BIGINT) FROM orders o WHERE ") +
                              kSaleFilter,
                          b->params);
  if (!totals) return totals.error();
  auto units = db_.query(
      std::string("SELECT CAST(COALESCE(SUM(l.quantity), 0) AS BIGINT) FROM order_lines l "
                  "JOIN orders o ON o.id = l.order_id WHERE ") +
          kSaleFilter,
      b->params);
  if (!units) return units.error();
  SalesFigures f;
  f.orders = totals->rows.at(0).int64(0);
  f.revenue_minor = totals->rows.at(0).int64(1);
  f.units = units->rows.at(0).int64(0);
  return f;
}

Result<std::vector<DaySales>> SalesAnalytics::by_day(const SalesWindow& window) {
  auto b = bounds(window);
  if (!b) return b.error();
  using std::chrono::days;
  auto first = std::chrono::floor<days>(b->from);
  // The last day the window touches: `to` is exclusive.
  auto last =
      b->to > b->from ? std::chrono::floor<days>(b->to - std::chrono::microseconds(1)) : first;
  if (last - first >= days(366))
    return Error::invalid("invalid_window", "a window of days spans at most 366 days");
  // PostgreSQL's text form of a timestamptz in the UTC session ("2026-11-26 13:59:11+00") and
  // SQLite's stored text ("2026-11-26T13:59:11.000000Z") both start with the date.
  auto rows =
      db_.query(std::string("SELECT substr(CAST(o.created_at AS TEXT), 1, 10), COUNT(*), "
                            "CAST(COALESCE(SUM(o.total_minor - o.refunded_minor), 0) AS BIGINT) "
                            "FROM orders o WHERE ") +
                    kSaleFilter + " GROUP BY 1",
                b->params);
  if (!rows) return rows.error();
  std::map<std::string, DaySales> found;
  for (const auto& r : rows->rows) found[r.text(0)] = DaySales{r.text(0), r.int64(2), r.int64(1)};
  std::vector<DaySales> out;
  for (auto d = first; d <= last; d += days(1)) {
    std::string key = day_of(Timestamp(d));
    auto it = found.find(key);
    out.push_back(it != found.end() ? it->second : DaySales{key, 0, 0});
  }
  return out;
}

Result<std::vector<ProductSales>> SalesAnalytics::top_products(const SalesWindow& window,
                                                               int limit) {
  if (limit < 1 || limit > 100)
    return Error::invalid("invalid_limit", "limit must be from 1 to 100");
  auto b = bounds(window);
  if (!b) return b.error();
  auto rows = db_.query(
      std::string(
          "SELECT l.product_id, MAX(l.product_name), MAX(l.product_slug), "
          "CAST(SUM(l.quantity) AS BIGINT), CAST(SUM(l.total_minor) AS BIGINT) FROM order_lines l "
          "JOIN orders o ON o.id = l.order_id WHERE ") +
          kSaleFilter + " GROUP BY l.product_id ORDER BY 4 DESC, 5 DESC, 2, 1 LIMIT " +
          std::to_string(limit),
      b->params);
  if (!rows) return rows.error();
  std::vector<ProductSales> out;
  for (const auto& r : rows->rows)
    out.push_back(ProductSales{r.text(0), r.text(1), r.text(2), r.int64(3), r.int64(4)});
  return out;
}

}  // namespace fff::orders
