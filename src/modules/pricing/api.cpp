#include "modules/pricing/api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <set>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::pricing {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr size_t kBodyLimit = 16 * 1024;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

json::object money(int64_t minor, Currency c) {
  return {{"amount", Money(minor, c).decimal()}, {"currency", std::string(currency_code(c))}};
}

json::value opt_money(const std::optional<int64_t>& minor, Currency c) {
  if (!minor) return nullptr;
  return money(*minor, c);
}

json::value opt(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

json::value opt(const std::optional<int64_t>& n) {
  if (!n) return nullptr;
  return *n;
}

// Basis points as a percent with up to two decimals: 1250 → "12.5", 1000 → "10".
std::string percent_text(int64_t bp) {
  std::string out = std::to_string(bp / 100);
  int64_t frac = bp % 100;
  if (frac) {
    out += "." + std::string(frac < 10 ? "0" : "") + std::to_string(frac);
    while (out.back() == '0') out.pop_back();
  }
  return out;
}

// "12.5" / 12.5 / 12 → basis points; nullopt when not a number with at most two decimals.
std::optional<int64_t> percent_bp(const json::value& v) {
  if (v.is_int64()) {
    if (v.get_int64() < 0 || v.get_int64() > 100) return std::nullopt;
    return v.get_int64() * 100;
  }
  std::string text;
  if (v.is_string())
    text = std::string(v.get_string());
  else if (v.is_double())
    return std::nullopt;  // floats are not exact: send "12.5"
  else
    return std::nullopt;
  auto m = Money::parse(text, Currency::USD);  // two decimals, exact
  if (!m || m->minor() < 0 || m->minor() > 10000) return std::nullopt;
  return m->minor();
}

json::object coupon_json(const Coupon& c) {
  return {{"id", c.id},
          {"code", c.code},
          {"kind", to_string(c.kind)},
          {"percent", c.kind == CouponKind::percentage ? json::value(percent_text(c.percent_bp))
                                                       : json::value(nullptr)},
          {"amount", c.kind == CouponKind::fixed ? json::value(money(c.amount_minor, c.currency))
                                                 : json::value(nullptr)},
          {"minimum_subtotal", opt_money(c.minimum_subtotal_minor, c.currency)},
          {"starts_at", opt(c.starts_at)},
          {"ends_at", opt(c.ends_at)},
          {"usage_limit", opt(c.usage_limit)},
          {"per_customer_limit", opt(c.per_customer_limit)},
          {"used", c.used},
          {"remaining", c.usage_limit ? json::value(std::max<int64_t>(*c.usage_limit - c.used, 0))
                                      : json::value(nullptr)},
          {"active", c.active},
          {"currency", std::string(currency_code(c.currency))},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at}};
}

json::object method_json(const ShippingMethod& m, Currency c) {
  json::array countries;
  for (const auto& code : m.countries) countries.push_back(json::string(code));
  return {{"id", m.id},
          {"code", m.code},
          {"name", m.name},
          {"price", money(m.price_minor, c)},
          {"free_above", opt_money(m.free_above_minor, c)},
          {"min_days", m.min_days},
          {"max_days", m.max_days},
          {"countries", std::move(countries)},
          {"express", m.express},
          {"active", m.active},
          {"position", m.position}};
}

json::object tax_json(const TaxRate& t) {
  return {{"country", t.country},
          {"rate", percent_text(t.rate_bp)},
          {"name", t.name},
          {"updated_at", t.updated_at}};
}

// Reads a JSON object's members, gathering every problem so one answer names them all.
class Reader {
 public:
  Reader(const json::object& o, Currency currency, std::set<std::string> known)
      : o_(o), currency_(currency) {
    for (const auto& [key, value] : o)
      if (!known.count(std::string(key)))
        errors.push_back({std::string(key), "is not a field here"});
  }
  std::vector<FieldError> errors;

