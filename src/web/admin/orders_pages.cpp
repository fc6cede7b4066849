#include "web/admin/orders_pages.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <map>
#include <memory>

#include "core/id.hpp"
#include "core/log.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "modules/accounts/service.hpp"
#include "modules/orders/service.hpp"
#include "modules/payments/service.hpp"

namespace fff::web::admin {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr int kOrdersPerPage = 25;
constexpr int kCustomersPerPage = 25;
constexpr size_t kNoteLimit = 2000;
constexpr size_t kReasonLimit = 500;
const http::RouteOptions kFormRoute{.body_limit = 16 * 1024};

struct Carrier {
  const char* code;
  const char* label;
};
// The orders module's carriers (orders::known_carrier decides; this is how they read).
constexpr Carrier kCarriers[] = {{"ups", "UPS"},   {"fedex", "FedEx"},   {"dhl", "DHL"},
                                 {"usps", "USPS"}, {"vnpost", "VNPost"}, {"ghn", "GHN"},
                                 {"ghtk", "GHTK"}, {"other", "Other"}};

constexpr const char* kOrderStatuses[] = {
    "pending_payment",    "confirmed", "paid",      "partially_fulfilled",
    "fulfilled",          "shipped",   "delivered", "cancelled",
    "partially_refunded", "refunded",  "returned"};
constexpr const char* kPaymentStatuses[] = {
    "requires_action",    "pending",  "authorized", "captured",
    "partially_refunded", "refunded", "voided",     "failed"};

struct Pages {
  const Admin& admin;
  OrdersPageServices s;
  flows::OrderActions actions;
};

// ---- formatting ---------------------------------------------------------------------------

// "2026-11-25T23:08:53.123456Z" → "2026-11-25 23:08" (UTC).
std::string when(const std::string& iso) {
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5);
}

std::string money(int64_t minor, const std::string& currency) {
  return Site::money(Money(minor, parse_currency(currency).value_or(Currency::USD)));
}

std::string decimal(int64_t minor, const std::string& currency) {
  return Money(minor, parse_currency(currency).value_or(Currency::USD)).decimal();
}

