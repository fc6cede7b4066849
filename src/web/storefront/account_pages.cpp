#include "web/storefront/account_pages.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/id.hpp"
#include "core/log.hpp"
#include "core/money.hpp"
#include "flows/cart_api.hpp"
#include "modules/accounts/api.hpp"
#include "modules/media/service.hpp"

namespace fff::web {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr size_t kFormLimit = 16 * 1024;
const http::RouteOptions kPage{.body_limit = kFormLimit, .page = true};
// A mailed token rides in the query: the access log shows only the path, never the query.
const http::RouteOptions kTokenPage{.body_limit = kFormLimit, .page = true};
constexpr int kOrdersPerPage = 10;

struct Pages {
  Site& site;
  AccountPageServices s;
};

// ---- small helpers ------------------------------------------------------------------------

std::string encode(std::string_view in) {
  return http::percent_encode(in, "/");
}

// The signed-in customer's principal (a cookie session); null for guests and staff.
const http::Principal* customer_of(const Request& req) {
  const auto& p = req.principal;
  if (p && p->kind == http::Principal::Kind::customer && !p->account_id.empty() &&
      !p->session_id.empty())
    return p.get();
  return nullptr;
}

// Where to go after signing in: a local path only (never another site, never back to the
// sign-in pages themselves); /account otherwise.
std::string safe_next(std::string_view next) {
  const std::string fallback = "/account";
  if (next.empty() || next.size() > 1000 || next[0] != '/') return fallback;
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return fallback;
  for (unsigned char c : next)
    if (c < 0x20 || c == 0x7f || c == '\\') return fallback;
  for (std::string_view no : {"/account/signin", "/account/signup", "/account/signout"})
    if (next.substr(0, no.size()) == no) return fallback;
  return std::string(next);
}

Response to_signin(const Request& req) {
  return Site::redirect("/account/signin?next=" + encode(req.target));
}

// The raw (untrimmed) value of a form field: passwords keep their spaces.
std::string raw(const Form& form, std::string_view name) {
  auto all = form.all(name);
  return all.empty() ? std::string() : all.front();
}

std::string cookie_attrs(int64_t max_age, bool secure) {
  return "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
         (secure ? "; Secure" : "");
}

int64_t session_max_age(const accounts::AccountService& accounts) {
  return int64_t{accounts.settings().session_max_days} * 86'400;
}

PageMeta meta_for(const Site& site, const PageContext& ctx, std::string_view key) {
  PageMeta meta;
  meta.title = site.t(ctx.locale, std::string(key) + "_title");
  meta.description = site.t(ctx.locale, "account_meta_description");
  meta.noindex = true;
  return meta;
}

// "Nov 26, 2026" / "26/11/2026", optionally with the time (UTC) of an ISO 8601 timestamp.
std::string format_date(std::string_view iso, const std::string& locale, bool with_time = false) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (iso.size() < 10) return std::string(iso);
  int y = 0, m = 0, d = 0;
  if (std::sscanf(std::string(iso.substr(0, 10)).c_str(), "%d-%d-%d", &y, &m, &d) != 3 || m < 1 ||
      m > 12)
    return std::string(iso);
  char buf[64];
  if (locale == "vi")
    std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d, m, y);
  else
    std::snprintf(buf, sizeof buf, "%s %d, %04d", kMonths[m - 1], d, y);
  std::string out = buf;
  if (with_time && iso.size() >= 16) out += " · " + std::string(iso.substr(11, 5)) + " UTC";
  return out;
}

std::string money_of(int64_t minor, const std::string& currency) {
  return Site::money(Money(minor, parse_currency(currency).value_or(Currency::USD)));
}

// ---- form fields and their messages -------------------------------------------------------

// The module's field messages ("is one of the most common passwords") in the page's language.
std::string field_message(const Site& site, const std::string& locale, const std::string& msg) {
  static const std::pair<const char*, const char*> kKnown[] = {
      {"is required", "account_err_required"},
      {"is not an email address", "account_err_email"},
      {"is longer than 254 bytes", "account_err_too_long"},
      {"is one of the most common passwords", "account_err_password_common"},
      {"must not be the email address", "account_err_password_email"},
      {"is not a phone number", "account_err_phone"},
      {"is not an ISO 3166-1 alpha-2 country code", "account_err_country"},
      {"must not contain control characters", "account_err_control"},
      {"is unknown, used or expired", "account_err_token"},
  };
  for (const auto& [text, key] : kKnown)
    if (msg == text) return site.t(locale, key);
  auto number_in = [&](std::string_view prefix) -> std::optional<std::string> {
    if (msg.rfind(prefix, 0) != 0) return std::nullopt;
    std::string rest = msg.substr(prefix.size());
    return rest.substr(0, rest.find(' '));
  };
  if (auto n = number_in("needs at least "))
    return site.t(locale, "account_err_min_chars", {{"n", *n}});
  if (msg.rfind("must be at most ", 0) == 0 && msg.ends_with(" characters"))
    return site.t(locale, "account_err_max_chars", {{"n", *number_in("must be at most ")}});
  if (msg.rfind("must be at most ", 0) == 0) return site.t(locale, "account_err_too_long");
  return site.t(locale, "account_err_invalid");
}

// The errors a service answered, as messages next to the fields a form has (any other field's
// message goes to the summary).
FormErrors form_errors(const Site& site, const std::string& locale, const Error& e,
                       std::initializer_list<std::string_view> fields) {
  FormErrors out;
  for (const auto& f : e.fields) {
    bool known = false;
    for (auto name : fields) known = known || f.field == name;
    std::string message = field_message(site, locale, f.message);
    if (known)
      out.fields.emplace(f.field, message);
    else if (out.summary.empty())
      out.summary = message;
  }
  if (out.summary.empty()) out.summary = site.t(locale, "account_err_summary");
  return out;
}

struct FieldSpec {
  const char* name;
  const char* label_key;
  const char* type = "text";
  const char* autocomplete = "";
  bool required = true;
  const char* help_key = "";
  const char* inputmode = "";
};

