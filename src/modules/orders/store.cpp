#include "modules/orders/store.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/id.hpp"

namespace fff::orders {
namespace {

namespace json = boost::json;

std::string address_text(const Address& a) {
  return json::serialize(json::object{{"name", a.name},
                                      {"line1", a.line1},
                                      {"line2", a.line2},
                                      {"city", a.city},
                                      {"region", a.region},
                                      {"postal_code", a.postal_code},
                                      {"country", a.country},
                                      {"phone", a.phone}});
}

Address address_from(const std::string& text) {
  Address a;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return a;
  auto get = [&](const char* k) -> std::string {
    const auto* f = v.get_object().if_contains(k);
    return f && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  return {get("name"),   get("line1"),       get("line2"),   get("city"),
          get("region"), get("postal_code"), get("country"), get("phone")};
}

std::string lines_text(const std::vector<ShipmentLine>& lines) {
  json::array out;
  for (const auto& l : lines)
    out.push_back(json::object{{"line_id", l.line_id},
                               {"sku", l.sku},
                               {"product_name", l.product_name},
                               {"quantity", l.quantity}});
  return json::serialize(out);
}

std::vector<ShipmentLine> lines_from(const std::string& text) {
  std::vector<ShipmentLine> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.get_object();
    ShipmentLine l;
    if (auto* f = o.if_contains("line_id"); f && f->is_string()) l.line_id = f->get_string();
    if (auto* f = o.if_contains("sku"); f && f->is_string()) l.sku = f->get_string();
    if (auto* f = o.if_contains("product_name"); f && f->is_string())
      l.product_name = f->get_string();
    if (auto* f = o.if_contains("quantity"); f && f->is_int64()) l.quantity = f->get_int64();
    out.push_back(std::move(l));
  }
  return out;
}

constexpr const char* kOrderColumns =
    "CAST(id AS TEXT), number, CAST(account_id AS TEXT), status, payment_status, payment_method, "
    "CAST(payment_id AS TEXT), email, locale, currency, customer_name, subtotal_minor, "
    "discount_minor, shipping_minor, tax_minor, total_minor, refunded_minor, prices_include_tax, "
    "coupon_code, shipping_method_code, shipping_method_name, shipping_address, billing_address, "
    "created_at, updated_at";

Order order_from(const db::Row& r) {
  Order o;
  o.id = r.text(0);
  o.number = r.text(1);
  o.account_id = r.opt_text(2);
  o.status = parse_status(r.text(3)).value_or(Status::pending_payment);
  o.payment_status = r.text(4);
  o.payment_method = r.text(5);
  o.payment_id = r.opt_text(6);
  o.email = r.text(7);
  o.locale = r.text(8);
  o.currency = r.text(9);
  o.customer_name = r.text(10);
  o.subtotal_minor = r.int64(11);
  o.discount_minor = r.int64(12);
  o.shipping_minor = r.int64(13);
  o.tax_minor = r.int64(14);
  o.total_minor = r.int64(15);
  o.refunded_minor = r.int64(16);
  o.prices_include_tax = r.boolean(17);
  o.coupon_code = r.opt_text(18);
  o.shipping_method_code = r.text(19);
  o.shipping_method_name = r.text(20);
  o.shipping_address = address_from(r.text(21));
  o.billing_address = address_from(r.text(22));
  o.created_at = r.text(23);
  o.updated_at = r.text(24);
  return o;
}

constexpr const char* kLineColumns =
    "CAST(id AS TEXT), CAST(order_id AS TEXT), CAST(variant_id AS TEXT), sku, product_id, "
    "product_name, product_slug, size, colour, image_key, quantity, unit_price_minor, "
    "subtotal_minor, discount_minor, tax_minor, total_minor, shipped_quantity, returned_quantity";

OrderLine line_from(const db::Row& r) {
  OrderLine l;
  l.id = r.text(0);
  l.variant_id = r.text(2);
  l.sku = r.text(3);
  l.product_id = r.text(4);
  l.product_name = r.text(5);
  l.product_slug = r.text(6);
  l.size = r.text(7);
  l.colour = r.text(8);
  l.image_key = r.opt_text(9);
  l.quantity = r.int64(10);
  l.unit_price_minor = r.int64(11);
  l.subtotal_minor = r.int64(12);
  l.discount_minor = r.int64(13);
  l.tax_minor = r.int64(14);
  l.total_minor = r.int64(15);
  l.shipped_quantity = r.int64(16);
  l.returned_quantity = r.int64(17);
  return l;
}

// Reads the rest of an order (lines, shipments, timeline) through `q` (a Database or a
// Transaction).
template <typename Q>
Result<std::optional<Order>> complete(Q& q, Result<db::QueryResult> head) {
  if (!head) return head.error();
  if (head->rows.empty()) return std::optional<Order>{};
  Order o = order_from(head->rows[0]);
  auto lines = q.query(std::string("SELECT ") + kLineColumns +
                           " FROM order_lines WHERE order_id = $1 ORDER BY position",
                       {o.id});
  if (!lines) return lines.error();
  for (const auto& r : lines->rows) o.lines.push_back(line_from(r));
  auto shipments = q.query(
      "SELECT CAST(id AS TEXT), carrier, tracking_number, tracking_url, shipped_at, lines "
      "FROM order_shipments WHERE order_id = $1 ORDER BY shipped_at, id",
      {o.id});
  if (!shipments) return shipments.error();
  for (const auto& r : shipments->rows)
    o.shipments.push_back(
        {r.text(0), r.text(1), r.text(2), r.opt_text(3), r.text(4), lines_from(r.text(5))});
  auto timeline = q.query(
      "SELECT at, actor, event, detail, internal FROM order_timeline WHERE order_id = $1 "
      "ORDER BY at, id",
      {o.id});
  if (!timeline) return timeline.error();
  for (const auto& r : timeline->rows)
    o.timeline.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.boolean(4)});
  return std::optional<Order>{std::move(o)};
}

