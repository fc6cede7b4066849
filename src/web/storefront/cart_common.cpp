#include "web/storefront/cart_common.hpp"

#include <boost/json/array.hpp>

#include "flows/cart_api.hpp"
#include "modules/media/service.hpp"

namespace fff::web {

namespace json = boost::json;

std::optional<std::string> shopper_of(const http::Request& req) {
  if (req.principal && req.principal->kind == http::Principal::Kind::customer &&
      !req.principal->account_id.empty())
    return req.principal->account_id;
  return std::nullopt;
}

std::string cart_cookie(const std::string& id, int expiry_days, bool secure) {
  return std::string(flows::kCartCookie) + "=" + id +
         "; Path=/; Max-Age=" + std::to_string(int64_t{expiry_days} * 86'400) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::string clear_cart_cookie(bool secure) {
  return std::string(flows::kCartCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

Result<std::map<std::string, int64_t>> availability(flows::CartServices& s,
                                                    const std::vector<std::string>& ids) {
  if (ids.empty()) return std::map<std::string, int64_t>{};
  return s.inventory.available(ids);
}

Result<CurrentCart> current_cart(flows::CartServices& s, const http::Request& req) {
  CurrentCart out;
  auto account = shopper_of(req);
  std::optional<std::string> cookie;
  if (auto c = req.cookie(flows::kCartCookie); c && !c->empty()) cookie = std::string(*c);

  if (cookie) {
    auto found = s.carts.find_for(*cookie, account);
    if (!found) {
      if (found.error().kind != ErrorKind::not_found) return found.error();
      out.stale_cookie = true;
    } else if (found->status != "open") {
      out.stale_cookie = true;
    } else if (!account || found->account_id) {
      out.cart = std::move(*found);
      return out;
    } else {
      // A signed-in customer holding a guest cart: it becomes theirs (or merges into theirs).
      std::vector<std::string> ids;
      for (const auto& l : found->lines) ids.push_back(l.variant_id);
      auto mine = s.carts.open_cart_of(*account);
      if (!mine) return mine.error();
      if (*mine)
        for (const auto& l : (*mine)->lines) ids.push_back(l.variant_id);
      auto available = availability(s, ids);
      if (!available) return available.error();
      auto claimed = s.carts.claim(found->id, *account, *available);
      if (!claimed) return claimed.error();
      out.set_cookie = claimed->id != *cookie;
      out.cart = std::move(*claimed);
      return out;
    }
  }
  if (account) {
    auto mine = s.carts.open_cart_of(*account);
    if (!mine) return mine.error();
    if (*mine) {
      out.cart = std::move(**mine);
      out.set_cookie = !cookie || *cookie != out.cart->id;
      out.stale_cookie = false;
    }
  }
  return out;
}

Result<PricedView> price_for_view(flows::CartServices& s, const cart::Cart& cart,
                                  pricing::QuoteRequest options) {
  options.account_id = cart.account_id;
  auto priced = flows::price_cart(s, cart, options);
  PricedView out;
  if (!priced && priced.error().code.rfind("coupon_", 0) == 0 && cart.coupon_code) {
    out.coupon_error = priced.error();
    cart::Cart without = cart;
    without.coupon_code.reset();
    priced = flows::price_cart(s, without, options);
  }
  if (!priced) return priced.error();
  out.priced = std::move(*priced);
  return out;
}

int64_t item_count(const cart::Cart& cart) {
  int64_t n = 0;
  for (const auto& l : cart.lines) n += l.quantity;
  return n;
}

json::object image_view(const std::optional<std::string>& key, const std::string& alt) {
  if (!key || key->empty()) return {};
  return {{"src", media::MediaService::variant_url(*key, 320)},
          {"srcset", media::MediaService::variant_url(*key, 320) + " 320w, " +
                         media::MediaService::variant_url(*key, 640) + " 640w"},
          {"alt", alt},
          {"width", 320},
          {"height", 400}};
}

json::object cart_view(const Site& site, const std::string& locale, const PricedView& view) {
  const auto& priced = view.priced;
  const auto& q = priced.quote;
  Currency c = q.currency;
  auto m = [c](int64_t minor) { return Site::money(Money(minor, c)); };
  json::array lines;
  bool blocked = false;
  for (const auto& l : priced.lines) {
    json::object line{
        {"id", l.line.id},
        {"variant_id", l.line.variant_id},
        {"name", l.product_name.empty() ? l.sku : l.product_name},
        {"slug", l.product_slug},
        {"url", l.product_slug.empty() ? std::string() : "/p/" + l.product_slug},
        {"sku", l.sku},
        {"colour", l.colour_label.empty() ? l.colour : l.colour_label},
        {"size", l.size_label.empty() ? l.size : l.size_label},
        {"quantity", l.line.quantity},
        {"max_quantity", std::max<int64_t>(1, std::min<int64_t>(l.available, 20))},
        {"unit_price", m(l.priced.unit_price_minor)},
        {"line_total", m(l.priced.subtotal_minor)},
        {"has_discount", l.priced.discount_minor > 0},
        {"discount", m(l.priced.discount_minor)},
        {"available", l.available},
    };
    json::object image = image_view(l.image_key, l.product_name);
    if (!image.empty()) line["image"] = std::move(image);
    if (l.warning) {
      line["warning"] =
          site.t(locale, "cart_warning_" + *l.warning, {{"n", std::to_string(l.available)}});
      line["warning_code"] = *l.warning;
      bool severe = *l.warning != "only_few_left";
      line["warning_severe"] = severe;
      if (severe) blocked = true;
    }
    lines.push_back(std::move(line));
  }
  json::object out{
      {"lines", std::move(lines)},
      {"empty", priced.lines.empty()},
      {"item_count", item_count(priced.cart)},
      {"subtotal", m(q.subtotal_minor)},
      {"has_discount", q.discount_minor > 0},
      {"discount", m(q.discount_minor)},
      {"tax", m(q.tax_minor)},
      {"has_tax", q.tax_minor > 0 || !q.prices_include_tax},
      {"prices_include_tax", q.prices_include_tax},
      {"total", m(q.total_minor)},
      {"blocked", blocked},
      {"free_shipping", q.free_shipping},
  };
  if (q.shipping) {
    out["shipping"] =
        q.shipping_minor == 0 ? site.t(locale, "cart_shipping_free") : m(q.shipping_minor);
    out["shipping_name"] = q.shipping->name;
  }
  if (q.coupon_code) out["coupon"] = *q.coupon_code;
  if (view.coupon_error && priced.cart.coupon_code) {
    out["coupon_problem"] =
        site.t(locale, "cart_coupon_not_applied", {{"code", *priced.cart.coupon_code}});
    out["stored_coupon"] = *priced.cart.coupon_code;
  }
  return out;
}

}  // namespace fff::web