// One form field for _account_field.mustache: label, value, help and error tied together with
// aria-describedby.
json::object field(const Site& site, const std::string& locale, const std::string& form_id,
                   const FieldSpec& f, const std::string& value, const FormErrors& errors) {
  std::string id = form_id + "-" + f.name;
  std::string error;
  if (auto it = errors.fields.find(f.name); it != errors.fields.end()) error = it->second;
  std::string help = *f.help_key ? site.t(locale, f.help_key) : std::string();
  std::string describedby;
  if (!help.empty()) describedby = id + "-help";
  if (!error.empty()) describedby += (describedby.empty() ? "" : " ") + id + "-error";
  return {{"id", id},
          {"name", f.name},
          {"label", site.t(locale, f.label_key)},
          {"type", f.type},
          {"value", std::string(f.type) == "password" ? std::string() : value},
          {"autocomplete", f.autocomplete},
          {"inputmode", f.inputmode},
          {"required", f.required},
          {"help", help},
          {"error", error},
          {"describedby", describedby},
          {"is_select", false}};
}

// ---- sessions and the guest cart ----------------------------------------------------------

// Merges the browser's guest cart into the customer's cart as the cart API's claim does; the id
// of the customer's open cart afterwards (to put in fff_cart), or nullopt to leave it alone.
std::optional<std::string> claim_guest_cart(Pages& p, const Request& req,
                                            const std::string& account_id) {
  try {
    std::optional<std::string> guest_id;
    if (auto c = req.cookie(flows::kCartCookie); c && !c->empty()) guest_id = std::string(*c);
    std::optional<std::string> account = account_id;
    if (guest_id) {
      auto guest = p.s.carts.find_for(*guest_id, account);
      if (guest && !guest->account_id && guest->status == "open" && !guest->lines.empty()) {
        std::vector<std::string> ids;
        for (const auto& l : guest->lines) ids.push_back(l.variant_id);
        auto mine = p.s.carts.open_cart_of(account_id);
        if (!mine) return std::nullopt;
        if (*mine)
          for (const auto& l : (*mine)->lines) ids.push_back(l.variant_id);
        auto available = p.s.inventory.available(ids);
        if (!available) return std::nullopt;
        auto claimed = p.s.carts.claim(guest->id, account_id, *available);
        if (!claimed) {
          log::warn("guest cart not claimed at sign-in", {{"error", claimed.error().code}});
          return std::nullopt;
        }
        return claimed->id;
      }
    }
    auto mine = p.s.carts.open_cart_of(account_id);
    if (mine && *mine) return (*mine)->id;
  } catch (const std::exception& e) {
    log::warn("guest cart not claimed at sign-in", {{"error", e.what()}});
  }
  return std::nullopt;
}

// ---- guest pages: sign up, sign in, forgot, reset, verify, unlock --------------------------

Response render_signin(Pages& p, const Request& req, const PageContext& ctx, int status,
                       const std::string& email, const std::string& next, const FormErrors& errors,
                       const std::string& alert = {}) {
  const Site& site = p.site;
  json::object d{
      {"next", next},
      {"errors", errors.to_json()},
      {"alert", alert},
      {"signup_href",
       "/account/signup" + (next == "/account" ? std::string() : "?next=" + encode(next))},
      {"email_field",
       field(site, ctx.locale, "signin",
             {"email", "account_email", "email", "email", true, "", "email"}, email, errors)},
      {"password_field",
       field(site, ctx.locale, "signin",
             {"password", "account_password", "password", "current-password"}, "", errors)}};
  return site.render(req, ctx, status, "account_signin", std::move(d),
                     meta_for(site, ctx, "account_signin"));
}

Response render_signup(Pages& p, const Request& req, const PageContext& ctx, int status,
                       const Form& form, const std::string& next, const FormErrors& errors) {
  const Site& site = p.site;
  json::object d{
      {"next", next},
      {"errors", errors.to_json()},
      {"signin_href",
       "/account/signin" + (next == "/account" ? std::string() : "?next=" + encode(next))},
      {"name_field", field(site, ctx.locale, "signup", {"name", "account_name", "text", "name"},
                           form.get("name"), errors)},
      {"email_field",
       field(site, ctx.locale, "signup",
             {"email", "account_email", "email", "email", true, "account_email_help", "email"},
             form.get("email"), errors)},
      {"password_field", field(site, ctx.locale, "signup",
                               {"password", "account_password", "password", "new-password", true,
                                "account_password_rules"},
                               "", errors)}};
  return site.render(req, ctx, status, "account_signup", std::move(d),
                     meta_for(site, ctx, "account_signup"));
}

Response signin_page(Pages& p, const Request& req) {
  std::string next = safe_next(req.query_param("next").value_or(""));
  if (customer_of(req)) return Site::redirect(next);
  PageContext ctx = p.site.context(req);
  return render_signin(p, req, ctx, 200, req.query_param("email").value_or(""), next, {});
}

