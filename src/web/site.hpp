// web/site: what every storefront page shares — templates, interface strings in English and
// Vietnamese, money formatting, hashed static assets, the page cache, forms and redirects.
//
// Page handlers (web/storefront/*.cpp) build a view model (boost::json) from services and flows
// and hand it to Site::render(), which wraps it in the layout. Templates are kainjow mustache,
// embedded from web/templates/storefront at build time; `{{x}}` escapes HTML, `{{{x}}}` is only
// for HTML the code made itself (the rendered body, JSON-LD). Strings come from
// web/i18n/<locale>/*.json (flat key → text, one file per page area) and reach templates as
// `{{t.key}}`.
//
// Thread-safety: a Site is immutable after add_layout_filler()/routes are set up at start-up,
// except its page cache, which is internally synchronised. Every method may run on many handler
// threads at once.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/money.hpp"
#include "infra/http/message.hpp"
#include "infra/http/router.hpp"

namespace fff::http {
class CsrfTokens;
}

namespace fff::web {

inline constexpr const char* kLocaleCookie = "fff_lang";
inline constexpr const char* kNoticeCookie = "fff_notice";

// Who is asking and how the page should speak to them; made once per request by Site::context().
struct PageContext {
  std::string locale = "en";  // "en" | "vi": the fff_lang cookie, else Accept-Language
  std::string path;           // the request path, for canonical links and "back" targets
  std::string csrf;           // the session's CSRF token for forms ("" without a session)
  // The signed-in customer (null for a guest or a staff session).
  std::shared_ptr<const http::Principal> customer;
  std::optional<std::string> cart_id;  // the fff_cart cookie
  std::optional<std::string> notice;   // a one-shot message key set by redirect_with_notice()
  // True when the page may differ per visitor (signed in, has a cart, a notice): such pages
  // bypass the shared page cache and are sent `Cache-Control: private, no-cache`.
  bool personal() const { return customer || cart_id || notice; }
};

// What the <head> says about a page.
struct PageMeta {
  std::string title;        // "Linen shirt – FFF"; the shop name is appended when missing
  std::string description;  // meta description, ≤ 160 characters preferred
  std::string canonical;    // path + canonical query ("/c/women?size=m"); "" → no canonical link
  std::string og_type = "website";  // "product" on product pages
  std::string og_image;             // absolute or root-relative URL of the share image
  std::string preload_image;        // LCP image to <link rel=preload> (with preload_srcset)
  std::string preload_srcset;
  std::string preload_sizes;
  std::vector<std::string> json_ld;  // serialized JSON-LD objects (Organization is added always)
  bool noindex = false;              // cart, checkout, account, search results
};

// A decoded application/x-www-form-urlencoded body (or query string).
class Form {
 public:
  static Form parse(std::string_view encoded);
  static Form of(const http::Request& request);  // the body of a form POST
  // The first value of `name`, trimmed of surrounding spaces; "" when absent.
  std::string get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Field name → message, shown next to the fields; `values` refills the form.
struct FormErrors {
  std::map<std::string, std::string> fields;
  std::string summary;  // shown above the form ("" for none)
  bool empty() const { return fields.empty() && summary.empty(); }
  // {"summary": …, "fields": {"email": "…"}, "list": [{"field","message"}]} for templates.
  boost::json::object to_json() const;
};

struct SiteOptions {
  std::string shop_name = "FFF";
  std::string public_url = "http://localhost:8080";  // absolute URLs: sitemap, canonical, OG
  std::string session_cookie = "fff_session";
  // Page cache: anonymous GETs (no session, cart or notice cookie) are served from memory for
  // up to this long, and until invalidate_pages().
  int page_cache_seconds = 30;
  size_t page_cache_entries = 2000;
};

class Site {
 public:
  // Loads templates, strings and assets embedded in the binary. Errors: invalid
  // "template_invalid" / "strings_invalid" naming the file.
  static Result<std::unique_ptr<Site>> create(SiteOptions options,
                                              std::shared_ptr<const http::CsrfTokens> csrf);
  ~Site();

  const SiteOptions& options() const { return options_; }

  // --- per request ---
  PageContext context(const http::Request& request) const;

  // Renders page template `page` (web/templates/storefront/<page>.mustache) with `data`, inside
  // the layout. Adds to the data: t (strings), locale, csrf, assets, shop, customer, notice,
  // plus what layout fillers add (navigation, cart count). ETag + 304 on If-None-Match, gzip
  // when accepted, Content-Language, caching per PageContext::personal().
  http::Response render(const http::Request& request, const PageContext& context, int status,
                        std::string_view page, boost::json::object data,
                        const PageMeta& meta) const;

  // One template (no layout, no strings) with `data`: for the admin console, which has a layout
  // of its own ("admin/_layout"). Throws std::runtime_error when the template fails to render.
  std::string render_template(std::string_view name, const boost::json::object& data) const;
  // A finished page: weak ETag (304 on If-None-Match), gzip when accepted.
  http::Response finish(const http::Request& request, http::Response response) const;
  // The admin console's script URLs (web/static/admin/*.js, hashed).
  boost::json::array admin_scripts() const;
  // The session-bound HMAC behind CSRF tokens (null without a session secret).
  const http::CsrfTokens* csrf_tokens() const;

  // GET page handlers wrap their work in this: an anonymous request is answered from the page
  // cache when it can be, else `build` runs and its 200 answer is kept for the next visitor.
  http::Response cached(const http::Request& request,
                        const std::function<http::Response(const PageContext&)>& build) const;
  // Forgets every cached page (the catalog, stock or prices changed).
  void invalidate_pages() const;

  // 303 See Other to a local path (anything not starting with a single '/' becomes "/").
  static http::Response redirect(std::string_view location, int status = 303);
  // redirect() that shows string `notice_key` once on the next page (fff_notice cookie).
  static http::Response redirect_with_notice(std::string_view location,
                                             std::string_view notice_key);
  // The 404 page (with a search box) for `request`; what unknown paths and slugs answer.
  http::Response not_found(const http::Request& request) const;
  // The 500 page, without touching any service (it must render when everything else fails).
  http::Response server_error(const http::Request& request) const;
  // For the app's pipeline: what a browser sees instead of an error the server made — the 404
  // page for an unknown path outside /api/ asked for with Accept: text/html, the 500 page when a
  // page route failed. Any other response is returned as it is.
  http::Response error_page(const http::Request& request, http::Response response) const;

  // --- strings and formatting ---
  // The string `key` in `locale` (English when missing there; the key itself when missing
  // everywhere, which the tests catch). `{name}` placeholders are replaced from `args`.
  std::string t(std::string_view locale, std::string_view key,
                const std::map<std::string, std::string>& args = {}) const;
  // "$1,234.50", "1.234.000 ₫".
  static std::string money(const Money& amount);
  // The hashed URL of a static asset: "css/site.css" → "/assets/site.3f2a9c1b.css".
  std::string asset_url(std::string_view name) const;

  // A layout filler adds to every page's data (e.g. "nav" categories, "cart_count"). Register
  // at start-up only. Fillers must be cheap: they run on every render.
  using LayoutFiller =
      std::function<void(const http::Request&, const PageContext&, boost::json::object& data)>;
  void add_layout_filler(LayoutFiller filler);

  // Routes the site itself owns: /assets/{file}, /favicon.ico, /robots.txt, /lang/{locale},
  // the static pages (/pages/about, /pages/shipping-returns, /pages/contact, /pages/faq).
  void add_routes(http::Router& router) const;

  struct Impl;

 private:
  explicit Site(SiteOptions options);
  SiteOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fff::web
