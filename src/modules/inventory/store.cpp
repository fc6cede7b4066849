#include "modules/inventory/store.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/id.hpp"
#include "core/time.hpp"
#include "infra/jobs/queue.hpp"

namespace fff::inventory {
namespace {

std::string placeholders(size_t first, size_t count) {
  std::string out = "(";
  for (size_t i = 0; i < count; ++i) out += (i ? ", $" : "$") + std::to_string(first + i);
  return out + ")";
}

}  // namespace

Result<void> publish_stock_changed(db::Transaction& tx, const std::vector<std::string>& variant_ids,
                                   const std::string& now) {
  if (variant_ids.empty()) return {};
  boost::json::array ids;
  for (const auto& id : variant_ids) ids.emplace_back(id);
  auto at = parse_iso8601(now);
  auto event = jobs::publish(tx, "stock.changed", variant_ids.front(),
                             boost::json::serialize(boost::json::object{{"variant_ids", ids}}),
                             at ? *at : now_utc());
  if (!event) return event.error();
  return {};
}

const char* to_string(MovementKind kind) {
  switch (kind) {
    case MovementKind::receipt: return "receipt";
    case MovementKind::sale: return "sale";
    case MovementKind::return_: return "return";
    case MovementKind::adjustment: break;
  }
  return "adjustment";
}

Result<Location> StockStore::ensure_location(const Location& location) {
  auto inserted = db_.query(
      "INSERT INTO stock_locations (id, code, name, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT DO NOTHING",
      {location.id, location.code, location.name, location.created_at});
  if (!inserted) return inserted.error();
  auto found = location_by_code(location.code);
  if (!found) return found.error();
  if (!*found) return Error::internal("location " + location.code + " vanished after insert");
  return std::move(**found);
}

Result<std::optional<Location>> StockStore::location_by_code(const std::string& code) {
  auto rows =
      db_.query("SELECT id, code, name, created_at FROM stock_locations WHERE code = $1", {code});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<Location>{};
  const auto& r = rows->rows[0];
  return std::optional<Location>{Location{r.text(0), r.text(1), r.text(2), r.text(3)}};
}

Result<std::optional<Level>> StockStore::apply(const Movement& m, const std::string& entry_id,
                                               const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto made = tx->query(
      "INSERT INTO stock_levels (variant_id, location_id, on_hand, reserved, updated_at) "
      "VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING",
      {m.variant_id, m.location_id, now});
  if (!made) return made.error();
  // The condition is what keeps stock from going negative under concurrency: PostgreSQL
  // re-checks it on the locked row, SQLite runs one writer at a time.
  auto moved = tx->query(
      "UPDATE stock_levels SET on_hand = on_hand + $1, updated_at = $2 "
      "WHERE variant_id = $3 AND location_id = $4 AND on_hand + $1 >= 0 "
      "RETURNING on_hand, reserved",
      {m.quantity, now, m.variant_id, m.location_id});
  if (!moved) return moved.error();
  if (moved->rows.empty()) {
    tx->rollback();
    return std::optional<Level>{};
  }
  auto logged = tx->query(
      "INSERT INTO stock_ledger (id, variant_id, location_id, kind, quantity, reason, actor, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {entry_id, m.variant_id, m.location_id, std::string(to_string(m.kind)), m.quantity, m.reason,
       m.actor, now});
  if (!logged) return logged.error();
  if (auto e = publish_stock_changed(*tx, {m.variant_id}, now); !e) return e.error();
  if (auto c = tx->commit(); !c) return c.error();
  return std::optional<Level>{
      Level{m.variant_id, m.location_id, moved->rows[0].int64(0), moved->rows[0].int64(1)}};
}