Response signin_post(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  const Site& site = p.site;
  Form form = Form::of(req);
  std::string next = safe_next(form.get("next"));
  std::string email = form.get("email");
  std::string password = raw(form, "password");
  FormErrors errors;
  if (email.empty()) errors.fields["email"] = site.t(ctx.locale, "account_err_email_required");
  if (password.empty())
    errors.fields["password"] = site.t(ctx.locale, "account_err_password_required");
  if (!errors.empty()) {
    errors.summary = site.t(ctx.locale, "account_err_summary");
    return render_signin(p, req, ctx, 422, email, next, errors);
  }
  auto made = p.s.accounts.log_in(email, password);
  if (!made) {
    const Error& e = made.error();
    if (e.code == "invalid_email") {
      errors = form_errors(site, ctx.locale, e, {"email"});
      return render_signin(p, req, ctx, 422, email, next, errors);
    }
    if (e.code == "invalid_credentials") {
      errors.summary = site.t(ctx.locale, "account_err_credentials");
      return render_signin(p, req, ctx, 422, email, next, errors);
    }
    if (e.kind == ErrorKind::rate_limited) {
      int minutes = std::max(1, (e.retry_after + 59) / 60);
      errors.summary = e.retry_after > 6 * 3600 ? site.t(ctx.locale, "account_err_locked_long")
                                                : site.t(ctx.locale, "account_err_locked",
                                                         {{"n", std::to_string(minutes)}});
      Response res = render_signin(p, req, ctx, 429, email, next, errors);
      if (e.retry_after > 0) res.headers.set("Retry-After", std::to_string(e.retry_after));
      return res;
    }
    log::warn("sign-in page failed", {{"error", e.code}});
    return site.server_error(req);
  }
  // Staff sign in to the back office, not the shop: their session ends here at once.
  if (made->account.role != accounts::Role::customer) {
    (void)p.s.accounts.log_out(made->session.id);
    errors.summary = site.t(ctx.locale, "account_err_staff");
    return render_signin(p, req, ctx, 422, email, next, errors);
  }
  // A session the browser already had is replaced: no fixation across sign-ins.
  if (req.principal && !req.principal->session_id.empty() &&
      req.principal->session_id != made->session.id)
    (void)p.s.accounts.log_out(req.principal->session_id);
  auto cart_id = claim_guest_cart(p, req, made->account.id);
  Response res = Site::redirect_with_notice(next, "account_notice_signed_in");
  res.headers.add("Set-Cookie",
                  accounts::session_cookie(made->token, session_max_age(p.s.accounts), req.secure));
  if (cart_id)
    res.headers.add("Set-Cookie",
                    std::string(flows::kCartCookie) + "=" + *cart_id +
                        cookie_attrs(int64_t{p.s.carts.limits().expiry_days} * 86'400, req.secure));
  return res;
}

Response signup_page(Pages& p, const Request& req) {
  std::string next = safe_next(req.query_param("next").value_or(""));
  if (customer_of(req)) return Site::redirect(next);
  PageContext ctx = p.site.context(req);
  return render_signup(p, req, ctx, 200, Form(), next, {});
}

Response signup_post(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  const Site& site = p.site;
  Form form = Form::of(req);
  std::string next = safe_next(form.get("next"));
  auto done = p.s.accounts.sign_up(form.get("email"), raw(form, "password"), form.get("name"));
  if (!done) {
    const Error& e = done.error();
    if (e.kind != ErrorKind::unprocessable) {
      log::warn("sign-up page failed", {{"error", e.code}});
      return site.server_error(req);
    }
    return render_signup(p, req, ctx, 422, form, next,
                         form_errors(site, ctx.locale, e, {"name", "email", "password"}));
  }
  // The same answer whether or not the email had an account: sign in next.
  std::string to = "/account/signin?email=" + encode(form.get("email"));
  if (next != "/account") to += "&next=" + encode(next);
  return Site::redirect_with_notice(to, "account_notice_signed_up");
}

Response signout_post(Pages& p, const Request& req) {
  if (req.principal && !req.principal->session_id.empty())
    (void)p.s.accounts.log_out(req.principal->session_id);
  Response res = Site::redirect_with_notice("/", "account_notice_signed_out");
  res.headers.add("Set-Cookie", accounts::cleared_session_cookie(req.secure));
  // The cart cookie named the customer's cart: a guest after signing out starts afresh.
  if (customer_of(req))
    res.headers.add("Set-Cookie",
                    std::string(flows::kCartCookie) + "=" + cookie_attrs(0, req.secure));
  return res;
}

Response render_forgot(Pages& p, const Request& req, const PageContext& ctx, int status,
                       const std::string& email, const FormErrors& errors) {
  const Site& site = p.site;
  json::object d{
      {"errors", errors.to_json()},
      {"email_field",
       field(site, ctx.locale, "forgot",
             {"email", "account_email", "email", "email", true, "", "email"}, email, errors)}};
  return site.render(req, ctx, status, "account_forgot", std::move(d),
                     meta_for(site, ctx, "account_forgot"));
}

Response forgot_page(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  return render_forgot(p, req, ctx, 200, req.query_param("email").value_or(""), {});
}

Response forgot_post(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  Form form = Form::of(req);
  std::string email = form.get("email");
  FormErrors errors;
  if (email.empty()) {
    errors.fields["email"] = p.site.t(ctx.locale, "account_err_email_required");
    errors.summary = p.site.t(ctx.locale, "account_err_summary");
    return render_forgot(p, req, ctx, 422, email, errors);
  }
  auto done = p.s.accounts.forgot_password(email);
  if (!done) {
    if (done.error().kind == ErrorKind::unprocessable)
      return render_forgot(p, req, ctx, 422, email,
                           form_errors(p.site, ctx.locale, done.error(), {"email"}));
    log::warn("forgot-password page failed", {{"error", done.error().code}});
    return p.site.server_error(req);
  }
  // Always the same answer: nothing here tells whether the email has an account.
  return Site::redirect_with_notice("/account/signin", "account_notice_reset_sent");
}

Response render_reset(Pages& p, const Request& req, const PageContext& ctx, int status,
                      const std::string& token, const FormErrors& errors, bool bad_link) {
  const Site& site = p.site;
  json::object d{{"token", token},
                 {"bad_link", bad_link},
                 {"errors", errors.to_json()},
                 {"password_field", field(site, ctx.locale, "reset",
                                          {"password", "account_new_password", "password",
                                           "new-password", true, "account_password_rules"},
                                          "", errors)}};
  return site.render(req, ctx, status, "account_reset", std::move(d),
                     meta_for(site, ctx, "account_reset"));
}

Response reset_page(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  std::string token = req.query_param("token").value_or("");
  bool bad = !accounts::is_secret_token(token);
  return render_reset(p, req, ctx, bad ? 422 : 200, bad ? "" : token, {}, bad);
}

Response reset_post(Pages& p, const Request& req) {
  PageContext ctx = p.site.context(req);
  Form form = Form::of(req);
  std::string token = form.get("token");
  std::string password = raw(form, "password");
  if (!accounts::is_secret_token(token)) return render_reset(p, req, ctx, 422, "", {}, true);
  FormErrors errors;
  if (password.empty()) {
    errors.fields["password"] = p.site.t(ctx.locale, "account_err_password_required");
    errors.summary = p.site.t(ctx.locale, "account_err_summary");
    return render_reset(p, req, ctx, 422, token, errors, false);
  }
  auto done = p.s.accounts.reset_password(token, password);
  if (!done) {
    const Error& e = done.error();
    if (e.code == "invalid_token") return render_reset(p, req, ctx, 422, "", {}, true);
    if (e.kind == ErrorKind::unprocessable)
      return render_reset(p, req, ctx, 422, token, form_errors(p.site, ctx.locale, e, {"password"}),
                          false);
    log::warn("reset-password page failed", {{"error", e.code}});
    return p.site.server_error(req);
  }
  // Every session of the account ended; this browser's too.
  Response res = Site::redirect_with_notice("/account/signin", "account_notice_password_reset");
  res.headers.add("Set-Cookie", accounts::cleared_session_cookie(req.secure));
  return res;
}

// Verification and unlock links: the GET shows a button (mail scanners that fetch links must
// not use the token up); the POST spends it.
Response token_page(Pages& p, const Request& req, std::string_view kind) {
  PageContext ctx = p.site.context(req);
  std::string token = req.query_param("token").value_or("");
  bool bad = !accounts::is_secret_token(token);
  std::string k(kind);
  json::object d{{"token", bad ? "" : token},
                 {"bad_link", bad},
                 {"action", "/account/" + k},
                 {"heading", p.site.t(ctx.locale, "account_" + k + "_heading")},
                 {"text", p.site.t(ctx.locale, "account_" + k + "_text")},
                 {"button", p.site.t(ctx.locale, "account_" + k + "_button")}};
  return p.site.render(req, ctx, bad ? 422 : 200, "account_token", std::move(d),
                       meta_for(p.site, ctx, "account_" + k));
}

Response token_post(Pages& p, const Request& req, std::string_view kind) {
  PageContext ctx = p.site.context(req);
  Form form = Form::of(req);
  std::string token = form.get("token");
  Error failure;
  bool ok = false;
  if (kind == "verify") {
    auto r = p.s.accounts.verify(token);
    ok = r.ok();
    if (!ok) failure = r.error();
  } else {
    auto r = p.s.accounts.unlock(token);
    ok = r.ok();
    if (!ok) failure = r.error();
  }
  if (ok)
    return Site::redirect_with_notice(
        customer_of(req) ? "/account" : "/account/signin",
        kind == "verify" ? "account_notice_verified" : "account_notice_unlocked");
  if (failure.kind == ErrorKind::unprocessable || failure.kind == ErrorKind::conflict) {
    std::string k(kind);
    json::object d{{"token", ""},
                   {"bad_link", true},
                   {"taken", failure.code == "email_taken"},
                   {"action", "/account/" + k},
                   {"heading", p.site.t(ctx.locale, "account_" + k + "_heading")}};
    return p.site.render(req, ctx, 422, "account_token", std::move(d),
                         meta_for(p.site, ctx, "account_" + k));
  }
  log::warn("account link page failed", {{"error", failure.code}});
  return p.site.server_error(req);
}

// ---- the signed-in customer's pages --------------------------------------------------------

json::object nav(std::string_view current) {
  json::object n;
  for (const char* item : {"overview", "orders", "addresses", "profile"}) n[item] = current == item;
  return n;
}

const char* status_class(orders::Status s) {
  using S = orders::Status;
  switch (s) {
    case S::pending_payment: return "acct-status-waiting";
    case S::confirmed:
    case S::paid:
    case S::partially_fulfilled:
    case S::fulfilled: return "acct-status-active";
    case S::shipped: return "acct-status-shipped";
    case S::delivered: return "acct-status-done";
    case S::cancelled:
    case S::refunded:
    case S::partially_refunded:
    case S::returned: return "acct-status-closed";
  }
  return "acct-status-closed";
}

std::string image_of(const std::optional<std::string>& key) {
  if (!key || key->empty()) return {};
  return media::MediaService::variant_url(*key, 320);
}

// Size and colour codes as labels: "s" → "S", "navy-blue" → "Navy blue".
std::string size_label(std::string code) {
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return code;
}
std::string colour_label(std::string code) {
  for (char& c : code)
    if (c == '-' || c == '_') c = ' ';
  if (!code.empty()) code[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(code[0])));
  return code;
}

json::object line_json(const std::string& locale, const Site& site, const orders::Order& o,
                       const orders::OrderLine& l) {
  std::vector<std::string> parts;
  if (!l.colour.empty())
    parts.push_back(site.t(locale, "account_colour") + ": " + colour_label(l.colour));
  if (!l.size.empty()) parts.push_back(site.t(locale, "account_size") + ": " + size_label(l.size));
  std::string variant;
  for (const auto& part : parts) variant += (variant.empty() ? "" : " · ") + part;
  return {{"name", l.product_name},
          {"href", l.product_slug.empty() ? std::string() : "/p/" + encode(l.product_slug)},
          {"variant", variant},
          {"sku", l.sku},
          {"quantity", std::to_string(l.quantity)},
          {"unit_price", money_of(l.unit_price_minor, o.currency)},
          {"total", money_of(l.subtotal_minor, o.currency)},
          {"image", image_of(l.image_key)},
          {"alt", l.product_name}};
}

json::object order_summary(const std::string& locale, const Site& site, const orders::Order& o) {
  int64_t items = 0;
  json::array thumbs;
  for (const auto& l : o.lines) {
    items += l.quantity;
    if (thumbs.size() < 4 && l.image_key)
      thumbs.push_back(json::object{{"image", image_of(l.image_key)}, {"alt", l.product_name}});
  }
  return {{"number", o.number},
          {"href", "/account/orders/" + encode(o.number)},
          {"date", format_date(o.created_at, locale)},
          {"status", site.t(locale, std::string("account_status_") + orders::to_string(o.status))},
          {"status_class", status_class(o.status)},
          {"total", money_of(o.total_minor, o.currency)},
          {"items", site.t(locale, items == 1 ? "account_items_one" : "account_items_many",
                           {{"n", std::to_string(items)}})},
          {"thumbs", std::move(thumbs)}};
}

struct Country {
  const char* code;
  const char* en;
  const char* vi;
};
constexpr Country kCountries[] = {
    {"VN", "Vietnam", "Việt Nam"},
    {"US", "United States", "Hoa Kỳ"},
    {"GB", "United Kingdom", "Vương quốc Anh"},
    {"AU", "Australia", "Úc"},
    {"CA", "Canada", "Canada"},
    {"FR", "France", "Pháp"},
    {"DE", "Germany", "Đức"},
    {"IT", "Italy", "Ý"},
    {"ES", "Spain", "Tây Ban Nha"},
    {"NL", "Netherlands", "Hà Lan"},
    {"JP", "Japan", "Nhật Bản"},
    {"KR", "South Korea", "Hàn Quốc"},
    {"SG", "Singapore", "Singapore"},
    {"TH", "Thailand", "Thái Lan"},
    {"MY", "Malaysia", "Malaysia"},
    {"ID", "Indonesia", "Indonesia"},
    {"PH", "Philippines", "Philippines"},
    {"CN", "China", "Trung Quốc"},
    {"HK", "Hong Kong", "Hồng Kông"},
    {"TW", "Taiwan", "Đài Loan"},
    {"IN", "India", "Ấn Độ"},
    {"NZ", "New Zealand", "New Zealand"},
};

std::string country_name(const std::string& code, const std::string& locale) {
  for (const auto& c : kCountries)
    if (code == c.code) return locale == "vi" ? c.vi : c.en;
  return code;
}

json::object address_view(const accounts::Address& a, const std::string& locale) {
  json::array lines;
  for (const std::string* s : {&a.line1, &a.line2})
    if (!s->empty()) lines.push_back(json::value(*s));
  std::string city = a.city;
  if (!a.region.empty()) city += ", " + a.region;
  if (!a.postal_code.empty()) city += " " + a.postal_code;
  lines.push_back(json::value(city));
  lines.push_back(json::value(country_name(a.country, locale)));
  return {{"id", a.id},
          {"name", a.name},
          {"lines", std::move(lines)},
          {"phone", a.phone},
          {"is_default", a.is_default},
          {"edit_href", "/account/addresses/" + a.id + "/edit"},
          {"delete_action", "/account/addresses/" + a.id + "/delete"},
          {"default_action", "/account/addresses/" + a.id + "/default"}};
}

Response overview_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  orders::OrderFilter filter;
  filter.account_id = me->account_id;
  filter.limit = 3;
  auto recent = p.s.orders.list(filter);
  if (!recent) return p.site.server_error(req);
  json::array orders;
  for (const auto& o : recent->items) orders.push_back(order_summary(ctx.locale, p.site, o));
  bool has_orders = !orders.empty();
  auto addresses = p.s.accounts.addresses(me->account_id);
  if (!addresses) return p.site.server_error(req);
  json::value default_address = nullptr;
  for (const auto& a : *addresses)
    if (a.is_default || default_address.is_null()) default_address = address_view(a, ctx.locale);
  json::object d{{"acct_nav", nav("overview")},
                 {"name", account->name},
                 {"greeting", p.site.t(ctx.locale, "account_hello", {{"name", account->name}})},
                 {"email", account->email},
                 {"verified", account->email_verified_at.has_value()},
                 {"since", format_date(account->created_at, ctx.locale)},
                 {"orders", std::move(orders)},
                 {"has_orders", has_orders},
                 {"address", std::move(default_address)},
                 {"address_count", std::to_string(addresses->size())}};
  return p.site.render(req, ctx, 200, "account_overview", std::move(d),
                       meta_for(p.site, ctx, "account_overview"));
}

