#include "flows/order_actions.hpp"

#include <map>

#include "flows/order_events.hpp"

namespace fff::flows {
namespace {

namespace json = boost::json;
using orders::Order;
using orders::Status;
using payments::Payment;

constexpr int kAttempts = 5;

Error illegal(const Order& o, Status to) {
  return Error::conflict("illegal_transition", std::string("an order cannot go from ") +
                                                   orders::to_string(o.status) + " to " +
                                                   orders::to_string(to));
}

json::object refund_json(const Order& o, int64_t amount, const std::string& reason) {
  return {{"amount", orders::money_json(amount, o.currency)}, {"reason", reason}};
}

// Every action: one transaction, retried on serialization failures; the order is locked first
// and its payment second, by every action, so two actions on one order take turns.
Result<OrderOutcome> in_tx(db::Database& database,
                           const std::function<Result<OrderOutcome>(db::Transaction&)>& body) {
  return with_retries<OrderOutcome>(database, kAttempts, body);
}

}  // namespace

Result<OrderOutcome> OrderActions::cancel_locked(db::Transaction& tx, Order& o,
                                                 const std::string& actor,
                                                 const std::string& reason,
                                                 std::vector<std::string>& restocked) {
  if (!orders::can_transition(o.status, Status::cancelled)) return illegal(o, Status::cancelled);
  Timestamp now = s_.orders.now_time();
  std::optional<Payment> payment;
  std::optional<int64_t> refunded;
  if (o.payment_id) {
    auto p = s_.payments.lock(tx, *o.payment_id);
    if (!p) return p.error();
    payment = std::move(*p);
    if (payment->status == "captured" || payment->status == "partially_refunded") {
      int64_t left = payment->captured_minor - payment->refunded_minor;
      if (auto r = s_.payments.refund(tx, *payment, left, "order cancelled"); !r) return r.error();
      if (auto r = s_.orders.add_refunded(tx, o, left); !r) return r.error();
      refunded = left;
    } else if (payment->status == "authorized" || payment->status == "requires_action" ||
               payment->status == "pending") {
      if (auto r = s_.payments.cancel(tx, *payment); !r) return r.error();
    }
    if (auto r = s_.orders.set_payment(tx, o, payment->status); !r) return r.error();
  }
  auto units = s_.orders.open_allocations(tx, o);
  if (!units) return units.error();
  std::vector<inventory::Allocation> back;
  for (const auto& a : *units) {
    back.push_back({a.variant_id, a.location_id, a.quantity});
    restocked.push_back(a.variant_id);
  }
  if (!back.empty()) {
    if (auto r =
            s_.inventory.restock(tx, back, "order " + o.number + " cancelled", "order:" + o.number);
        !r)
      return r.error();
    if (auto r = s_.orders.release_allocations(tx, o); !r) return r.error();
  }
  if (auto r = s_.orders.transition(tx, o, Status::cancelled, actor, reason); !r) return r.error();
  if (auto e = publish_order_event(tx, "order.cancelled", o, payment ? &*payment : nullptr,
                                   {{"reason", reason}}, now);
      !e)
    return e.error();
  if (refunded)
    if (auto e =
            publish_order_event(tx, "payment.refunded", o, &*payment,
                                {{"refund", refund_json(o, *refunded, "order cancelled")}}, now);
        !e)
      return e.error();
  return OrderOutcome{o, payment, std::nullopt};
}

Result<OrderOutcome> OrderActions::cancel(const std::string& order_id, const std::string& actor,
                                          const std::string& reason) {
  std::vector<std::string> restocked;
  auto done = in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    restocked.clear();
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto out = cancel_locked(tx, *o, actor, reason.empty() ? "cancelled" : reason, restocked);
    if (!out) return out;
    if (auto c = tx.commit(); !c) return c.error();
    return out;
  });
  if (done) s_.inventory.stock_changed(restocked);
  return done;
}

