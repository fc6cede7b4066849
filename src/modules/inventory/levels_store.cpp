// StockStore's staff listings and settings (see "Staff listings" in store.hpp).
#include <string>

#include "modules/inventory/store.hpp"

namespace fff::inventory {

Result<LevelPage> StockStore::level_page(const LevelQuery& q) {
  std::string where = " WHERE 1 = 1";
  db::Params params;
  if (!q.variant_ids.empty()) {
    where += " AND l.variant_id IN (";
    for (size_t i = 0; i < q.variant_ids.size(); ++i) {
      params.push_back(q.variant_ids[i]);
      where += (i ? ", $" : "$") + std::to_string(params.size());
    }
    where += ")";
  }
  if (q.at_most_available) {
    params.push_back(*q.at_most_available);
    where +=
        " AND l.variant_id IN (SELECT variant_id FROM stock_levels GROUP BY variant_id "
        "HAVING SUM(on_hand - reserved) <= $" +
        std::to_string(params.size()) + ")";
  }
  auto count = db_.query("SELECT COUNT(*) FROM stock_levels l" + where, params);
  if (!count) return count.error();
  LevelPage page;
  page.total = count->rows.at(0).int64(0);
  auto rows = db_.query(
      "SELECT CAST(l.variant_id AS TEXT), CAST(l.location_id AS TEXT), l.on_hand, l.reserved "
      "FROM stock_levels l" +
          where + " ORDER BY l.variant_id, l.location_id LIMIT " + std::to_string(q.limit) +
          " OFFSET " + std::to_string(q.offset),
      params);
  if (!rows) return rows.error();
  for (const auto& r : rows->rows)
    page.items.push_back({r.text(0), r.text(1), r.int64(2), r.int64(3)});
  return page;
}

Result<std::vector<VariantStock>> StockStore::low_stock(int64_t threshold, int limit) {
  auto rows = db_.query(
      "SELECT CAST(variant_id AS TEXT), CAST(SUM(on_hand) AS BIGINT), CAST(SUM(reserved) AS "
      "BIGINT) FROM stock_levels GROUP BY variant_id HAVING SUM(on_hand - reserved) <= $1 "
      "ORDER BY SUM(on_hand - reserved), 1 LIMIT " +
          std::to_string(limit),
      {threshold});
  if (!rows) return rows.error();
  std::vector<VariantStock> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.int64(1), r.int64(2)});
  return out;
}

Result<std::optional<int64_t>> StockStore::setting(const std::string& name) {
  auto rows = db_.query("SELECT value FROM inventory_settings WHERE name = $1", {name});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<int64_t>{};
  return std::optional<int64_t>{rows->rows[0].int64(0)};
}

Result<void> StockStore::set_setting(const std::string& name, int64_t value) {
  auto done = db_.query(
      "INSERT INTO inventory_settings (name, value) VALUES ($1, $2) "
      "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
      {name, value});
  if (!done) return done.error();
  return {};
}

}  // namespace fff::inventory