Response resend_post(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  if (auto r = p.s.accounts.resend_verification(account->email); !r) {
    log::warn("verification mail not resent", {{"error", r.error().code}});
    return p.site.server_error(req);
  }
  return Site::redirect_with_notice("/account", "account_notice_verify_sent");
}

Response orders_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  orders::OrderFilter filter;
  filter.account_id = me->account_id;
  filter.limit = kOrdersPerPage;
  auto after = req.query_param("after");
  if (after && is_uuid(*after)) filter.after = *after;
  auto page = p.s.orders.list(filter);
  if (!page) return p.site.server_error(req);
  json::array items;
  for (const auto& o : page->items) items.push_back(order_summary(ctx.locale, p.site, o));
  bool has_orders = !items.empty();
  json::object d{
      {"acct_nav", nav("orders")},
      {"orders", std::move(items)},
      {"has_orders", has_orders},
      {"pager", filter.after.has_value() || page->next.has_value()},
      {"paged", filter.after.has_value()},
      {"next_href", page->next ? "/account/orders?after=" + *page->next : std::string()}};
  return p.site.render(req, ctx, 200, "account_orders", std::move(d),
                       meta_for(p.site, ctx, "account_orders"));
}

std::string carrier_name(const Site& site, const std::string& locale, const std::string& code) {
  static const std::map<std::string, std::string> kNames = {
      {"ups", "UPS"},       {"fedex", "FedEx"}, {"dhl", "DHL"},  {"usps", "USPS"},
      {"vnpost", "VNPost"}, {"ghn", "GHN"},     {"ghtk", "GHTK"}};
  auto it = kNames.find(code);
  return it != kNames.end() ? it->second : site.t(locale, "account_carrier_other");
}

