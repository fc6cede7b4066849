#include "web/storefront/cart_pages.hpp"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <memory>

#include "core/id.hpp"
#include "core/log.hpp"
#include "web/storefront/cart_common.hpp"

namespace fff::web {

namespace json = boost::json;
using http::Request;
using http::Response;

std::string default_country(Currency shop_currency) {
  return shop_currency == Currency::VND ? "VN" : "US";
}

namespace {

struct Ctx {
  Site& site;
  flows::CartServices services;
};

const http::RouteOptions kPage{.page = true};
const http::RouteOptions kForm{.body_limit = 8 * 1024, .page = true};

bool wants_json(const Request& req) {
  auto accept = req.headers.get("Accept");
  return accept && accept->find("application/json") != std::string_view::npos;
}

// 1..max from a form field ("" → `fallback`); nullopt for anything else.
std::optional<int64_t> quantity_field(const std::string& text, int64_t max, int64_t fallback) {
  if (text.empty()) return fallback;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n < 0 || n > max)
    return std::nullopt;
  return n;
}

// Where a failed add goes back to: the product page it came from, else the cart.
std::string back_from(const Request& req) {
  auto referer = req.headers.get("Referer");
  if (!referer) return "/cart";
  auto at = referer->find("/p/");
  if (at == std::string_view::npos) return "/cart";
  std::string path(referer->substr(at));
  if (path.find("//") != std::string::npos || path.find('\\') != std::string::npos) return "/cart";
  return path;
}

// The notice key for a cart error.
std::string notice_for(const Error& e) {
  if (e.code == "insufficient_stock") return "cart_notice_not_enough_stock";
  if (e.code == "invalid_quantity") return "cart_notice_quantity_limit";
  if (e.code == "too_many_lines") return "cart_notice_too_many_lines";
  if (e.code == "variant_unavailable") return "cart_notice_unavailable";
  if (e.code == "choose_variant") return "cart_notice_choose_variant";
  if (e.code == "cart_line_not_found") return "cart_notice_line_gone";
  if (e.code == "coupon_not_found" || e.code == "coupon_expired" ||
      e.code == "coupon_minimum_not_met" || e.code == "coupon_used_up" ||
      e.code == "coupon_not_yet_valid")
    return "cart_notice_" + e.code;
  if (e.code.rfind("coupon_", 0) == 0) return "cart_notice_coupon_invalid";
  return "cart_notice_failed";
}

int status_for(const Error& e) {
  switch (e.kind) {
    case ErrorKind::conflict: return 409;
    case ErrorKind::not_found: return 404;
    case ErrorKind::invalid:
    case ErrorKind::unprocessable: return 422;
    default: return 500;
  }
}

void add_cookie(Response& res, const Ctx& ctx, const Request& req, const cart::Cart& cart) {
  res.headers.add("Set-Cookie",
                  cart_cookie(cart.id, ctx.services.carts.limits().expiry_days, req.secure));
}

// The open cart to change: the current one, or a new one.
Result<CurrentCart> cart_to_change(Ctx& ctx, const Request& req) {
  auto current = current_cart(ctx.services, req);
  if (!current) return current.error();
  if (!current->cart) {
    auto made = ctx.services.carts.create(shopper_of(req));
    if (!made) return made.error();
    current->cart = std::move(*made);
    current->set_cookie = true;
  }
  return current;
}

Response add_to_cart(Ctx& ctx, const Request& req) {
  auto page = ctx.site.context(req);
  auto form = Form::of(req);
  bool js = wants_json(req);
  auto fail = [&](const Error& e, const std::optional<cart::Cart>& cart) {
    std::string key = notice_for(e);
    if (e.kind == ErrorKind::internal || e.kind == ErrorKind::unavailable)
      log::warn("add to cart failed", {{"code", e.code}, {"message", e.message}});
    Response res;
    if (js) {
      res = Response::text(
          status_for(e) == 500 ? 503 : status_for(e),
          json::serialize(json::object{{"error", e.code},
                                       {"message", ctx.site.t(page.locale, key)},
                                       {"cart_count", cart ? item_count(*cart) : 0}}),
          "application/json");
    } else {
      res = Site::redirect_with_notice(back_from(req), key);
    }
    if (cart) add_cookie(res, ctx, req, *cart);
    return res;
  };

  std::string variant_id = form.get("variant_id");
  if (variant_id.empty() || !is_uuid(variant_id))
    return fail(Error::unprocessable("choose_variant", "choose a colour and size"), std::nullopt);
  auto quantity = quantity_field(form.get("quantity"), ctx.services.carts.limits().max_quantity, 1);
  if (!quantity || *quantity < 1)
    return fail(Error::unprocessable("invalid_quantity", "quantity out of range"), std::nullopt);

  auto views = ctx.services.catalog.variant_views({variant_id});
  if (!views) return fail(views.error(), std::nullopt);
  if (views->empty() || views->front().product_status != "active")
    return fail(Error::unprocessable("variant_unavailable", "not for sale"), std::nullopt);

  auto available = availability(ctx.services, {variant_id});
  if (!available) return fail(available.error(), std::nullopt);
  auto a = available->find(variant_id);
  int64_t units = a == available->end() ? 0 : a->second;
  // Sold out: say so without making a bag for nothing.
  if (units < *quantity && !page.cart_id && !shopper_of(req))
    return fail(Error::conflict("insufficient_stock", "not enough stock"), std::nullopt);
  auto current = cart_to_change(ctx, req);
  if (!current) return fail(current.error(), std::nullopt);
  auto changed = ctx.services.carts.add_line(current->cart->id, variant_id, *quantity, units);
  if (!changed) {
    auto e = changed.error();
    return fail(e, current->set_cookie ? current->cart : std::nullopt);
  }
  Response res;
  if (js) {
    res = Response::text(
        200,
        json::serialize(json::object{{"cart_count", item_count(*changed)},
                                     {"message", ctx.site.t(page.locale, "cart_notice_added")},
                                     {"view_label", ctx.site.t(page.locale, "cart_view_bag")},
                                     {"view_url", "/cart"}}),
        "application/json");
    res.headers.set("Cache-Control", "no-store");
  } else {
    res = Site::redirect_with_notice("/cart", "cart_notice_added");
  }
  add_cookie(res, ctx, req, *changed);
  return res;
}

Response cart_page(Ctx& ctx, const Request& req) {
  auto page = ctx.site.context(req);
  auto current = current_cart(ctx.services, req);
  if (!current) {
    log::warn("cart page failed", {{"code", current.error().code}});
    return ctx.site.server_error(req);
  }
  json::object data;
  Currency currency = ctx.services.pricing.settings().currency;
  if (current->cart && !current->cart->lines.empty()) {
    // A shipping estimate for the shop's home country and its first method.
    pricing::QuoteRequest options;
    std::string country = default_country(currency);
    auto methods = ctx.services.pricing.shipping_methods(country);
    if (methods && !methods->empty()) {
      options.country = country;
      options.shipping_method = methods->front().code;
    }
    auto view = price_for_view(ctx.services, *current->cart, options);
    if (!view && options.shipping_method) view = price_for_view(ctx.services, *current->cart, {});
    if (!view) {
      log::warn("cart pricing failed", {{"code", view.error().code}});
      return ctx.site.server_error(req);
    }
    data["cart"] = cart_view(ctx.site, page.locale, *view);
  } else {
    data["cart"] = json::object{{"empty", true}, {"item_count", 0}};
  }
  PageMeta meta;
  meta.title = ctx.site.t(page.locale, "cart_title");
  meta.description = ctx.site.t(page.locale, "cart_description");
  // Indexable on purpose: a crawler has no cart cookie and sees the empty bag, nothing personal,
  // and a blocked page costs the shop's SEO audit (Lighthouse counts noindex as uncrawlable).
  meta.canonical = "/cart";
  Response res = ctx.site.render(req, page, 200, "cart", std::move(data), meta);
  if (current->cart && current->set_cookie) add_cookie(res, ctx, req, *current->cart);
  if (!current->cart && current->stale_cookie)
    res.headers.add("Set-Cookie", clear_cart_cookie(req.secure));
  return res;
}

// The shopper's open cart for a change to it; a redirect to /cart when there is none.
template <typename Change>
Response change_cart(Ctx& ctx, const Request& req, Change&& change, const char* done_notice) {
  auto current = current_cart(ctx.services, req);
  if (!current) return Site::redirect_with_notice("/cart", "cart_notice_failed");
  if (!current->cart) {
    Response res = Site::redirect_with_notice("/cart", "cart_notice_expired");
    if (current->stale_cookie) res.headers.add("Set-Cookie", clear_cart_cookie(req.secure));
    return res;
  }
  Result<cart::Cart> changed = change(*current->cart);
  Response res = changed ? Site::redirect_with_notice("/cart", done_notice)
                         : Site::redirect_with_notice("/cart", notice_for(changed.error()));
  if (current->set_cookie) add_cookie(res, ctx, req, *current->cart);
  return res;
}

}  // namespace

