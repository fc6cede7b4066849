// modules/orders: what a shopper bought — the order with its number, a snapshot of its lines,
// addresses and totals, its life cycle (a state machine), a timeline of every change, shipments
// and returns. Owns orders, order_lines, order_allocations, order_timeline, order_shipments,
// order_returns, order_counters and checkout_keys. Payments are the payments module's; an order
// keeps only a copy of its payment's status (payment_status), written by the flows that change
// both in one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fff::orders {

// The order life cycle. See README "Orders" for the diagram.
//   pending_payment → paid | cancelled               (card: waits for authorisation)
//   confirmed → partially_fulfilled | fulfilled | shipped | cancelled   (cash on delivery)
//   paid → partially_fulfilled | fulfilled | shipped | cancelled | partially_refunded | refunded
//   partially_fulfilled → partially_fulfilled | fulfilled | shipped
//   fulfilled → shipped;  shipped → delivered
//   delivered → partially_refunded | refunded | returned
//   partially_refunded → partially_refunded | refunded | returned
//   cancelled, refunded, returned: final
enum class Status {
  pending_payment,
  confirmed,
  paid,
  partially_fulfilled,
  fulfilled,
  shipped,
  delivered,
  cancelled,
  partially_refunded,
  refunded,
  returned,
};
const char* to_string(Status s);
std::optional<Status> parse_status(const std::string& text);
bool can_transition(Status from, Status to);
// Not yet handed over for fulfilment: the customer may still cancel.
bool unfulfilled(Status s);

struct Address {
  std::string name, line1, line2, city, region, postal_code, country, phone;
};

struct OrderLine {
  std::string id;
  std::string variant_id;
  std::string sku, product_id, product_name, product_slug, size, colour;
  std::optional<std::string> image_key;
  int64_t quantity = 0;
  int64_t unit_price_minor = 0, subtotal_minor = 0, discount_minor = 0, tax_minor = 0,
          total_minor = 0;
  int64_t shipped_quantity = 0;   // units in shipments so far
  int64_t returned_quantity = 0;  // units in returns that were received
};

struct TimelineEntry {
  std::string at;
  std::string actor;      // "customer:<id>", "guest", "staff:<id>", "system", "provider:<name>"
  std::string event;      // "placed", "paid", "status_changed", "shipped", "note", …
  std::string detail;     // human-readable
  bool internal = false;  // staff notes: never shown to customers
};

struct ShipmentLine {
  std::string line_id;
  std::string sku;
  std::string product_name;
  int64_t quantity = 0;
};

struct Shipment {
  std::string id;
  std::string carrier;
  std::string tracking_number;
  std::optional<std::string> tracking_url;
  std::string shipped_at;
  std::vector<ShipmentLine> lines;
};

struct ReturnRequest {
  std::string id;
  std::string order_id;
  std::string status;  // requested → approved | rejected; approved → received → refunded
  std::string reason;
  std::string resolution;  // "refund" | "exchange" (exchange: noted; staff ship the new size)
  std::optional<std::string> exchange_note;
  std::vector<ShipmentLine> lines;
  std::optional<int64_t> refund_minor;
  std::string note;  // staff's note on approve/reject/receive
  std::string created_at, updated_at;
};

struct Order {
  std::string id;
  std::string number;  // "FFF-10023"
  std::optional<std::string> account_id;
  Status status = Status::pending_payment;
  std::string payment_status;  // copy of the payment's: see modules/payments/model.hpp
  std::string payment_method;  // "card" | "cash_on_delivery"
  std::optional<std::string> payment_id;
  std::string email;
  std::string locale = "en";
  std::string currency = "USD";
  std::string customer_name;
  std::vector<OrderLine> lines;
  int64_t subtotal_minor = 0, discount_minor = 0, shipping_minor = 0, tax_minor = 0,
          total_minor = 0;
  int64_t refunded_minor = 0;
  bool prices_include_tax = false;
  std::optional<std::string> coupon_code;
  std::string shipping_method_code, shipping_method_name;
  Address shipping_address;
  Address billing_address;
  std::vector<Shipment> shipments;
  std::vector<TimelineEntry> timeline;
  std::string created_at, updated_at;
};

struct Allocation {  // where sold units came from (mirrors inventory::Allocation)
  std::string variant_id;
  std::string location_id;
  int64_t quantity = 0;
};

struct OrderFilter {
  std::optional<std::string> account_id;  // a customer's own orders
  std::optional<std::string> status;
  std::optional<std::string> payment_status;
  std::optional<std::string> from, to;  // created_at range, ISO 8601, inclusive from, exclusive to
  std::optional<std::string> search;    // an order number or an email (exact, case-insensitive)
  int limit = 20;
  std::optional<std::string> after;  // keyset cursor: the last id of the previous page
};

struct OrderPage {
  std::vector<Order> items;  // newest first; lines included, shipments and timeline not
  std::optional<std::string> next;
};

}  // namespace fff::orders