// The customer's view of the timeline, newest first: staff notes and technical entries left out.
json::array timeline_json(const Site& site, const std::string& locale, const orders::Order& o) {
  json::array out;
  for (auto it = o.timeline.rbegin(); it != o.timeline.rend(); ++it) {
    const auto& e = *it;
    if (e.internal) continue;
    std::string label, detail;
    if (e.event == "placed") {
      label = site.t(locale, "account_event_placed");
    } else if (e.event == "status_changed") {
      auto arrow = e.detail.find("→ ");
      if (arrow == std::string::npos) continue;
      std::string to = e.detail.substr(arrow + std::string("→ ").size());
      to = to.substr(0, to.find(':'));
      if (!orders::parse_status(to)) continue;
      label = site.t(locale, "account_event_to_" + to);
    } else if (e.event == "shipment_added") {
      std::string carrier = e.detail.substr(0, e.detail.find(' '));
      label = site.t(locale, "account_event_shipment",
                     {{"carrier", carrier_name(site, locale, carrier)}});
      if (e.detail.find(' ') != std::string::npos) detail = e.detail.substr(e.detail.find(' ') + 1);
    } else if (e.event.rfind("return_", 0) == 0) {
      label = site.t(locale, "account_event_" + e.event);
      if (label == "account_event_" + e.event) continue;
    } else {
      continue;
    }
    out.push_back(json::object{{"label", label},
                               {"detail", detail},
                               {"date", format_date(e.at, locale, true)},
                               {"datetime", e.at},
                               {"latest", out.empty()}});
  }
  return out;
}

