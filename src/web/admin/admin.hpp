// web/admin: what every admin console page shares — the staff door (sign-in, second factor,
// permissions per page), the admin layout and navigation, notices after a redirect, and the
// rendering of admin templates (web/templates/admin/<name>.mustache, embedded like the
// storefront's). Page areas live beside it (admin/<area>_pages.cpp), each registering its pages
// through Admin::add_page and building a view model from services and flows.
//
// Every admin page is behind Admin::add_page: no principal (or a customer) → 303 to
// /admin/signin?next=<target>; a staff member who still owes the second factor → 303 to
// /admin/signin/second-factor?next=…; a staff member without the page's permission → the 403
// page naming what is missing. The permission comes from the page's area and method exactly as
// for the staff API (`<area>:read` for GET, `<area>:write` otherwise), decided by the app's one
// http::StaffAccess; every answered page is handed to StaffAccess::record (writes, refusals and
// sensitive reads such as customers:read land in the audit log). CSRF is the perimeter's: every
// POST form carries `<input type="hidden" name="_csrf" value="{{csrf}}">`; scripts send the
// X-CSRF-Token header (the layout puts the token in <meta name="csrf-token">).
//
// The admin speaks English (the storefront's strings are for shoppers); templates hold their
// text. Thread-safety: immutable after start-up; every method may run on many threads.
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "infra/http/message.hpp"
#include "infra/http/router.hpp"
#include "web/site.hpp"

namespace fff::http {
class StaffAccess;
}

namespace fff::web::admin {

inline constexpr const char* kAdminNoticeCookie = "fff_admin_notice";

// The signed-in staff member a page is rendered for.
struct StaffContext {
  PageContext page;                            // csrf, path (locale is always "en")
  std::shared_ptr<const http::Principal> who;  // never null inside a page handler
  const http::Request* request = nullptr;      // the request being answered
  const http::StaffAccess* access = nullptr;
  // Whether this staff member may use `permission` ("settings:read"): to hide links and buttons
  // the policy would refuse anyway (the page routes still decide for themselves).
  bool can(std::string_view permission) const;
  bool is_admin() const;
};

using AdminHandler = std::function<http::Response(const http::Request&, const StaffContext&)>;

// What the layout needs to know about a page besides its data.
struct AdminPage {
  std::string title = {};  // "Orders" → <title>Orders · Admin · FFF</title> and the <h1> unless
                           // the template draws its own header (set `own_heading`)
  std::string section = {};  // nav item to highlight: dashboard, orders, products, inventory,
                             // customers, discounts, settings, system
  // Breadcrumbs before the title: {label, href}.
  std::vector<std::pair<std::string, std::string>> crumbs = {};
  bool own_heading = false;
  // No sidebar or top bar: the sign-in pages, and printables such as the packing slip.
  bool bare = false;
};

// A one-shot message shown at the top of the next admin page (after a 303).
enum class NoticeKind { success, warning, danger };

struct StaffProfile {
  std::string name;
  std::string email;
};

struct AdminOptions {
  std::string shop_name = "FFF";
  // The signed-in staff member's name and email for the top bar (nullopt: unknown account).
  std::function<std::optional<StaffProfile>(const std::string& account_id)> staff_profile;
  // Whether the account has turned two-factor on: then a session that has not passed it is sent
  // to the code prompt, whatever the shop's require_admin_totp says.
  std::function<bool(const std::string& account_id)> has_second_factor;
};

class Admin {
 public:
  Admin(const Site& site, const http::StaffAccess& access, AdminOptions options = {});

  const Site& site() const { return site_; }

  // Registers an admin page. `pattern` starts with "/admin". `area` is the staff area whose
  // permission the page needs ("orders" → orders:read for GET, orders:write for POST); the
  // special area "" lets in any staff member who has passed the second factor (the dashboard,
  // one's own account). Marks the route as a page (RouteOptions::page).
  void add_page(http::Router& router, std::string method, std::string pattern, std::string area,
                AdminHandler handler, http::RouteOptions options = {}) const;

  // Renders admin template `name` ("orders" → web/templates/admin/orders.mustache) inside the
  // admin layout. Adds to `data`: csrf, staff {name, email, role, is_admin}, nav (visible items
  // with `current`), notice {text, kind}, assets, page {title, crumbs}. Sent with
  // `Cache-Control: no-store` (admin pages hold personal and business data).
  http::Response render(const http::Request& request, const StaffContext& ctx, int status,
                        std::string_view name, boost::json::object data,
                        const AdminPage& page) const;

  // 303 to a local path with a one-shot notice for the next admin page (the cookie is signed,
  // so nobody can plant a message).
  http::Response redirect_with_notice(const http::Request& request, std::string_view location,
                                      std::string_view text,
                                      NoticeKind kind = NoticeKind::success) const;
  static http::Response redirect(std::string_view location) { return Site::redirect(location); }

  // The 403 page: "You need <permission> to open this page", with a link back to the dashboard.
  http::Response forbidden(const http::Request& request, const StaffContext& ctx,
                           const Error& why) const;
  // The admin 404 page (an unknown order number, product id, …).
  http::Response not_found(const http::Request& request, const StaffContext& ctx,
                           std::string_view what) const;

  // Field errors of a service's invalid Error (Error::fields) as FormErrors, with `summary`.
  static FormErrors form_errors(const Error& error, std::string summary =
                                                        "Please fix the "
                                                        "fields marked below.");

  struct Impl;

 private:
  const Site& site_;
  const http::StaffAccess& access_;
  AdminOptions options_;
};

}  // namespace fff::web::admin
