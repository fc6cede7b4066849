#include "flows/cart_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::flows {

namespace {
// A guest cart's id is its capability: routes carrying it keep it out of the access log.
const http::RouteOptions kCartIdInPath{.body_limit = 0, .secret_path = true};
}  // namespace
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr size_t kBodyLimit = 16 * 1024;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

json::object money(int64_t minor, Currency currency) {
  return {{"amount", Money(minor, currency).decimal()},
          {"currency", std::string(currency_code(currency))}};
}

json::value opt_text(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return json::string(*s);
}

// The customer's account when a customer is signed in (staff are not shoppers here).
std::optional<std::string> shopper(const Request& req) {
  if (req.principal && req.principal->kind == http::Principal::Kind::customer &&
      !req.principal->account_id.empty())
    return req.principal->account_id;
  return std::nullopt;
}

std::string cart_cookie(const std::string& id, int expiry_days, bool secure) {
  return std::string(kCartCookie) + "=" + id +
         "; Path=/; Max-Age=" + std::to_string(int64_t{expiry_days} * 86'400) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

json::object cart_json(const PricedCart& priced, const std::vector<json::object>& extra_warnings) {
  const auto& q = priced.quote;
  Currency c = q.currency;
  json::array lines;
  json::array warnings;
  for (const auto& l : priced.lines) {
    json::object line{
        {"id", l.line.id},
        {"variant_id", l.line.variant_id},
        {"sku", l.sku},
        {"product_id", l.product_id},
        {"product_name", l.product_name},
        {"product_slug", l.product_slug},
        {"size", l.size},
        {"size_label", l.size_label},
        {"colour", l.colour},
        {"colour_label", l.colour_label},
        {"quantity", l.line.quantity},
        {"unit_price", money(l.priced.unit_price_minor, c)},
        {"subtotal", money(l.priced.subtotal_minor, c)},
        {"discount", money(l.priced.discount_minor, c)},
        {"tax", money(l.priced.tax_minor, c)},
        {"total", money(l.priced.total_minor, c)},
        {"available", l.available},
        {"warning", opt_text(l.warning)},
        {"image_key", opt_text(l.image_key)},
        {"added_at", l.line.added_at},
    };
    lines.push_back(std::move(line));
    if (l.warning)
      warnings.push_back(json::object{{"code", *l.warning},
                                      {"line_id", l.line.id},
                                      {"sku", l.sku},
                                      {"available", l.available}});
  }
  for (const auto& w : extra_warnings) warnings.push_back(w);
  json::value shipping_method = nullptr;
  if (q.shipping)
    shipping_method = json::object{{"code", q.shipping->code},
                                   {"name", q.shipping->name},
                                   {"min_days", q.shipping->min_days},
                                   {"max_days", q.shipping->max_days},
                                   {"express", q.shipping->express}};
  return {
      {"id", priced.cart.id},
      {"status", priced.cart.status},
      {"customer", priced.cart.account_id.has_value()},
      {"currency", std::string(currency_code(c))},
      {"lines", std::move(lines)},
      {"item_count",
       [&] {
         int64_t n = 0;
         for (const auto& l : priced.cart.lines) n += l.quantity;
         return n;
       }()},
      {"coupon", opt_text(q.coupon_code)},
      {"subtotal", money(q.subtotal_minor, c)},
      {"discount", money(q.discount_minor, c)},
      {"shipping", q.shipping ? json::value(money(q.shipping_minor, c)) : json::value(nullptr)},
      {"shipping_method", std::move(shipping_method)},
      {"free_shipping", q.free_shipping},
      {"tax", money(q.tax_minor, c)},
      {"tax_rate", Money(q.tax_rate_bp, Currency::USD).decimal()},  // percent, two decimals
      {"country", opt_text(q.country)},
      {"total", money(q.total_minor, c)},
      {"prices_include_tax", q.prices_include_tax},
      {"warnings", std::move(warnings)},
      {"order_id", opt_text(priced.cart.order_id)},
      {"created_at", priced.cart.created_at},
      {"updated_at", priced.cart.updated_at},
  };
}

bool is_coupon_error(const Error& e) {
  return e.code.rfind("coupon_", 0) == 0;
}

struct Context {
  CartServices services;
};

// Prices the cart for the answer. A stored coupon that no longer applies (expired, below its
// minimum after a line was removed) does not hide the cart: it is priced without it and the
// reason is a warning. Shipping and country come from the query (a preview).
Result<json::object> priced_json(Context& ctx, const cart::Cart& cart, const Request& req) {
  pricing::QuoteRequest options;
  options.country = req.query_param("country");
  options.shipping_method = req.query_param("shipping_method");
  if (options.country && options.country->empty()) options.country.reset();
  if (options.shipping_method && options.shipping_method->empty()) options.shipping_method.reset();
  options.account_id = cart.account_id;
  std::vector<json::object> warnings;
  auto priced = price_cart(ctx.services, cart, options);
  if (!priced && is_coupon_error(priced.error()) && cart.coupon_code) {
    warnings.push_back(json::object{{"code", priced.error().code},
                                    {"coupon", *cart.coupon_code},
                                    {"message", priced.error().message}});
    cart::Cart without = cart;
    without.coupon_code.reset();
    priced = price_cart(ctx.services, without, options);
  }
  if (!priced) return priced.error();
  return cart_json(*priced, warnings);
}

Response cart_response(Context& ctx, const cart::Cart& cart, const Request& req, int status = 200,
                       bool set_cookie = false) {
  auto body = priced_json(ctx, cart, req);
  if (!body) return fail(body.error(), req);
  Response res = http::json_response(*body, status);
  if (set_cookie)
    res.headers.add("Set-Cookie",
                    cart_cookie(cart.id, ctx.services.carts.limits().expiry_days, req.secure));
  return res;
}

// Units available now for each variant id (absent: none).
Result<std::map<std::string, int64_t>> availability(Context& ctx,
                                                    const std::vector<std::string>& ids) {
  if (ids.empty()) return std::map<std::string, int64_t>{};
  return ctx.services.inventory.available(ids);
}

// The cart the request may use: a customer's only for that customer, a guest cart for whoever
// holds its id — and a signed-in customer using a guest cart claims it (merging it into their
// open cart when they have one). `claimed` says the answer is another cart than asked for.
Result<cart::Cart> usable_cart(Context& ctx, const Request& req, bool& claimed) {
  std::string id(req.param("id"));
  auto account = shopper(req);
  auto cart = ctx.services.carts.find_for(id, account);
  if (!cart) return cart;
  claimed = false;
  if (!account || cart->account_id || cart->status != "open") return cart;
  std::vector<std::string> ids;
  for (const auto& l : cart->lines) ids.push_back(l.variant_id);
  auto mine = ctx.services.carts.open_cart_of(*account);
  if (!mine) return mine.error();
  if (*mine)
    for (const auto& l : (*mine)->lines) ids.push_back(l.variant_id);
  auto available = availability(ctx, ids);
  if (!available) return available.error();
  auto result = ctx.services.carts.claim(id, *account, *available);
  if (result) claimed = result->id != id;
  return result;
}

Result<cart::Cart> open_cart(Context& ctx, const Request& req, bool& claimed) {
  auto cart = usable_cart(ctx, req, claimed);
  if (!cart) return cart;
  if (cart->status != "open")
    return Error::conflict("cart_not_open",
                           "the cart is " + cart->status + " and can no longer change");
  return cart;
}

Result<json::object> object_body(const Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  return body->get_object();
}

// quantity: a whole number (1 when absent); anything else, or out of 1..max, is
// invalid_quantity.
Result<int64_t> quantity_of(const json::object& o, int64_t max, bool required) {
  std::string bound = "must be a whole number from 1 to " + std::to_string(max);
  const json::value* v = o.if_contains("quantity");
  if (!v) {
    if (required)
      return Error::unprocessable("invalid_quantity", "quantity is required",
                                  {{"quantity", bound}});
    return int64_t{1};
  }
  int64_t n = 0;
  if (v->is_int64())
    n = v->get_int64();
  else if (v->is_uint64())
    n = INT64_MAX;
  else
    return Error::unprocessable("invalid_quantity", "quantity " + bound, {{"quantity", bound}});
  if (n < 1 || n > max)
    return Error::unprocessable("invalid_quantity", "quantity " + bound, {{"quantity", bound}});
  return n;
}

Error variant_unavailable(const std::string& what) {
  return Error::unprocessable("variant_unavailable", what + " is not for sale",
                              {{"variant_id", "is not a variant of an active product"}});
}

}  // namespace

std::string cart_json_text(const PricedCart& cart) {
  return json::serialize(cart_json(cart, {}));
}

void add_cart_routes(http::Router& router, CartServices services) {
  auto ctx = std::make_shared<Context>(Context{services});
  http::RouteOptions small{.body_limit = kBodyLimit};
  http::RouteOptions small_with_cart_id{.body_limit = kBodyLimit, .secret_path = true};

  router.add(
      "POST", "/api/v1/carts",
      [ctx](const Request& req) {
        if (!req.body.empty()) {
          auto body = object_body(req);
          if (!body) return fail(body.error(), req);
        }
        auto account = shopper(req);
        if (account) {
          // A guest cart this browser holds is claimed (merged) now; otherwise the customer's
          // open cart is answered, or a new one made.
          if (auto cookie = req.cookie(kCartCookie)) {
            auto guest = ctx->services.carts.find_for(std::string(*cookie), account);
            if (guest && !guest->account_id && guest->status == "open") {
              std::vector<std::string> ids;
              for (const auto& l : guest->lines) ids.push_back(l.variant_id);
              auto mine = ctx->services.carts.open_cart_of(*account);
              if (!mine) return fail(mine.error(), req);
              if (*mine)
                for (const auto& l : (*mine)->lines) ids.push_back(l.variant_id);
              auto available = availability(*ctx, ids);
              if (!available) return fail(available.error(), req);
              auto claimed = ctx->services.carts.claim(guest->id, *account, *available);
              if (!claimed) return fail(claimed.error(), req);
              return cart_response(*ctx, *claimed, req, 200, true);
            }
          }
          auto mine = ctx->services.carts.open_cart_of(*account);
          if (!mine) return fail(mine.error(), req);
          if (*mine) return cart_response(*ctx, **mine, req, 200, true);
        }
        auto made = ctx->services.carts.create(account);
        if (!made) return fail(made.error(), req);
        return cart_response(*ctx, *made, req, 201, true);
      },
      small);

  router.add(
      "GET", "/api/v1/carts/{id}",
      [ctx](const Request& req) {
        bool claimed = false;
        auto cart = usable_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        return cart_response(*ctx, *cart, req, 200, claimed);
      },
      kCartIdInPath);

  router.add(
      "POST", "/api/v1/carts/{id}/lines",
      [ctx](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        bool claimed = false;
        auto cart = open_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        // Prices, totals and names a client sends are ignored: the server prices.
        auto quantity = quantity_of(*body, ctx->services.carts.limits().max_quantity, false);
        if (!quantity) return fail(quantity.error(), req);
        std::string sku, variant_id;
        if (const auto* v = body->if_contains("sku"); v && v->is_string())
          sku = std::string(v->get_string());
        if (const auto* v = body->if_contains("variant_id"); v && v->is_string())
          variant_id = std::string(v->get_string());
        if (sku.empty() && variant_id.empty())
          return fail(Error::invalid("invalid_body", "give variant_id or sku (a string)",
                                     {{"variant_id", "give variant_id or sku"}}),
                      req);
        if (!sku.empty()) {
          auto found = ctx->services.catalog.find_variant(sku, "");
          if (!found) return fail(found.error(), req);
          if (!*found) return fail(variant_unavailable("SKU '" + sku + "'"), req);
          if (!variant_id.empty() && variant_id != (*found)->id)
            return fail(Error::unprocessable("variant_mismatch",
                                             "sku and variant_id name different variants",
                                             {{"sku", "is not the variant named by variant_id"}}),
                        req);
          variant_id = (*found)->id;
        }
        auto views = ctx->services.catalog.variant_views({variant_id});
        if (!views) return fail(views.error(), req);
        if (views->empty() || views->front().product_status != "active")
          return fail(variant_unavailable("variant '" + variant_id + "'"), req);
        auto available = availability(*ctx, {variant_id});
        if (!available) return fail(available.error(), req);
        auto a = available->find(variant_id);
        auto changed = ctx->services.carts.add_line(cart->id, variant_id, *quantity,
                                                    a == available->end() ? 0 : a->second);
        if (!changed) return fail(changed.error(), req);
        return cart_response(*ctx, *changed, req, 200, claimed);
      },
      small_with_cart_id);

  router.add(
      "PATCH", "/api/v1/carts/{id}/lines/{line}",
      [ctx](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        bool claimed = false;
        auto cart = open_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        auto quantity = quantity_of(*body, ctx->services.carts.limits().max_quantity, true);
        if (!quantity) return fail(quantity.error(), req);
        std::string line(req.param("line"));
        auto variant = ctx->services.carts.line_variant(cart->id, line);
        if (!variant) return fail(variant.error(), req);
        auto available = availability(*ctx, {*variant});
        if (!available) return fail(available.error(), req);
        auto a = available->find(*variant);
        auto changed = ctx->services.carts.set_quantity(cart->id, line, *quantity,
                                                        a == available->end() ? 0 : a->second);
        if (!changed) return fail(changed.error(), req);
        return cart_response(*ctx, *changed, req, 200, claimed);
      },
      small_with_cart_id);

  router.add(
      "DELETE", "/api/v1/carts/{id}/lines/{line}",
      [ctx](const Request& req) {
        bool claimed = false;
        auto cart = open_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        auto changed = ctx->services.carts.remove_line(cart->id, std::string(req.param("line")));
        if (!changed) return fail(changed.error(), req);
        return cart_response(*ctx, *changed, req, 200, claimed);
      },
      kCartIdInPath);

  router.add(
      "POST", "/api/v1/carts/{id}/coupon",
      [ctx](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        bool claimed = false;
        auto cart = open_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        const json::value* code = body->if_contains("code");
        if (!code || !code->is_string() || code->get_string().empty())
          return fail(Error::unprocessable("coupon_not_found", "give the coupon's code",
                                           {{"code", "is required"}}),
                      req);
        // Checked against the cart as priced now (its subtotal, the customer's uses).
        auto priced = price_cart(ctx->services, *cart, pricing::QuoteRequest{});
        if (!priced && is_coupon_error(priced.error())) {
          cart::Cart without = *cart;
          without.coupon_code.reset();
          priced = price_cart(ctx->services, without, pricing::QuoteRequest{});
        }
        if (!priced) return fail(priced.error(), req);
        auto normalised = ctx->services.pricing.check_coupon(std::string(code->get_string()),
                                                             priced->quote.subtotal_minor,
                                                             cart->account_id, std::nullopt);
        if (!normalised) return fail(normalised.error(), req);
        auto changed = ctx->services.carts.set_coupon(cart->id, *normalised);
        if (!changed) return fail(changed.error(), req);
        return cart_response(*ctx, *changed, req, 200, claimed);
      },
      small_with_cart_id);

  router.add(
      "DELETE", "/api/v1/carts/{id}/coupon",
      [ctx](const Request& req) {
        bool claimed = false;
        auto cart = open_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        auto changed = ctx->services.carts.set_coupon(cart->id, std::nullopt);
        if (!changed) return fail(changed.error(), req);
        return cart_response(*ctx, *changed, req, 200, claimed);
      },
      kCartIdInPath);

  router.add(
      "POST", "/api/v1/carts/{id}/claim",
      [ctx](const Request& req) {
        if (!shopper(req))
          return fail(
              Error::unauthenticated("not_signed_in", "sign in as a customer to claim a cart"),
              req);
        bool claimed = false;
        auto cart = usable_cart(*ctx, req, claimed);
        if (!cart) return fail(cart.error(), req);
        return cart_response(*ctx, *cart, req, 200, true);
      },
      small_with_cart_id);

  router.add("GET", "/api/v1/shipping-methods", [ctx](const Request& req) {
    auto country = req.query_param("country");
    if (country && country->empty()) country.reset();
    auto methods = ctx->services.pricing.shipping_methods(country);
    if (!methods) return fail(methods.error(), req);
    if (country) country = pricing::PricingService::normalise_country(*country).value();
    Currency c = ctx->services.pricing.settings().currency;
    json::array items;
    for (const auto& m : *methods) {
      json::array countries;
      for (const auto& code : m.countries) countries.push_back(json::string(code));
      items.push_back(json::object{
          {"code", m.code},
          {"name", m.name},
          {"price", money(m.price_minor, c)},
          {"free_above",
           m.free_above_minor ? json::value(money(*m.free_above_minor, c)) : json::value(nullptr)},
          {"min_days", m.min_days},
          {"max_days", m.max_days},
          {"express", m.express},
          {"countries", std::move(countries)},
      });
    }
    return http::json_response(json::object{
        {"items", std::move(items)},
        {"country", country ? json::value(json::string(*country)) : json::value(nullptr)}});
  });
}

}  // namespace fff::flows