// "partially_refunded" → "Partially refunded".
std::string label(std::string_view code) {
  std::string out(code);
  for (auto& c : out)
    if (c == '_') c = ' ';
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// Soft badge tones (orders.css): success, info, warning, danger, neutral.
std::string order_tone(std::string_view s) {
  if (s == "delivered") return "success";
  if (s == "pending_payment" || s == "partially_refunded") return "warning";
  if (s == "paid" || s == "confirmed" || s == "partially_fulfilled" || s == "fulfilled" ||
      s == "shipped")
    return "info";
  return "neutral";  // cancelled, refunded, returned
}

std::string payment_tone(std::string_view s) {
  if (s == "captured") return "success";
  if (s == "authorized") return "info";
  if (s == "requires_action" || s == "pending" || s == "partially_refunded") return "warning";
  if (s == "failed") return "danger";
  return "neutral";
}

std::string return_tone(std::string_view s) {
  if (s == "requested") return "warning";
  if (s == "approved" || s == "received") return "info";
  if (s == "refunded") return "success";
  return "neutral";
}

json::object badge(std::string_view code, const std::string& tone) {
  return json::object{{"code", code}, {"label", label(code)}, {"tone", tone}};
}

std::string encode(std::string_view in) {
  return http::percent_encode(in, {}, true);
}

std::string order_href(const std::string& number) {
  return "/admin/orders/" + http::percent_encode(number);
}

json::object address_json(const orders::Address& a) {
  json::array lines;
  for (const std::string* part : {&a.line1, &a.line2})
    if (!part->empty()) lines.push_back(json::value(*part));
  std::string place = a.city;
  if (!a.region.empty()) place += (place.empty() ? "" : ", ") + a.region;
  if (!a.postal_code.empty()) place += (place.empty() ? "" : " ") + a.postal_code;
  if (!place.empty()) lines.push_back(json::value(place));
  if (!a.country.empty()) lines.push_back(json::value(a.country));
  return json::object{{"name", a.name},
                      {"lines", std::move(lines)},
                      {"phone", a.phone},
                      {"present", !a.name.empty() || !a.line1.empty()}};
}

bool same_address(const orders::Address& a, const orders::Address& b) {
  return a.name == b.name && a.line1 == b.line1 && a.line2 == b.line2 && a.city == b.city &&
         a.region == b.region && a.postal_code == b.postal_code && a.country == b.country &&
         a.phone == b.phone;
}

// Who did it, as staff read it: staff by name, everyone else by kind.
class Actors {
 public:
  explicit Actors(accounts::AccountService& accounts) : accounts_(accounts) {}
  std::string name(const std::string& actor) {
    auto colon = actor.find(':');
    std::string kind = actor.substr(0, colon);
    std::string id = colon == std::string::npos ? "" : actor.substr(colon + 1);
    if (kind == "staff") {
      auto [it, fresh] = names_.try_emplace(id);
      if (fresh) {
        auto a = accounts_.find_account(id);
        it->second = a && a->has_value() ? ((*a)->name.empty() ? (*a)->email : (*a)->name)
                                         : std::string("Staff");
      }
      return it->second;
    }
    if (kind == "customer") return "Customer";
    if (kind == "guest") return "Guest";
    if (kind == "token") return "API token";
    if (kind == "system") return "System";
    if (kind == "provider") return "Payment provider" + (id.empty() ? "" : " (" + id + ")");
    return actor;
  }

 private:
  accounts::AccountService& accounts_;
  std::map<std::string, std::string> names_;
};

// ---- the order detail page ----------------------------------------------------------------

// The form that failed, if any: its name ("refund", "ship", …), errors and submitted values.
struct FailedForm {
  std::string form;
  FormErrors errors;
  json::object values;
};

json::object line_json(const orders::OrderLine& l, const std::string& currency) {
  std::string variant;
  if (!l.size.empty()) variant = l.size;
  if (!l.colour.empty()) variant += (variant.empty() ? "" : " / ") + l.colour;
  return json::object{
      {"id", l.id},
      {"sku", l.sku},
      {"name", l.product_name},
      {"slug", l.product_slug},
      {"variant", variant},
      {"quantity", l.quantity},
      {"unit_price", money(l.unit_price_minor, currency)},
      {"discount", l.discount_minor > 0 ? money(l.discount_minor, currency) : ""},
      {"total", money(l.total_minor, currency)},
      {"shipped", l.shipped_quantity},
      {"returned", l.returned_quantity > 0 ? json::value(l.returned_quantity) : json::value("")},
      {"to_ship", l.quantity - l.shipped_quantity},
      {"image", l.image_key ? "/media/" + *l.image_key + "/w320.webp" : ""}};
}

json::object shipment_lines(const std::vector<orders::ShipmentLine>& lines) {
  json::array out;
  int64_t units = 0;
  for (const auto& l : lines) {
    out.push_back(json::object{{"sku", l.sku}, {"name", l.product_name}, {"quantity", l.quantity}});
    units += l.quantity;
  }
  return json::object{{"items", std::move(out)}, {"units", units}};
}

Response order_page(Pages& p, const Request& req, const StaffContext& ctx, const orders::Order& o,
                    int status = 200, const FailedForm& failed = {}) {
  const bool write = ctx.can("orders:write");
  std::optional<payments::Payment> payment;
  if (o.payment_id) {
    auto found = p.s.orders.payments.find(*o.payment_id);
    if (found) payment = std::move(*found);
  }
  std::vector<orders::ReturnRequest> returns;
  if (auto r = p.s.orders.orders.returns(o.id)) returns = std::move(*r);

  json::object order{
      {"id", o.id},
      {"number", o.number},
      {"href", order_href(o.number)},
      {"status", badge(orders::to_string(o.status), order_tone(to_string(o.status)))},
      {"payment_status", badge(o.payment_status, payment_tone(o.payment_status))},
      {"created", when(o.created_at)},
      {"updated", when(o.updated_at)},
      {"email", o.email},
      {"customer_name", o.customer_name},
      {"locale", o.locale},
      {"currency", o.currency},
      {"guest", !o.account_id.has_value()}};
  if (o.account_id && ctx.can("customers:read"))
    order["customer_href"] = "/admin/customers/" + *o.account_id;

  json::array lines;
  int64_t units = 0, to_ship = 0;
  for (const auto& l : o.lines) {
    lines.push_back(line_json(l, o.currency));
    units += l.quantity;
    to_ship += l.quantity - l.shipped_quantity;
  }
  order["lines"] = std::move(lines);
  order["units"] = units;

  json::object totals{{"subtotal", money(o.subtotal_minor, o.currency)},
                      {"shipping", money(o.shipping_minor, o.currency)},
                      {"shipping_method", o.shipping_method_name},
                      {"tax", money(o.tax_minor, o.currency)},
                      {"tax_included", o.prices_include_tax},
                      {"total", money(o.total_minor, o.currency)}};
  if (o.discount_minor > 0) totals["discount"] = money(o.discount_minor, o.currency);
  if (o.coupon_code) totals["coupon"] = *o.coupon_code;
  if (o.refunded_minor > 0) {
    totals["refunded"] = money(o.refunded_minor, o.currency);
    totals["net"] = money(o.total_minor - o.refunded_minor, o.currency);
  }
  order["totals"] = std::move(totals);
  order["shipping_address"] = address_json(o.shipping_address);
  order["billing_address"] = address_json(o.billing_address);
  order["billing_same"] = same_address(o.shipping_address, o.billing_address);

  int64_t refundable = 0;
  if (payment) {
    refundable = payment->captured_minor - payment->refunded_minor;
    json::object pay{{"method", payment->method == "card" ? "Card" : "Cash on delivery"},
                     {"provider", label(payment->provider)},
                     {"status", badge(payment->status, payment_tone(payment->status))},
                     {"amount", money(payment->amount_minor, payment->currency)},
                     {"captured", money(payment->captured_minor, payment->currency)},
                     {"refunded", money(payment->refunded_minor, payment->currency)},
                     {"has_refunds", payment->refunded_minor > 0},
                     {"refundable", money(refundable, payment->currency)},
                     {"capture_mode", label(payment->capture_mode)},
                     {"reference", payment->reference}};
    if (payment->card_last4) pay["card"] = "•••• " + *payment->card_last4;
    order["payment"] = std::move(pay);
  } else {
    order["payment_method"] = label(o.payment_method);
  }

  json::array shipments;
  for (const auto& s : o.shipments) {
    json::object sh{{"carrier", label(s.carrier)},
                    {"tracking_number", s.tracking_number},
                    {"shipped_at", when(s.shipped_at)},
                    {"lines", shipment_lines(s.lines)}};
    for (const auto& c : kCarriers)
      if (s.carrier == c.code) sh["carrier"] = c.label;
    if (s.tracking_url &&
        (s.tracking_url->rfind("https://", 0) == 0 || s.tracking_url->rfind("http://", 0) == 0))
      sh["tracking_url"] = *s.tracking_url;
    shipments.push_back(std::move(sh));
  }
  order["shipments"] = std::move(shipments);

  json::array return_list;
  for (const auto& r : returns) {
    std::string base = order_href(o.number) + "/returns/" + http::percent_encode(r.id);
    json::object ret{{"id", r.id},
                     {"short_id", r.id.substr(r.id.size() > 8 ? r.id.size() - 8 : 0)},
                     {"status", badge(r.status, return_tone(r.status))},
                     {"reason", r.reason},
                     {"resolution", label(r.resolution)},
                     {"exchange_note", r.exchange_note.value_or("")},
                     {"lines", shipment_lines(r.lines)},
                     {"note", r.note},
                     {"created", when(r.created_at)},
                     {"updated", when(r.updated_at)},
                     {"action", base}};
    if (r.refund_minor) ret["refund"] = money(*r.refund_minor, o.currency);
    if (write) {
      ret["can_decide"] = r.status == "requested";
      ret["can_receive"] = r.status == "approved";
      ret["can_refund"] = r.status == "received" && r.resolution == "refund";
    }
    return_list.push_back(std::move(ret));
  }
  order["has_returns"] = !return_list.empty();
  order["returns"] = std::move(return_list);

  Actors actors(p.s.accounts);
  json::array timeline;
  for (auto it = o.timeline.rbegin(); it != o.timeline.rend(); ++it)
    timeline.push_back(json::object{{"at", when(it->at)},
                                    {"iso", it->at},
                                    {"actor", actors.name(it->actor)},
                                    {"event", label(it->event)},
                                    {"detail", it->detail},
                                    {"internal", it->internal}});
  order["timeline"] = std::move(timeline);

  // What may be done now (the flows decide again; these only hide what would be refused).
  using S = orders::Status;
  json::object can;
  if (write) {
    can["capture"] = payment && payment->status == "authorized";
    can["cancel"] = orders::unfulfilled(o.status);
    // Money goes back before fulfilment or after delivery (the state machine's refund moves).
    can["refund"] = refundable > 0 && (orders::can_transition(o.status, S::partially_refunded) ||
                                       orders::can_transition(o.status, S::refunded));
    can["ship"] =
        (o.status == S::paid || o.status == S::confirmed || o.status == S::partially_fulfilled) &&
        to_ship > 0;
    can["deliver"] = o.status == S::shipped;
    can["note"] = true;
  }
  can["any"] = write;

  // Every action form with its errors and values (the failed one's as submitted).
  json::object forms;
  for (const char* name : {"capture", "cancel", "refund", "ship", "deliver", "note", "return"}) {
    json::object f{{"errors", FormErrors{}.to_json()}, {"values", json::object{}}};
    if (failed.form == name) {
      f["errors"] = failed.errors.to_json();
      f["values"] = failed.values;
      f["failed"] = true;
    }
    forms[name] = std::move(f);
  }
  json::object& ship_values = forms["ship"].as_object()["values"].as_object();
  std::string chosen = ship_values.contains("carrier")
                           ? std::string(ship_values["carrier"].as_string())
                           : std::string("ups");
  json::array carriers;
  for (const auto& c : kCarriers)
    carriers.push_back(
        json::object{{"code", c.code}, {"label", c.label}, {"selected", chosen == c.code}});
  json::array ship_lines;
  for (const auto& l : o.lines) {
    int64_t left = l.quantity - l.shipped_quantity;
    if (left <= 0) continue;
    std::string field = "qty_" + l.id;
    std::string value = std::to_string(left);
    if (auto* v = ship_values.if_contains(field); v && v->is_string())
      value = std::string(v->as_string());
    json::object line{{"field", field},         {"sku", l.sku},
                      {"name", l.product_name}, {"variant", line_json(l, o.currency)["variant"]},
                      {"left", left},           {"value", value}};
    if (failed.form == "ship")
      if (auto e = failed.errors.fields.find(field); e != failed.errors.fields.end())
        line["error"] = e->second;
    ship_lines.push_back(std::move(line));
  }
  forms["ship"].as_object()["lines"] = std::move(ship_lines);
  forms["ship"].as_object()["carriers"] = std::move(carriers);
  if (payment) forms["refund"].as_object()["max"] = decimal(refundable, payment->currency);
  forms["refund"].as_object()["refunded_before"] = std::to_string(o.refunded_minor);
  {
    const json::object& v = forms["refund"].as_object()["values"].as_object();
    const json::value* kind = v.if_contains("kind");
    forms["refund"].as_object()["partial"] =
        kind && kind->is_string() && kind->as_string() == "partial";
  }

  json::object data{{"order", std::move(order)},
                    {"can", std::move(can)},
                    {"forms", std::move(forms)},
                    {"slip_href", order_href(o.number) + "/packing-slip"}};
  if (!failed.form.empty() && !failed.errors.summary.empty())
    data["failure"] = failed.errors.summary;
  return p.admin.render(req, ctx, status, "orders_detail", std::move(data),
                        AdminPage{.title = "Order " + o.number,
                                  .section = "orders",
                                  .crumbs = {{"Orders", "/admin/orders"}},
                                  .own_heading = true});
}

// ---- actions ------------------------------------------------------------------------------

std::string actor_of(const StaffContext& ctx) {
  const auto& who = *ctx.who;
  if (who.kind == http::Principal::Kind::api_token) return "token:" + who.token_id;
  return "staff:" + who.account_id;
}

int status_for(const Error& e) {
  switch (e.kind) {
    case ErrorKind::invalid:
    case ErrorKind::unprocessable:
    case ErrorKind::payment_failed: return 422;
    case ErrorKind::conflict: return 409;
    case ErrorKind::not_found: return 404;
    case ErrorKind::unavailable:
    case ErrorKind::rate_limited: return 503;
    default: return 500;
  }
}

// The order page again with what went wrong beside the form that failed.
Response failed_action(Pages& p, const Request& req, const StaffContext& ctx,
                       const std::string& number, FailedForm failed, const Error& e) {
  auto o = p.s.orders.orders.find_by_number(number);
  if (!o) return p.admin.not_found(req, ctx, "order");
  int status = status_for(e);
  if (status >= 500) {
    log::warn("admin order action failed", {{"code", e.code}, {"order", number}});
    failed.errors.summary = "Something went wrong and nothing was changed. Please try again.";
  } else if (failed.errors.empty()) {
    failed.errors = Admin::form_errors(e, e.message);
  }
  if (failed.errors.summary.empty()) failed.errors.summary = e.message;
  return order_page(p, req, ctx, *o, status, failed);
}

std::optional<int64_t> parse_amount(const std::string& text, const std::string& currency,
                                    FormErrors& errors, const char* field = "amount") {
  if (text.empty()) return std::nullopt;
  auto m = Money::parse(text, parse_currency(currency).value_or(Currency::USD));
  if (!m || m->minor() <= 0)
    errors.fields[field] = "Enter a positive amount in " + currency + ", such as 12.50.";
  else
    return m->minor();
  return std::nullopt;
}

json::object values_of(const Form& form, std::initializer_list<const char*> names) {
  json::object out;
  for (const char* n : names) out[n] = form.get(n);
  return out;
}

// Runs an order action from a POST form: the order by {number}, then `act`; success is a 303
// to the order with the notice `act` set, failure the order page with the error beside the form.
using Act = std::function<Result<flows::OrderOutcome>(
    const orders::Order&, const Form&, const std::string& actor, FailedForm&, std::string& notice)>;

AdminHandler action(const std::shared_ptr<Pages>& p, std::string form_name, Act act) {
  return [p, form_name, act](const Request& req, const StaffContext& ctx) -> Response {
    std::string number(req.param("number"));
    auto o = p->s.orders.orders.find_by_number(number);
    if (!o) return p->admin.not_found(req, ctx, "order");
    Form form = Form::of(req);
    FailedForm failed{form_name, {}, {}};
    std::string notice;
    auto out = act(*o, form, actor_of(ctx), failed, notice);
    if (!out) return failed_action(*p, req, ctx, number, std::move(failed), out.error());
    return p->admin.redirect_with_notice(req, order_href(o->number), notice);
  };
}

// A form's own validation failed: the fields are in `failed.errors`.
Error invalid_form(FailedForm& failed) {
  std::vector<FieldError> fields;
  for (const auto& [f, m] : failed.errors.fields) fields.push_back({f, m});
  if (failed.errors.summary.empty())
    failed.errors.summary =
        fields.size() == 1 ? fields[0].message : "Please fix the fields marked below.";
  return Error::unprocessable("invalid_form", failed.errors.summary, std::move(fields));
}

// A service's field errors under the names the form uses.
void take_fields(const Error& e, FailedForm& failed,
                 const std::map<std::string, std::string>& rename = {}) {
  for (const auto& f : e.fields) {
    auto it = rename.find(f.field);
    failed.errors.fields[it == rename.end() ? f.field : it->second] = f.message;
  }
  failed.errors.summary = e.message;
}

void add_actions(http::Router& router, const std::shared_ptr<Pages>& p) {
  const Admin& admin = p->admin;
  auto post = [&](const std::string& path, AdminHandler h) {
    admin.add_page(router, "POST", "/admin/orders/{number}" + path, "orders", std::move(h),
                   kFormRoute);
  };
  using Outcome = Result<flows::OrderOutcome>;

  post("/capture", action(p, "capture",
                          [p](const orders::Order& o, const Form&, const std::string& actor,
                              FailedForm&, std::string& notice) -> Outcome {
                            auto out = p->actions.capture(o.id, std::nullopt, actor);
                            if (out && out->payment)
                              notice = "Captured " +
                                       money(out->payment->captured_minor, out->payment->currency);
                            return out;
                          }));

  post("/cancel", action(p, "cancel",
                         [p](const orders::Order& o, const Form& form, const std::string& actor,
                             FailedForm& failed, std::string& notice) -> Outcome {
                           failed.values = values_of(form, {"reason"});
                           std::string reason = form.get("reason");
                           if (reason.size() > kReasonLimit)
                             failed.errors.fields["reason"] =
                                 "Keep the reason under 500 characters.";
                           if (!failed.errors.fields.empty()) return invalid_form(failed);
                           notice = "Order cancelled";
                           return p->actions.cancel(o.id, actor,
                                                    reason.empty() ? "cancelled by staff" : reason);
                         }));

  post("/refund", action(p, "refund",
                         [p](const orders::Order& o, const Form& form, const std::string& actor,
                             FailedForm& failed, std::string& notice) -> Outcome {
                           failed.values = values_of(form, {"amount", "reason", "kind"});
                           // The form says how much was refunded when it was shown: a second
                           // click, or a colleague's refund meanwhile, must not send money twice.
                           if (form.has("refunded_before") &&
                               form.get("refunded_before") != std::to_string(o.refunded_minor)) {
                             failed.values = json::object{};
                             return Error::conflict(
                                 "refunded_meanwhile",
                                 "a refund was made since this page was loaded (" +
                                     money(o.refunded_minor, o.currency) +
                                     " refunded now); check the payment before refunding again");
                           }
                           bool full = form.get("kind") != "partial";
                           std::optional<int64_t> amount;
                           if (!full) {
                             if (form.get("amount").empty())
                               failed.errors.fields["amount"] = "Enter the amount to refund.";
                             else
                               amount = parse_amount(form.get("amount"), o.currency, failed.errors);
                           }
                           std::string reason = form.get("reason");
                           if (reason.empty())
                             failed.errors.fields["reason"] = "Say why the money goes back.";
                           else if (reason.size() > kReasonLimit)
                             failed.errors.fields["reason"] =
                                 "Keep the reason under 500 characters.";
                           if (!failed.errors.fields.empty()) return invalid_form(failed);
                           auto out = p->actions.refund(o.id, amount, reason, actor);
                           if (!out) {
                             take_fields(out.error(), failed);
                             return out;
                           }
                           notice = "Refunded " +
                                    money(out->order.refunded_minor - o.refunded_minor, o.currency);
                           return out;
                         }));

  post("/shipments",
       action(p, "ship",
              [p](const orders::Order& o, const Form& form, const std::string& actor,
                  FailedForm& failed, std::string& notice) -> Outcome {
                failed.values = values_of(form, {"carrier", "tracking_number"});
                std::string carrier = form.get("carrier");
                std::string tracking = form.get("tracking_number");
                if (!orders::known_carrier(carrier))
                  failed.errors.fields["carrier"] = "Choose a carrier.";
                if (tracking.empty())
                  failed.errors.fields["tracking_number"] = "Enter the tracking number.";
                // Units per line: every line with something left to ship has a field.
                flows::LineQuantities lines;
                bool partial = false;
                int64_t units = 0;
                for (const auto& l : o.lines) {
                  int64_t left = l.quantity - l.shipped_quantity;
                  if (left <= 0) continue;
                  std::string field = "qty_" + l.id;
                  std::string text = form.has(field) ? form.get(field) : std::to_string(left);
                  failed.values[field] = text;
                  int64_t q = -1;
                  if (!text.empty() && text.size() <= 6 &&
                      std::all_of(text.begin(), text.end(),
                                  [](char c) { return c >= '0' && c <= '9'; }))
                    q = std::stoll(text);
                  if (q < 0 || q > left) {
                    failed.errors.fields[field] =
                        "Ship from 0 to " + std::to_string(left) + " units.";
                    continue;
                  }
                  if (q != left) partial = true;
                  if (q > 0) lines.emplace_back(l.id, q);
                  units += q;
                }
                if (failed.errors.fields.empty() && units == 0)
                  failed.errors.summary = "Choose at least one unit to ship.";
                if (!failed.errors.fields.empty() || !failed.errors.summary.empty())
                  return invalid_form(failed);
                auto out = p->actions.ship(o.id, carrier, tracking,
                                           partial ? lines : flows::LineQuantities{}, actor);
                if (!out) {
                  take_fields(out.error(), failed);
                  return out;
                }
                notice = "Shipment created: " + std::to_string(units) +
                         (units == 1 ? " unit" : " units") + " with tracking " + tracking;
                return out;
              }));

  post("/deliver", action(p, "deliver",
                          [p](const orders::Order& o, const Form&, const std::string& actor,
                              FailedForm&, std::string& notice) -> Outcome {
                            notice = "Marked as delivered";
                            return p->actions.deliver(o.id, actor);
                          }));

  post("/notes", action(p, "note",
                        [p](const orders::Order& o, const Form& form, const std::string& actor,
                            FailedForm& failed, std::string& notice) -> Outcome {
                          failed.values = values_of(form, {"note"});
                          std::string text = form.get("note");
                          if (text.empty())
                            failed.errors.fields["note"] = "Write the note first.";
                          else if (text.size() > kNoteLimit)
                            failed.errors.fields["note"] = "Keep the note under 2000 characters.";
                          if (!failed.errors.fields.empty()) return invalid_form(failed);
                          notice = "Note added";
                          auto out = p->actions.note(o.id, text, actor);
                          if (!out) take_fields(out.error(), failed, {{"text", "note"}});
                          return out;
                        }));

  // Returns: approve / reject / receive (restock) / refund.
  auto return_action = [&](const std::string& verb) {
    post("/returns/{return_id}/" + verb,
         [p, verb](const Request& req, const StaffContext& ctx) -> Response {
           std::string return_id(req.param("return_id"));
           return action(
               p, "return",
               [p, verb, return_id](const orders::Order& o, const Form& form,
                                    const std::string& actor, FailedForm& failed,
                                    std::string& notice) -> Outcome {
                 failed.values = values_of(form, {"note", "amount", "location"});
                 failed.values["return_id"] = return_id;
                 std::string note = form.get("note");
                 if (note.size() > kReasonLimit)
                   failed.errors.fields["note"] = "Keep the note under 500 characters.";
                 std::optional<int64_t> amount;
                 if (verb == "refund")
                   amount = parse_amount(form.get("amount"), o.currency, failed.errors);
                 if (!failed.errors.fields.empty()) return invalid_form(failed);
                 Outcome out = Error::not_found("return_not_found", "no such return");
                 if (verb == "approve") {
                   notice = "Return approved";
                   out = p->actions.approve_return(o.id, return_id, note, actor);
                 } else if (verb == "reject") {
                   notice = "Return rejected";
                   out = p->actions.reject_return(o.id, return_id, note, actor);
                 } else if (verb == "receive") {
                   std::string location = form.get("location");
                   notice = "Return received and restocked";
                   out = p->actions.receive_return(
                       o.id, return_id, location.empty() ? "main" : location, note, actor);
                 } else {
                   out = p->actions.refund_return(o.id, return_id, amount, actor);
                   if (out && out->return_request && out->return_request->refund_minor)
                     notice = "Refunded " + money(*out->return_request->refund_minor, o.currency) +
                              " for the return";
                   else
                     notice = "Return closed";
                 }
                 if (!out) take_fields(out.error(), failed);
                 return out;
               })(req, ctx);
         });
  };
  for (const char* verb : {"approve", "reject", "receive", "refund"}) return_action(verb);
}

// ---- the orders list ----------------------------------------------------------------------

// "2026-11-26" → the start of that day (UTC), ISO 8601.
std::optional<Timestamp> day_start(const std::string& text) {
  if (text.size() != 10) return std::nullopt;
  auto t = parse_iso8601(text + "T00:00:00Z");
  if (!t) return std::nullopt;
  return *t;
}

Response orders_list(Pages& p, const Request& req, const StaffContext& ctx) {
  auto param = [&](const char* name) {
    auto v = req.query_param(name);
    if (!v) return std::string();
    std::string s = *v;
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    size_t start = 0;
    while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
    return s.substr(start);
  };
  std::string status = param("status"), payment = param("payment_status"), from = param("from"),
              to = param("to"), q = param("q"), after = param("after");
  FormErrors errors;
  orders::OrderFilter filter;
  filter.limit = kOrdersPerPage;
  if (!status.empty()) {
    if (orders::parse_status(status))
      filter.status = status;
    else
      errors.fields["status"] = "Choose a status from the list.";
  }
  if (!payment.empty()) {
    bool known = false;
    for (const char* s : kPaymentStatuses) known = known || payment == s;
    if (known)
      filter.payment_status = payment;
    else
      errors.fields["payment_status"] = "Choose a payment status from the list.";
  }
  std::optional<Timestamp> from_t, to_t;
  if (!from.empty()) {
    from_t = day_start(from);
    if (from_t)
      filter.from = to_iso8601(*from_t);
    else
      errors.fields["from"] = "Enter a date as YYYY-MM-DD.";
  }
  if (!to.empty()) {
    to_t = day_start(to);
    if (to_t)
      filter.to = to_iso8601(*to_t + std::chrono::days(1));  // the whole day
    else
      errors.fields["to"] = "Enter a date as YYYY-MM-DD.";
  }
  if (from_t && to_t && *to_t < *from_t) errors.fields["to"] = "The end comes before the start.";
  if (q.size() > 200) errors.fields["q"] = "Search for an order number or an email.";
  if (!q.empty() && q.size() <= 200) filter.search = q;
  if (!after.empty() && is_uuid(after)) filter.after = after;

  json::array items;
  std::optional<std::string> next;
  if (errors.fields.empty()) {
    auto page = p.s.orders.orders.list(filter);
    if (!page) {
      log::warn("admin orders list failed", {{"code", page.error().code}});
      errors.summary = "The orders could not be read just now. Please try again.";
    } else {
      for (const auto& o : page->items) {
        int64_t units = 0;
        for (const auto& l : o.lines) units += l.quantity;
        items.push_back(json::object{
            {"number", o.number},
            {"href", order_href(o.number)},
            {"created", when(o.created_at)},
            {"customer", o.customer_name.empty() ? o.email : o.customer_name},
            {"email", o.email},
            {"status", badge(orders::to_string(o.status), order_tone(to_string(o.status)))},
            {"payment_status", badge(o.payment_status, payment_tone(o.payment_status))},
            {"total", money(o.total_minor, o.currency)},
            {"units", units}});
      }
      next = page->next;
    }
  } else {
    errors.summary = "Some filters are not valid; fix them to see the orders.";
  }

  std::string query;
  auto keep = [&](const char* name, const std::string& v) {
    if (v.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + encode(v);
  };
  keep("status", status);
  keep("payment_status", payment);
  keep("from", from);
  keep("to", to);
  keep("q", q);
  json::array status_options, payment_options;
  for (const char* s : kOrderStatuses)
    status_options.push_back(
        json::object{{"value", s}, {"label", label(s)}, {"selected", status == s}});
  for (const char* s : kPaymentStatuses)
    payment_options.push_back(
        json::object{{"value", s}, {"label", label(s)}, {"selected", payment == s}});
  const bool filtered =
      !(status.empty() && payment.empty() && from.empty() && to.empty() && q.empty());
  json::object data{
      {"orders", std::move(items)},
      {"filters",
       json::object{
           {"status", status}, {"payment_status", payment}, {"from", from}, {"to", to}, {"q", q}}},
      {"filtered", filtered},
      {"status_options", std::move(status_options)},
      {"payment_options", std::move(payment_options)},
      {"errors", errors.to_json()}};
  if (next)
    data["next_href"] = "/admin/orders" + query + (query.empty() ? "?" : "&") + "after=" + *next;
  if (filter.after) data["first_href"] = "/admin/orders" + query;
  data["empty"] = data["orders"].as_array().empty();
  return p.admin.render(
      req, ctx, errors.fields.empty() ? 200 : 422, "orders_list", std::move(data),
      AdminPage{.title = "Orders", .section = "orders", .crumbs = {}, .own_heading = true});
}

// ---- the packing slip ---------------------------------------------------------------------

Response packing_slip(Pages& p, const Request& req, const StaffContext& ctx) {
  auto o = p.s.orders.orders.find_by_number(std::string(req.param("number")));
  if (!o) return p.admin.not_found(req, ctx, "order");
  json::array lines;
  int64_t units = 0;
  for (const auto& l : o->lines) {
    json::object line = line_json(l, o->currency);
    lines.push_back(std::move(line));
    units += l.quantity;
  }
  const Site& site = p.admin.site();
  std::string css = site.asset_url("admin/admin.css");
  json::object data{{"shop", site.options().shop_name},
                    {"number", o->number},
                    {"href", order_href(o->number)},
                    {"created", when(o->created_at)},
                    {"email", o->email},
                    {"shipping_method", o->shipping_method_name},
                    {"ship_to", address_json(o->shipping_address)},
                    {"lines", std::move(lines)},
                    {"units", units},
                    {"css", css},
                    {"script", site.asset_url("admin/orders.js")}};
  std::string html;
  try {
    html = site.render_template("admin/orders_packing_slip", data);
  } catch (const std::exception& e) {
    log::warn("packing slip template failed", {{"error", e.what()}});
    return Response::text(500, "The packing slip could not be made.");
  }
  Response res = Response::text(200, std::move(html), "text/html; charset=utf-8");
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("X-Robots-Tag", "noindex, nofollow");
  return site.finish(req, std::move(res));
}

// ---- customers ----------------------------------------------------------------------------

Response customers_list(Pages& p, const Request& req, const StaffContext& ctx) {
  std::string q = req.query_param("q").value_or("");
  while (!q.empty() && std::isspace(static_cast<unsigned char>(q.back()))) q.pop_back();
  while (!q.empty() && std::isspace(static_cast<unsigned char>(q.front()))) q.erase(0, 1);
  std::string after = req.query_param("after").value_or("");
  FormErrors errors;
  if (q.size() > 200) errors.fields["q"] = "Search for part of an email or a name.";
  accounts::CustomerFilter filter;
  filter.limit = kCustomersPerPage;
  if (!q.empty() && errors.fields.empty()) filter.search = q;
  if (!after.empty() && is_uuid(after)) filter.after = after;
  json::array items;
  std::optional<std::string> next;
  if (errors.fields.empty()) {
    auto page = p.s.accounts.customers(filter);
    if (!page) {
      log::warn("admin customers list failed", {{"code", page.error().code}});
      errors.summary = "The customers could not be read just now. Please try again.";
    } else {
      for (const auto& a : page->items)
        items.push_back(json::object{{"id", a.id},
                                     {"href", "/admin/customers/" + a.id},
                                     {"name", a.name},
                                     {"email", a.email},
                                     {"verified", a.email_verified_at.has_value()},
                                     {"joined", when(a.created_at)}});
      next = page->next;
    }
  }
  std::string query = q.empty() ? "" : "?q=" + encode(q);
  json::object data{{"customers", std::move(items)}, {"q", q}, {"errors", errors.to_json()}};
  data["empty"] = data["customers"].as_array().empty();
  if (next)
    data["next_href"] = "/admin/customers" + query + (query.empty() ? "?" : "&") + "after=" + *next;
  if (filter.after) data["first_href"] = "/admin/customers" + query;
  return p.admin.render(
      req, ctx, errors.fields.empty() ? 200 : 422, "orders_customers", std::move(data),
      AdminPage{.title = "Customers", .section = "customers", .crumbs = {}, .own_heading = true});
}

Response customer_detail(Pages& p, const Request& req, const StaffContext& ctx) {
  std::string id(req.param("id"));
  if (!is_uuid(id)) return p.admin.not_found(req, ctx, "customer");
  auto found = p.s.accounts.find_account(id);
  if (!found) {
    log::warn("admin customer read failed", {{"code", found.error().code}});
    return p.admin.not_found(req, ctx, "customer");
  }
  if (!found->has_value() || (*found)->role != accounts::Role::customer)
    return p.admin.not_found(req, ctx, "customer");
  const accounts::Account& a = **found;
  json::object customer{{"id", a.id},
                        {"name", a.name},
                        {"email", a.email},
                        {"phone", a.phone.value_or("")},
                        {"verified", a.email_verified_at ? when(*a.email_verified_at) : ""},
                        {"joined", when(a.created_at)},
                        {"deleted", a.status == "deleted"}};
  json::array addresses;
  if (auto list = p.s.accounts.addresses(a.id)) {
    for (const auto& ad : *list) {
      orders::Address view{ad.name,   ad.line1,       ad.line2,   ad.city,
                           ad.region, ad.postal_code, ad.country, ad.phone};
      json::object o = address_json(view);
      o["is_default"] = ad.is_default;
      addresses.push_back(std::move(o));
    }
  }
  orders::OrderFilter filter;
  filter.account_id = a.id;
  filter.limit = 20;
  json::array order_items;
  bool more_orders = false;
  std::map<std::string, int64_t> spent;  // per currency, of the orders shown
  if (auto page = p.s.orders.orders.list(filter)) {
    for (const auto& o : page->items) {
      order_items.push_back(json::object{
          {"number", o.number},
          {"href", order_href(o.number)},
          {"created", when(o.created_at)},
          {"status", badge(orders::to_string(o.status), order_tone(to_string(o.status)))},
          {"payment_status", badge(o.payment_status, payment_tone(o.payment_status))},
          {"total", money(o.total_minor, o.currency)}});
      if (o.status != orders::Status::cancelled && o.status != orders::Status::pending_payment)
        spent[o.currency] += o.total_minor - o.refunded_minor;
    }
    more_orders = page->next.has_value();
  }
  std::string spent_text;
  for (const auto& [currency, minor] : spent)
    spent_text += (spent_text.empty() ? "" : " + ") + money(minor, currency);
  json::object data{{"customer", std::move(customer)},
                    {"addresses", std::move(addresses)},
                    {"orders", std::move(order_items)},
                    {"more_orders", more_orders},
                    {"orders_href", "/admin/orders?q=" + encode(a.email)},
                    {"spent", spent_text.empty() ? money(0, "USD") : spent_text},
                    {"can_orders", ctx.can("orders:read")}};
  data["order_count"] = static_cast<int64_t>(data["orders"].as_array().size());
  data["no_addresses"] = data["addresses"].as_array().empty();
  data["no_orders"] = data["orders"].as_array().empty();
  std::string title = a.name.empty() ? a.email : a.name;
  return p.admin.render(req, ctx, 200, "orders_customer", std::move(data),
                        AdminPage{.title = title,
                                  .section = "customers",
                                  .crumbs = {{"Customers", "/admin/customers"}},
                                  .own_heading = true});
}

}  // namespace

void add_orders_pages(http::Router& router, const Admin& admin, OrdersPageServices services) {
  auto p = std::make_shared<Pages>(Pages{admin, services, flows::OrderActions(services.orders)});
  admin.add_page(
      router, "GET", "/admin/orders", "orders",
      [p](const Request& req, const StaffContext& ctx) { return orders_list(*p, req, ctx); });
  admin.add_page(router, "GET", "/admin/orders/{number}", "orders",
                 [p](const Request& req, const StaffContext& ctx) {
                   auto o = p->s.orders.orders.find_by_number(std::string(req.param("number")));
                   if (!o) return p->admin.not_found(req, ctx, "order");
                   return order_page(*p, req, ctx, *o);
                 });
  admin.add_page(
      router, "GET", "/admin/orders/{number}/packing-slip", "orders",
      [p](const Request& req, const StaffContext& ctx) { return packing_slip(*p, req, ctx); });
  add_actions(router, p);
  admin.add_page(
      router, "GET", "/admin/customers", "customers",
      [p](const Request& req, const StaffContext& ctx) { return customers_list(*p, req, ctx); });
  admin.add_page(
      router, "GET", "/admin/customers/{id}", "customers",
      [p](const Request& req, const StaffContext& ctx) { return customer_detail(*p, req, ctx); });
}

}  // namespace fff::web::admin