Result<OrderOutcome> OrderActions::capture(const std::string& order_id,
                                           std::optional<int64_t> amount,
                                           const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    if (!o->payment_id) return Error::conflict("no_payment", "this order has no payment");
    if (o->status == Status::cancelled) return illegal(*o, Status::paid);
    auto p = s_.payments.lock(tx, *o->payment_id);
    if (!p) return p.error();
    if (auto r = s_.payments.capture(tx, *p, amount); !r) return r.error();
    if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
    if (auto r = s_.orders.record(
            tx, *o, actor, "payment_captured",
            orders::money_json(p->captured_minor, o->currency).at("amount").as_string().c_str());
        !r)
      return r.error();
    if (auto e = publish_order_event(tx, "payment.captured", *o, &*p, {}, s_.orders.now_time()); !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, *p, std::nullopt};
  });
}

Result<OrderOutcome> OrderActions::refund(const std::string& order_id,
                                          std::optional<int64_t> amount, const std::string& reason,
                                          const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    if (!o->payment_id) return Error::conflict("no_payment", "this order has no payment");
    if (!orders::can_transition(o->status, Status::partially_refunded))
      return illegal(*o, Status::refunded);
    auto p = s_.payments.lock(tx, *o->payment_id);
    if (!p) return p.error();
    int64_t give = amount.value_or(p->captured_minor - p->refunded_minor);
    if (auto r = s_.payments.refund(tx, *p, give, reason); !r) return r.error();
    if (auto r = s_.orders.add_refunded(tx, *o, give); !r) return r.error();
    if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
    Status to = p->status == "refunded" ? Status::refunded : Status::partially_refunded;
    std::string detail = orders::money_json(give, o->currency).at("amount").as_string().c_str();
    if (auto r = s_.orders.transition(
            tx, *o, to, actor,
            "refunded " + detail + " " + o->currency + (reason.empty() ? "" : ": " + reason));
        !r)
      return r.error();
    if (auto e =
            publish_order_event(tx, "payment.refunded", *o, &*p,
                                {{"refund", refund_json(*o, give, reason)}}, s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, *p, std::nullopt};
  });
}

Result<OrderOutcome> OrderActions::ship(const std::string& order_id, const std::string& carrier,
                                        const std::string& tracking_number,
                                        const LineQuantities& lines, const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    if (o->status != Status::paid && o->status != Status::confirmed &&
        o->status != Status::partially_fulfilled)
      return illegal(*o, Status::shipped);
    Timestamp now = s_.orders.now_time();
    std::optional<Payment> payment;
    bool captured = false;
    if (o->payment_id) {
      auto p = s_.payments.lock(tx, *o->payment_id);
      if (!p) return p.error();
      payment = std::move(*p);
      // Capture at fulfilment: the first shipment takes the money.
      if (payment->status == "authorized" && payment->capture_mode == "on_fulfilment") {
        if (auto r = s_.payments.capture(tx, *payment); !r) return r.error();
        if (auto r = s_.orders.set_payment(tx, *o, payment->status); !r) return r.error();
        captured = true;
      }
    }
    auto shipment = s_.orders.add_shipment(tx, *o, carrier, tracking_number, lines, actor);
    if (!shipment) return shipment.error();
    Status to =
        orders::OrderService::fully_shipped(*o) ? Status::shipped : Status::partially_fulfilled;
    if (auto r = s_.orders.transition(tx, *o, to, actor, carrier + " " + tracking_number); !r)
      return r.error();
    if (captured)
      if (auto e = publish_order_event(tx, "payment.captured", *o, &*payment, {}, now); !e)
        return e.error();
    if (auto e = publish_order_event(tx, "order.shipped", *o, nullptr,
                                     {{"shipment", orders::shipment_json(*o, *shipment)}}, now);
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, payment, std::nullopt};
  });
}