  bool has(const char* key) const { return o_.if_contains(key) != nullptr; }
  bool is_null(const char* key) const {
    const auto* v = o_.if_contains(key);
    return v && v->is_null();
  }
  std::optional<std::string> text(const char* key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) return errors.push_back({key, "must be a string"}), std::nullopt;
    return std::string(v->get_string());
  }
  std::optional<int64_t> integer(const char* key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_int64()) return errors.push_back({key, "must be a whole number"}), std::nullopt;
    return v->get_int64();
  }
  std::optional<bool> boolean(const char* key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_bool()) return errors.push_back({key, "must be true or false"}), std::nullopt;
    return v->get_bool();
  }
  // "12.34" or {"amount": "12.34", "currency": "USD"} in the shop currency.
  std::optional<int64_t> money(const char* key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    const json::value* amount = v;
    if (v->is_object()) {
      const auto& mo = v->get_object();
      if (const auto* cur = mo.if_contains("currency");
          cur && (!cur->is_string() || cur->get_string() != currency_code(currency_)))
        return errors.push_back({key, "must be in " + std::string(currency_code(currency_))}),
               std::nullopt;
      amount = mo.if_contains("amount");
    }
    if (!amount || !amount->is_string())
      return errors.push_back({key, "must be a decimal amount such as \"12.50\""}), std::nullopt;
    auto m = Money::parse(std::string(amount->get_string()), currency_);
    if (!m || m->minor() < 0)
      return errors.push_back({key, "must be a decimal amount such as \"12.50\""}), std::nullopt;
    return m->minor();
  }
  std::optional<std::vector<std::string>> texts(const char* key) {
    const auto* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_array()) return errors.push_back({key, "must be a list of strings"}), std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : v->get_array()) {
      if (!item.is_string())
        return errors.push_back({key, "must be a list of strings"}), std::nullopt;
      out.emplace_back(item.get_string());
    }
    return out;
  }
  const json::value* raw(const char* key) const { return o_.if_contains(key); }

 private:
  const json::object& o_;
  Currency currency_;
};

Result<json::object> object_body(const Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  return body->get_object();
}

Result<CouponInput> coupon_input(const json::object& o, Currency currency) {
  Reader r(o, currency,
           {"code", "kind", "percent", "amount", "minimum_subtotal", "starts_at", "ends_at",
            "usage_limit", "per_customer_limit", "active"});
  CouponInput in;
  in.code = r.text("code");
  in.kind = r.text("kind");
  if (const auto* p = r.raw("percent"); p && !p->is_null()) {
    in.percent_bp = percent_bp(*p);
    if (!in.percent_bp)
      r.errors.push_back({"percent", "must be a number from 0 to 100 with at most two decimals"});
  }
  in.amount_minor = r.money("amount");
  in.minimum_subtotal_minor = r.money("minimum_subtotal");
  in.clear_minimum = r.is_null("minimum_subtotal");
  in.starts_at = r.text("starts_at");
  in.clear_starts_at = r.is_null("starts_at");
  in.ends_at = r.text("ends_at");
  in.clear_ends_at = r.is_null("ends_at");
  in.usage_limit = r.integer("usage_limit");
  in.clear_usage_limit = r.is_null("usage_limit");
  in.per_customer_limit = r.integer("per_customer_limit");
  in.clear_per_customer_limit = r.is_null("per_customer_limit");
  in.active = r.boolean("active");
  if (!r.errors.empty()) {
    std::string message = r.errors.front().field + " " + r.errors.front().message;
    return Error::unprocessable("invalid_coupon", message, std::move(r.errors));
  }
  return in;
}

Result<ShippingMethodInput> method_input(const json::object& o, Currency currency) {
  Reader r(o, currency,
           {"code", "name", "price", "free_above", "min_days", "max_days", "countries", "express",
            "active", "position"});
  ShippingMethodInput in;
  in.code = r.text("code");
  in.name = r.text("name");
  in.price_minor = r.money("price");
  in.free_above_minor = r.money("free_above");
  in.clear_free_above = r.is_null("free_above");
  if (auto d = r.integer("min_days"))
    in.min_days = static_cast<int>(std::clamp<int64_t>(*d, -1, 1000));
  if (auto d = r.integer("max_days"))
    in.max_days = static_cast<int>(std::clamp<int64_t>(*d, -1, 1000));
  in.countries = r.texts("countries");
  in.express = r.boolean("express");
  in.active = r.boolean("active");
  in.position = r.integer("position");
  if (!r.errors.empty()) {
    std::string message = r.errors.front().field + " " + r.errors.front().message;
    return Error::unprocessable("invalid_shipping_method", message, std::move(r.errors));
  }
  return in;
}

}  // namespace