// Placed → confirmed → shipped → delivered, for orders on that road.
json::value progress_json(const Site& site, const std::string& locale, orders::Status s) {
  using S = orders::Status;
  int reached = -1;
  switch (s) {
    case S::pending_payment: reached = 0; break;
    case S::confirmed:
    case S::paid:
    case S::partially_fulfilled:
    case S::fulfilled: reached = 1; break;
    case S::shipped: reached = 2; break;
    case S::delivered: reached = 3; break;
    default: return nullptr;
  }
  json::array steps;
  const char* keys[] = {"account_step_placed", "account_step_confirmed", "account_step_shipped",
                        "account_step_delivered"};
  for (int i = 0; i < 4; ++i)
    steps.push_back(json::object{
        {"label", site.t(locale, keys[i])}, {"done", i <= reached}, {"current", i == reached}});
  return json::object{{"steps", std::move(steps)}};
}

json::object order_address_json(const orders::Address& a, const std::string& locale) {
  json::array lines;
  for (const std::string* s : {&a.line1, &a.line2})
    if (!s->empty()) lines.push_back(json::value(*s));
  std::string city = a.city;
  if (!a.region.empty()) city += ", " + a.region;
  if (!a.postal_code.empty()) city += " " + a.postal_code;
  if (!city.empty()) lines.push_back(json::value(city));
  if (!a.country.empty()) lines.push_back(json::value(country_name(a.country, locale)));
  return {{"name", a.name}, {"lines", std::move(lines)}, {"phone", a.phone}};
}

Response order_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  const Site& site = p.site;
  auto found = p.s.orders.find_by_number(std::string(req.param("number")));
  if (!found) {
    if (found.error().kind == ErrorKind::not_found) return site.not_found(req);
    return site.server_error(req);
  }
  const orders::Order& o = *found;
  // Another customer's order, or a guest's: as if it did not exist.
  if (!o.account_id || *o.account_id != me->account_id) return site.not_found(req);
  const std::string& locale = ctx.locale;
  json::array lines;
  for (const auto& l : o.lines) lines.push_back(line_json(locale, site, o, l));
  json::array shipments;
  for (const auto& s : o.shipments) {
    json::array items;
    for (const auto& l : s.lines)
      items.push_back(
          json::object{{"name", l.product_name}, {"quantity", std::to_string(l.quantity)}});
    shipments.push_back(json::object{{"carrier", carrier_name(site, locale, s.carrier)},
                                     {"tracking_number", s.tracking_number},
                                     {"tracking_url", s.tracking_url.value_or("")},
                                     {"date", format_date(s.shipped_at, locale)},
                                     {"items", std::move(items)}});
  }
  auto m = [&](int64_t v) { return money_of(v, o.currency); };
  json::object totals{
      {"subtotal", m(o.subtotal_minor)},
      {"discount", o.discount_minor ? "−" + m(o.discount_minor) : std::string()},
      {"coupon", o.coupon_code.value_or("")},
      {"shipping", o.shipping_minor ? m(o.shipping_minor) : site.t(locale, "account_free")},
      {"tax", o.tax_minor ? m(o.tax_minor) : std::string()},
      {"tax_included", o.prices_include_tax},
      {"total", m(o.total_minor)},
      {"refunded", o.refunded_minor ? m(o.refunded_minor) : std::string()}};
  std::string status = orders::to_string(o.status);
  json::object d{
      {"acct_nav", nav("orders")},
      {"number", o.number},
      {"heading", site.t(locale, "account_order_heading", {{"number", o.number}})},
      {"date", format_date(o.created_at, locale)},
      {"status", site.t(locale, "account_status_" + status)},
      {"status_class", status_class(o.status)},
      {"status_text", site.t(locale, "account_status_text_" + status)},
      {"progress", progress_json(site, locale, o.status)},
      {"lines", std::move(lines)},
      {"totals", std::move(totals)},
      {"shipping_address", order_address_json(o.shipping_address, locale)},
      {"shipping_method", o.shipping_method_name},
      {"payment", site.t(locale, o.payment_method == "cash_on_delivery" ? "account_pay_cod"
                                                                        : "account_pay_card")},
      {"email", o.email},
      {"shipments", std::move(shipments)},
      {"timeline", timeline_json(site, locale, o)}};
  PageMeta meta = meta_for(site, ctx, "account_order");
  meta.title = site.t(locale, "account_order_heading", {{"number", o.number}});
  return site.render(req, ctx, 200, "account_order", std::move(d), meta);
}

// ---- addresses ------------------------------------------------------------------------------

json::object address_form(const Site& site, const std::string& locale, const Form& values,
                          const FormErrors& errors) {
  json::object f;
  const FieldSpec specs[] = {
      {"name", "account_addr_name", "text", "name"},
      {"line1", "account_addr_line1", "text", "address-line1"},
      {"line2", "account_addr_line2", "text", "address-line2", false},
      {"city", "account_addr_city", "text", "address-level2"},
      {"region", "account_addr_region", "text", "address-level1", false},
      {"postal_code", "account_addr_postal_code", "text", "postal-code", false},
      {"phone", "account_addr_phone", "tel", "tel", false, "", "tel"},
  };
  for (const auto& spec : specs)
    f[spec.name] = field(site, locale, "address", spec, values.get(spec.name), errors);
  json::object country =
      field(site, locale, "address", {"country", "account_addr_country", "select", "country"},
            values.get("country"), errors);
  std::string chosen = values.get("country");
  if (chosen.empty()) chosen = locale == "vi" ? "VN" : "US";
  json::array options;
  bool listed = false;
  for (const auto& c : kCountries) {
    listed = listed || chosen == c.code;
    options.push_back(json::object{{"value", c.code},
                                   {"label", locale == "vi" ? c.vi : c.en},
                                   {"selected", chosen == c.code}});
  }
  if (!listed)
    options.push_back(json::object{{"value", chosen}, {"label", chosen}, {"selected", true}});
  country["options"] = std::move(options);
  country["is_select"] = true;
  f["country"] = std::move(country);
  f["is_default"] = values.has("is_default") && values.get("is_default") != "0";
  return f;
}

Form form_of(const accounts::Address& a) {
  std::string encoded;
  auto add = [&](const char* k, const std::string& v) {
    encoded += std::string(encoded.empty() ? "" : "&") + k + "=" + encode(v);
  };
  add("name", a.name);
  add("line1", a.line1);
  add("line2", a.line2);
  add("city", a.city);
  add("region", a.region);
  add("postal_code", a.postal_code);
  add("country", a.country);
  add("phone", a.phone);
  if (a.is_default) add("is_default", "1");
  return Form::parse(encoded);
}