Result<OrderOutcome> OrderActions::deliver(const std::string& order_id, const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    if (!orders::can_transition(o->status, Status::delivered))
      return illegal(*o, Status::delivered);
    Timestamp now = s_.orders.now_time();
    std::optional<Payment> payment;
    bool collected = false;
    if (o->payment_id) {
      auto p = s_.payments.lock(tx, *o->payment_id);
      if (!p) return p.error();
      payment = std::move(*p);
      // Cash on delivery: the courier collected the total at the door.
      if (payment->status == "pending") {
        if (auto r = s_.payments.capture(tx, *payment); !r) return r.error();
        if (auto r = s_.orders.set_payment(tx, *o, payment->status); !r) return r.error();
        collected = true;
      }
    }
    if (auto r = s_.orders.transition(tx, *o, Status::delivered, actor, ""); !r) return r.error();
    if (collected)
      if (auto e = publish_order_event(tx, "payment.captured", *o, &*payment, {}, now); !e)
        return e.error();
    if (auto e = publish_order_event(tx, "order.delivered", *o, nullptr, {}, now); !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, payment, std::nullopt};
  });
}

Result<OrderOutcome> OrderActions::note(const std::string& order_id, const std::string& text,
                                        const std::string& actor) {
  if (text.empty() || text.size() > 2000)
    return Error::unprocessable("invalid_note", "a note is 1 to 2000 characters",
                                {{"note", "must be 1 to 2000 characters"}});
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    if (auto r = s_.orders.record(tx, *o, actor, "note", text, true); !r) return r.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, std::nullopt, std::nullopt};
  });
}

Result<OrderOutcome> OrderActions::confirm_payment(const std::string& payment_id, bool succeeded,
                                                   const std::string& actor) {
  auto found = s_.payments.find(payment_id);
  if (!found) return found.error();
  std::string order_id = found->order_id;
  std::vector<std::string> restocked;
  auto done = in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    restocked.clear();
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto p = s_.payments.lock(tx, payment_id);
    if (!p) return p.error();
    Timestamp now = s_.orders.now_time();
    if (!succeeded) {
      if (auto r = s_.payments.fail(tx, *p); !r) return r.error();
      if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
      if (auto e = publish_order_event(tx, "payment.failed", *o, &*p, {}, now); !e)
        return e.error();
      auto out = cancel_locked(tx, *o, actor, "payment failed", restocked);
      if (!out) return out;
      if (auto c = tx.commit(); !c) return c.error();
      return OrderOutcome{out->order, *p, std::nullopt};
    }
    if (o->status != Status::pending_payment) return illegal(*o, Status::paid);
    if (auto r = s_.payments.confirm(tx, *p); !r) return r.error();
    if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
    if (auto r = s_.orders.transition(tx, *o, Status::paid, actor, "payment " + p->status); !r)
      return r.error();
    if (auto e = publish_order_event(tx, "payment.authorized", *o, &*p, {}, now); !e)
      return e.error();
    if (p->status == "captured")
      if (auto e = publish_order_event(tx, "payment.captured", *o, &*p, {}, now); !e)
        return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, *p, std::nullopt};
  });
  if (done) s_.inventory.stock_changed(restocked);
  return done;
}

