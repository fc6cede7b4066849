#include "web/storefront/checkout_pages.hpp"

#include <boost/json/array.hpp>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/id.hpp"
#include "core/log.hpp"
#include "modules/accounts/service.hpp"
#include "web/storefront/cart_common.hpp"
#include "web/storefront/cart_pages.hpp"

namespace fff::web {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

const http::RouteOptions kPage{.page = true};
const http::RouteOptions kForm{.body_limit = 16 * 1024, .page = true};
const http::RouteOptions kSecretPage{.secret_path = true, .page = true};
const http::RouteOptions kSecretForm{.body_limit = 4 * 1024, .secret_path = true, .page = true};

struct Country {
  const char* code;
  const char* en;
  const char* vi;
};
constexpr Country kCountries[] = {
    {"AU", "Australia", "Úc"},
    {"CA", "Canada", "Canada"},
    {"FR", "France", "Pháp"},
    {"DE", "Germany", "Đức"},
    {"IT", "Italy", "Ý"},
    {"JP", "Japan", "Nhật Bản"},
    {"NL", "Netherlands", "Hà Lan"},
    {"SG", "Singapore", "Singapore"},
    {"ES", "Spain", "Tây Ban Nha"},
    {"GB", "United Kingdom", "Vương quốc Anh"},
    {"US", "United States", "Hoa Kỳ"},
    {"VN", "Vietnam", "Việt Nam"},
};

const Country* country_named(const std::string& code) {
  for (const auto& c : kCountries)
    if (code == c.code) return &c;
  return nullptr;
}

struct Ctx {
  Site& site;
  flows::CheckoutServices checkout;
  flows::OrderActions actions;
  accounts::AccountService* accounts;
  flows::CartServices& cart() { return checkout.cart; }
};

// What the shopper typed; refills the form.
struct CheckoutForm {
  std::string email, name, line1, line2, city, postal_code, country, phone;
  std::string shipping_method, payment_method = "card";
  std::string card_number, card_expiry, card_cvc;
  std::string key;  // the attempt's idempotency key

  static CheckoutForm from(const Form& f) {
    CheckoutForm c;
    c.email = f.get("email");
    c.name = f.get("name");
    c.line1 = f.get("line1");
    c.line2 = f.get("line2");
    c.city = f.get("city");
    c.postal_code = f.get("postal_code");
    c.country = f.get("country");
    c.phone = f.get("phone");
    c.shipping_method = f.get("shipping_method");
    c.payment_method = f.get("payment_method");
    c.card_number = f.get("card_number");
    c.card_expiry = f.get("card_expiry");
    c.card_cvc = f.get("card_cvc");
    c.key = f.get("checkout_key");
    return c;
  }
};

std::string digits_of(const std::string& s) {
  std::string out;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  return out;
}

bool only(const std::string& s, const char* allowed_extra) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && !std::strchr(allowed_extra, c))
      return false;
  return true;
}

