#include "flows/order_events.hpp"

#include <boost/json/serialize.hpp>

#include "infra/jobs/queue.hpp"

namespace fff::flows {

Result<void> publish_order_event(db::Transaction& tx, const std::string& topic,
                                 const orders::Order& order, const payments::Payment* payment,
                                 boost::json::object extra, Timestamp now) {
  boost::json::object data{{"order", orders::order_json(order)}};
  if (payment) data["payment"] = payments::payment_json(*payment);
  for (auto& [key, value] : extra) data[key] = value;
  auto event = jobs::publish(tx, topic, order.id, boost::json::serialize(data), now);
  if (!event) return event.error();
  return {};
}

}  // namespace fff::flows