Result<OrderActions::WebhookOutcome> OrderActions::apply_webhook(
    const payments::WebhookEvent& event) {
  auto found = s_.payments.find(event.payment_id);
  if (!found) return found.error();
  std::string order_id = found->order_id;
  std::vector<std::string> restocked;
  auto done = with_retries<WebhookOutcome>(
      s_.database, kAttempts, [&](db::Transaction& tx) -> Result<WebhookOutcome> {
        restocked.clear();
        auto o = s_.orders.lock(tx, order_id);
        if (!o) return o.error();
        // The event id is recorded in the transaction of its effect: a repeat finds it and
        // changes nothing (a concurrent repeat waits here for this transaction on PostgreSQL).
        auto fresh = s_.payments.claim_webhook(tx, event);
        if (!fresh) return fresh.error();
        if (!*fresh) {
          tx.rollback();
          return WebhookOutcome{false, event.payment_id};
        }
        auto p = s_.payments.lock(tx, event.payment_id);
        if (!p) return p.error();
        Timestamp now = s_.orders.now_time();
        std::string actor = "provider:" + event.provider;
        // An event about a state the payment is already past is acknowledged and recorded.
        if (event.type == "payment.authorized" && p->status == "requires_action" &&
            o->status == Status::pending_payment) {
          if (auto r = s_.payments.confirm(tx, *p); !r) return r.error();
          if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
          if (auto r = s_.orders.transition(tx, *o, Status::paid, actor, "webhook " + event.id); !r)
            return r.error();
          if (auto e = publish_order_event(tx, "payment.authorized", *o, &*p, {}, now); !e)
            return e.error();
          if (p->status == "captured")
            if (auto e = publish_order_event(tx, "payment.captured", *o, &*p, {}, now); !e)
              return e.error();
        } else if (event.type == "payment.failed" && p->status == "requires_action") {
          if (auto r = s_.payments.fail(tx, *p); !r) return r.error();
          if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
          if (auto e = publish_order_event(tx, "payment.failed", *o, &*p, {}, now); !e)
            return e.error();
          auto out = cancel_locked(tx, *o, actor, "payment failed", restocked);
          if (!out) return out.error();
        } else if (event.type == "payment.captured" && p->status == "authorized") {
          if (auto r = s_.payments.capture(tx, *p); !r) return r.error();
          if (auto r = s_.orders.set_payment(tx, *o, p->status); !r) return r.error();
          if (auto r = s_.orders.record(tx, *o, actor, "payment_captured", "webhook " + event.id);
              !r)
            return r.error();
          if (auto e = publish_order_event(tx, "payment.captured", *o, &*p, {}, now); !e)
            return e.error();
        } else {
          if (auto r = s_.orders.record(tx, *o, actor, "webhook_ignored",
                                        event.type + " while the payment is " + p->status, true);
              !r)
            return r.error();
        }
        if (auto c = tx.commit(); !c) return c.error();
        return WebhookOutcome{true, event.payment_id};
      });
  if (done) s_.inventory.stock_changed(restocked);
  return done;
}

Result<OrderOutcome> OrderActions::request_return(const std::string& order_id,
                                                  const LineQuantities& lines,
                                                  const std::string& reason,
                                                  const std::string& resolution,
                                                  const std::optional<std::string>& exchange_for,
                                                  const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto r = s_.orders.request_return(tx, *o, lines, reason, resolution, exchange_for, actor);
    if (!r) return r.error();
    if (auto e =
            publish_order_event(tx, "return.requested", *o, nullptr,
                                {{"return", orders::return_json(*o, *r)}}, s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, std::nullopt, *r};
  });
}

Result<OrderOutcome> OrderActions::approve_return(const std::string& order_id,
                                                  const std::string& return_id,
                                                  const std::string& note,
                                                  const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto r = s_.orders.find_return(tx, *o, return_id);
    if (!r) return r.error();
    if (auto m = s_.orders.move_return(tx, *o, *r, "requested", "approved", note, actor); !m)
      return m.error();
    if (auto e =
            publish_order_event(tx, "return.approved", *o, nullptr,
                                {{"return", orders::return_json(*o, *r)}}, s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, std::nullopt, *r};
  });
}

Result<OrderOutcome> OrderActions::reject_return(const std::string& order_id,
                                                 const std::string& return_id,
                                                 const std::string& note,
                                                 const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto r = s_.orders.find_return(tx, *o, return_id);
    if (!r) return r.error();
    if (auto m = s_.orders.move_return(tx, *o, *r, "requested", "rejected", note, actor); !m)
      return m.error();
    if (auto e =
            publish_order_event(tx, "return.rejected", *o, nullptr,
                                {{"return", orders::return_json(*o, *r)}}, s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, std::nullopt, *r};
  });
}

Result<OrderOutcome> OrderActions::receive_return(const std::string& order_id,
                                                  const std::string& return_id,
                                                  const std::string& location_code,
                                                  const std::string& note,
                                                  const std::string& actor) {
  auto location = s_.inventory.location(location_code.empty() ? "main" : location_code);
  if (!location) return location.error();
  std::vector<std::string> restocked;
  auto done = in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    restocked.clear();
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto r = s_.orders.find_return(tx, *o, return_id);
    if (!r) return r.error();
    if (auto m = s_.orders.move_return(tx, *o, *r, "approved", "received", note, actor); !m)
      return m.error();
    std::vector<inventory::Allocation> back;
    for (const auto& rl : r->lines) {
      for (auto& l : o->lines) {
        if (l.id != rl.line_id) continue;
        back.push_back({l.variant_id, location->id, rl.quantity});
        restocked.push_back(l.variant_id);
        l.returned_quantity += rl.quantity;
        if (auto q = s_.orders.add_returned(tx, l.id, rl.quantity); !q) return q.error();
      }
    }
    if (auto q = s_.inventory.restock(tx, back, "return of order " + o->number, actor); !q)
      return q.error();
    if (auto e =
            publish_order_event(tx, "return.received", *o, nullptr,
                                {{"return", orders::return_json(*o, *r)}}, s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, std::nullopt, *r};
  });
  if (done) s_.inventory.stock_changed(restocked);
  return done;
}