bool has_control(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

// "MM/YY" (or MM/YYYY) not in the past.
bool expiry_ok(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += c;
  auto slash = t.find('/');
  if (slash == std::string::npos) return false;
  std::string mm = t.substr(0, slash), yy = t.substr(slash + 1);
  if (mm.empty() || mm.size() > 2 || !only(mm, "") || (yy.size() != 2 && yy.size() != 4) ||
      !only(yy, ""))
    return false;
  int month = std::stoi(mm), year = std::stoi(yy);
  if (yy.size() == 2) year += 2000;
  if (month < 1 || month > 12) return false;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  int this_year = tm.tm_year + 1900, this_month = tm.tm_mon + 1;
  if (year < this_year || (year == this_year && month < this_month)) return false;
  return year <= this_year + 20;
}

// Checks the form; field name → string key of the message.
FormErrors check_form(const Site& site, const std::string& locale, const CheckoutForm& f,
                      const std::vector<pricing::ShippingMethod>& methods) {
  FormErrors e;
  auto msg = [&](const std::string& field) {
    e.fields[field] = site.t(locale, "checkout_error_" + field);
  };
  auto at = f.email.find('@');
  if (f.email.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= f.email.size() ||
      f.email.find_first_of(" \r\n\t,;<>") != std::string::npos)
    msg("email");
  if (f.name.empty() || f.name.size() > 200 || has_control(f.name)) msg("name");
  if (f.line1.empty() || f.line1.size() > 200 || has_control(f.line1)) msg("line1");
  if (f.line2.size() > 200 || has_control(f.line2)) msg("line2");
  if (f.city.empty() || f.city.size() > 100 || has_control(f.city)) msg("city");
  if (f.postal_code.empty() || f.postal_code.size() > 20 || has_control(f.postal_code))
    msg("postal_code");
  if (!country_named(f.country)) msg("country");
  if (f.phone.size() > 40 || !only(f.phone, " +-().")) msg("phone");
  bool method_ok = false;
  for (const auto& m : methods) method_ok = method_ok || m.code == f.shipping_method;
  if (!method_ok) msg("shipping_method");
  if (f.payment_method != "card" && f.payment_method != "cash_on_delivery") {
    msg("payment_method");
  } else if (f.payment_method == "card") {
    std::string d = digits_of(f.card_number);
    if (!only(f.card_number, " -") || d.size() < 12 || d.size() > 19) msg("card_number");
    if (!expiry_ok(f.card_expiry)) msg("card_expiry");
    if (!only(f.card_cvc, "") || f.card_cvc.size() < 3 || f.card_cvc.size() > 4) msg("card_cvc");
  }
  if (!e.fields.empty()) e.summary = site.t(locale, "checkout_error_summary");
  return e;
}

std::string short_time(const std::string& iso) {
  // 2026-11-26T10:30:00.123Z → 2026-11-26 10:30 UTC
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

Response render_checkout(Ctx& ctx, const Request& req, const PageContext& page,
                         const cart::Cart& cart, CheckoutForm form, const FormErrors& errors,
                         int status) {
  Currency currency = ctx.cart().pricing.settings().currency;
  if (!country_named(form.country)) form.country = default_country(currency);
  if (form.key.empty() || form.key.size() > 100) form.key = new_id();
  auto methods = ctx.cart().pricing.shipping_methods(form.country);
  std::vector<pricing::ShippingMethod> list = methods ? *methods : decltype(list){};
  bool method_found = false;
  for (const auto& m : list) method_found = method_found || m.code == form.shipping_method;
  if (!method_found && !list.empty()) form.shipping_method = list.front().code;

  pricing::QuoteRequest options;
  options.country = form.country;
  if (!list.empty()) options.shipping_method = form.shipping_method;
  auto view = price_for_view(ctx.cart(), cart, options);
  if (!view) view = price_for_view(ctx.cart(), cart, {});
  if (!view) {
    log::warn("checkout pricing failed", {{"code", view.error().code}});
    return ctx.site.server_error(req);
  }

  json::array countries;
  for (const auto& c : kCountries)
    countries.push_back(json::object{{"code", c.code},
                                     {"name", page.locale == "vi" ? c.vi : c.en},
                                     {"selected", form.country == c.code}});
  json::array shipping;
  for (const auto& m : list) {
    bool free = m.free_above_minor && view->priced.quote.subtotal_minor >= *m.free_above_minor;
    json::object o{
        {"code", m.code},
        {"name", m.name},
        {"id", "ship-" + m.code},
        {"price", free || m.price_minor == 0 ? ctx.site.t(page.locale, "cart_shipping_free")
                                             : Site::money(Money(m.price_minor, currency))},
        {"days",
         ctx.site.t(page.locale, "checkout_shipping_days",
                    {{"min", std::to_string(m.min_days)}, {"max", std::to_string(m.max_days)}})},
        {"checked", m.code == form.shipping_method}};
    if (m.free_above_minor && !free)
      o["free_above"] = ctx.site.t(page.locale, "checkout_free_above",
                                   {{"amount", Site::money(Money(*m.free_above_minor, currency))}});
    shipping.push_back(std::move(o));
  }
  json::object values{{"email", form.email},
                      {"name", form.name},
                      {"line1", form.line1},
                      {"line2", form.line2},
                      {"city", form.city},
                      {"postal_code", form.postal_code},
                      {"phone", form.phone},
                      {"card_expiry", form.card_expiry},
                      {"pay_card", form.payment_method != "cash_on_delivery"},
                      {"pay_cod", form.payment_method == "cash_on_delivery"}};
  json::object data{{"values", std::move(values)},
                    {"countries", std::move(countries)},
                    {"shipping_methods", std::move(shipping)},
                    {"no_shipping", list.empty()},
                    {"checkout_key", form.key},
                    {"summary", cart_view(ctx.site, page.locale, *view)},
                    {"errors", errors.to_json()},
                    {"has_errors", !errors.empty()}};
  // Per-field flags for templates: errors.fields.x holds the message; invalid.x says so.
  json::object invalid;
  for (const auto& [field, _] : errors.fields) invalid[field] = true;
  data["invalid"] = std::move(invalid);
  PageMeta meta;
  meta.title = ctx.site.t(page.locale, "checkout_title");
  meta.description = ctx.site.t(page.locale, "checkout_description");
  meta.noindex = true;
  return ctx.site.render(req, page, status, "checkout", std::move(data), meta);
}

// A signed-in customer's email, name and default (else first) address.
void prefill(accounts::AccountService& accounts, const std::string& account_id,
             CheckoutForm& form) {
  auto account = accounts.account(account_id);
  if (!account) return;
  form.email = account->email;
  form.name = account->name;
  if (account->phone) form.phone = *account->phone;
  auto addresses = accounts.addresses(account_id);
  if (!addresses || addresses->empty()) return;
  const accounts::Address* pick = &addresses->front();
  for (const auto& a : *addresses)
    if (a.is_default) pick = &a;
  form.name = pick->name.empty() ? form.name : pick->name;
  form.line1 = pick->line1;
  form.line2 = pick->line2;
  form.city = pick->city;
  form.postal_code = pick->postal_code;
  form.country = pick->country;
  if (!pick->phone.empty()) form.phone = pick->phone;
}

// The cart checkout may use, or the redirect to /cart saying why not.
struct Ready {
  std::optional<cart::Cart> cart;
  std::optional<Response> redirect;
};
Ready ready_cart(Ctx& ctx, const Request& req) {
  Ready out;
  auto current = current_cart(ctx.cart(), req);
  if (!current) {
    log::warn("checkout cart failed", {{"code", current.error().code}});
    out.redirect = Site::redirect_with_notice("/cart", "cart_notice_failed");
    return out;
  }
  if (!current->cart || current->cart->lines.empty()) {
    out.redirect = Site::redirect_with_notice(
        "/cart", current->stale_cookie ? "cart_notice_expired" : "cart_notice_empty");
    if (current->stale_cookie)
      out.redirect->headers.add("Set-Cookie", clear_cart_cookie(req.secure));
    return out;
  }
  out.cart = std::move(current->cart);
  return out;
}

// Brings the cart in line with the stock (sold-out and unavailable lines removed, the others
// lowered to what is left) before sending the shopper back to it.
void adjust_cart(Ctx& ctx, const cart::Cart& cart) {
  auto view = price_for_view(ctx.cart(), cart, {});
  if (!view) return;
  for (const auto& l : view->priced.lines) {
    if (!l.warning || *l.warning == "only_few_left") continue;
    if (*l.warning == "reduced" && l.available > 0)
      (void)ctx.cart().carts.set_quantity(cart.id, l.line.id, l.available, l.available);
    else
      (void)ctx.cart().carts.remove_line(cart.id, l.line.id);
  }
}

std::string field_of(const std::string& flow_field) {
  std::string f = flow_field;
  const std::string prefix = "shipping_address.";
  if (f.rfind(prefix, 0) == 0) f = f.substr(prefix.size());
  if (f == "payment.method") return "payment_method";
  if (f == "payment.card_number") return "card_number";
  return f;
}

// The confirmation of a placed order; this browser may see it from now on.
Response placed(const Request& req, const std::string& order_id) {
  Response res = Site::redirect("/order/" + order_id);
  res.headers.add("Set-Cookie", std::string(kLastOrderCookie) + "=" + order_id +
                                    "; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax" +
                                    (req.secure ? "; Secure" : ""));
  res.headers.add("Set-Cookie", clear_cart_cookie(req.secure));
  return res;
}

Response place_order(Ctx& ctx, const Request& req) {
  auto page = ctx.site.context(req);
  Form f = Form::of(req);
  auto ready = ready_cart(ctx, req);
  if (ready.redirect) {
    // A second submit of a form whose order is placed already (a double click, a reload):
    // the same confirmation rather than "your bag is empty".
    std::string key = f.get("checkout_key");
    if (!key.empty() && key.size() <= 100) {
      auto seen = ctx.checkout.orders.find_key("web:" + key);
      if (seen && *seen) return placed(req, (*seen)->order_id);
    }
    return std::move(*ready.redirect);
  }
  const cart::Cart& cart = *ready.cart;
  CheckoutForm form = CheckoutForm::from(f);
  form.card_number.clear();  // never echoed back
  CheckoutForm typed = CheckoutForm::from(f);

  // "Update shipping options" after changing the country (without JavaScript).
  if (f.has("refresh")) return render_checkout(ctx, req, page, cart, form, {}, 200);

  auto methods = ctx.cart().pricing.shipping_methods(
      country_named(typed.country) ? std::optional<std::string>(typed.country) : std::nullopt);
  std::vector<pricing::ShippingMethod> list = methods ? *methods : decltype(list){};
  FormErrors errors = check_form(ctx.site, page.locale, typed, list);
  if (!errors.empty()) return render_checkout(ctx, req, page, cart, form, errors, 422);

  flows::CheckoutRequest c;
  c.cart_id = cart.id;
  c.email = typed.email;
  c.shipping_address = orders::Address{typed.name, typed.line1,       typed.line2,   typed.city,
                                       "",         typed.postal_code, typed.country, typed.phone};
  c.shipping_method = typed.shipping_method;
  c.payment_method = typed.payment_method;
  std::string card = digits_of(typed.card_number);
  if (c.payment_method == "card") c.card_number = card;
  c.locale = page.locale;
  c.account_id = shopper_of(req);
  if (!typed.key.empty() && typed.key.size() <= 100) c.idempotency_key = "web:" + typed.key;
  c.fingerprint = c.account_id.value_or("guest") + "|" + cart.id + "|" + c.email + "|" +
                  typed.country + "|" + c.shipping_method + "|" + c.payment_method + "|" +
                  (card.size() >= 4 ? card.substr(card.size() - 4) : "");

  auto done = flows::checkout(ctx.checkout, c);
  if (!done) {
    const Error& e = done.error();
    auto again = [&](const std::string& field, const std::string& key) {
      FormErrors fe;
      fe.fields[field] = ctx.site.t(page.locale, key);
      fe.summary = ctx.site.t(page.locale, key);
      form.key = new_id();  // a new attempt
      return render_checkout(ctx, req, page, cart, form, fe, 422);
    };
    if (e.kind == ErrorKind::payment_failed)
      return again("card_number", e.code == "insufficient_funds"
                                      ? "checkout_error_insufficient_funds"
                                      : "checkout_error_card_declined");
    if (e.code == "insufficient_stock" || e.code == "variant_unavailable") {
      adjust_cart(ctx, cart);
      return Site::redirect_with_notice("/cart", "cart_notice_adjusted");
    }
    if (e.code == "cart_not_found" || e.code == "cart_expired" || e.code == "cart_not_open" ||
        e.code == "cart_empty") {
      Response res = Site::redirect_with_notice("/cart", "cart_notice_expired");
      res.headers.add("Set-Cookie", clear_cart_cookie(req.secure));
      return res;
    }
    if (e.code.rfind("coupon_", 0) == 0) {
      (void)ctx.cart().carts.set_coupon(cart.id, std::nullopt);
      return Site::redirect_with_notice("/cart", "cart_notice_coupon_dropped");
    }
    if (e.code == "shipping_method_unavailable")
      return again("shipping_method", "checkout_error_shipping_method");
    if (e.code == "invalid_country") return again("country", "checkout_error_country");
    if (e.code == "invalid_card_number" || e.code == "card_number_required")
      return again("card_number", "checkout_error_card_number");
    if (e.code == "idempotency_key_reused") return again("card_number", "checkout_error_retry");
    if ((e.kind == ErrorKind::unprocessable || e.kind == ErrorKind::invalid) && !e.fields.empty()) {
      std::string field = field_of(e.fields.front().field);
      return again(field, "checkout_error_" + field);
    }
    log::warn("checkout failed", {{"code", e.code}, {"message", e.message}});
    if (e.kind == ErrorKind::conflict || e.kind == ErrorKind::unavailable)
      return again("card_number", "checkout_error_retry");
    return ctx.site.server_error(req);
  }

  return placed(req, done->order.id);
}

// The order `id` when this browser placed it (fff_last_order) or its owner is signed in.
std::optional<orders::Order> own_order(Ctx& ctx, const Request& req, const std::string& id) {
  if (!is_uuid(id)) return std::nullopt;
  auto o = ctx.checkout.orders.find(id);
  if (!o) return std::nullopt;
  auto me = shopper_of(req);
  if (me && o->account_id && *o->account_id == *me) return std::move(*o);
  auto last = req.cookie(kLastOrderCookie);
  if (last && *last == id) return std::move(*o);
  return std::nullopt;
}

json::object address_view(const orders::Address& a, const std::string& locale) {
  const Country* c = country_named(a.country);
  return {{"name", a.name},
          {"line1", a.line1},
          {"line2", a.line2},
          {"city", a.city},
          {"postal_code", a.postal_code},
          {"country", c ? (locale == "vi" ? c->vi : c->en) : a.country},
          {"phone", a.phone}};
}

json::object order_view(Ctx& ctx, const std::string& locale, const orders::Order& o) {
  const Site& site = ctx.site;
  Currency c = parse_currency(o.currency).value_or(Currency::USD);
  auto m = [c](int64_t minor) { return Site::money(Money(minor, c)); };
  // The catalog's labels for the colour and size codes the order keeps ("camel" → "Camel").
  std::map<std::string, catalog::VariantView> labels;
  {
    std::vector<std::string> ids;
    for (const auto& l : o.lines) ids.push_back(l.variant_id);
    auto views = ctx.cart().catalog.variant_views(ids);
    if (views)
      for (auto& v : *views) labels.emplace(v.variant_id, std::move(v));
  }
  json::array lines;
  for (const auto& l : o.lines) {
    auto label = labels.find(l.variant_id);
    bool known = label != labels.end();
    std::string colour =
        known && !label->second.colour_label.empty() ? label->second.colour_label : l.colour;
    std::string size =
        known && !label->second.size_label.empty() ? label->second.size_label : l.size;
    json::object line{{"name", l.product_name},
                      {"url", l.product_slug.empty() ? std::string() : "/p/" + l.product_slug},
                      {"colour", colour},
                      {"size", size},
                      {"quantity", l.quantity},
                      {"unit_price", m(l.unit_price_minor)},
                      {"line_total", m(l.subtotal_minor)}};
    json::object image = image_view(l.image_key, l.product_name);
    if (!image.empty()) line["image"] = std::move(image);
    lines.push_back(std::move(line));
  }
  json::array timeline;
  for (const auto& t : o.timeline) {
    if (t.internal) continue;
    timeline.push_back(json::object{{"at", short_time(t.at)}, {"detail", t.detail}});
  }
  json::array shipments;
  for (const auto& s : o.shipments) {
    json::object sh{{"carrier", s.carrier},
                    {"tracking_number", s.tracking_number},
                    {"shipped_at", short_time(s.shipped_at)}};
    if (s.tracking_url && s.tracking_url->rfind("https://", 0) == 0)
      sh["tracking_url"] = *s.tracking_url;
    shipments.push_back(std::move(sh));
  }
  std::string status = orders::to_string(o.status);
  return {{"id", o.id},
          {"number", o.number},
          {"email", o.email},
          {"status", status},
          {"status_label", site.t(locale, "order_status_" + status)},
          {"placed_at", short_time(o.created_at)},
          {"lines", std::move(lines)},
          {"subtotal", m(o.subtotal_minor)},
          {"has_discount", o.discount_minor > 0},
          {"discount", m(o.discount_minor)},
          {"shipping",
           o.shipping_minor == 0 ? site.t(locale, "cart_shipping_free") : m(o.shipping_minor)},
          {"shipping_name", o.shipping_method_name},
          {"tax", m(o.tax_minor)},
          {"prices_include_tax", o.prices_include_tax},
          {"total", m(o.total_minor)},
          {"coupon", o.coupon_code ? json::value(*o.coupon_code) : json::value(nullptr)},
          {"cod", o.payment_method == "cash_on_delivery"},
          {"needs_confirmation", o.payment_status == "requires_action"},
          {"cancelled", o.status == orders::Status::cancelled},
          {"address", address_view(o.shipping_address, locale)},
          {"timeline", std::move(timeline)},
          {"shipments", std::move(shipments)},
          {"has_shipments", !o.shipments.empty()}};
}

Response confirmation_page(Ctx& ctx, const Request& req) {
  auto page = ctx.site.context(req);
  auto o = own_order(ctx, req, std::string(req.param("order_id")));
  if (!o) return ctx.site.not_found(req);
  json::object data{
      {"order", order_view(ctx, page.locale, *o)},
      {"sent_to", ctx.site.t(page.locale, "order_confirmation_sent", {{"email", o->email}})}};
  PageMeta meta;
  meta.title = ctx.site.t(page.locale, "order_title", {{"number", o->number}});
  meta.description = ctx.site.t(page.locale, "order_description");
  meta.noindex = true;
  Response res = ctx.site.render(req, page, 200, "order_confirmation", std::move(data), meta);
  res.headers.set("Cache-Control", "private, no-store");
  return res;
}

Response confirm_payment(Ctx& ctx, const Request& req) {
  std::string id(req.param("order_id"));
  auto o = own_order(ctx, req, id);
  if (!o || !o->payment_id) return ctx.site.not_found(req);
  bool ok = Form::of(req).get("result") != "failed";
  auto me = shopper_of(req);
  auto out = ctx.actions.confirm_payment(*o->payment_id, ok, me ? "customer:" + *me : "guest");
  if (!out) {
    log::warn("payment confirmation failed", {{"code", out.error().code}});
    return Site::redirect_with_notice("/order/" + id, "order_notice_confirm_failed");
  }
  return Site::redirect_with_notice(
      "/order/" + id, ok ? "order_notice_payment_confirmed" : "order_notice_payment_refused");
}

Response track_page(Ctx& ctx, const Request& req) {
  auto page = ctx.site.context(req);
  std::string number, email;
  if (req.method == "POST") {
    Form f = Form::of(req);
    number = f.get("number");
    email = f.get("email");
  } else {
    number = req.query_param("number").value_or("");
    email = req.query_param("email").value_or("");
  }
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    return s;
  };
  number = trim(number);
  email = trim(email);
  for (auto& ch : number) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  json::object data{{"values", json::object{{"number", number}, {"email", email}}}};
  // A link may carry just the number (from the confirmation): the form is then prefilled.
  bool asked = req.method == "POST" || (!number.empty() && !email.empty());
  int status = 200;
  if (asked) {
    FormErrors errors;
    if (number.empty() || number.size() > 40)
      errors.fields["number"] = ctx.site.t(page.locale, "track_error_number");
    if (email.empty() || email.find('@') == std::string::npos || email.size() > 254)
      errors.fields["email"] = ctx.site.t(page.locale, "track_error_email");
    if (!errors.empty()) {
      status = 422;
      json::object invalid;
      for (const auto& [field, _] : errors.fields) invalid[field] = true;
      data["invalid"] = std::move(invalid);
      data["errors"] = errors.to_json();
    } else {
      auto lower = [](std::string s) {
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
      };
      auto o = ctx.checkout.orders.find_by_number(number);
      if (o && lower(o->email) == lower(email)) {
        data["order"] = order_view(ctx, page.locale, *o);
      } else {
        if (!o && o.error().kind != ErrorKind::not_found)
          log::warn("order tracking failed", {{"code", o.error().code}});
        data["not_found"] = true;
      }
    }
  }
  PageMeta meta;
  meta.title = ctx.site.t(page.locale, "track_title");
  meta.description = ctx.site.t(page.locale, "track_description");
  meta.noindex = asked;
  meta.canonical = "/track";
  Response res = ctx.site.render(req, page, status, "track", std::move(data), meta);
  if (asked) res.headers.set("Cache-Control", "private, no-store");
  return res;
}

}  // namespace

