// The SQL behind staff stock adjustments (see "Staff adjustments" in store.hpp).
#include "modules/inventory/store.hpp"

namespace fff::inventory {
namespace {

Result<std::optional<StockStore::AdjustmentRecord>> stored_answer(db::Transaction& tx,
                                                                  const std::string& key) {
  auto rows = tx.query(
      "SELECT fingerprint, entry_id, variant_id, location_id, quantity, on_hand, reserved "
      "FROM stock_adjustment_keys WHERE idempotency_key = $1",
      {key});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<StockStore::AdjustmentRecord>{};
  const auto& r = rows->rows[0];
  StockStore::AdjustmentRecord record;
  record.fingerprint = r.text(0);
  record.outcome.entry_id = r.opt_text(1);
  record.outcome.level = Level{r.text(2), r.text(3), r.int64(5), r.int64(6)};
  record.outcome.quantity = r.int64(4);
  record.outcome.replayed = true;
  return std::optional<StockStore::AdjustmentRecord>{std::move(record)};
}

}  // namespace

Result<std::optional<StockStore::AdjustmentRecord>> StockStore::adjust(
    const StockAdjustment& a, const std::string& location_id, MovementKind kind,
    const std::string& ledger_reason, const std::string& fingerprint, const std::string& entry_id,
    const std::string& now) {
  using Answer = std::optional<AdjustmentRecord>;
  auto tx = db_.begin();
  if (!tx) return tx.error();
  if (a.idempotency_key) {
    auto seen = stored_answer(*tx, *a.idempotency_key);
    if (!seen) return seen.error();
    if (*seen) return seen;
  }
  auto made = tx->query(
      "INSERT INTO stock_levels (variant_id, location_id, on_hand, reserved, updated_at) "
      "VALUES ($1, $2, 0, 0, $3) ON CONFLICT DO NOTHING",
      {a.variant_id, location_id, now});
  if (!made) return made.error();
  // The no-op write locks the level (PostgreSQL) so that a count's delta is computed from the
  // on_hand it replaces; SQLite's single writer already serialises.
  auto current = tx->query(
      "UPDATE stock_levels SET updated_at = updated_at WHERE variant_id = $1 AND "
      "location_id = $2 RETURNING on_hand, reserved",
      {a.variant_id, location_id});
  if (!current) return current.error();
  int64_t on_hand = current->rows.at(0).int64(0);
  int64_t reserved = current->rows.at(0).int64(1);
  int64_t quantity = a.set_on_hand ? *a.set_on_hand - on_hand : a.delta.value_or(0);
  if (on_hand + quantity < 0) {
    tx->rollback();
    return Answer{};
  }
  AdjustmentRecord record;
  record.fingerprint = fingerprint;
  record.outcome.quantity = quantity;
  record.outcome.level = Level{a.variant_id, location_id, on_hand + quantity, reserved};
  if (quantity != 0) {
    auto moved = tx->query(
        "UPDATE stock_levels SET on_hand = on_hand + $1, updated_at = $2 "
        "WHERE variant_id = $3 AND location_id = $4",
        {quantity, now, a.variant_id, location_id});
    if (!moved) return moved.error();
    auto logged = tx->query(
        "INSERT INTO stock_ledger (id, variant_id, location_id, kind, quantity, reason, actor, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {entry_id, a.variant_id, location_id, std::string(to_string(kind)), quantity, ledger_reason,
         a.actor, now});
    if (!logged) return logged.error();
    record.outcome.entry_id = entry_id;
    if (auto e = publish_stock_changed(*tx, {a.variant_id}, now); !e) return e.error();
  }
  if (a.idempotency_key) {
    auto kept = tx->query(
        "INSERT INTO stock_adjustment_keys (idempotency_key, fingerprint, entry_id, variant_id, "
        "location_id, quantity, on_hand, reserved, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        {*a.idempotency_key, fingerprint,
         record.outcome.entry_id ? db::Value(*record.outcome.entry_id) : db::Value(), a.variant_id,
         location_id, quantity, record.outcome.level.on_hand, reserved, now});
    if (!kept) {
      // Another request with the same key committed first (PostgreSQL lets both reach here):
      // this one is rolled back and answered with the stored result.
      if (kept.error().code != "unique_violation") return kept.error();
      tx->rollback();
      auto again = db_.begin();
      if (!again) return again.error();
      return stored_answer(*again, *a.idempotency_key);
    }
  }
  if (auto c = tx->commit(); !c) return c.error();
  return Answer{std::move(record)};
}

Result<LedgerPage> StockStore::ledger_page(const std::string& variant_id, int limit,
                                           int64_t offset) {
  auto total = db_.query("SELECT count(*) FROM stock_ledger WHERE variant_id = $1", {variant_id});
  if (!total) return total.error();
  auto rows = db_.query(
      "SELECT CAST(id AS TEXT), CAST(variant_id AS TEXT), CAST(location_id AS TEXT), kind, "
      "quantity, reason, actor, created_at FROM stock_ledger WHERE variant_id = $1 "
      "ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
      {variant_id, int64_t{limit}, offset});
  if (!rows) return rows.error();
  LedgerPage page;
  page.total = total->rows.at(0).int64(0);
  for (const auto& r : rows->rows)
    page.items.push_back(
        {r.text(0), r.text(1), r.text(2), r.text(3), r.int64(4), r.text(5), r.text(6), r.text(7)});
  return page;
}

Result<std::map<std::string, int64_t>> StockStore::on_hand(
    const std::vector<std::string>& variant_ids) {
  std::map<std::string, int64_t> out;
  // In slices: an export asks for thousands of variants at once.
  constexpr size_t kSlice = 500;
  for (size_t start = 0; start < variant_ids.size(); start += kSlice) {
    size_t end = std::min(variant_ids.size(), start + kSlice);
    db::Params params(variant_ids.begin() + static_cast<std::ptrdiff_t>(start),
                      variant_ids.begin() + static_cast<std::ptrdiff_t>(end));
    std::string list = "(";
    for (size_t i = 0; i < params.size(); ++i) list += (i ? ", $" : "$") + std::to_string(i + 1);
    list += ")";
    auto rows = db_.query(
        "SELECT CAST(variant_id AS TEXT), CAST(sum(on_hand) AS BIGINT) FROM stock_levels "
        "WHERE variant_id IN " +
            list + " GROUP BY variant_id",
        params);
    if (!rows) return rows.error();
    for (const auto& r : rows->rows) out[r.text(0)] = r.int64(1);
  }
  return out;
}

Result<std::vector<Location>> StockStore::locations() {
  auto rows = db_.query("SELECT id, code, name, created_at FROM stock_locations ORDER BY code");
  if (!rows) return rows.error();
  std::vector<Location> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.text(2), r.text(3)});
  return out;
}

}  // namespace fff::inventory