Result<OrderOutcome> OrderActions::refund_return(const std::string& order_id,
                                                 const std::string& return_id,
                                                 std::optional<int64_t> amount,
                                                 const std::string& actor) {
  return in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
    auto o = s_.orders.lock(tx, order_id);
    if (!o) return o.error();
    auto r = s_.orders.find_return(tx, *o, return_id);
    if (!r) return r.error();
    if (r->resolution == "exchange")
      return Error::conflict("exchange_not_refundable",
                             "an exchange is not refunded: ship the replacement instead");
    if (r->status != "received")
      return Error::conflict("illegal_transition",
                             "a return cannot go from " + r->status + " to refunded");
    if (!o->payment_id) return Error::conflict("no_payment", "this order has no payment");
    auto p = s_.payments.lock(tx, *o->payment_id);
    if (!p) return p.error();
    int64_t share = 0;  // the returned lines' part of what they cost, rounded down
    for (const auto& rl : r->lines)
      for (const auto& l : o->lines)
        if (l.id == rl.line_id) share += l.total_minor * rl.quantity / l.quantity;
    int64_t give = amount.value_or(std::min(share, p->captured_minor - p->refunded_minor));
    std::string reason = "return " + r->id;
    if (auto q = s_.payments.refund(tx, *p, give, reason); !q) return q.error();
    if (auto q = s_.orders.add_refunded(tx, *o, give); !q) return q.error();
    if (auto q = s_.orders.set_payment(tx, *o, p->status); !q) return q.error();
    r->refund_minor = give;
    if (auto m = s_.orders.move_return(tx, *o, *r, "received", "refunded", "", actor); !m)
      return m.error();
    bool all_back = true;
    for (const auto& l : o->lines)
      if (l.returned_quantity < l.quantity) all_back = false;
    Status to = all_back                  ? Status::returned
                : p->status == "refunded" ? Status::refunded
                                          : Status::partially_refunded;
    if (auto q = s_.orders.transition(tx, *o, to, actor, reason); !q) return q.error();
    if (auto e = publish_order_event(
            tx, "payment.refunded", *o, &*p,
            {{"refund", refund_json(*o, give, reason)}, {"return", orders::return_json(*o, *r)}},
            s_.orders.now_time());
        !e)
      return e.error();
    if (auto c = tx.commit(); !c) return c.error();
    return OrderOutcome{*o, *p, *r};
  });
}

Result<int> OrderActions::release_unpaid(std::chrono::seconds older_than, int limit) {
  auto ids = s_.orders.unpaid_before(s_.orders.now_time() - older_than, limit);
  if (!ids) return ids.error();
  int released = 0;
  for (const auto& id : *ids) {
    std::vector<std::string> restocked;
    auto done = in_tx(s_.database, [&](db::Transaction& tx) -> Result<OrderOutcome> {
      restocked.clear();
      auto o = s_.orders.lock(tx, id);
      if (!o) return o.error();
      if (o->status != Status::pending_payment) {  // paid meanwhile
        tx.rollback();
        return OrderOutcome{*o, std::nullopt, std::nullopt};
      }
      auto out = cancel_locked(tx, *o, "system", "unpaid after the payment timeout", restocked);
      if (!out) return out;
      if (auto c = tx.commit(); !c) return c.error();
      return out;
    });
    if (!done) return done.error();
    if (done->order.status == Status::cancelled && !restocked.empty()) {
      s_.inventory.stock_changed(restocked);
    }
    if (done->order.status == Status::cancelled) ++released;
  }
  return released;
}

}  // namespace fff::flows
