#include "modules/orders/service.hpp"

#include <boost/json/array.hpp>
#include <map>
#include <set>

#include "core/id.hpp"
#include "core/money.hpp"

namespace fff::orders {
namespace {

namespace json = boost::json;

constexpr std::pair<Status, const char*> kStatusNames[] = {
    {Status::pending_payment, "pending_payment"},
    {Status::confirmed, "confirmed"},
    {Status::paid, "paid"},
    {Status::partially_fulfilled, "partially_fulfilled"},
    {Status::fulfilled, "fulfilled"},
    {Status::shipped, "shipped"},
    {Status::delivered, "delivered"},
    {Status::cancelled, "cancelled"},
    {Status::partially_refunded, "partially_refunded"},
    {Status::refunded, "refunded"},
    {Status::returned, "returned"},
};

struct Carrier {
  const char* code;
  const char* url;  // "{number}" replaced
};
constexpr Carrier kCarriers[] = {
    {"ups", "https://www.ups.com/track?tracknum={number}"},
    {"fedex", "https://www.fedex.com/fedextrack/?trknbr={number}"},
    {"dhl", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}"},
    {"usps", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"},
    {"vnpost", "https://vnpost.vn/en-us/dinh-vi/buu-pham?key={number}"},
    {"ghn", "https://donhang.ghn.vn/?order_code={number}"},
    {"ghtk", "https://i.ghtk.vn/{number}"},
    {"other", ""},
};

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

json::object address_json(const Address& a) {
  return {{"name", a.name},       {"line1", a.line1},   {"line2", a.line2},
          {"city", a.city},       {"region", a.region}, {"postal_code", a.postal_code},
          {"country", a.country}, {"phone", a.phone}};
}

json::array lines_json(const std::vector<ShipmentLine>& lines) {
  json::array out;
  for (const auto& l : lines)
    out.push_back(json::object{{"line_id", l.line_id},
                               {"sku", l.sku},
                               {"product_name", l.product_name},
                               {"quantity", l.quantity}});
  return out;
}

}  // namespace

const char* to_string(Status s) {
  for (const auto& [status, name] : kStatusNames)
    if (status == s) return name;
  return "pending_payment";
}

std::optional<Status> parse_status(const std::string& text) {
  for (const auto& [status, name] : kStatusNames)
    if (text == name) return status;
  return std::nullopt;
}

bool can_transition(Status from, Status to) {
  using S = Status;
  switch (from) {
    case S::pending_payment: return to == S::paid || to == S::cancelled;
    case S::confirmed:
      return to == S::partially_fulfilled || to == S::fulfilled || to == S::shipped ||
             to == S::cancelled;
    case S::paid:
      return to == S::partially_fulfilled || to == S::fulfilled || to == S::shipped ||
             to == S::cancelled || to == S::partially_refunded || to == S::refunded;
    case S::partially_fulfilled:
      return to == S::partially_fulfilled || to == S::fulfilled || to == S::shipped;
    case S::fulfilled: return to == S::shipped;
    case S::shipped: return to == S::delivered;
    case S::delivered: return to == S::partially_refunded || to == S::refunded || to == S::returned;
    case S::partially_refunded:
      return to == S::partially_refunded || to == S::refunded || to == S::returned;
    case S::cancelled:
    case S::refunded:
    case S::returned: return false;
  }
  return false;
}

bool unfulfilled(Status s) {
  return s == Status::pending_payment || s == Status::confirmed || s == Status::paid;
}

bool known_carrier(const std::string& carrier) {
  for (const auto& c : kCarriers)
    if (carrier == c.code) return true;
  return false;
}

std::optional<std::string> tracking_url(const std::string& carrier,
                                        const std::string& tracking_number) {
  for (const auto& c : kCarriers) {
    if (carrier != c.code || !*c.url) continue;
    std::string url = c.url;
    url.replace(url.find("{number}"), 8, url_encode(tracking_number));
    return url;
  }
  return std::nullopt;
}

json::object money_json(int64_t minor, const std::string& currency) {
  Currency c = parse_currency(currency).value_or(Currency::USD);
  return {{"amount", Money(minor, c).decimal()}, {"currency", currency}};
}

json::object shipment_json(const Order& o, const Shipment& s) {
  (void)o;
  return {{"id", s.id},
          {"carrier", s.carrier},
          {"tracking_number", s.tracking_number},
          {"tracking_url", s.tracking_url ? json::value(*s.tracking_url) : json::value(nullptr)},
          {"shipped_at", s.shipped_at},
          {"lines", lines_json(s.lines)}};
}

json::object return_json(const Order& o, const ReturnRequest& r) {
  return {{"id", r.id},
          {"status", r.status},
          {"reason", r.reason},
          {"resolution", r.resolution},
          {"exchange_note", r.exchange_note ? json::value(*r.exchange_note) : json::value(nullptr)},
          {"lines", lines_json(r.lines)},
          {"refund_amount", r.refund_minor ? json::value(money_json(*r.refund_minor, o.currency))
                                           : json::value(nullptr)},
          {"note", r.note},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at}};
}

json::object order_json(const Order& o, bool staff) {
  auto m = [&](int64_t v) { return money_json(v, o.currency); };
  json::array lines;
  for (const auto& l : o.lines)
    lines.push_back(
        json::object{{"id", l.id},
                     {"variant_id", l.variant_id},
                     {"sku", l.sku},
                     {"product_name", l.product_name},
                     {"product_slug", l.product_slug},
                     {"size", l.size},
                     {"colour", l.colour},
                     {"quantity", l.quantity},
                     {"unit_price", m(l.unit_price_minor)},
                     {"subtotal", m(l.subtotal_minor)},
                     {"discount", m(l.discount_minor)},
                     {"tax", m(l.tax_minor)},
                     {"total", m(l.total_minor)},
                     {"image_key", l.image_key ? json::value(*l.image_key) : json::value(nullptr)},
                     {"shipped_quantity", l.shipped_quantity},
                     {"returned_quantity", l.returned_quantity}});
  json::array shipments;
  for (const auto& s : o.shipments) shipments.push_back(shipment_json(o, s));
  json::array timeline;
  for (const auto& t : o.timeline) {
    if (t.internal && !staff) continue;
    json::object e{{"at", t.at}, {"actor", t.actor}, {"event", t.event}, {"detail", t.detail}};
    if (staff) e["internal"] = t.internal;
    timeline.push_back(std::move(e));
  }
  json::object out{
      {"id", o.id},
      {"number", o.number},
      {"status", to_string(o.status)},
      {"payment_status", o.payment_status},
      {"email", o.email},
      {"locale", o.locale},
      {"currency", o.currency},
      {"customer_name", o.customer_name},
      {"lines", std::move(lines)},
      {"subtotal", m(o.subtotal_minor)},
      {"discount", m(o.discount_minor)},
      {"shipping", m(o.shipping_minor)},
      {"tax", m(o.tax_minor)},
      {"total", m(o.total_minor)},
      {"refunded", m(o.refunded_minor)},
      {"prices_include_tax", o.prices_include_tax},
      {"coupon_code", o.coupon_code ? json::value(*o.coupon_code) : json::value(nullptr)},
      {"shipping_method",
       json::object{{"code", o.shipping_method_code}, {"name", o.shipping_method_name}}},
      {"shipping_address", address_json(o.shipping_address)},
      {"billing_address", address_json(o.billing_address)},
      {"payment_method", o.payment_method},
      {"payment_id", o.payment_id ? json::value(*o.payment_id) : json::value(nullptr)},
      {"shipments", std::move(shipments)},
      {"created_at", o.created_at},
      {"updated_at", o.updated_at},
      {"timeline", std::move(timeline)}};
  if (staff) out["account_id"] = o.account_id ? json::value(*o.account_id) : json::value(nullptr);
  return out;
}

namespace {
Error order_not_found() {
  return Error::not_found("order_not_found", "no such order");
}
template <typename R>
Result<Order> found(R r) {
  if (!r) return r.error();
  if (!*r) return order_not_found();
  return std::move(**r);
}
}  // namespace

Result<Order> OrderService::find(const std::string& id) {
  return found(store_.find(id));
}
Result<Order> OrderService::find_by_number(const std::string& number) {
  return found(store_.find_by_number(number));
}
Result<Order> OrderService::lock(db::Transaction& tx, const std::string& id) {
  return found(store_.lock(tx, id));
}
Result<Order> OrderService::lock_by_number(db::Transaction& tx, const std::string& number) {
  return found(store_.lock_by_number(tx, number));
}
Result<Order> OrderService::reload(db::Transaction& tx, const std::string& id) {
  return found(store_.find(tx, id));
}

Result<void> OrderService::transition(db::Transaction& tx, Order& order, Status to,
                                      const std::string& actor, const std::string& detail) {
  if (!can_transition(order.status, to))
    return Error::conflict(
        "illegal_transition",
        std::string("an order cannot go from ") + to_string(order.status) + " to " + to_string(to));
  std::string at = now();
  if (auto r = store_.set_status(tx, order.id, to, at); !r) return r;
  std::string from = to_string(order.status);
  order.status = to;
  order.updated_at = at;
  TimelineEntry e{at, actor, "status_changed",
                  from + " → " + to_string(to) + (detail.empty() ? "" : ": " + detail), false};
  if (auto r = store_.add_timeline(tx, order.id, e); !r) return r;
  order.timeline.push_back(std::move(e));
  return {};
}

Result<void> OrderService::set_payment(db::Transaction& tx, Order& order,
                                       const std::string& payment_status,
                                       const std::optional<std::string>& payment_id) {
  std::string at = now();
  if (auto r = store_.set_payment(tx, order.id, payment_status, payment_id, at); !r) return r;
  order.payment_status = payment_status;
  if (payment_id) order.payment_id = payment_id;
  order.updated_at = at;
  return {};
}

Result<void> OrderService::add_refunded(db::Transaction& tx, Order& order, int64_t amount) {
  std::string at = now();
  if (auto r = store_.add_refunded(tx, order.id, amount, at); !r) return r;
  order.refunded_minor += amount;
  order.updated_at = at;
  return {};
}

Result<void> OrderService::record(db::Transaction& tx, Order& order, const std::string& actor,
                                  const std::string& event, const std::string& detail,
                                  bool internal) {
  TimelineEntry e{now(), actor, event, detail, internal};
  if (auto r = store_.add_timeline(tx, order.id, e); !r) return r;
  order.timeline.push_back(std::move(e));
  return {};
}

namespace {
Error invalid_shipment(const std::string& field, const std::string& message) {
  return Error::unprocessable("invalid_shipment", field + " " + message, {{field, message}});
}
}  // namespace

bool OrderService::fully_shipped(const Order& order) {
  for (const auto& l : order.lines)
    if (l.shipped_quantity < l.quantity) return false;
  return true;
}

Result<Shipment> OrderService::add_shipment(
    db::Transaction& tx, Order& order, const std::string& carrier,
    const std::string& tracking_number, const std::vector<std::pair<std::string, int64_t>>& lines,
    const std::string& actor) {
  if (!known_carrier(carrier))
    return Error::unprocessable(
        "unknown_carrier", "carrier must be one of ups, fedex, dhl, usps, vnpost, ghn, ghtk, other",
        {{"carrier", "is not a known carrier"}});
  if (tracking_number.empty() || tracking_number.size() > 64)
    return invalid_shipment("tracking_number", "must be 1 to 64 characters");
  for (char c : tracking_number)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != ' ')
      return invalid_shipment("tracking_number", "may hold letters, digits, spaces and dashes");
  Shipment s;
  s.id = new_id();
  s.carrier = carrier;
  s.tracking_number = tracking_number;
  s.tracking_url = tracking_url(carrier, tracking_number);
  s.shipped_at = now();
  std::map<std::string, int64_t> wanted;
  for (const auto& [id, quantity] : lines) {
    if (quantity < 1) return invalid_shipment("lines", "quantities must be at least 1");
    wanted[id] += quantity;
  }
  for (auto& l : order.lines) {
    int64_t left = l.quantity - l.shipped_quantity;
    int64_t units = lines.empty() ? left : 0;
    if (!lines.empty()) {
      auto it = wanted.find(l.id);
      if (it == wanted.end()) continue;
      units = it->second;
      wanted.erase(it);
      if (units > left)
        return invalid_shipment(
            "lines", "line " + l.id + " has only " + std::to_string(left) + " units left to ship");
    }
    if (units == 0) continue;
    s.lines.push_back({l.id, l.sku, l.product_name, units});
  }
  if (!wanted.empty()) return invalid_shipment("lines", "name lines of this order");
  if (s.lines.empty()) return invalid_shipment("lines", "nothing is left to ship");
  if (auto r = store_.insert_shipment(tx, order.id, s); !r) return r.error();
  for (const auto& sl : s.lines)
    for (auto& l : order.lines)
      if (l.id == sl.line_id) l.shipped_quantity += sl.quantity;
  order.shipments.push_back(s);
  if (auto r = record(tx, order, actor, "shipment_added", carrier + " " + tracking_number); !r)
    return r.error();
  return s;
}