void add_checkout_pages(http::Router& router, Site& site, CheckoutPageServices services) {
  auto ctx = std::make_shared<Ctx>(
      Ctx{site, services.checkout, flows::OrderActions(services.orders), services.accounts});

  router.add(
      "GET", "/checkout",
      [ctx](const Request& req) {
        auto page = ctx->site.context(req);
        auto ready = ready_cart(*ctx, req);
        if (ready.redirect) return std::move(*ready.redirect);
        // Lines that cannot be bought go back to the cart first.
        auto view = price_for_view(ctx->cart(), *ready.cart, {});
        if (view) {
          for (const auto& l : view->priced.lines)
            if (l.warning && *l.warning != "only_few_left")
              return Site::redirect_with_notice("/cart", "cart_notice_fix_lines");
        }
        CheckoutForm form;
        if (auto me = shopper_of(req); me && ctx->accounts) prefill(*ctx->accounts, *me, form);
        if (auto q = req.query_param("country")) form.country = *q;
        return render_checkout(*ctx, req, page, *ready.cart, form, {}, 200);
      },
      kPage);
  router.add(
      "POST", "/checkout", [ctx](const Request& req) { return place_order(*ctx, req); }, kForm);
  router.add(
      "GET", "/order/{order_id}",
      [ctx](const Request& req) { return confirmation_page(*ctx, req); }, kSecretPage);
  router.add(
      "POST", "/order/{order_id}/confirm-payment",
      [ctx](const Request& req) { return confirm_payment(*ctx, req); }, kSecretForm);
  router.add(
      "GET", "/track", [ctx](const Request& req) { return track_page(*ctx, req); }, kPage);
  router.add(
      "POST", "/track", [ctx](const Request& req) { return track_page(*ctx, req); }, kForm);
}

}  // namespace fff::web