std::string placeholders(size_t first, size_t count) {
  std::string out = "(";
  for (size_t i = 0; i < count; ++i) out += (i ? ", $" : "$") + std::to_string(first + i);
  return out + ")";
}

}  // namespace

Result<std::string> OrderStore::next_number(db::Transaction& tx) {
  auto r =
      tx.query("UPDATE order_counters SET value = value + 1 WHERE name = 'orders' RETURNING value");
  if (!r) return r.error();
  if (r->rows.empty()) return Error::internal("the order counter row is missing");
  return "FFF-" + std::to_string(r->rows[0].int64(0));
}

Result<void> OrderStore::insert(db::Transaction& tx, const Order& o,
                                const std::vector<Allocation>& allocations) {
  auto opt = [](const std::optional<std::string>& v) { return v ? db::Value(*v) : db::Value(); };
  auto made = tx.query(
      "INSERT INTO orders (id, number, account_id, status, payment_status, payment_method, "
      "payment_id, email, locale, currency, customer_name, subtotal_minor, discount_minor, "
      "shipping_minor, tax_minor, total_minor, refunded_minor, prices_include_tax, coupon_code, "
      "shipping_method_code, shipping_method_name, shipping_address, billing_address, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
      "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)",
      {o.id,
       o.number,
       opt(o.account_id),
       std::string(to_string(o.status)),
       o.payment_status,
       o.payment_method,
       opt(o.payment_id),
       o.email,
       o.locale,
       o.currency,
       o.customer_name,
       o.subtotal_minor,
       o.discount_minor,
       o.shipping_minor,
       o.tax_minor,
       o.total_minor,
       o.refunded_minor,
       o.prices_include_tax,
       opt(o.coupon_code),
       o.shipping_method_code,
       o.shipping_method_name,
       address_text(o.shipping_address),
       address_text(o.billing_address),
       o.created_at,
       o.updated_at});
  if (!made) return made.error();
  int position = 0;
  for (const auto& l : o.lines) {
    auto line = tx.query(
        "INSERT INTO order_lines (id, order_id, position, variant_id, sku, product_id, "
        "product_name, product_slug, size, colour, image_key, quantity, unit_price_minor, "
        "subtotal_minor, discount_minor, tax_minor, total_minor) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        {l.id, o.id, int64_t{position++}, l.variant_id, l.sku, l.product_id, l.product_name,
         l.product_slug, l.size, l.colour, opt(l.image_key), l.quantity, l.unit_price_minor,
         l.subtotal_minor, l.discount_minor, l.tax_minor, l.total_minor});
    if (!line) return line.error();
  }
  for (const auto& a : allocations) {
    auto kept = tx.query(
        "INSERT INTO order_allocations (order_id, variant_id, location_id, quantity) "
        "VALUES ($1, $2, $3, $4)",
        {o.id, a.variant_id, a.location_id, a.quantity});
    if (!kept) return kept.error();
  }
  for (const auto& t : o.timeline)
    if (auto r = add_timeline(tx, o.id, t); !r) return r.error();
  return {};
}