Result<ReturnRequest> OrderService::request_return(
    db::Transaction& tx, Order& order, const std::vector<std::pair<std::string, int64_t>>& lines,
    const std::string& reason, const std::string& resolution,
    const std::optional<std::string>& exchange_note, const std::string& actor) {
  auto bad = [](const std::string& field, const std::string& message) {
    return Error::unprocessable("invalid_return", field + " " + message, {{field, message}});
  };
  if (order.status != Status::delivered && order.status != Status::partially_refunded)
    return Error::conflict("return_not_allowed",
                           std::string("only delivered orders can be returned; this one is ") +
                               to_string(order.status));
  if (reason.empty() || reason.size() > 500) return bad("reason", "must be 1 to 500 characters");
  if (resolution != "refund" && resolution != "exchange")
    return bad("resolution", "must be refund or exchange");
  if (resolution == "exchange" && (!exchange_note || exchange_note->empty()))
    return bad("exchange_for", "must say what the item is exchanged for (e.g. size M)");
  if (lines.empty()) return bad("lines", "must name at least one line");
  // Units already in open or finished returns (not rejected) cannot be returned twice.
  auto existing = store_.returns(order.id);
  if (!existing) return existing.error();
  std::map<std::string, int64_t> taken;
  for (const auto& r : *existing)
    if (r.status != "rejected")
      for (const auto& l : r.lines) taken[l.line_id] += l.quantity;
  ReturnRequest r;
  r.id = new_id();
  r.order_id = order.id;
  r.status = "requested";
  r.reason = reason;
  r.resolution = resolution;
  r.exchange_note = resolution == "exchange" ? exchange_note : std::nullopt;
  r.created_at = r.updated_at = now();
  std::set<std::string> seen;
  for (const auto& [id, quantity] : lines) {
    const OrderLine* line = nullptr;
    for (const auto& l : order.lines)
      if (l.id == id) line = &l;
    if (!line) return bad("lines", "name lines of this order");
    if (!seen.insert(id).second) return bad("lines", "name each line once");
    if (quantity < 1) return bad("lines", "quantities must be at least 1");
    if (quantity > line->quantity - taken[id])
      return bad("lines", "line " + id + " has only " + std::to_string(line->quantity - taken[id]) +
                              " units that can be returned");
    r.lines.push_back({id, line->sku, line->product_name, quantity});
  }
  if (auto q = store_.insert_return(tx, r); !q) return q.error();
  if (auto q = record(tx, order, actor, "return_requested", reason); !q) return q.error();
  return r;
}

Result<ReturnRequest> OrderService::find_return(db::Transaction& tx, const Order& order,
                                                const std::string& return_id) {
  auto r = store_.find_return(tx, return_id);
  if (!r) return r.error();
  if (!*r || (*r)->order_id != order.id)
    return Error::not_found("return_not_found", "no such return on this order");
  return std::move(**r);
}

Result<void> OrderService::move_return(db::Transaction& tx, Order& order, ReturnRequest& r,
                                       const std::string& from, const std::string& to,
                                       const std::string& note, const std::string& actor) {
  if (r.status != from)
    return Error::conflict("illegal_transition",
                           "a return cannot go from " + r.status + " to " + to);
  r.status = to;
  if (!note.empty()) r.note = note;
  r.updated_at = now();
  if (auto q = store_.update_return(tx, r); !q) return q;
  return record(tx, order, actor, "return_" + to, note);
}

}  // namespace fff::orders
