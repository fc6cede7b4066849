#include "web/admin/door_pages.hpp"

#include <boost/json.hpp>

#include "core/log.hpp"
#include "modules/accounts/api.hpp"
#include "modules/accounts/service.hpp"
#include "modules/staff/second_factor.hpp"

namespace fff::web::admin {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

// Where to go after signing in: a local admin path only, never another site.
std::string safe_next(std::string_view next) {
  if (next.starts_with("/admin") && !next.starts_with("/admin/signin") &&
      next.find("//") == std::string_view::npos && next.find('\\') == std::string_view::npos)
    return std::string(next);
  return "/admin";
}

std::string next_query(std::string_view next) {
  return next == "/admin" ? std::string() : "?next=" + http::percent_encode(next, "/");
}

int64_t session_max_age(const accounts::AccountService& accounts) {
  return int64_t{accounts.settings().session_max_days} * 86'400;
}

// A sign-in page has nobody to show the sidebar for.
StaffContext anonymous_context(const Admin& admin, const Request& req) {
  StaffContext ctx;
  ctx.page = admin.site().context(req);
  ctx.page.locale = "en";
  ctx.request = &req;
  return ctx;
}

bool signed_in_staff(const Request& req) {
  return req.principal && req.principal->is_staff() && req.principal->by_cookie;
}

struct Door {
  const Admin& admin;
  DoorPageServices s;

  Response signin_page(const Request& req, int status, const std::string& email,
                       const std::string& next, const FormErrors& errors) const {
    json::object d{{"email", email}, {"next", next}, {"errors", errors.to_json()}};
    return admin.render(req, anonymous_context(admin, req), status, "signin", std::move(d),
                        AdminPage{.title = "Sign in", .own_heading = true, .bare = true});
  }

  Response code_page(const Request& req, int status, const std::string& next,
                     const FormErrors& errors, bool enrolled) const {
    json::object d{{"next", next}, {"errors", errors.to_json()}, {"enrolled", enrolled}};
    return admin.render(
        req, anonymous_context(admin, req), status, "second_factor", std::move(d),
        AdminPage{.title = "Two-step verification", .own_heading = true, .bare = true});
  }

  Response sign_in(const Request& req) const {
    Form form = Form::of(req);
    const std::string next = safe_next(form.get("next"));
    const std::string email = form.get("email");
    std::string password;
    for (const auto& p : form.all("password")) password = p;  // never trimmed
    FormErrors errors;
    if (email.empty()) errors.fields["email"] = "Enter your email address.";
    if (password.empty()) errors.fields["password"] = "Enter your password.";
    if (!errors.empty()) {
      errors.summary = "Please fill in both fields.";
      return signin_page(req, 422, email, next, errors);
    }
    auto made = s.accounts.log_in(email, password);
    if (!made) {
      const Error& e = made.error();
      if (e.kind == ErrorKind::rate_limited) {
        int minutes = std::max(1, (e.retry_after + 59) / 60);
        errors.summary = "Too many failed attempts. Try again in " + std::to_string(minutes) +
                         (minutes == 1 ? " minute" : " minutes") +
                         ", or use the unlock link we emailed you.";
        Response res = signin_page(req, 429, email, next, errors);
        if (e.retry_after > 0) res.headers.set("Retry-After", std::to_string(e.retry_after));
        return res;
      }
      if (e.kind == ErrorKind::invalid || e.kind == ErrorKind::unauthenticated ||
          e.kind == ErrorKind::unprocessable || e.kind == ErrorKind::forbidden) {
        errors.summary = "That email and password do not match a staff account.";
        return signin_page(req, 422, email, next, errors);
      }
      log::warn("admin sign-in failed", {{"error", e.code}});
      return admin.site().server_error(req);
    }
    // A shopper's account has no business here; its new session ends at once, and the answer
    // is the same as for a wrong password.
    if (made->account.role == accounts::Role::customer) {
      (void)s.accounts.log_out(made->session.id);
      errors.summary = "That email and password do not match a staff account.";
      return signin_page(req, 422, email, next, errors);
    }
    // No session fixation: a session the browser held before is ended.
    if (req.principal && !req.principal->session_id.empty() &&
        req.principal->session_id != made->session.id)
      (void)s.accounts.log_out(req.principal->session_id);
    auto totp = s.second_factor.enabled(made->account.id);
    const bool needs_code = !totp || *totp;  // unknown → ask, never skip
    Response res =
        Admin::redirect(needs_code ? "/admin/signin/second-factor" + next_query(next) : next);
    res.headers.add("Set-Cookie",
                    accounts::session_cookie(made->token, session_max_age(s.accounts), req.secure));
    return res;
  }