void add_cart_pages(http::Router& router, Site& site, CartPageServices services) {
  auto ctx = std::make_shared<Ctx>(Ctx{site, services.cart});

  router.add(
      "POST", "/cart/add", [ctx](const Request& req) { return add_to_cart(*ctx, req); }, kForm);
  router.add(
      "GET", "/cart", [ctx](const Request& req) { return cart_page(*ctx, req); }, kPage);

  router.add(
      "POST", "/cart/lines/{line_id}",
      [ctx](const Request& req) {
        auto form = Form::of(req);
        std::string line(req.param("line_id"));
        auto quantity =
            quantity_field(form.get("quantity"), ctx->services.carts.limits().max_quantity, -1);
        if (!quantity || *quantity < 0)
          return Site::redirect_with_notice("/cart", "cart_notice_quantity_limit");
        int64_t n = *quantity;
        return change_cart(
            *ctx, req,
            [&](const cart::Cart& cart) -> Result<cart::Cart> {
              if (n == 0) return ctx->services.carts.remove_line(cart.id, line);
              auto variant = ctx->services.carts.line_variant(cart.id, line);
              if (!variant) return variant.error();
              auto available = availability(ctx->services, {*variant});
              if (!available) return available.error();
              auto a = available->find(*variant);
              return ctx->services.carts.set_quantity(cart.id, line, n,
                                                      a == available->end() ? 0 : a->second);
            },
            n == 0 ? "cart_notice_removed" : "cart_notice_updated");
      },
      kForm);

  router.add(
      "POST", "/cart/lines/{line_id}/remove",
      [ctx](const Request& req) {
        std::string line(req.param("line_id"));
        return change_cart(
            *ctx, req,
            [&](const cart::Cart& cart) { return ctx->services.carts.remove_line(cart.id, line); },
            "cart_notice_removed");
      },
      kForm);

  router.add(
      "POST", "/cart/coupon",
      [ctx](const Request& req) {
        auto form = Form::of(req);
        std::string code = form.get("code");
        if (code.empty() || code.size() > 64)
          return Site::redirect_with_notice("/cart", "cart_notice_coupon_not_found");
        return change_cart(
            *ctx, req,
            [&](const cart::Cart& cart) -> Result<cart::Cart> {
              auto view = price_for_view(ctx->services, cart, {});
              if (!view) return view.error();
              auto normalised = ctx->services.pricing.check_coupon(
                  code, view->priced.quote.subtotal_minor, cart.account_id, std::nullopt);
              if (!normalised) return normalised.error();
              return ctx->services.carts.set_coupon(cart.id, *normalised);
            },
            "cart_notice_coupon_applied");
      },
      kForm);

  router.add(
      "POST", "/cart/coupon/remove",
      [ctx](const Request& req) {
        return change_cart(
            *ctx, req,
            [&](const cart::Cart& cart) {
              return ctx->services.carts.set_coupon(cart.id, std::nullopt);
            },
            "cart_notice_coupon_removed");
      },
      kForm);

  // The header's bag count: one small read of the shopper's cart.
  site.add_layout_filler([ctx](const Request& req, const PageContext& page, json::object& data) {
    int64_t n = 0;
    auto account = shopper_of(req);
    bool found = false;
    if (page.cart_id && !page.cart_id->empty()) {
      auto cart = ctx->services.carts.find_for(*page.cart_id, account);
      if (cart && cart->status == "open") {
        n = item_count(*cart);
        found = true;
      }
    }
    if (!found && account) {
      auto mine = ctx->services.carts.open_cart_of(*account);
      if (mine && *mine) n = item_count(**mine);
    }
    data["cart_count"] = n;
  });
}

}  // namespace fff::web
