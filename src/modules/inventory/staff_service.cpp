// InventoryService's staff adjustments (see "Staff adjustments" in service.hpp).
#include <algorithm>
#include <string_view>

#include "core/id.hpp"
#include "modules/inventory/service.hpp"

namespace fff::inventory {
namespace {

constexpr int64_t kMaxUnits = 1'000'000'000;

Error invalid(const std::string& field, const std::string& message,
              const std::string& code = "invalid_adjustment") {
  return Error::unprocessable(code, field + " " + message, {{field, message}});
}

bool known_reason(std::string_view reason) {
  return std::any_of(std::begin(kAdjustmentReasons), std::end(kAdjustmentReasons),
                     [&](const char* r) { return reason == r; });
}

// What identifies the request behind an idempotency key.
std::string fingerprint(const StockAdjustment& a) {
  auto opt = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; };
  return a.variant_id + "|" + a.location_code + "|" + opt(a.delta) + "|" + opt(a.set_on_hand) +
         "|" + a.reason + "|" + a.note;
}

}  // namespace

Result<AdjustmentOutcome> InventoryService::adjust(const StockAdjustment& a) {
  if (!is_uuid(a.variant_id)) return invalid("variant_id", "must be a variant id");
  if (a.delta.has_value() == a.set_on_hand.has_value())
    return invalid("delta", "give exactly one of delta and set_on_hand");
  if (a.delta && (*a.delta == 0 || *a.delta < -kMaxUnits || *a.delta > kMaxUnits))
    return invalid("delta", "must be a non-zero number of units");
  if (a.set_on_hand && (*a.set_on_hand < 0 || *a.set_on_hand > kMaxUnits))
    return invalid("set_on_hand", "must be zero or more units");
  if (!known_reason(a.reason))
    return invalid("reason",
                   "must be one of receipt, return, adjustment, damage, count, theft, correction");
  MovementKind kind = a.reason == "receipt"  ? MovementKind::receipt
                      : a.reason == "return" ? MovementKind::return_
                                             : MovementKind::adjustment;
  if (kind != MovementKind::adjustment && !a.delta)
    return invalid("delta", "a " + a.reason + " adds a delta of units; use set_on_hand for counts");
  if (kind != MovementKind::adjustment && *a.delta < 0)
    return invalid("delta", "of a " + a.reason + " must be positive");
  if (a.note.size() > 500) return invalid("note", "must be at most 500 characters");
  if (a.actor.empty()) return invalid("actor", "must name who moved the stock");
  if (a.idempotency_key && (a.idempotency_key->empty() || a.idempotency_key->size() > 200))
    return Error::invalid("invalid_idempotency_key", "Idempotency-Key is 1 to 200 characters",
                          {{"Idempotency-Key", "must be 1 to 200 characters"}});
  auto location = store_.location_by_code(a.location_code);
  if (!location) return location.error();
  if (!*location) return invalid("location", "names no stock location", "unknown_location");

  std::string reason = a.reason + (a.note.empty() ? "" : ": " + a.note);
  std::string print = fingerprint(a);
  auto done =
      store_.adjust(a, (*location)->id, kind, reason, print, new_id(), to_iso8601(clock_.now()));
  if (!done) return done.error();
  if (!*done) {
    std::string field = a.delta ? "delta" : "set_on_hand";
    return invalid(field, "would take on hand below zero", "stock_would_go_negative");
  }
  if ((*done)->outcome.replayed && (*done)->fingerprint != print)
    return Error::unprocessable(
        "idempotency_key_reused",
        "this Idempotency-Key was used for a different adjustment; use a new key",
        {{"Idempotency-Key", "was used for a different adjustment"}});
  if (!(*done)->outcome.replayed && (*done)->outcome.quantity != 0 && listener_)
    listener_(a.variant_id);
  return std::move((*done)->outcome);
}

Result<LedgerPage> InventoryService::ledger_page(const std::string& variant_id, int limit,
                                                 int64_t offset) {
  if (!is_uuid(variant_id)) return LedgerPage{};
  return store_.ledger_page(variant_id, limit, offset);
}

Result<std::map<std::string, int64_t>> InventoryService::on_hand(
    const std::vector<std::string>& variant_ids) {
  std::vector<std::string> valid;
  for (const auto& id : variant_ids)
    if (is_uuid(id)) valid.push_back(id);
  return store_.on_hand(valid);
}

Result<std::vector<Location>> InventoryService::locations() {
  return store_.locations();
}

}  // namespace fff::inventory