  Response second_factor(const Request& req) const {
    Form form = Form::of(req);
    const std::string next = safe_next(form.get("next"));
    if (!signed_in_staff(req) || req.principal->session_id.empty())
      return Admin::redirect("/admin/signin" + next_query(next));
    std::string code = form.get("code");
    std::string compact;
    for (char c : code)
      if (c != ' ' && c != '-') compact += c;
    FormErrors errors;
    if (compact.empty()) {
      errors.fields["code"] = "Enter the 6-digit code from your app, or a recovery code.";
      return code_page(req, 422, next, errors, true);
    }
    // Six digits are an app code; anything else is tried as a recovery code.
    const bool app_code =
        compact.size() == 6 && std::all_of(compact.begin(), compact.end(), ::isdigit);
    auto verified = s.second_factor.verify(req.principal->account_id, app_code ? compact : "",
                                           app_code ? "" : code);
    if (!verified) {
      const Error& e = verified.error();
      if (e.kind == ErrorKind::rate_limited) {
        errors.summary = "Too many wrong codes. Wait a few minutes, then try again.";
        Response res = code_page(req, 429, next, errors, true);
        res.headers.set("Retry-After",
                        std::to_string(std::max<int64_t>(
                            1, s.second_factor.retry_after(req.principal->account_id).count())));
        return res;
      }
      if (e.code == "second_factor_not_enabled") return Admin::redirect(next);
      errors.fields["code"] =
          "That code is not right, or was used already. Codes change every 30 seconds.";
      return code_page(req, 422, next, errors, true);
    }
    auto token = s.accounts.confirm_second_factor(req.principal->session_id);
    if (!token) {
      log::warn("admin second factor not recorded", {{"error", token.error().code}});
      return admin.site().server_error(req);
    }
    Response res = Admin::redirect(next);
    res.headers.add("Set-Cookie",
                    accounts::session_cookie(*token, session_max_age(s.accounts), req.secure));
    return res;
  }
};

// ---- one's own account: password and two-factor ------------------------------------------

struct AccountPage {
  const Admin& admin;
  DoorPageServices s;

  Response show(const Request& req, const StaffContext& ctx, int status, json::object extra) const {
    auto account = s.accounts.account(ctx.who->account_id);
    if (!account) return admin.site().server_error(req);
    auto totp = s.second_factor.enabled(ctx.who->account_id);
    json::array scopes;
    for (const auto& sc : account->scopes) scopes.push_back(json::value(sc));
    json::object d{
        {"account",
         json::object{{"name", account->name},
                      {"email", account->email},
                      {"role", account->role == accounts::Role::admin ? "Admin" : "Staff"},
                      {"scopes", std::move(scopes)},
                      {"created_at", account->created_at.substr(0, 10)}}},
        {"totp_enabled", totp && *totp}};
    for (auto& [k, v] : extra) d[k] = v;
    if (!d.contains("errors")) d["errors"] = FormErrors().to_json();
    return admin.render(req, ctx, status, "account", std::move(d),
                        AdminPage{.title = "Your account", .section = ""});
  }

  Response change_password(const Request& req, const StaffContext& ctx) const {
    Form form = Form::of(req);
    std::string current, fresh, repeat;
    for (const auto& v : form.all("current_password")) current = v;
    for (const auto& v : form.all("new_password")) fresh = v;
    for (const auto& v : form.all("repeat_password")) repeat = v;
    FormErrors errors;
    if (current.empty()) errors.fields["current_password"] = "Enter your current password.";
    if (fresh.empty())
      errors.fields["new_password"] = "Enter a new password.";
    else if (fresh != repeat)
      errors.fields["repeat_password"] = "The two new passwords differ.";
    if (errors.empty()) {
      auto token =
          s.accounts.change_password(ctx.who->account_id, ctx.who->session_id, current, fresh);
      if (token) {
        Response res = admin.redirect_with_notice(
            req, "/admin/account", "Password changed. Your other sessions were signed out.");
        res.headers.add("Set-Cookie",
                        accounts::session_cookie(*token, session_max_age(s.accounts), req.secure));
        return res;
      }
      const Error& e = token.error();
      if (e.code == "wrong_password")
        errors.fields["current_password"] = "That is not your current password.";
      else if (!e.fields.empty())
        for (const auto& f : e.fields)
          errors.fields[f.field == "password" ? "new_password" : f.field] = f.message;
      else if (e.kind == ErrorKind::internal || e.kind == ErrorKind::unavailable)
        return admin.site().server_error(req);
      else
        errors.fields["new_password"] = e.message;
    }
    errors.summary = "The password was not changed.";
    return show(req, ctx, 422, json::object{{"errors", errors.to_json()}});
  }

  Response start_totp(const Request& req, const StaffContext& ctx) const {
    auto account = s.accounts.account(ctx.who->account_id);
    if (!account) return admin.site().server_error(req);
    auto enrolment = s.second_factor.start(ctx.who->account_id, account->email);
    if (!enrolment) {
      if (enrolment.error().code == "second_factor_enabled")
        return admin.redirect_with_notice(
            req, "/admin/account", "Two-step verification is already on.", NoticeKind::warning);
      return admin.site().server_error(req);
    }
    std::string grouped;
    for (size_t i = 0; i < enrolment->secret.size(); ++i) {
      if (i && i % 4 == 0) grouped += ' ';
      grouped += enrolment->secret[i];
    }
    return show(
        req, ctx, 200,
        json::object{{"enrolling", json::object{{"secret", grouped}, {"uri", enrolment->uri}}}});
  }

