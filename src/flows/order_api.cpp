#include "flows/order_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "core/id.hpp"
#include "core/money.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::flows {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

std::optional<std::string> customer_of(const Request& req) {
  if (req.principal && req.principal->kind == http::Principal::Kind::customer)
    return req.principal->account_id;
  return std::nullopt;
}

std::string actor_of(const Request& req) {
  if (!req.principal) return "guest";
  if (req.principal->kind == http::Principal::Kind::customer)
    return "customer:" + req.principal->account_id;
  if (req.principal->kind == http::Principal::Kind::api_token)
    return "token:" + req.principal->token_id;
  return "staff:" + req.principal->account_id;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads JSON object fields, collecting field errors.
struct Fields {
  const json::object& o;
  std::vector<FieldError> errors;
  std::string prefix;

  std::string text(const char* key, bool required = false) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) errors.push_back({prefix + key, "is required"});
      return "";
    }
    if (!v->is_string()) {
      errors.push_back({prefix + key, "must be a string"});
      return "";
    }
    return std::string(v->get_string());
  }
  std::optional<std::string> opt_text(const char* key) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    return text(key);
  }
  const json::object* object(const char* key, bool required) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) {
      if (required) errors.push_back({prefix + key, "is required"});
      return nullptr;
    }
    if (!v->is_object()) {
      errors.push_back({prefix + key, "must be an object"});
      return nullptr;
    }
    return &v->get_object();
  }
  Result<void> done() {
    if (errors.empty()) return {};
    std::string message = errors[0].field + " " + errors[0].message;
    return Error::unprocessable("invalid_body", message, errors);
  }
};

Result<json::object> object_body(const Request& req, bool allow_empty = false) {
  if (allow_empty && req.body.empty()) return json::object{};
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  return std::move(body->get_object());
}

orders::Address address_from(Fields& f, const json::object& o, const std::string& prefix) {
  Fields a{o, {}, prefix + "."};
  orders::Address out{a.text("name", true),    a.text("line1", true), a.text("line2"),
                      a.text("city", true),    a.text("region"),      a.text("postal_code"),
                      a.text("country", true), a.text("phone")};
  for (auto& e : a.errors) f.errors.push_back(std::move(e));
  return out;
}

Result<std::optional<int64_t>> amount_from(Fields& f, const std::string& currency) {
  auto text = f.opt_text("amount");
  if (!f.errors.empty() || !text) return std::optional<int64_t>{};
  auto c = parse_currency(currency).value_or(Currency::USD);
  auto m = Money::parse(*text, c);
  if (!m || m->minor() <= 0)
    return Error::unprocessable("invalid_amount",
                                "amount is a positive decimal such as \"12.34\" in " + currency,
                                {{"amount", "must be a positive amount in " + currency}});
  return std::optional<int64_t>{m->minor()};
}

Result<LineQuantities> lines_from(const json::object& o, bool required) {
  LineQuantities out;
  const json::value* v = o.if_contains("lines");
  if (!v || v->is_null()) {
    if (required)
      return Error::unprocessable("invalid_body", "lines is required", {{"lines", "is required"}});
    return out;
  }
  auto bad = [] {
    return Error::unprocessable("invalid_body",
                                "lines is a list of {line_id, quantity} with whole quantities",
                                {{"lines", "must be [{line_id, quantity}]"}});
  };
  if (!v->is_array() || v->get_array().size() > 200) return bad();
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) return bad();
    const auto* id = e.get_object().if_contains("line_id");
    const auto* q = e.get_object().if_contains("quantity");
    if (!id || !id->is_string() || !q || !q->is_int64()) return bad();
    out.emplace_back(std::string(id->get_string()), q->get_int64());
  }
  return out;
}

json::object checkout_json(const CheckoutResult& r) {
  json::object body = orders::order_json(r.order);
  body["payment"] = payments::payment_json(r.payment);
  if (r.payment.status == "requires_action")
    body["next_action"] = json::object{{"type", "confirm_payment"},
                                       {"url", "/api/v1/payments/" + r.payment.id + "/confirm"}};
  return body;
}

