#include "web/admin/admin.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>

#include "core/log.hpp"
#include "infra/http/perimeter.hpp"
#include "infra/http/staff_auth.hpp"

namespace fff::web::admin {

namespace json = boost::json;

namespace {

// The sidebar, in the order a shop is run: what each item needs to be shown.
struct NavItem {
  std::string_view section;
  std::string_view label;
  std::string_view href;
  std::string_view permission;  // "" = any staff member
  std::string_view icon;        // a path for the 20×20 outline icon
};

constexpr std::array kNav{
    NavItem{"dashboard", "Dashboard", "/admin", "", "M3 10l7-6 7 6v7h-5v-4H8v4H3z"},
    NavItem{"orders", "Orders", "/admin/orders", "orders:read", "M4 4h12l-1 12H5zM7 4a3 3 0 016 0"},
    NavItem{"products", "Products", "/admin/products", "catalog:read",
            "M6 3l-3 3 2 3 1-1v9h8V8l1 1 2-3-3-3h-2a2 2 0 01-4 0z"},
    NavItem{"inventory", "Inventory", "/admin/inventory", "inventory:read",
            "M3 7l7-4 7 4v8l-7 4-7-4zM3 7l7 4 7-4M10 11v8"},
    NavItem{"customers", "Customers", "/admin/customers", "customers:read",
            "M10 10a3 3 0 100-6 3 3 0 000 6zM4 17a6 6 0 0112 0"},
    NavItem{"discounts", "Discounts", "/admin/discounts", "catalog:read",
            "M4 4h6l7 7-6 6-7-7zM7 7h.01"},
    NavItem{"settings", "Settings", "/admin/settings", "settings:read",
            "M10 13a3 3 0 100-6 3 3 0 000 6zM10 2v2M10 16v2M2 10h2M16 10h2M4.3 4.3l1.4 1.4M14.3 "
            "14.3l1.4 1.4M4.3 15.7l1.4-1.4M14.3 5.7l1.4-1.4"},
    NavItem{"system", "System", "/admin/system/jobs", "audit:read", "M3 4h14v9H3zM7 17h6M10 13v4"},
};

// What lets a staff member onto a page of the area "" (anyone who may see some part of the shop).
constexpr std::array<std::string_view, 5> kAnyStaff{"orders:read", "catalog:read", "customers:read",
                                                    "inventory:read", "settings:read"};

std::string_view kind_name(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::warning: return "warning";
    case NoticeKind::danger: return "danger";
    case NoticeKind::success: break;
  }
  return "success";
}

// The notice cookie's signature: an HMAC under the session secret (the CSRF tokens' key) over the
// kind and text, so a planted cookie cannot put words on an admin page.
std::string notice_signature(const Site& site, std::string_view kind, std::string_view text) {
  const http::CsrfTokens* tokens = site.csrf_tokens();
  if (!tokens) return {};
  std::string material = "admin-notice\x1f";
  material += kind;
  material += '\x1f';
  material += text;
  return tokens->token_for(material).substr(0, 22);
}

// The policy's refusal in words for the person at the screen; its messages end with the
// permission ("this caller may not use settings:read").
std::string friendly_refusal(const Error& why) {
  if (why.code == "admin_only") return "Only an admin can open this part of the admin.";
  if (why.code == "staff_only") return "This is for staff accounts only.";
  if (why.code == "permission_denied") {
    std::string_view message = why.message;
    std::string permission(message.substr(message.rfind(' ') + 1));
    return "Your role does not include \"" + permission +
           "\". Ask an admin to give you the scope you need.";
  }
  return why.message;
}

}  // namespace

bool StaffContext::can(std::string_view permission) const {
  if (!access || !request || !who) return false;
  return static_cast<bool>(access->authorize(*request, permission));
}

bool StaffContext::is_admin() const {
  return who && who->kind == http::Principal::Kind::admin;
}

Admin::Admin(const Site& site, const http::StaffAccess& access, AdminOptions options)
    : site_(site), access_(access), options_(std::move(options)) {}

FormErrors Admin::form_errors(const Error& error, std::string summary) {
  FormErrors out;
  for (const auto& f : error.fields) out.fields[f.field] = f.message;
  out.summary = out.fields.empty() && !error.message.empty() ? error.message : std::move(summary);
  return out;
}

void Admin::add_page(http::Router& router, std::string method, std::string pattern,
                     std::string area, AdminHandler handler, http::RouteOptions options) const {
  options.page = true;
  const std::string permission = area.empty() ? "" : http::permission_for(area, method);
  router.add(
      method, pattern,
      [this, permission, handler = std::move(handler)](const http::Request& req) {
        StaffContext ctx;
        ctx.page = site_.context(req);
        ctx.page.locale = "en";
        ctx.who = req.principal;
        ctx.request = &req;
        ctx.access = &access_;
        const std::string next =
            http::percent_encode(req.target.empty() ? "/admin" : req.target, "/");
        // Pages are for browsers: a bearer token (or a customer, or nobody) signs in first.
        if (!req.principal || !req.principal->is_staff() || !req.principal->by_cookie)
          return redirect("/admin/signin?next=" + next);
        // An account with two-factor on passes it, whatever the shop-wide setting says.
        // (One's own account page too: only a member who has no second factor yet may open it
        // without one, to set it up when the shop requires it.)
        if (!req.principal->second_factor && options_.has_second_factor &&
            options_.has_second_factor(req.principal->account_id))
          return redirect("/admin/signin/second-factor?next=" + next);

        Result<void> allowed;
        if (permission.empty()) {
          allowed = Error::forbidden("permission_denied", "no part of the admin is open to you");
          for (std::string_view p : kAnyStaff) {
            auto one = access_.authorize(req, p);
            if (one || one.error().code == "second_factor_required") {
              allowed = one;
              break;
            }
          }
        } else {
          allowed = access_.authorize(req, permission);
        }
        http::Response response;
        if (!allowed) {
          const Error& why = allowed.error();
          if (why.kind == ErrorKind::unauthenticated) return redirect("/admin/signin?next=" + next);
          if (why.code == "second_factor_required")
            return redirect("/admin/signin/second-factor?next=" + next);
          response = forbidden(req, ctx, why);
        } else {
          response = handler(req, ctx);
        }
        if (!permission.empty()) access_.record(req, permission, response);
        return response;
      },
      options);
}