  Response confirm_totp(const Request& req, const StaffContext& ctx) const {
    Form form = Form::of(req);
    std::string code;
    for (char c : form.get("code"))
      if (c != ' ') code += c;
    auto recovery = s.second_factor.confirm(ctx.who->account_id, code);
    if (!recovery) {
      const Error& e = recovery.error();
      if (e.code == "second_factor_not_started")
        return admin.redirect_with_notice(
            req, "/admin/account", "Start the set-up again: it was not started or has expired.",
            NoticeKind::warning);
      FormErrors errors;
      errors.fields["code"] = e.kind == ErrorKind::rate_limited
                                  ? "Too many wrong codes. Wait a few minutes, then try again."
                                  : "That code is not right. Enter the code your app shows now.";
      errors.summary = "Two-step verification is not on yet.";
      return show(req, ctx, e.kind == ErrorKind::rate_limited ? 429 : 422,
                  json::object{{"errors", errors.to_json()}, {"confirm_failed", true}});
    }
    // This session has just proved the code: it counts as passed.
    (void)s.accounts.confirm_second_factor(ctx.who->session_id);
    json::array codes;
    for (const auto& c : *recovery) codes.push_back(json::value(c));
    return show(req, ctx, 200,
                json::object{{"recovery_codes", std::move(codes)}, {"has_recovery_codes", true}});
  }

  Response disable_totp(const Request& req, const StaffContext& ctx) const {
    Form form = Form::of(req);
    std::string code = form.get("code");
    std::string compact;
    for (char c : code)
      if (c != ' ' && c != '-') compact += c;
    const bool app_code =
        compact.size() == 6 && std::all_of(compact.begin(), compact.end(), ::isdigit);
    auto off =
        s.second_factor.disable(ctx.who->account_id, app_code ? compact : "", app_code ? "" : code);
    if (!off) {
      FormErrors errors;
      errors.fields["disable_code"] = "That code is not right.";
      errors.summary = "Two-step verification is still on.";
      return show(req, ctx, off.error().kind == ErrorKind::rate_limited ? 429 : 422,
                  json::object{{"errors", errors.to_json()}});
    }
    return admin.redirect_with_notice(req, "/admin/account", "Two-step verification is off.",
                                      NoticeKind::warning);
  }
};

}  // namespace

void add_door_pages(http::Router& router, const Admin& admin, DoorPageServices services) {
  const http::RouteOptions page{.page = true};
  auto door = std::make_shared<Door>(Door{admin, services});
  router.add(
      "GET", "/admin/signin",
      [door](const Request& req) {
        const std::string next = safe_next(req.query_param("next").value_or("/admin"));
        if (signed_in_staff(req)) return Admin::redirect(next);
        return door->signin_page(req, 200, "", next, FormErrors());
      },
      page);
  router.add(
      "POST", "/admin/signin", [door](const Request& req) { return door->sign_in(req); }, page);
  router.add(
      "GET", "/admin/signin/second-factor",
      [door](const Request& req) {
        const std::string next = safe_next(req.query_param("next").value_or("/admin"));
        if (!signed_in_staff(req)) return Admin::redirect("/admin/signin" + next_query(next));
        if (req.principal->second_factor) return Admin::redirect(next);
        auto enrolled = door->s.second_factor.enabled(req.principal->account_id);
        return door->code_page(req, 200, next, FormErrors(), enrolled && *enrolled);
      },
      page);
  router.add(
      "POST", "/admin/signin/second-factor",
      [door](const Request& req) { return door->second_factor(req); }, page);
  router.add(
      "POST", "/admin/signout",
      [door](const Request& req) {
        if (req.principal && !req.principal->session_id.empty())
          (void)door->s.accounts.log_out(req.principal->session_id);
        Response res =
            door->admin.redirect_with_notice(req, "/admin/signin", "You are signed out.");
        res.headers.add("Set-Cookie", accounts::cleared_session_cookie(req.secure));
        return res;
      },
      page);
  // The bare /admin/ (trailing slash) is the dashboard's.
  router.add(
      "GET", "/admin/", [](const Request&) { return Admin::redirect("/admin"); }, page);

  auto account = std::make_shared<AccountPage>(AccountPage{admin, services});
  admin.add_page(router, "GET", "/admin/account", "me",
                 [account](const Request& req, const StaffContext& ctx) {
                   return account->show(req, ctx, 200, json::object{});
                 });
  admin.add_page(router, "POST", "/admin/account/password", "me",
                 [account](const Request& req, const StaffContext& ctx) {
                   return account->change_password(req, ctx);
                 });
  admin.add_page(router, "POST", "/admin/account/totp", "me",
                 [account](const Request& req, const StaffContext& ctx) {
                   return account->start_totp(req, ctx);
                 });
  admin.add_page(router, "POST", "/admin/account/totp/confirm", "me",
                 [account](const Request& req, const StaffContext& ctx) {
                   return account->confirm_totp(req, ctx);
                 });
  admin.add_page(router, "POST", "/admin/account/totp/disable", "me",
                 [account](const Request& req, const StaffContext& ctx) {
                   return account->disable_totp(req, ctx);
                 });
}

}  // namespace fff::web::admin