json::object summary_json(const orders::Order& o, bool staff) {
  json::object out{{"id", o.id},
                   {"number", o.number},
                   {"status", orders::to_string(o.status)},
                   {"payment_status", o.payment_status},
                   {"payment_method", o.payment_method},
                   {"total", orders::money_json(o.total_minor, o.currency)},
                   {"items", static_cast<int64_t>(o.lines.size())},
                   {"created_at", o.created_at}};
  if (staff) {
    out["email"] = o.email;
    out["customer_name"] = o.customer_name;
  }
  return out;
}

Result<int> int_param(const Request& req, const char* name, int fallback, int lo, int hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi) {
    std::string message =
        "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    return Error::invalid("invalid_parameter", std::string(name) + " " + message,
                          {{name, message}});
  }
  return v;
}

Response page_json(const orders::OrderPage& page, bool staff) {
  json::array items;
  for (const auto& o : page.items) items.push_back(summary_json(o, staff));
  return http::json_response(
      json::object{{"items", std::move(items)},
                   {"next", page.next ? json::value(*page.next) : json::value(nullptr)}});
}

Error order_not_found() {
  return Error::not_found("order_not_found", "no such order");
}

// The order `number` as its customer may see it: the signed-in owner, or whoever knows the
// order's email (?email=). Anyone else gets the same 404 as for an unknown number.
Result<orders::Order> visible_order(orders::OrderService& orders, const Request& req) {
  auto o = orders.find_by_number(std::string(req.param("number")));
  if (!o) return o.error();
  auto me = customer_of(req);
  if (me && o->account_id && *o->account_id == *me) return o;
  auto email = req.query_param("email");
  if (email && !email->empty() && lower(*email) == lower(o->email)) return o;
  return order_not_found();
}

Response staff_order(OrderRoutes& r, const orders::Order& o) {
  json::object body = orders::order_json(o, true);
  if (o.payment_id) {
    auto p = r.payments.find(*o.payment_id);
    if (p) body["payment"] = payments::payment_json(*p);
  }
  auto returns = r.orders.returns(o.id);
  json::array list;
  if (returns)
    for (const auto& ret : *returns) list.push_back(orders::return_json(o, ret));
  body["returns"] = std::move(list);
  return http::json_response(body);
}

Response outcome_response(OrderRoutes& r, const Request& req, Result<OrderOutcome> out,
                          int status = 200) {
  if (!out) return fail(out.error(), req);
  auto fresh = r.orders.find(out->order.id);
  if (!fresh) return fail(fresh.error(), req);
  Response res = staff_order(r, *fresh);
  res.status = status;
  return res;
}

}  // namespace

