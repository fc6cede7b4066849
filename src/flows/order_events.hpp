// flows/order_events: the outbox events of orders, payments and returns, built one way so every
// publisher sends the payload the notifications and webhooks expect (see README "Order events"):
//   {"order": ORDER, "payment": {…}?, "refund": {…}?, "shipment": {…}?, "return": {…}?}
// ORDER is exactly the body of GET /api/v1/orders/{number}; subject is the order id.
// Also: the retry loop every order flow runs its transaction in.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"
#include "modules/orders/service.hpp"
#include "modules/payments/service.hpp"

namespace fff::flows {

// Publishes `topic` for `order` in `tx`, with `payment` when given and `extra` members merged in.
Result<void> publish_order_event(db::Transaction& tx, const std::string& topic,
                                 const orders::Order& order, const payments::Payment* payment,
                                 boost::json::object extra, Timestamp now);

// Runs `body` in a fresh transaction (which it must commit), again up to `attempts` times when
// it fails with serialization_failure (a PostgreSQL deadlock or serialization conflict) or
// database_busy (no writer or connection in time). Other errors are returned at once.
template <typename T>
Result<T> with_retries(db::Database& database, int attempts,
                       const std::function<Result<T>(db::Transaction&)>& body) {
  for (int attempt = 1;; ++attempt) {
    auto tx = database.begin();
    if (!tx) {
      if (tx.error().code == "database_busy" && attempt < attempts) continue;
      return tx.error();
    }
    auto result = body(*tx);
    if (result) return result;
    const std::string& code = result.error().code;
    bool retry = code == "serialization_failure" || code == "database_busy";
    if (!retry || attempt >= attempts) return result;
  }
}

}  // namespace fff::flows
