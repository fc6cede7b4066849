#include "modules/inventory/service.hpp"

#include "core/id.hpp"

namespace fff::inventory {
namespace {

Error invalid_movement(const std::string& field, const std::string& message) {
  return Error::unprocessable("invalid_movement", field + " " + message, {{field, message}});
}

Result<void> check(const Movement& m) {
  if (!is_uuid(m.variant_id)) return invalid_movement("variant_id", "must be a variant id");
  if (!is_uuid(m.location_id)) return invalid_movement("location_id", "must be a location id");
  if (m.quantity == 0) return invalid_movement("quantity", "must not be zero");
  if (m.kind == MovementKind::sale && m.quantity > 0)
    return invalid_movement("quantity", "of a sale must be negative");
  if ((m.kind == MovementKind::receipt || m.kind == MovementKind::return_) && m.quantity < 0)
    return invalid_movement("quantity", "of a receipt or return must be positive");
  if (m.actor.empty()) return invalid_movement("actor", "must name who moved the stock");
  if (m.reason.size() > 500) return invalid_movement("reason", "must be at most 500 characters");
  return {};
}

}  // namespace

Result<Location> InventoryService::ensure_location(const std::string& code,
                                                   const std::string& name) {
  if (code.empty() || code.size() > 64)
    return Error::unprocessable("invalid_location", "a location code is 1 to 64 characters",
                                {{"code", "must be 1 to 64 characters"}});
  return store_.ensure_location({new_id(), code, name, to_iso8601(clock_.now())});
}

Result<Level> InventoryService::record(const Movement& movement) {
  if (auto c = check(movement); !c) return c.error();
  auto level = store_.apply(movement, new_id(), to_iso8601(clock_.now()));
  if (!level) return level.error();
  if (!*level)
    return Error::conflict("insufficient_stock",
                           "not enough stock of variant " + movement.variant_id + " on hand");
  if (listener_) listener_(movement.variant_id);
  return std::move(**level);
}

Result<std::vector<Allocation>> InventoryService::sell(db::Transaction& tx,
                                                       const std::vector<SaleLine>& lines,
                                                       const std::string& reason,
                                                       const std::string& actor) {
  if (lines.empty()) return invalid_movement("lines", "must not be empty");
  for (const auto& l : lines) {
    if (!is_uuid(l.variant_id)) return invalid_movement("variant_id", "must be a variant id");
    if (l.quantity < 1) return invalid_movement("quantity", "of a sale must be at least 1");
  }
  if (actor.empty()) return invalid_movement("actor", "must name who moved the stock");
  std::vector<std::string> ids;
  for (size_t i = 0; i < lines.size(); ++i) ids.push_back(new_id());
  auto sold = store_.sell(tx, lines, reason, actor, ids, to_iso8601(clock_.now()));
  if (!sold) return sold.error();
  if (auto* sku = std::get_if<std::string>(&*sold))
    return Error::conflict("insufficient_stock", "not enough stock of " + *sku);
  return std::get<std::vector<Allocation>>(std::move(*sold));
}

Result<void> InventoryService::restock(db::Transaction& tx, const std::vector<Allocation>& units,
                                       const std::string& reason, const std::string& actor) {
  for (const auto& u : units) {
    if (!is_uuid(u.variant_id) || !is_uuid(u.location_id))
      return invalid_movement("variant_id", "must be a variant id at a location");
    if (u.quantity < 0) return invalid_movement("quantity", "of a return must be positive");
  }
  if (actor.empty()) return invalid_movement("actor", "must name who moved the stock");
  return store_.restock(tx, units, reason, actor, to_iso8601(clock_.now()));
}

Result<Location> InventoryService::location(const std::string& code) {
  auto found = store_.location_by_code(code);
  if (!found) return found.error();
  if (!*found)
    return Error::unprocessable("unknown_location", "no stock location '" + code + "'",
                                {{"location", "names no stock location"}});
  return std::move(**found);
}

void InventoryService::stock_changed(const std::vector<std::string>& variant_ids) {
  if (!listener_) return;
  for (const auto& id : variant_ids) listener_(id);
}

Result<void> InventoryService::receive_new(const std::vector<Movement>& receipts) {
  std::vector<std::string> ids;
  ids.reserve(receipts.size());
  for (const auto& r : receipts) {
    if (!is_uuid(r.variant_id) || !is_uuid(r.location_id) || r.quantity < 0 || r.actor.empty() ||
        r.kind != MovementKind::receipt)
      return invalid_movement("receipts", "must be receipts of zero or more units with an actor");
    ids.push_back(new_id());
  }
  return store_.receive_new(receipts, ids, to_iso8601(clock_.now()));
}

Result<std::map<std::string, int64_t>> InventoryService::available(
    const std::vector<std::string>& variant_ids) {
  std::vector<std::string> valid;  // a malformed id cannot have stock (and must not reach SQL)
  for (const auto& id : variant_ids)
    if (is_uuid(id)) valid.push_back(id);
  return store_.available(valid);
}

Result<std::vector<Level>> InventoryService::levels(const std::string& variant_id) {
  if (!is_uuid(variant_id)) return std::vector<Level>{};
  return store_.levels(variant_id);
}

Result<std::vector<LedgerEntry>> InventoryService::ledger(const std::string& variant_id) {
  if (!is_uuid(variant_id)) return std::vector<LedgerEntry>{};
  return store_.ledger(variant_id);
}

Result<std::vector<Mismatch>> InventoryService::verify() {
  return store_.mismatches();
}

}  // namespace fff::inventory
