// modules/orders/analytics: how the shop sells — revenue, orders, units and average order value
// over a time window, revenue per day, and the best-selling products. Read-only SQL over the
// orders module's own tables (orders, order_lines), written once for both dialects; the admin
// dashboard draws its cards and charts from it.
//
// What counts as a sale: an order in the window's currency, created in [from, to), in any status
// but pending_payment (not paid yet) and cancelled. Revenue is net of refunds (total_minor -
// refunded_minor); top products count each line's total (after its discount, with its tax).
//
// Thread-safety: safe to use from many threads at once (all state is in the database).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"

namespace fff::orders {

// A half-open time window [from, to) of ISO 8601 UTC timestamps, in one currency ("USD").
struct SalesWindow {
  std::string from;
  std::string to;
  std::string currency = "USD";
};

struct SalesFigures {
  int64_t revenue_minor = 0;  // net of refunds
  int64_t orders = 0;
  int64_t units = 0;
  // Revenue per order, rounded half up; 0 without orders.
  int64_t average_order_minor() const {
    return orders == 0 ? 0 : (revenue_minor + orders / 2) / orders;
  }
};

struct DaySales {
  std::string day;  // "YYYY-MM-DD" (UTC)
  int64_t revenue_minor = 0;
  int64_t orders = 0;
};

struct ProductSales {
  std::string product_id, product_name, product_slug;
  int64_t units = 0;
  int64_t revenue_minor = 0;
};

class SalesAnalytics {
 public:
  explicit SalesAnalytics(db::Database& database) : db_(database) {}

  // Totals over the window. Errors: invalid "invalid_window" when from/to are not ISO 8601 or
  // from is after to; database errors as they come.
  Result<SalesFigures> figures(const SalesWindow& window);
  // One entry per UTC day the window touches, oldest first, days without sales included (zero),
  // at most 366 days (invalid "invalid_window" beyond).
  Result<std::vector<DaySales>> by_day(const SalesWindow& window);
  // The `limit` (1..100) products with the most units sold in the window, then by revenue, then
  // by name.
  Result<std::vector<ProductSales>> top_products(const SalesWindow& window, int limit = 5);

 private:
  db::Database& db_;
};

}  // namespace fff::orders