Result<void> StockStore::receive_new(const std::vector<Movement>& receipts,
                                     const std::vector<std::string>& entry_ids,
                                     const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  constexpr size_t kRowsPerStatement = 50;  // see catalog/store.cpp insert_rows
  for (size_t start = 0; start < receipts.size(); start += kRowsPerStatement) {
    size_t end = std::min(receipts.size(), start + kRowsPerStatement);
    // Levels first; a level that exists already keeps its count and gets no new entry, so
    // ledger and levels stay equal however often this runs.
    std::string levels =
        "INSERT INTO stock_levels (variant_id, location_id, on_hand, reserved, updated_at) "
        "VALUES ";
    db::Params level_params;
    for (size_t i = start; i < end; ++i) {
      levels += (i > start ? ", " : "") + placeholders(level_params.size() + 1, 5);
      level_params.insert(level_params.end(), {receipts[i].variant_id, receipts[i].location_id,
                                               receipts[i].quantity, int64_t{0}, now});
    }
    levels +=
        " ON CONFLICT DO NOTHING RETURNING CAST(variant_id AS TEXT), CAST(location_id AS TEXT)";
    auto made = tx->query(levels, level_params);
    if (!made) return made.error();
    std::set<std::pair<std::string, std::string>> created;
    for (const auto& r : made->rows) created.emplace(r.text(0), r.text(1));

    std::string entries =
        "INSERT INTO stock_ledger (id, variant_id, location_id, kind, quantity, reason, actor, "
        "created_at) VALUES ";
    db::Params entry_params;
    size_t rows = 0;
    for (size_t i = start; i < end; ++i) {
      if (receipts[i].quantity == 0) continue;  // an empty level needs no entry
      if (!created.count({receipts[i].variant_id, receipts[i].location_id})) continue;
      entries += (rows++ ? ", " : "") + placeholders(entry_params.size() + 1, 8);
      entry_params.insert(entry_params.end(),
                          {entry_ids[i], receipts[i].variant_id, receipts[i].location_id,
                           std::string(to_string(receipts[i].kind)), receipts[i].quantity,
                           receipts[i].reason, receipts[i].actor, now});
    }
    if (rows > 0) {
      auto logged = tx->query(entries, entry_params);
      if (!logged) return logged.error();
    }
    std::vector<std::string> changed;
    for (const auto& [variant, location] : created) changed.push_back(variant);
    if (auto e = publish_stock_changed(*tx, changed, now); !e) return e.error();
  }
  if (auto c = tx->commit(); !c) return c.error();
  return {};
}

Result<std::variant<std::vector<Allocation>, std::string>> StockStore::sell(
    db::Transaction& tx, std::vector<SaleLine> lines, const std::string& reason,
    const std::string& actor, const std::vector<std::string>& entry_ids, const std::string& now) {
  using Answer = std::variant<std::vector<Allocation>, std::string>;
  // One line per variant, in variant id order: every checkout locks the levels it touches in the
  // same order, so two of them can wait for each other but never deadlock.
  std::map<std::string, SaleLine> merged;
  for (auto& l : lines) {
    auto [it, fresh] = merged.try_emplace(l.variant_id, l);
    if (!fresh) it->second.quantity += l.quantity;
  }
  std::vector<Allocation> taken;
  size_t entry = 0;
  std::vector<std::string> changed;
  for (const auto& [variant_id, line] : merged) {
    // The no-op write locks the variant's levels (PostgreSQL waits here for a concurrent sale
    // and then sees its result); SQLite's single writer already serialises.
    auto levels = tx.query(
        "UPDATE stock_levels SET updated_at = updated_at WHERE variant_id = $1 "
        "RETURNING CAST(location_id AS TEXT), on_hand",
        {variant_id});
    if (!levels) return levels.error();
    std::vector<std::pair<std::string, int64_t>> where;
    for (const auto& r : levels->rows) where.emplace_back(r.text(0), r.int64(1));
    std::sort(where.begin(), where.end());
    int64_t left = line.quantity;
    for (const auto& [location_id, on_hand] : where) {
      if (left == 0) break;
      int64_t take = std::min(left, on_hand);
      if (take <= 0) continue;
      // Conditional: never below zero, whatever the read above saw.
      auto moved = tx.query(
          "UPDATE stock_levels SET on_hand = on_hand - $1, updated_at = $2 "
          "WHERE variant_id = $3 AND location_id = $4 AND on_hand >= $1",
          {take, now, variant_id, location_id});
      if (!moved) return moved.error();
      if (moved->affected != 1) continue;
      std::string id = entry < entry_ids.size() ? entry_ids[entry++] : Uuid::v7().str();
      auto logged = tx.query(
          "INSERT INTO stock_ledger (id, variant_id, location_id, kind, quantity, reason, actor, "
          "created_at) VALUES ($1, $2, $3, 'sale', $4, $5, $6, $7)",
          {id, variant_id, location_id, -take, reason, actor, now});
      if (!logged) return logged.error();
      taken.push_back({variant_id, location_id, take});
      left -= take;
    }
    if (left > 0) return Answer{line.sku.empty() ? variant_id : line.sku};
    changed.push_back(variant_id);
  }
  if (auto e = publish_stock_changed(tx, changed, now); !e) return e.error();
  return Answer{std::move(taken)};
}