accounts::AddressPatch patch_of(const Form& form) {
  accounts::AddressPatch patch;
  patch.name = form.get("name");
  patch.line1 = form.get("line1");
  patch.line2 = form.get("line2");
  patch.city = form.get("city");
  patch.region = form.get("region");
  patch.postal_code = form.get("postal_code");
  patch.country = form.get("country");
  patch.phone = form.get("phone");
  if (form.has("is_default") && form.get("is_default") != "0") patch.is_default = true;
  return patch;
}

Response render_address_form(Pages& p, const Request& req, const PageContext& ctx, int status,
                             const std::string& address_id, const Form& values,
                             const FormErrors& errors) {
  bool editing = !address_id.empty();
  json::object d{
      {"acct_nav", nav("addresses")},
      {"editing", editing},
      {"heading", p.site.t(ctx.locale, editing ? "account_addr_edit" : "account_addr_new")},
      {"action", editing ? "/account/addresses/" + address_id : std::string("/account/addresses")},
      {"errors", errors.to_json()},
      {"f", address_form(p.site, ctx.locale, values, errors)}};
  PageMeta meta = meta_for(p.site, ctx, "account_addresses");
  meta.title = p.site.t(ctx.locale, editing ? "account_addr_edit" : "account_addr_new");
  return p.site.render(req, ctx, status, "account_address_form", std::move(d), meta);
}

Response address_failure(Pages& p, const Request& req, const PageContext& ctx,
                         const std::string& address_id, const Form& form, const Error& e) {
  if (e.code == "address_not_found") return p.site.not_found(req);
  if (e.code == "too_many_addresses") {
    FormErrors errors;
    errors.summary = p.site.t(ctx.locale, "account_err_too_many_addresses");
    return render_address_form(p, req, ctx, 422, address_id, form, errors);
  }
  if (e.kind == ErrorKind::unprocessable)
    return render_address_form(p, req, ctx, 422, address_id, form,
                               form_errors(p.site, ctx.locale, e,
                                           {"name", "line1", "line2", "city", "region",
                                            "postal_code", "country", "phone"}));
  log::warn("address page failed", {{"error", e.code}});
  return p.site.server_error(req);
}

Response addresses_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto list = p.s.accounts.addresses(me->account_id);
  if (!list) return p.site.server_error(req);
  json::array items;
  for (const auto& a : *list) items.push_back(address_view(a, ctx.locale));
  json::object d{{"acct_nav", nav("addresses")},
                 {"has_addresses", !list->empty()},
                 {"addresses", std::move(items)},
                 {"can_add", list->size() < p.s.accounts.settings().max_addresses}};
  return p.site.render(req, ctx, 200, "account_addresses", std::move(d),
                       meta_for(p.site, ctx, "account_addresses"));
}

Response address_new_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  return render_address_form(p, req, ctx, 200, "", Form(), {});
}

Response address_create(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  Form form = Form::of(req);
  accounts::AddressPatch patch = patch_of(form);
  // The first address of the book is the default one.
  if (auto existing = p.s.accounts.addresses(me->account_id); existing && existing->empty())
    patch.is_default = true;
  auto made = p.s.accounts.add_address(me->account_id, patch);
  if (!made) return address_failure(p, req, ctx, "", form, made.error());
  return Site::redirect_with_notice("/account/addresses", "account_notice_address_saved");
}

Response address_edit_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  std::string id(req.param("id"));
  auto a = p.s.accounts.address(me->account_id, id);
  if (!a) {
    if (a.error().kind == ErrorKind::not_found) return p.site.not_found(req);
    return p.site.server_error(req);
  }
  return render_address_form(p, req, ctx, 200, id, form_of(*a), {});
}

Response address_update(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  std::string id(req.param("id"));
  Form form = Form::of(req);
  auto a = p.s.accounts.update_address(me->account_id, id, patch_of(form));
  if (!a) return address_failure(p, req, ctx, id, form, a.error());
  return Site::redirect_with_notice("/account/addresses", "account_notice_address_saved");
}

Response address_delete(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  auto r = p.s.accounts.delete_address(me->account_id, std::string(req.param("id")));
  if (!r) {
    if (r.error().kind == ErrorKind::not_found) return p.site.not_found(req);
    return p.site.server_error(req);
  }
  return Site::redirect_with_notice("/account/addresses", "account_notice_address_deleted");
}

Response address_default(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  accounts::AddressPatch patch;
  patch.is_default = true;
  auto r = p.s.accounts.update_address(me->account_id, std::string(req.param("id")), patch);
  if (!r) {
    if (r.error().kind == ErrorKind::not_found) return p.site.not_found(req);
    return p.site.server_error(req);
  }
  return Site::redirect_with_notice("/account/addresses", "account_notice_address_default");
}

// ---- profile --------------------------------------------------------------------------------

struct ProfileForms {
  Form profile, email;
  FormErrors profile_errors, password_errors, email_errors;
};

Response render_profile(Pages& p, const Request& req, const PageContext& ctx, int status,
                        const accounts::Account& account, const ProfileForms& forms) {
  const Site& site = p.site;
  const std::string& l = ctx.locale;
  std::string name = forms.profile.has("name") ? forms.profile.get("name") : account.name;
  std::string phone =
      forms.profile.has("phone") ? forms.profile.get("phone") : account.phone.value_or("");
  json::object d{
      {"acct_nav", nav("profile")},
      {"email", account.email},
      {"verified", account.email_verified_at.has_value()},
      {"profile_errors", forms.profile_errors.to_json()},
      {"password_errors", forms.password_errors.to_json()},
      {"email_errors", forms.email_errors.to_json()},
      {"name_field", field(site, l, "profile", {"name", "account_name", "text", "name"}, name,
                           forms.profile_errors)},
      {"phone_field",
       field(site, l, "profile", {"phone", "account_phone", "tel", "tel", false, "", "tel"}, phone,
             forms.profile_errors)},
      {"current_field",
       field(site, l, "pw",
             {"current_password", "account_current_password", "password", "current-password"}, "",
             forms.password_errors)},
      {"new_field", field(site, l, "pw",
                          {"new_password", "account_new_password", "password", "new-password", true,
                           "account_password_rules"},
                          "", forms.password_errors)},
      {"new_email_field",
       field(site, l, "em", {"email", "account_new_email", "email", "email", true, "", "email"},
             forms.email.get("email"), forms.email_errors)},
      {"email_password_field",
       field(site, l, "em",
             {"password", "account_current_password", "password", "current-password"}, "",
             forms.email_errors)}};
  return site.render(req, ctx, status, "account_profile", std::move(d),
                     meta_for(site, ctx, "account_profile"));
}

