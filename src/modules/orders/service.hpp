// modules/orders/service: the orders module's rules and its only door. Changes happen in a
// caller's transaction (the flows in src/flows open it, so payment, stock and outbox events
// commit with the order); reads have their own.
//
// Thread-safety: safe from many threads (all state is in the database).
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/orders/model.hpp"
#include "modules/orders/store.hpp"

namespace fff::orders {

// Carrier codes with the tracking page each one has ("{number}" is replaced, URL-encoded).
// "other" has none.
std::optional<std::string> tracking_url(const std::string& carrier,
                                        const std::string& tracking_number);
bool known_carrier(const std::string& carrier);

// ORDER as the API answers it and events carry it (see the brief / openapi.yaml). `staff` adds
// internal notes to the timeline and the account id.
boost::json::object order_json(const Order& order, bool staff = false);
boost::json::object shipment_json(const Order& order, const Shipment& shipment);
boost::json::object return_json(const Order& order, const ReturnRequest& r);
boost::json::object money_json(int64_t minor, const std::string& currency);

class OrderService {
 public:
  OrderService(db::Database& database, const Clock& clock) : store_(database), clock_(clock) {}

  std::string now() const { return to_iso8601(clock_.now()); }
  Timestamp now_time() const { return clock_.now(); }

  // Checkout: a fresh number, then the order (lines, allocations, its first timeline entry).
  Result<std::string> next_number(db::Transaction& tx) { return store_.next_number(tx); }
  Result<void> create(db::Transaction& tx, const Order& order,
                      const std::vector<Allocation>& allocations) {
    return store_.insert(tx, order, allocations);
  }

  // not_found "order_not_found" for unknown ones.
  Result<Order> find(const std::string& id);
  Result<Order> find_by_number(const std::string& number);
  Result<Order> lock(db::Transaction& tx, const std::string& id);
  Result<Order> lock_by_number(db::Transaction& tx, const std::string& number);
  Result<Order> reload(db::Transaction& tx, const std::string& id);

  // Moves the order to `to` when the state machine allows it, with a timeline entry; else
  // conflict "illegal_transition" naming both states, and nothing changes.
  Result<void> transition(db::Transaction& tx, Order& order, Status to, const std::string& actor,
                          const std::string& detail);
  Result<void> set_payment(db::Transaction& tx, Order& order, const std::string& payment_status,
                           const std::optional<std::string>& payment_id = std::nullopt);
  Result<void> add_refunded(db::Transaction& tx, Order& order, int64_t amount);
  Result<void> record(db::Transaction& tx, Order& order, const std::string& actor,
                      const std::string& event, const std::string& detail, bool internal = false);

  Result<std::vector<Allocation>> open_allocations(db::Transaction& tx, const Order& order) {
    return store_.open_allocations(tx, order.id);
  }
  Result<void> release_allocations(db::Transaction& tx, const Order& order) {
    return store_.release_allocations(tx, order.id);
  }

  // A shipment of `lines` (line id → units; empty: everything not shipped yet). Errors:
  // unprocessable unknown_carrier, invalid_shipment (bad tracking number, a line not in the
  // order, more units than are left to ship, nothing left). Does not change the status.
  Result<Shipment> add_shipment(db::Transaction& tx, Order& order, const std::string& carrier,
                                const std::string& tracking_number,
                                const std::vector<std::pair<std::string, int64_t>>& lines,
                                const std::string& actor);
  // Every unit shipped?
  static bool fully_shipped(const Order& order);

  // Returns. request: lines by line id (only delivered units not already in a return),
  // reason required; resolution "refund" or "exchange" (with a note saying what for).
  Result<ReturnRequest> request_return(db::Transaction& tx, Order& order,
                                       const std::vector<std::pair<std::string, int64_t>>& lines,
                                       const std::string& reason, const std::string& resolution,
                                       const std::optional<std::string>& exchange_note,
                                       const std::string& actor);
  // not_found "return_not_found" unless it exists and belongs to `order`.
  Result<ReturnRequest> find_return(db::Transaction& tx, const Order& order,
                                    const std::string& return_id);
  // Moves a return from `from` to `to` (conflict illegal_transition otherwise).
  Result<void> move_return(db::Transaction& tx, Order& order, ReturnRequest& r,
                           const std::string& from, const std::string& to, const std::string& note,
                           const std::string& actor);
  Result<void> add_returned(db::Transaction& tx, const std::string& line_id, int64_t quantity) {
    return store_.add_returned(tx, line_id, quantity);
  }
  Result<std::vector<ReturnRequest>> returns(const std::string& order_id) {
    return store_.returns(order_id);
  }

  Result<OrderPage> list(const OrderFilter& filter) { return store_.list(filter); }
  Result<std::vector<std::string>> unpaid_before(Timestamp cutoff, int limit) {
    return store_.unpaid_before(to_iso8601(cutoff), limit);
  }

  Result<bool> claim_key(db::Transaction& tx, const std::string& key,
                         const std::string& fingerprint, const std::string& order_id) {
    return store_.claim_key(tx, key, fingerprint, order_id, now());
  }
  Result<std::optional<OrderStore::KeyRecord>> find_key(const std::string& key) {
    return store_.find_key(key);
  }

 private:
  OrderStore store_;
  const Clock& clock_;
};

}  // namespace fff::orders