Result<void> StockStore::restock(db::Transaction& tx, const std::vector<Allocation>& units,
                                 const std::string& reason, const std::string& actor,
                                 const std::string& now) {
  std::vector<Allocation> sorted = units;
  std::sort(sorted.begin(), sorted.end(), [](const Allocation& a, const Allocation& b) {
    return std::tie(a.variant_id, a.location_id) < std::tie(b.variant_id, b.location_id);
  });
  std::vector<std::string> changed;
  for (const auto& a : sorted) {
    if (a.quantity <= 0) continue;
    auto made = tx.query(
        "INSERT INTO stock_levels (variant_id, location_id, on_hand, reserved, updated_at) "
        "VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING",
        {a.variant_id, a.location_id, now});
    if (!made) return made.error();
    auto moved = tx.query(
        "UPDATE stock_levels SET on_hand = on_hand + $1, updated_at = $2 "
        "WHERE variant_id = $3 AND location_id = $4",
        {a.quantity, now, a.variant_id, a.location_id});
    if (!moved) return moved.error();
    auto logged = tx.query(
        "INSERT INTO stock_ledger (id, variant_id, location_id, kind, quantity, reason, actor, "
        "created_at) VALUES ($1, $2, $3, 'return', $4, $5, $6, $7)",
        {Uuid::v7().str(), a.variant_id, a.location_id, a.quantity, reason, actor, now});
    if (!logged) return logged.error();
    if (changed.empty() || changed.back() != a.variant_id) changed.push_back(a.variant_id);
  }
  return publish_stock_changed(tx, changed, now);
}

Result<std::map<std::string, int64_t>> StockStore::available(
    const std::vector<std::string>& variant_ids) {
  std::map<std::string, int64_t> out;
  if (variant_ids.empty()) return out;
  db::Params params(variant_ids.begin(), variant_ids.end());
  auto rows = db_.query(
      "SELECT CAST(variant_id AS TEXT), CAST(sum(on_hand - reserved) AS BIGINT) "
      "FROM stock_levels "
      "WHERE variant_id IN " +
          placeholders(1, variant_ids.size()) + " GROUP BY variant_id",
      params);
  if (!rows) return rows.error();
  for (const auto& r : rows->rows) out[r.text(0)] = r.int64(1);
  return out;
}

Result<std::vector<Level>> StockStore::levels(const std::string& variant_id) {
  auto rows = db_.query(
      "SELECT CAST(variant_id AS TEXT), CAST(location_id AS TEXT), on_hand, reserved "
      "FROM stock_levels WHERE variant_id = $1 ORDER BY location_id",
      {variant_id});
  if (!rows) return rows.error();
  std::vector<Level> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.int64(2), r.int64(3)});
  return out;
}

Result<std::vector<LedgerEntry>> StockStore::ledger(const std::string& variant_id) {
  auto rows = db_.query(
      "SELECT id, variant_id, location_id, kind, quantity, reason, actor, created_at "
      "FROM stock_ledger WHERE variant_id = $1 ORDER BY created_at, id",
      {variant_id});
  if (!rows) return rows.error();
  std::vector<LedgerEntry> out;
  for (const auto& r : rows->rows)
    out.push_back(
        {r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4), r.text(5), r.text(6), r.text(7)});
  return out;
}

Result<std::vector<Mismatch>> StockStore::mismatches() {
  // Both directions: a level off its ledger, and a ledger with no level at all.
  auto rows = db_.query(
      "WITH sums AS (SELECT variant_id, location_id, CAST(sum(quantity) AS BIGINT) AS total "
      "FROM stock_ledger "
      "GROUP BY variant_id, location_id) "
      "SELECT CAST(l.variant_id AS TEXT), CAST(l.location_id AS TEXT), l.on_hand, "
      "COALESCE(s.total, 0) FROM stock_levels l LEFT JOIN sums s "
      "ON s.variant_id = l.variant_id AND s.location_id = l.location_id "
      "WHERE l.on_hand <> COALESCE(s.total, 0) "
      "UNION ALL "
      "SELECT CAST(s.variant_id AS TEXT), CAST(s.location_id AS TEXT), 0, s.total FROM sums s "
      "WHERE NOT EXISTS (SELECT 1 FROM stock_levels l WHERE l.variant_id = s.variant_id "
      "AND l.location_id = s.location_id) AND s.total <> 0");
  if (!rows) return rows.error();
  std::vector<Mismatch> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.int64(2), r.int64(3)});
  return out;
}

}  // namespace fff::inventory
