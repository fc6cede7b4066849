// modules/orders/store: the orders module's SQL. The only code that touches its tables.
// Everything that changes an order takes the caller's transaction (a flow's), so the order,
// the payment, the stock and the outbox event commit together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/orders/model.hpp"

namespace fff::orders {

class OrderStore {
 public:
  explicit OrderStore(db::Database& database) : db_(database) {}

  // The next order number ("FFF-10001"), from the counter row (locked until `tx` ends).
  Result<std::string> next_number(db::Transaction& tx);
  // Inserts the order with its lines, allocations and timeline.
  Result<void> insert(db::Transaction& tx, const Order& order,
                      const std::vector<Allocation>& allocations);

  // Reads an order with lines, shipments and timeline; nullopt when unknown.
  Result<std::optional<Order>> find(const std::string& id);
  Result<std::optional<Order>> find_by_number(const std::string& number);
  Result<std::optional<Order>> find(db::Transaction& tx, const std::string& id);
  // Locks the order row (PostgreSQL; SQLite's writer is already exclusive) and reads it:
  // every change to an order starts here, so changes to one order happen one at a time.
  Result<std::optional<Order>> lock(db::Transaction& tx, const std::string& id);
  Result<std::optional<Order>> lock_by_number(db::Transaction& tx, const std::string& number);

  Result<void> set_status(db::Transaction& tx, const std::string& id, Status status,
                          const std::string& now);
  Result<void> set_payment(db::Transaction& tx, const std::string& id,
                           const std::string& payment_status,
                           const std::optional<std::string>& payment_id, const std::string& now);
  Result<void> add_refunded(db::Transaction& tx, const std::string& id, int64_t amount,
                            const std::string& now);
  Result<void> add_timeline(db::Transaction& tx, const std::string& order_id,
                            const TimelineEntry& entry);

  // Units not yet given back, and marking them given back.
  Result<std::vector<Allocation>> open_allocations(db::Transaction& tx,
                                                   const std::string& order_id);
  Result<void> release_allocations(db::Transaction& tx, const std::string& order_id);

  Result<void> insert_shipment(db::Transaction& tx, const std::string& order_id,
                               const Shipment& shipment);
  Result<void> add_returned(db::Transaction& tx, const std::string& line_id, int64_t quantity);

  Result<void> insert_return(db::Transaction& tx, const ReturnRequest& r);
  Result<void> update_return(db::Transaction& tx, const ReturnRequest& r);
  Result<std::optional<ReturnRequest>> find_return(db::Transaction& tx, const std::string& id);
  Result<std::vector<ReturnRequest>> returns(const std::string& order_id);

  Result<OrderPage> list(const OrderFilter& filter);
  // Orders in pending_payment created before `cutoff`, oldest first, at most `limit`.
  Result<std::vector<std::string>> unpaid_before(const std::string& cutoff, int limit);

  // Checkout idempotency keys. claim_key inserts unless the key exists (on PostgreSQL a
  // concurrent insert of the same key waits for the other transaction) and says whether it did.
  struct KeyRecord {
    std::string fingerprint;
    std::string order_id;
  };
  Result<bool> claim_key(db::Transaction& tx, const std::string& key,
                         const std::string& fingerprint, const std::string& order_id,
                         const std::string& now);
  Result<std::optional<KeyRecord>> find_key(const std::string& key);

 private:
  db::Database& db_;
};

}  // namespace fff::orders