Result<std::optional<Order>> OrderStore::find(const std::string& id) {
  if (!is_uuid(id)) return std::optional<Order>{};
  return complete(
      db_, db_.query(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE id = $1", {id}));
}

Result<std::optional<Order>> OrderStore::find_by_number(const std::string& number) {
  return complete(
      db_, db_.query(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE number = $1",
                     {number}));
}

Result<std::optional<Order>> OrderStore::find(db::Transaction& tx, const std::string& id) {
  if (!is_uuid(id)) return std::optional<Order>{};
  return complete(
      tx, tx.query(std::string("SELECT ") + kOrderColumns + " FROM orders WHERE id = $1", {id}));
}

Result<std::optional<Order>> OrderStore::lock(db::Transaction& tx, const std::string& id) {
  if (!is_uuid(id)) return std::optional<Order>{};
  return complete(tx, tx.query(std::string("UPDATE orders SET updated_at = updated_at WHERE id = "
                                           "$1 RETURNING ") +
                                   kOrderColumns,
                               {id}));
}

Result<std::optional<Order>> OrderStore::lock_by_number(db::Transaction& tx,
                                                        const std::string& number) {
  return complete(tx, tx.query(std::string("UPDATE orders SET updated_at = updated_at WHERE "
                                           "number = $1 RETURNING ") +
                                   kOrderColumns,
                               {number}));
}

Result<void> OrderStore::set_status(db::Transaction& tx, const std::string& id, Status status,
                                    const std::string& now) {
  auto r = tx.query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3",
                    {std::string(to_string(status)), now, id});
  if (!r) return r.error();
  return {};
}

Result<void> OrderStore::set_payment(db::Transaction& tx, const std::string& id,
                                     const std::string& payment_status,
                                     const std::optional<std::string>& payment_id,
                                     const std::string& now) {
  auto r = tx.query(
      "UPDATE orders SET payment_status = $1, payment_id = COALESCE($2, payment_id), "
      "updated_at = $3 WHERE id = $4",
      {payment_status, payment_id ? db::Value(*payment_id) : db::Value(), now, id});
  if (!r) return r.error();
  return {};
}

Result<void> OrderStore::add_refunded(db::Transaction& tx, const std::string& id, int64_t amount,
                                      const std::string& now) {
  auto r = tx.query(
      "UPDATE orders SET refunded_minor = refunded_minor + $1, updated_at = $2 WHERE id = $3",
      {amount, now, id});
  if (!r) return r.error();
  return {};
}

Result<void> OrderStore::add_timeline(db::Transaction& tx, const std::string& order_id,
                                      const TimelineEntry& t) {
  auto r = tx.query(
      "INSERT INTO order_timeline (id, order_id, at, actor, event, detail, internal) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {new_id(), order_id, t.at, t.actor, t.event, t.detail, t.internal});
  if (!r) return r.error();
  return {};
}

Result<std::vector<Allocation>> OrderStore::open_allocations(db::Transaction& tx,
                                                             const std::string& order_id) {
  auto rows = tx.query(
      "SELECT CAST(variant_id AS TEXT), CAST(location_id AS TEXT), quantity "
      "FROM order_allocations WHERE order_id = $1 AND released = $2 "
      "ORDER BY variant_id, location_id",
      {order_id, false});
  if (!rows) return rows.error();
  std::vector<Allocation> out;
  for (const auto& r : rows->rows) out.push_back({r.text(0), r.text(1), r.int64(2)});
  return out;
}

Result<void> OrderStore::release_allocations(db::Transaction& tx, const std::string& order_id) {
  auto r =
      tx.query("UPDATE order_allocations SET released = $1 WHERE order_id = $2", {true, order_id});
  if (!r) return r.error();
  return {};
}

Result<void> OrderStore::insert_shipment(db::Transaction& tx, const std::string& order_id,
                                         const Shipment& s) {
  auto r = tx.query(
      "INSERT INTO order_shipments (id, order_id, carrier, tracking_number, tracking_url, lines, "
      "shipped_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {s.id, order_id, s.carrier, s.tracking_number,
       s.tracking_url ? db::Value(*s.tracking_url) : db::Value(), lines_text(s.lines),
       s.shipped_at});
  if (!r) return r.error();
  for (const auto& l : s.lines) {
    auto u = tx.query(
        "UPDATE order_lines SET shipped_quantity = shipped_quantity + $1 WHERE id = $2 AND "
        "order_id = $3",
        {l.quantity, l.line_id, order_id});
    if (!u) return u.error();
  }
  return {};
}

Result<void> OrderStore::add_returned(db::Transaction& tx, const std::string& line_id,
                                      int64_t quantity) {
  auto u =
      tx.query("UPDATE order_lines SET returned_quantity = returned_quantity + $1 WHERE id = $2",
               {quantity, line_id});
  if (!u) return u.error();
  return {};
}

namespace {
constexpr const char* kReturnColumns =
    "CAST(id AS TEXT), CAST(order_id AS TEXT), status, reason, resolution, exchange_note, lines, "
    "refund_minor, note, created_at, updated_at";

ReturnRequest return_from(const db::Row& r) {
  return {r.text(0),
          r.text(1),
          r.text(2),
          r.text(3),
          r.text(4),
          r.opt_text(5),
          lines_from(r.text(6)),
          r.opt_int64(7),
          r.text(8),
          r.text(9),
          r.text(10)};
}
}  // namespace

Result<void> OrderStore::insert_return(db::Transaction& tx, const ReturnRequest& r) {
  auto q = tx.query(
      "INSERT INTO order_returns (id, order_id, status, reason, resolution, exchange_note, lines, "
      "refund_minor, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
      "$10, $11)",
      {r.id, r.order_id, r.status, r.reason, r.resolution,
       r.exchange_note ? db::Value(*r.exchange_note) : db::Value(), lines_text(r.lines),
       r.refund_minor ? db::Value(*r.refund_minor) : db::Value(), r.note, r.created_at,
       r.updated_at});
  if (!q) return q.error();
  return {};
}

Result<void> OrderStore::update_return(db::Transaction& tx, const ReturnRequest& r) {
  auto q = tx.query(
      "UPDATE order_returns SET status = $1, refund_minor = $2, note = $3, updated_at = $4 "
      "WHERE id = $5",
      {r.status, r.refund_minor ? db::Value(*r.refund_minor) : db::Value(), r.note, r.updated_at,
       r.id});
  if (!q) return q.error();
  return {};
}

Result<std::optional<ReturnRequest>> OrderStore::find_return(db::Transaction& tx,
                                                             const std::string& id) {
  if (!is_uuid(id)) return std::optional<ReturnRequest>{};
  auto rows =
      tx.query(std::string("SELECT ") + kReturnColumns + " FROM order_returns WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<ReturnRequest>{};
  return std::optional<ReturnRequest>{return_from(rows->rows[0])};
}

Result<std::vector<ReturnRequest>> OrderStore::returns(const std::string& order_id) {
  auto rows = db_.query(std::string("SELECT ") + kReturnColumns +
                            " FROM order_returns WHERE order_id = $1 ORDER BY created_at, id",
                        {order_id});
  if (!rows) return rows.error();
  std::vector<ReturnRequest> out;
  for (const auto& r : rows->rows) out.push_back(return_from(r));
  return out;
}

Result<OrderPage> OrderStore::list(const OrderFilter& f) {
  std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders WHERE 1 = 1";
  db::Params params;
  auto add = [&](const std::string& clause, db::Value v) {
    params.push_back(std::move(v));
    std::string n = "$" + std::to_string(params.size());
    std::string c = clause;
    for (size_t at = c.find('?'); at != std::string::npos; at = c.find('?', at + n.size()))
      c.replace(at, 1, n);
    sql += " AND " + c;
  };
  if (f.account_id) add("account_id = ?", *f.account_id);
  if (f.status) add("status = ?", *f.status);
  if (f.payment_status) add("payment_status = ?", *f.payment_status);
  if (f.from) add("created_at >= ?", *f.from);
  if (f.to) add("created_at < ?", *f.to);
  if (f.search) {
    std::string s = *f.search;
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    add("(lower(number) = ? OR lower(email) = ?)", s);
  }
  if (f.after) add("id < ?", *f.after);
  sql += " ORDER BY id DESC LIMIT " + std::to_string(f.limit + 1);
  auto rows = db_.query(sql, params);
  if (!rows) return rows.error();
  OrderPage page;
  for (const auto& r : rows->rows) {
    if (static_cast<int>(page.items.size()) == f.limit) {
      page.next = page.items.back().id;
      break;
    }
    page.items.push_back(order_from(r));
  }
  if (page.items.empty()) return page;
  std::vector<std::string> ids;
  db::Params id_params;
  for (const auto& o : page.items) id_params.push_back(o.id);
  auto lines =
      db_.query(std::string("SELECT ") + kLineColumns + " FROM order_lines WHERE order_id IN " +
                    placeholders(1, id_params.size()) + " ORDER BY position",
                id_params);
  if (!lines) return lines.error();
  for (const auto& r : lines->rows)
    for (auto& o : page.items)
      if (o.id == r.text(1)) o.lines.push_back(line_from(r));
  return page;
}

Result<std::vector<std::string>> OrderStore::unpaid_before(const std::string& cutoff, int limit) {
  auto rows = db_.query(
      "SELECT CAST(id AS TEXT) FROM orders WHERE status = 'pending_payment' AND created_at < $1 "
      "ORDER BY created_at LIMIT " +
          std::to_string(limit),
      {cutoff});
  if (!rows) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : rows->rows) out.push_back(r.text(0));
  return out;
}

Result<bool> OrderStore::claim_key(db::Transaction& tx, const std::string& key,
                                   const std::string& fingerprint, const std::string& order_id,
                                   const std::string& now) {
  auto r = tx.query(
      "INSERT INTO checkout_keys (idempotency_key, fingerprint, order_id, created_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      {key, fingerprint, order_id, now});
  if (!r) return r.error();
  return r->affected == 1;
}

Result<std::optional<OrderStore::KeyRecord>> OrderStore::find_key(const std::string& key) {
  auto rows = db_.query(
      "SELECT fingerprint, CAST(order_id AS TEXT) FROM checkout_keys WHERE idempotency_key = $1",
      {key});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return std::optional<KeyRecord>{};
  return std::optional<KeyRecord>{KeyRecord{rows->rows[0].text(0), rows->rows[0].text(1)}};
}

}  // namespace fff::orders