void add_staff_routes(http::Router& router, PricingService& service,
                      const http::StaffAccess& access) {
  PricingService* s = &service;
  http::RouteOptions small{.body_limit = kBodyLimit};
  auto add = [&](const char* area, const char* method, const char* pattern, http::Handler h) {
    http::add_staff_route(router, access, area, method, pattern, std::move(h), small);
  };

  add("catalog", "GET", "/api/v1/admin/coupons", [s](const Request& req) {
    auto all = s->coupons();
    if (!all) return fail(all.error(), req);
    json::array items;
    for (const auto& c : *all) items.push_back(coupon_json(c));
    return http::json_response(json::object{{"items", std::move(items)}});
  });
  add("catalog", "POST", "/api/v1/admin/coupons", [s](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    auto in = coupon_input(*body, s->settings().currency);
    if (!in) return fail(in.error(), req);
    auto made = s->create_coupon(*in);
    if (!made) return fail(made.error(), req);
    return http::json_response(coupon_json(*made), 201);
  });
  add("catalog", "GET", "/api/v1/admin/coupons/{id}", [s](const Request& req) {
    auto c = s->coupon(std::string(req.param("id")));
    if (!c) return fail(c.error(), req);
    return http::json_response(coupon_json(*c));
  });
  add("catalog", "PATCH", "/api/v1/admin/coupons/{id}", [s](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    auto in = coupon_input(*body, s->settings().currency);
    if (!in) return fail(in.error(), req);
    if (in->kind)
      return fail(Error::unprocessable("invalid_coupon", "kind cannot change; make a new coupon",
                                       {{"kind", "cannot change"}}),
                  req);
    auto changed = s->update_coupon(std::string(req.param("id")), *in);
    if (!changed) return fail(changed.error(), req);
    return http::json_response(coupon_json(*changed));
  });
  add("catalog", "DELETE", "/api/v1/admin/coupons/{id}", [s](const Request& req) {
    auto changed = s->deactivate_coupon(std::string(req.param("id")));
    if (!changed) return fail(changed.error(), req);
    return http::json_response(coupon_json(*changed));
  });

  add("settings", "GET", "/api/v1/admin/shipping-methods", [s](const Request& req) {
    auto all = s->all_shipping_methods();
    if (!all) return fail(all.error(), req);
    json::array items;
    for (const auto& m : *all) items.push_back(method_json(m, s->settings().currency));
    return http::json_response(json::object{{"items", std::move(items)}});
  });
  add("settings", "POST", "/api/v1/admin/shipping-methods", [s](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    auto in = method_input(*body, s->settings().currency);
    if (!in) return fail(in.error(), req);
    auto made = s->create_shipping_method(*in);
    if (!made) return fail(made.error(), req);
    return http::json_response(method_json(*made, s->settings().currency), 201);
  });
  add("settings", "PATCH", "/api/v1/admin/shipping-methods/{id}", [s](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    auto in = method_input(*body, s->settings().currency);
    if (!in) return fail(in.error(), req);
    auto changed = s->update_shipping_method(std::string(req.param("id")), *in);
    if (!changed) return fail(changed.error(), req);
    return http::json_response(method_json(*changed, s->settings().currency));
  });

  add("settings", "GET", "/api/v1/admin/tax-rates", [s](const Request& req) {
    auto all = s->tax_rates();
    if (!all) return fail(all.error(), req);
    json::array items;
    for (const auto& t : *all) items.push_back(tax_json(t));
    return http::json_response(json::object{
        {"items", std::move(items)}, {"prices_include_tax", s->settings().prices_include_tax}});
  });
  add("settings", "PUT", "/api/v1/admin/tax-rates/{country}", [s](const Request& req) {
    auto body = object_body(req);
    if (!body) return fail(body.error(), req);
    Reader r(*body, s->settings().currency, {"rate", "name"});
    std::optional<int64_t> bp;
    if (const auto* v = r.raw("rate"); v && !v->is_null()) bp = percent_bp(*v);
    if (!bp)
      r.errors.push_back({"rate", "must be a percent from 0 to 100, e.g. \"20\" or \"7.5\""});
    auto name = r.text("name");
    if (!r.errors.empty()) {
      std::string message = r.errors.front().field + " " + r.errors.front().message;
      return fail(Error::unprocessable("invalid_tax_rate", message, std::move(r.errors)), req);
    }
    auto set = s->set_tax_rate(std::string(req.param("country")), *bp, name.value_or(""));
    if (!set) return fail(set.error(), req);
    return http::json_response(tax_json(*set));
  });
  add("settings", "DELETE", "/api/v1/admin/tax-rates/{country}", [s](const Request& req) {
    auto gone = s->delete_tax_rate(std::string(req.param("country")));
    if (!gone) return fail(gone.error(), req);
    Response res;
    res.status = 204;
    return res;
  });
}

}  // namespace fff::pricing