http::Response Admin::render(const http::Request& request, const StaffContext& ctx, int status,
                             std::string_view name, json::object data,
                             const AdminPage& page) const {
  data["csrf"] = ctx.page.csrf;
  data["shop"] = json::object{{"name", options_.shop_name}};
  data["assets"] = json::object{{"css", site_.asset_url("admin/admin.css")},
                                {"scripts", site_.admin_scripts()},
                                {"icon", site_.asset_url("img/icon.svg")}};
  if (ctx.who) {
    std::string staff_name, email;
    if (options_.staff_profile)
      if (auto profile = options_.staff_profile(ctx.who->account_id)) {
        staff_name = profile->name;
        email = profile->email;
      }
    if (staff_name.empty()) staff_name = email.empty() ? "Staff" : email;
    std::string initials;
    for (size_t i = 0; i < staff_name.size() && initials.size() < 2; ++i)
      if ((i == 0 || staff_name[i - 1] == ' ') &&
          std::isalpha(static_cast<unsigned char>(staff_name[i])))
        initials += static_cast<char>(std::toupper(static_cast<unsigned char>(staff_name[i])));
    json::array scopes;
    for (const auto& s : ctx.who->scopes) scopes.push_back(json::value(s));
    data["staff"] = json::object{{"name", staff_name},
                                 {"email", email},
                                 {"initials", initials.empty() ? "S" : initials},
                                 {"role", ctx.is_admin() ? "Admin" : "Staff"},
                                 {"scopes", std::move(scopes)},
                                 {"is_admin", ctx.is_admin()}};
    json::array nav;
    for (const auto& item : kNav) {
      bool visible = item.permission.empty() ? true : ctx.can(item.permission);
      if (!visible) continue;
      nav.push_back(json::object{{"section", item.section},
                                 {"label", item.label},
                                 {"href", item.href},
                                 {"icon", item.icon},
                                 {"current", item.section == page.section}});
    }
    data["nav"] = std::move(nav);
  }
  // The one-shot notice a redirect left, if its signature holds.
  http::Response res;
  if (auto cookie = request.cookie(kAdminNoticeCookie); cookie && !cookie->empty()) {
    std::string_view raw = *cookie;
    size_t first = raw.find('.'), last = raw.rfind('.');
    if (first != std::string_view::npos && last != first) {
      std::string kind(raw.substr(0, first));
      std::string text;
      if (http::percent_decode(raw.substr(first + 1, last - first - 1), text, false) &&
          (kind == "success" || kind == "warning" || kind == "danger") &&
          notice_signature(site_, kind, text) == raw.substr(last + 1))
        data["notice"] = json::object{{"text", text}, {"kind", kind}};
    }
    res.headers.add("Set-Cookie", std::string(kAdminNoticeCookie) +
                                      "=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Lax");
  }
  json::array crumbs;
  for (const auto& [label, href] : page.crumbs)
    crumbs.push_back(json::object{{"label", label}, {"href", href}});
  const bool has_crumbs = !crumbs.empty();
  data["page"] = json::object{{"title", page.title},           {"crumbs", std::move(crumbs)},
                              {"has_crumbs", has_crumbs},      {"own_heading", page.own_heading},
                              {"bare", page.bare || !ctx.who}, {"section", page.section}};
  data["title"] = page.title.empty() ? "Admin · " + options_.shop_name
                                     : page.title + " · Admin · " + options_.shop_name;

  std::string body = site_.render_template("admin/" + std::string(name), data);
  data["content"] = std::move(body);
  res.status = status;
  res.body = site_.render_template("admin/_layout", data);
  res.headers.set("Content-Type", "text/html; charset=utf-8");
  res.headers.set("Content-Language", "en");
  // Business and personal data: never kept by a browser or a proxy, never indexed.
  res.headers.set("Cache-Control", "no-store");
  res.headers.set("X-Robots-Tag", "noindex, nofollow");
  return site_.finish(request, std::move(res));
}

http::Response Admin::redirect_with_notice(const http::Request& request, std::string_view location,
                                           std::string_view text, NoticeKind kind) const {
  (void)request;
  http::Response res = redirect(location);
  std::string_view k = kind_name(kind);
  std::string clipped(text.substr(0, 300));
  res.headers.add("Set-Cookie", std::string(kAdminNoticeCookie) + "=" + std::string(k) + "." +
                                    http::percent_encode(clipped) + "." +
                                    notice_signature(site_, k, clipped) +
                                    "; Path=/admin; Max-Age=60; HttpOnly; SameSite=Lax");
  return res;
}

http::Response Admin::forbidden(const http::Request& request, const StaffContext& ctx,
                                const Error& why) const {
  json::object d{{"message", friendly_refusal(why)}, {"code", why.code}};
  return render(request, ctx, 403, "forbidden", std::move(d),
                AdminPage{.title = "No access", .section = ""});
}

http::Response Admin::not_found(const http::Request& request, const StaffContext& ctx,
                                std::string_view what) const {
  json::object d{{"what", what}, {"path", request.path}};
  return render(request, ctx, 404, "not_found", std::move(d),
                AdminPage{.title = "Not found", .section = ""});
}

}  // namespace fff::web::admin