void add_order_routes(http::Router& router, OrderRoutes routes) {
  auto r = std::make_shared<OrderRoutes>(routes);

  router.add("POST", "/api/v1/checkout", [r](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    Fields f{*body, {}, ""};
    CheckoutRequest c;
    c.cart_id = f.text("cart_id", true);
    c.email = f.text("email", true);
    if (auto* a = f.object("shipping_address", true))
      c.shipping_address = address_from(f, *a, "shipping_address");
    if (auto* a = f.object("billing_address", false))
      c.billing_address = address_from(f, *a, "billing_address");
    c.shipping_method = f.text("shipping_method", true);
    if (auto l = f.opt_text("locale")) c.locale = *l;
    if (auto* p = f.object("payment", true)) {
      Fields pf{*p, {}, "payment."};
      c.payment_method = pf.text("method", true);
      c.card_number = pf.opt_text("card_number");
      for (auto& e : pf.errors) f.errors.push_back(std::move(e));
    }
    if (auto ok = f.done(); !ok) return fail(ok.error(), req);
    c.account_id = customer_of(req);
    if (auto key = req.headers.get("Idempotency-Key")) c.idempotency_key = std::string(*key);
    c.fingerprint = c.account_id.value_or("guest") + "|" + json::serialize(*body);
    auto done = checkout(r->checkout, c);
    if (!done) return fail(done.error(), req);
    // A replay answers 200 with the first order (as stock adjustments do), a new order 201.
    Response res = http::json_response(checkout_json(*done), done->replayed ? 200 : 201);
    res.headers.set("Location", "/api/v1/orders/" + done->order.number);
    if (done->replayed) res.headers.set("Idempotent-Replayed", "true");
    return res;
  });

  router.add("GET", "/api/v1/orders", [r](const Request& req) {
    auto me = customer_of(req);
    if (!me)
      return fail(Error::unauthenticated("sign_in_required", "sign in to see your orders"), req);
    auto limit = int_param(req, "limit", 20, 1, 100);
    if (!limit) return fail(limit.error(), req);
    orders::OrderFilter filter;
    filter.account_id = *me;
    filter.limit = *limit;
    if (auto after = req.query_param("after")) {
      if (!is_uuid(*after))
        return fail(Error::invalid("invalid_parameter", "after is the next value of a page",
                                   {{"after", "must be the next value of an earlier page"}}),
                    req);
      filter.after = *after;
    }
    auto page = r->orders.list(filter);
    if (!page) return fail(page.error(), req);
    return page_json(*page, false);
  });

  router.add("GET", "/api/v1/orders/{number}", [r](const Request& req) {
    auto o = visible_order(r->orders, req);
    if (!o) return fail(o.error(), req);
    return http::json_response(orders::order_json(*o));
  });

  router.add("POST", "/api/v1/orders/{number}/cancel", [r](const Request& req) {
    auto o = visible_order(r->orders, req);
    if (!o) return fail(o.error(), req);
    auto out = r->actions.cancel(o->id, actor_of(req), "cancelled by the customer");
    if (!out) return fail(out.error(), req);
    auto fresh = r->orders.find(o->id);
    if (!fresh) return fail(fresh.error(), req);
    return http::json_response(orders::order_json(*fresh));
  });

  router.add("POST", "/api/v1/orders/{number}/returns", [r](const Request& req) {
    auto o = visible_order(r->orders, req);
    if (!o) return fail(o.error(), req);
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    Fields f{*body, {}, ""};
    std::string reason = f.text("reason", true);
    std::string resolution = f.opt_text("resolution").value_or("refund");
    auto exchange_for = f.opt_text("exchange_for");
    if (auto ok = f.done(); !ok) return fail(ok.error(), req);
    auto lines = lines_from(*body, true);
    if (!lines) return fail(lines.error(), req);
    auto out =
        r->actions.request_return(o->id, *lines, reason, resolution, exchange_for, actor_of(req));
    if (!out) return fail(out.error(), req);
    return http::json_response(orders::return_json(out->order, *out->return_request), 201);
  });

  router.add("POST", "/api/v1/payments/{id}/confirm", [r](const Request& req) {
    auto body = object_body(req, true);
    if (!body) return fail(body.error(), req);
    Fields f{*body, {}, ""};
    std::string result = f.opt_text("result").value_or("succeeded");
    if (result != "succeeded" && result != "failed")
      f.errors.push_back({"result", "must be succeeded or failed"});
    if (auto ok = f.done(); !ok) return fail(ok.error(), req);
    auto out = r->actions.confirm_payment(std::string(req.param("id")), result == "succeeded",
                                          actor_of(req));
    if (!out) return fail(out.error(), req);
    json::object answer = orders::order_json(out->order);
    if (out->payment) answer["payment"] = payments::payment_json(*out->payment);
    return http::json_response(answer);
  });

  router.add("POST", "/api/v1/payments/webhook/{provider}", [r](const Request& req) {
    std::optional<std::string> signature;
    if (auto h = req.headers.get("FFF-Signature")) signature = std::string(*h);
    auto event =
        r->payments.verify_webhook(std::string(req.param("provider")), signature, req.body);
    if (!event) return fail(event.error(), req);
    auto applied = r->actions.apply_webhook(*event);
    if (!applied) return fail(applied.error(), req);
    return http::json_response(
        json::object{{"received", true}, {"applied", applied->applied}, {"event_id", event->id}});
  });

  // --- staff ---
  auto add = [&router, &routes](const char* method, const char* pattern, http::Handler handler) {
    http::add_staff_route(router, routes.access, "orders", method, pattern, std::move(handler));
  };

  add("GET", "/api/v1/admin/orders", [r](const Request& req) {
    auto limit = int_param(req, "limit", 50, 1, 200);
    if (!limit) return fail(limit.error(), req);
    orders::OrderFilter filter;
    filter.limit = *limit;
    if (auto s = req.query_param("status")) {
      if (!orders::parse_status(*s))
        return fail(Error::invalid("invalid_parameter", "status is not an order status",
                                   {{"status", "is not an order status"}}),
                    req);
      filter.status = *s;
    }
    if (auto s = req.query_param("payment_status")) filter.payment_status = *s;
    for (const char* name : {"from", "to"}) {
      auto v = req.query_param(name);
      if (!v) continue;
      auto t = parse_iso8601(v->size() == 10 ? *v + "T00:00:00Z" : *v);
      if (!t)
        return fail(Error::invalid("invalid_parameter",
                                   std::string(name) + " is a date (2026-11-26) or ISO 8601 time",
                                   {{name, "must be a date or an ISO 8601 time"}}),
                    req);
      (std::string(name) == "from" ? filter.from : filter.to) = to_iso8601(*t);
    }
    if (auto q = req.query_param("q"); q && !q->empty()) filter.search = *q;
    if (auto after = req.query_param("after")) {
      if (!is_uuid(*after))
        return fail(Error::invalid("invalid_parameter", "after is the next value of a page",
                                   {{"after", "must be the next value of an earlier page"}}),
                    req);
      filter.after = *after;
    }
    auto page = r->orders.list(filter);
    if (!page) return fail(page.error(), req);
    return page_json(*page, true);
  });

  add("GET", "/api/v1/admin/orders/{number}", [r](const Request& req) {
    auto o = r->orders.find_by_number(std::string(req.param("number")));
    if (!o) return fail(o.error(), req);
    return staff_order(*r, *o);
  });

  // Resolves {number} and parses the body, then runs `act`.
  using Act = std::function<Result<OrderOutcome>(const orders::Order&, Fields&, const json::object&,
                                                 const std::string& actor)>;
  auto action = [r](Act act, int status = 200) {
    return [r, act, status](const Request& req) {
      auto o = r->orders.find_by_number(std::string(req.param("number")));
      if (!o) return fail(o.error(), req);
      auto body = object_body(req, true);
      if (!body) return fail(body.error(), req);
      Fields f{*body, {}, ""};
      auto out = act(*o, f, *body, actor_of(req));
      return outcome_response(*r, req, std::move(out), status);
    };
  };
  add("POST", "/api/v1/admin/orders/{number}/capture",
      action([r](const orders::Order& o, Fields& f, const json::object&,
                 const std::string& actor) -> Result<OrderOutcome> {
        auto amount = amount_from(f, o.currency);
        if (!amount) return amount.error();
        if (auto ok = f.done(); !ok) return ok.error();
        return r->actions.capture(o.id, *amount, actor);
      }));
  add("POST", "/api/v1/admin/orders/{number}/cancel",
      action([r](const orders::Order& o, Fields& f, const json::object&,
                 const std::string& actor) -> Result<OrderOutcome> {
        std::string reason = f.opt_text("reason").value_or("cancelled by staff");
        if (auto ok = f.done(); !ok) return ok.error();
        return r->actions.cancel(o.id, actor, reason);
      }));
  add("POST", "/api/v1/admin/orders/{number}/refunds",
      action([r](const orders::Order& o, Fields& f, const json::object&,
                 const std::string& actor) -> Result<OrderOutcome> {
        auto amount = amount_from(f, o.currency);
        if (!amount) return amount.error();
        std::string reason = f.opt_text("reason").value_or("");
        if (reason.size() > 500) f.errors.push_back({"reason", "must be at most 500 characters"});
        if (auto ok = f.done(); !ok) return ok.error();
        return r->actions.refund(o.id, *amount, reason, actor);
      }));
  add("POST", "/api/v1/admin/orders/{number}/shipments",
      action(
          [r](const orders::Order& o, Fields& f, const json::object& body,
              const std::string& actor) -> Result<OrderOutcome> {
            std::string carrier = f.text("carrier", true);
            std::string tracking = f.text("tracking_number", true);
            if (auto ok = f.done(); !ok) return ok.error();
            auto lines = lines_from(body, false);
            if (!lines) return lines.error();
            return r->actions.ship(o.id, carrier, tracking, *lines, actor);
          },
          201));
  add("POST", "/api/v1/admin/orders/{number}/deliver",
      action([r](const orders::Order& o, Fields& f, const json::object&,
                 const std::string& actor) -> Result<OrderOutcome> {
        if (auto ok = f.done(); !ok) return ok.error();
        return r->actions.deliver(o.id, actor);
      }));
  add("POST", "/api/v1/admin/orders/{number}/notes",
      action(
          [r](const orders::Order& o, Fields& f, const json::object&,
              const std::string& actor) -> Result<OrderOutcome> {
            std::string text = f.text("note", true);
            if (auto ok = f.done(); !ok) return ok.error();
            return r->actions.note(o.id, text, actor);
          },
          201));
  add("POST", "/api/v1/admin/orders/{number}/returns/{return_id}/approve",
      [r, action](const Request& req) {
        return action([&req, r](const orders::Order& o, Fields& f, const json::object&,
                                const std::string& actor) -> Result<OrderOutcome> {
          std::string note = f.opt_text("note").value_or("");
          if (auto ok = f.done(); !ok) return ok.error();
          return r->actions.approve_return(o.id, std::string(req.param("return_id")), note, actor);
        })(req);
      });
  add("POST", "/api/v1/admin/orders/{number}/returns/{return_id}/reject",
      [r, action](const Request& req) {
        return action([&req, r](const orders::Order& o, Fields& f, const json::object&,
                                const std::string& actor) -> Result<OrderOutcome> {
          std::string note = f.opt_text("note").value_or("");
          if (auto ok = f.done(); !ok) return ok.error();
          return r->actions.reject_return(o.id, std::string(req.param("return_id")), note, actor);
        })(req);
      });
  add("POST", "/api/v1/admin/orders/{number}/returns/{return_id}/receive",
      [r, action](const Request& req) {
        return action([&req, r](const orders::Order& o, Fields& f, const json::object&,
                                const std::string& actor) -> Result<OrderOutcome> {
          std::string note = f.opt_text("note").value_or("");
          std::string location = f.opt_text("location").value_or("main");
          if (auto ok = f.done(); !ok) return ok.error();
          return r->actions.receive_return(o.id, std::string(req.param("return_id")), location,
                                           note, actor);
        })(req);
      });
  add("POST", "/api/v1/admin/orders/{number}/returns/{return_id}/refund",
      [r, action](const Request& req) {
        return action([&req, r](const orders::Order& o, Fields& f, const json::object&,
                                const std::string& actor) -> Result<OrderOutcome> {
          auto amount = amount_from(f, o.currency);
          if (!amount) return amount.error();
          if (auto ok = f.done(); !ok) return ok.error();
          return r->actions.refund_return(o.id, std::string(req.param("return_id")), *amount,
                                          actor);
        })(req);
      });
}

void add_order_test_routes(http::Router& router, payments::PaymentService& payments) {
  router.add(
      "POST", "/_test/payments/sign",
      [&payments](const Request& req) {
        int64_t t =
            std::chrono::duration_cast<std::chrono::seconds>(now_utc().time_since_epoch()).count();
        if (auto given = req.query_param("timestamp")) t = std::atoll(given->c_str());
        return http::json_response(json::object{
            {"signature",
             payments::webhook_signature(payments.settings().webhook_secret, t, req.body)},
            {"timestamp", t}});
      },
      {}, false);
}

}  // namespace fff::flows