Response profile_page(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  return render_profile(p, req, ctx, 200, *account, {});
}

Response profile_post(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  ProfileForms forms;
  forms.profile = Form::of(req);
  accounts::ProfilePatch patch;
  patch.name = forms.profile.get("name");
  std::string phone = forms.profile.get("phone");
  patch.phone = phone.empty() ? std::optional<std::string>{} : std::optional<std::string>{phone};
  auto done = p.s.accounts.update_profile(me->account_id, patch);
  if (!done) {
    if (done.error().kind != ErrorKind::unprocessable) return p.site.server_error(req);
    forms.profile_errors = form_errors(p.site, ctx.locale, done.error(), {"name", "phone"});
    return render_profile(p, req, ctx, 422, *account, forms);
  }
  return Site::redirect_with_notice("/account/profile", "account_notice_profile_saved");
}

Response password_post(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  Form form = Form::of(req);
  std::string current = raw(form, "current_password");
  std::string fresh = raw(form, "new_password");
  ProfileForms forms;
  if (current.empty())
    forms.password_errors.fields["current_password"] =
        p.site.t(ctx.locale, "account_err_password_required");
  if (fresh.empty())
    forms.password_errors.fields["new_password"] =
        p.site.t(ctx.locale, "account_err_password_required");
  if (forms.password_errors.empty()) {
    auto token = p.s.accounts.change_password(me->account_id, me->session_id, current, fresh);
    if (token) {
      Response res =
          Site::redirect_with_notice("/account/profile", "account_notice_password_changed");
      res.headers.add("Set-Cookie",
                      accounts::session_cookie(*token, session_max_age(p.s.accounts), req.secure));
      return res;
    }
    const Error& e = token.error();
    if (e.code == "wrong_password")
      forms.password_errors.fields["current_password"] =
          p.site.t(ctx.locale, "account_err_wrong_password");
    else if (e.kind == ErrorKind::unprocessable)
      forms.password_errors = form_errors(p.site, ctx.locale, e, {"new_password"});
    else if (e.kind == ErrorKind::unauthenticated)
      return to_signin(req);
    else
      return p.site.server_error(req);
  }
  if (forms.password_errors.summary.empty())
    forms.password_errors.summary = p.site.t(ctx.locale, "account_err_summary");
  return render_profile(p, req, ctx, 422, *account, forms);
}

Response email_post(Pages& p, const Request& req) {
  const auto* me = customer_of(req);
  if (!me) return to_signin(req);
  PageContext ctx = p.site.context(req);
  auto account = p.s.accounts.account(me->account_id);
  if (!account) return to_signin(req);
  ProfileForms forms;
  forms.email = Form::of(req);
  std::string email = forms.email.get("email");
  std::string password = raw(forms.email, "password");
  if (email.empty())
    forms.email_errors.fields["email"] = p.site.t(ctx.locale, "account_err_email_required");
  if (password.empty())
    forms.email_errors.fields["password"] = p.site.t(ctx.locale, "account_err_password_required");
  if (forms.email_errors.empty()) {
    auto r = p.s.accounts.request_email_change(me->account_id, password, email);
    if (r) return Site::redirect_with_notice("/account/profile", "account_notice_email_sent");
    const Error& e = r.error();
    if (e.code == "wrong_password")
      forms.email_errors.fields["password"] = p.site.t(ctx.locale, "account_err_wrong_password");
    else if (e.kind == ErrorKind::unprocessable)
      forms.email_errors = form_errors(p.site, ctx.locale, e, {"email"});
    else
      return p.site.server_error(req);
  }
  if (forms.email_errors.summary.empty())
    forms.email_errors.summary = p.site.t(ctx.locale, "account_err_summary");
  return render_profile(p, req, ctx, 422, *account, forms);
}

}  // namespace

void add_account_pages(http::Router& router, Site& site, AccountPageServices services) {
  auto p = std::make_shared<Pages>(Pages{site, services});
  auto page = [&router, p](const char* method, const char* path, auto fn,
                           const http::RouteOptions& options = kPage) {
    router.add(
        method, path, [p, fn](const Request& req) { return fn(*p, req); }, options);
  };
  page("GET", "/account/signin", signin_page);
  page("POST", "/account/signin", signin_post);
  page("GET", "/account/signup", signup_page);
  page("POST", "/account/signup", signup_post);
  page("POST", "/account/signout", signout_post);
  for (const char* path : {"/account/forgot", "/account/forgot-password"}) {
    page("GET", path, forgot_page);
    page("POST", path, forgot_post);
  }
  for (const char* path : {"/account/reset", "/account/reset-password"}) {
    page("GET", path, reset_page, kTokenPage);
    page("POST", path, reset_post, kTokenPage);
  }
  page(
      "GET", "/account/verify",
      [](Pages& x, const Request& r) { return token_page(x, r, "verify"); }, kTokenPage);
  page(
      "POST", "/account/verify",
      [](Pages& x, const Request& r) { return token_post(x, r, "verify"); }, kTokenPage);
  page(
      "GET", "/account/unlock",
      [](Pages& x, const Request& r) { return token_page(x, r, "unlock"); }, kTokenPage);
  page(
      "POST", "/account/unlock",
      [](Pages& x, const Request& r) { return token_post(x, r, "unlock"); }, kTokenPage);
  page("POST", "/account/verify/resend", resend_post);

  page("GET", "/account", overview_page);
  page("GET", "/account/orders", orders_page);
  page("GET", "/account/orders/{number}", order_page);
  page("GET", "/account/addresses", addresses_page);
  page("POST", "/account/addresses", address_create);
  page("GET", "/account/addresses/new", address_new_page);
  page("GET", "/account/addresses/{id}/edit", address_edit_page);
  page("POST", "/account/addresses/{id}", address_update);
  page("POST", "/account/addresses/{id}/delete", address_delete);
  page("POST", "/account/addresses/{id}/default", address_default);
  page("GET", "/account/profile", profile_page);
  page("POST", "/account/profile", profile_post);
  page("POST", "/account/profile/password", password_post);
  page("POST", "/account/profile/email", email_post);
}

}  // namespace fff::web
