#include "web/admin/system_pages.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cctype>
#include <charconv>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/id.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "infra/jobs/queue.hpp"
#include "infra/mail/mailer.hpp"
#include "modules/accounts/model.hpp"
#include "modules/accounts/service.hpp"
#include "modules/pricing/service.hpp"
#include "modules/staff/audit.hpp"
#include "modules/staff/policy.hpp"
#include "modules/staff/second_factor.hpp"
#include "modules/staff/tokens.hpp"
#include "modules/webhooks/service.hpp"

namespace fff::web::admin {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

const http::RouteOptions kForm{.body_limit = 32 * 1024};

struct Pages {
  const Admin& admin;
  SystemPageServices s;
};
using Shared = std::shared_ptr<const Pages>;

// ---- small helpers ------------------------------------------------------------------------

// "2026-11-26 14:05" from canonical ISO 8601 (UTC); "" stays "".
std::string when(std::string_view iso) {
  if (iso.size() < 16) return std::string(iso);
  return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5));
}
json::value when_or_null(const std::optional<std::string>& iso) {
  return iso ? json::value(when(*iso)) : json::value(nullptr);
}

std::string join(const std::vector<std::string>& parts, std::string_view sep = ", ") {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// "a, b c" → {"a", "b", "c"}: lists typed into one field.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

json::array strings(const std::vector<std::string>& in) {
  json::array out;
  for (const auto& s : in) out.emplace_back(s);
  return out;
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// A decimal amount typed by staff ("4.95", "1,200", "30000") in minor units of `currency`;
// nullopt when it is not a non-negative amount with at most the currency's decimals.
std::optional<int64_t> parse_amount(std::string_view text, Currency currency) {
  std::string digits;
  int decimals = -1;
  for (char c : text) {
    if (c == ',' || c == ' ') continue;
    if (c == '.') {
      if (decimals >= 0) return std::nullopt;
      decimals = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
    if (decimals >= 0) ++decimals;
  }
  const int minor = minor_digits(currency);
  if (digits.empty() || digits.size() > 15 || decimals > minor) return std::nullopt;
  for (int i = std::max(decimals, 0); i < minor; ++i) digits += '0';
  return parse_int(digits);
}

// Minor units as staff type them back ("4.95", "30000").
std::string amount_text(int64_t minor, Currency currency) {
  const int digits = minor_digits(currency);
  if (digits == 0) return std::to_string(minor);
  int64_t unit = 1;
  for (int i = 0; i < digits; ++i) unit *= 10;
  std::string frac = std::to_string(minor % unit);
  while (static_cast<int>(frac.size()) < digits) frac = "0" + frac;
  return std::to_string(minor / unit) + "." + frac;
}

// Basis points as a percentage ("20", "8.5").
std::string percent_text(int64_t bp) {
  std::string out = std::to_string(bp / 100);
  if (bp % 100 != 0) {
    std::string frac = std::to_string(bp % 100);
    if (frac.size() < 2) frac = "0" + frac;
    if (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out;
}

// "8.5" → 850 basis points; nullopt unless 0–100 with at most two decimals.
std::optional<int64_t> parse_percent(std::string_view text) {
  std::string digits;
  int decimals = -1;
  for (char c : text) {
    if (c == '%' || c == ' ') continue;
    if (c == '.') {
      if (decimals >= 0) return std::nullopt;
      decimals = 0;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
    if (decimals >= 0) ++decimals;
  }
  if (digits.empty() || digits.size() > 6 || decimals > 2) return std::nullopt;
  for (int i = std::max(decimals, 0); i < 2; ++i) digits += '0';
  auto v = parse_int(digits);
  if (!v || *v > 10000) return std::nullopt;
  return v;
}

// The user's fault: a service error that becomes a message on the page, not a 500.
bool users_fault(const Error& e) {
  switch (e.kind) {
    case ErrorKind::invalid:
    case ErrorKind::unprocessable:
    case ErrorKind::conflict:
    case ErrorKind::not_found:
    case ErrorKind::too_large: return true;
    default: return false;
  }
}

int status_for(const Error& e) {
  return e.kind == ErrorKind::conflict ? 409 : 422;
}

// A 500 answered as the admin's error: the pipeline turns it into the 500 page for browsers.
Response failure(const Error& e) {
  return Response::text(e.kind == ErrorKind::unavailable ? 503 : 500,
                        "The server could not do this just now (" + e.code + ").");
}

FormErrors field_error(std::string field, std::string message,
                       std::string summary = "Please fix the fields marked below.") {
  FormErrors f;
  f.fields.emplace(std::move(field), std::move(message));
  f.summary = std::move(summary);
  return f;
}

// Errors of a service call as the form shows them: field messages when it named fields, else
// its message as the summary.
FormErrors errors_of(const Error& e) {
  if (!e.fields.empty()) return Admin::form_errors(e);
  FormErrors f;
  f.summary = e.message.empty() ? "That did not work." : e.message;
  if (!f.summary.empty()) f.summary[0] = static_cast<char>(std::toupper(f.summary[0]));
  return f;
}

// ---- settings: sub-navigation ---------------------------------------------------------------

json::array settings_tabs(std::string_view current) {
  static const std::pair<const char*, const char*> kTabs[] = {
      {"General", "/admin/settings"},           {"Taxes", "/admin/settings/taxes"},
      {"Shipping", "/admin/settings/shipping"}, {"Payments", "/admin/settings/payments"},
      {"Email", "/admin/settings/email"},       {"Webhooks", "/admin/settings/webhooks"}};
  json::array out;
  for (const auto& [label, href] : kTabs)
    out.push_back(json::object{{"label", label}, {"href", href}, {"current", href == current}});
  return out;
}

json::array system_tabs(const StaffContext& ctx, std::string_view current) {
  static const std::tuple<const char*, const char*, const char*> kTabs[] = {
      {"Jobs", "/admin/system/jobs", "settings:read"},
      {"Audit log", "/admin/system/audit", "audit:read"},
      {"Staff", "/admin/system/staff", "staff:read"},
      {"API tokens", "/admin/system/tokens", "tokens:read"}};
  json::array out;
  for (const auto& [label, href, permission] : kTabs)
    if (ctx.can(permission))
      out.push_back(json::object{{"label", label}, {"href", href}, {"current", href == current}});
  return out;
}

// The layout ends the breadcrumbs with the page's title itself.
AdminPage settings_page(std::string title, std::string_view href) {
  AdminPage page{.title = std::move(title), .section = "settings", .crumbs = {}};
  if (href != "/admin/settings") page.crumbs = {{"Settings", "/admin/settings"}};
  return page;
}

AdminPage system_page(std::string title) {
  AdminPage page{.title = std::move(title), .section = "system", .crumbs = {}};
  page.crumbs = {{"System", "/admin/system/jobs"}};
  return page;
}

json::array configured(const std::vector<ConfiguredValue>& values) {
  json::array out;
  for (const auto& v : values)
    out.push_back(json::object{{"label", v.label}, {"value", v.value}, {"source", v.source}});
  return out;
}

// ---- /admin/settings (general) and /admin/settings/payments ---------------------------------

void add_general(http::Router& router, const Shared& p) {
  p->admin.add_page(router, "GET", "/admin/settings", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      json::object data{{"tabs", settings_tabs("/admin/settings")},
                                        {"general", configured(p->s.general)}};
                      return p->admin.render(req, ctx, 200, "system_settings", std::move(data),
                                             settings_page("Settings", "/admin/settings"));
                    });
  p->admin.add_page(router, "GET", "/admin/settings/payments", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      json::array providers;
                      for (const auto& pr : p->s.payment_providers)
                        providers.push_back(json::object{{"name", pr.name},
                                                         {"label", pr.label},
                                                         {"description", pr.description},
                                                         {"test_mode", pr.test_mode}});
                      json::object data{{"tabs", settings_tabs("/admin/settings/payments")},
                                        {"providers", std::move(providers)},
                                        {"settings", configured(p->s.payment_settings)}};
                      return p->admin.render(req, ctx, 200, "system_payments", std::move(data),
                                             settings_page("Payments", "/admin/settings/payments"));
                    });
}

// ---- /admin/settings/taxes ------------------------------------------------------------------

Response taxes_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                    const FormErrors& errors, json::object values) {
  auto rates = p->s.pricing.tax_rates();
  if (!rates) return failure(rates.error());
  json::array items;
  for (const auto& r : *rates)
    items.push_back(json::object{{"country", r.country},
                                 {"name", r.name},
                                 {"rate", percent_text(r.rate_bp)},
                                 {"updated_at", when(r.updated_at)}});
  json::object data{{"tabs", settings_tabs("/admin/settings/taxes")},
                    {"rates", std::move(items)},
                    {"has_rates", !rates->empty()},
                    {"can_write", ctx.can("settings:write")},
                    {"errors", errors.to_json()},
                    {"values", std::move(values)}};
  return p->admin.render(req, ctx, status, "system_taxes", std::move(data),
                         settings_page("Taxes", "/admin/settings/taxes"));
}

void add_taxes(http::Router& router, const Shared& p) {
  p->admin.add_page(router, "GET", "/admin/settings/taxes", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      // ?country=FR fills the form with that country's rate, to change it.
                      json::object values{{"name", "VAT"}};
                      if (auto country = req.query_param("country"))
                        if (auto rates = p->s.pricing.tax_rates())
                          for (const auto& r : *rates)
                            if (r.country == *country)
                              values = {{"country", r.country},
                                        {"rate", percent_text(r.rate_bp)},
                                        {"name", r.name}};
                      return taxes_page(p, req, ctx, 200, {}, std::move(values));
                    });
  p->admin.add_page(
      router, "POST", "/admin/settings/taxes", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        json::object values{{"country", form.get("country")},
                            {"rate", form.get("rate")},
                            {"name", form.get("name")}};
        auto rate = parse_percent(form.get("rate"));
        if (!rate)
          return taxes_page(p, req, ctx, 422,
                            field_error("rate", "Enter a percentage from 0 to 100, like 20 or 8.5"),
                            std::move(values));
        std::string name = form.get("name").empty() ? "VAT" : form.get("name");
        auto set = p->s.pricing.set_tax_rate(form.get("country"), *rate, name);
        if (!set) {
          if (!users_fault(set.error())) return failure(set.error());
          return taxes_page(p, req, ctx, status_for(set.error()), errors_of(set.error()),
                            std::move(values));
        }
        return p->admin.redirect_with_notice(
            req, "/admin/settings/taxes",
            "Tax rate for " + set->country + " set to " + percent_text(set->rate_bp) + " %");
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/settings/taxes/{country}/delete", "settings",
      [p](const Request& req, const StaffContext&) {
        std::string country(req.param("country"));
        auto removed = p->s.pricing.delete_tax_rate(country);
        if (!removed) {
          if (!users_fault(removed.error())) return failure(removed.error());
          return p->admin.redirect_with_notice(req, "/admin/settings/taxes",
                                               removed.error().message, NoticeKind::danger);
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/taxes",
                                             "Tax rate for " + country + " removed");
      },
      kForm);
}

// ---- /admin/settings/shipping ---------------------------------------------------------------

json::object method_values(const pricing::ShippingMethod& m, Currency currency) {
  return {{"code", m.code},
          {"name", m.name},
          {"price", amount_text(m.price_minor, currency)},
          {"free_above", m.free_above_minor ? amount_text(*m.free_above_minor, currency) : ""},
          {"min_days", std::to_string(m.min_days)},
          {"max_days", std::to_string(m.max_days)},
          {"countries", join(m.countries)},
          {"express", m.express},
          {"active", m.active},
          {"position", std::to_string(m.position)}};
}

json::object form_values(const Form& form) {
  json::object v;
  for (const char* f :
       {"code", "name", "price", "free_above", "min_days", "max_days", "countries", "position"})
    v[f] = form.get(f);
  v["express"] = form.has("express");
  v["active"] = form.has("active");
  return v;
}

Response shipping_form_page(const Shared& p, const Request& req, const StaffContext& ctx,
                            int status, const std::optional<std::string>& id,
                            const FormErrors& errors, json::object values) {
  const auto currency = p->s.pricing.settings().currency;
  std::string title = id ? "Edit shipping method" : "New shipping method";
  std::string href = id ? "/admin/settings/shipping/" + *id : "/admin/settings/shipping/new";
  json::object data{{"tabs", settings_tabs("/admin/settings/shipping")},
                    {"action", id ? href : std::string("/admin/settings/shipping")},
                    {"editing", id.has_value()},
                    {"currency", std::string(currency_code(currency))},
                    {"errors", errors.to_json()},
                    {"values", std::move(values)}};
  AdminPage page{.title = title, .section = "settings", .crumbs = {}};
  page.crumbs = {{"Settings", "/admin/settings"}, {"Shipping", "/admin/settings/shipping"}};
  return p->admin.render(req, ctx, status, "system_shipping_method", std::move(data), page);
}

// The form as a service input; field errors for what cannot even be parsed.
pricing::ShippingMethodInput shipping_input(const Form& form, Currency currency, bool creating,
                                            FormErrors& errors) {
  pricing::ShippingMethodInput in;
  in.code = form.get("code");
  in.name = form.get("name");
  if (auto price = parse_amount(form.get("price"), currency))
    in.price_minor = *price;
  else if (!form.get("price").empty() || creating)
    errors.fields["price"] = "Enter an amount like " + amount_text(495, currency);
  if (form.get("free_above").empty()) {
    in.clear_free_above = !creating;
  } else if (auto free = parse_amount(form.get("free_above"), currency)) {
    in.free_above_minor = *free;
  } else {
    errors.fields["free_above"] = "Enter an amount, or leave it empty for never";
  }
  for (const char* f : {"min_days", "max_days"}) {
    auto v = parse_int(form.get(f));
    if (!v || *v < 0 || *v > 365) {
      errors.fields[f] = "Enter a number of days from 0 to 365";
      continue;
    }
    (std::string_view(f) == "min_days" ? in.min_days : in.max_days) = static_cast<int>(*v);
  }
  if (!form.get("position").empty()) {
    if (auto v = parse_int(form.get("position")))
      in.position = *v;
    else
      errors.fields["position"] = "Enter a whole number";
  }
  std::vector<std::string> countries;
  for (auto& c : split_list(form.get("countries"))) {
    for (auto& ch : c) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    countries.push_back(std::move(c));
  }
  in.countries = std::move(countries);
  in.express = form.has("express");
  in.active = form.has("active");
  if (!errors.fields.empty()) errors.summary = "Please fix the fields marked below.";
  return in;
}

void add_shipping(http::Router& router, const Shared& p) {
  p->admin.add_page(
      router, "GET", "/admin/settings/shipping", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto methods = p->s.pricing.all_shipping_methods();
        if (!methods) return failure(methods.error());
        json::array items;
        for (const auto& m : *methods) {
          const Currency c = p->s.pricing.settings().currency;
          items.push_back(json::object{
              {"id", m.id},
              {"code", m.code},
              {"name", m.name},
              {"price", Site::money(Money(m.price_minor, c))},
              {"free_above", m.free_above_minor
                                 ? json::value(Site::money(Money(*m.free_above_minor, c)))
                                 : json::value(nullptr)},
              {"days", m.min_days == m.max_days
                           ? std::to_string(m.min_days)
                           : std::to_string(m.min_days) + "–" + std::to_string(m.max_days)},
              {"countries", m.countries.empty() ? "Everywhere" : join(m.countries)},
              {"express", m.express},
              {"active", m.active}});
        }
        json::object data{{"tabs", settings_tabs("/admin/settings/shipping")},
                          {"methods", std::move(items)},
                          {"has_methods", !methods->empty()},
                          {"can_write", ctx.can("settings:write")}};
        auto page = settings_page("Shipping", "/admin/settings/shipping");
        page.own_heading = true;  // the title shares its row with "Add shipping method"
        return p->admin.render(req, ctx, 200, "system_shipping", std::move(data), page);
      });
  p->admin.add_page(router, "GET", "/admin/settings/shipping/new", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      json::object values{{"min_days", "2"},
                                          {"max_days", "5"},
                                          {"active", true},
                                          {"express", false},
                                          {"position", "0"}};
                      return shipping_form_page(p, req, ctx, 200, std::nullopt, {},
                                                std::move(values));
                    });
  // The methods are few: finding one by id in the list keeps the service as it is.
  auto find = [p](const std::string& id) -> Result<std::optional<pricing::ShippingMethod>> {
    auto all = p->s.pricing.all_shipping_methods();
    if (!all) return all.error();
    for (auto& m : *all)
      if (m.id == id) return std::optional<pricing::ShippingMethod>(std::move(m));
    return std::optional<pricing::ShippingMethod>{};
  };
  p->admin.add_page(router, "GET", "/admin/settings/shipping/{id}", "settings",
                    [p, find](const Request& req, const StaffContext& ctx) {
                      auto found = find(std::string(req.param("id")));
                      if (!found) return failure(found.error());
                      if (!*found) return p->admin.not_found(req, ctx, "shipping method");
                      return shipping_form_page(
                          p, req, ctx, 200, (*found)->id, {},
                          method_values(**found, p->s.pricing.settings().currency));
                    });
  p->admin.add_page(
      router, "POST", "/admin/settings/shipping", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        FormErrors errors;
        auto in = shipping_input(form, p->s.pricing.settings().currency, true, errors);
        if (!errors.empty())
          return shipping_form_page(p, req, ctx, 422, std::nullopt, errors, form_values(form));
        auto made = p->s.pricing.create_shipping_method(in);
        if (!made) {
          if (!users_fault(made.error())) return failure(made.error());
          auto e = errors_of(made.error());
          if (made.error().code == "shipping_method_code_taken")
            e = field_error("code", "Another shipping method has this code");
          return shipping_form_page(p, req, ctx, status_for(made.error()), std::nullopt, e,
                                    form_values(form));
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/shipping",
                                             "Shipping method " + made->name + " created");
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/settings/shipping/{id}", "settings",
      [p, find](const Request& req, const StaffContext& ctx) {
        std::string id(req.param("id"));
        auto found = find(id);
        if (!found) return failure(found.error());
        if (!*found) return p->admin.not_found(req, ctx, "shipping method");
        auto form = Form::of(req);
        FormErrors errors;
        auto in = shipping_input(form, p->s.pricing.settings().currency, false, errors);
        if (!errors.empty())
          return shipping_form_page(p, req, ctx, 422, id, errors, form_values(form));
        auto changed = p->s.pricing.update_shipping_method(id, in);
        if (!changed) {
          if (!users_fault(changed.error())) return failure(changed.error());
          auto e = errors_of(changed.error());
          if (changed.error().code == "shipping_method_code_taken")
            e = field_error("code", "Another shipping method has this code");
          return shipping_form_page(p, req, ctx, status_for(changed.error()), id, e,
                                    form_values(form));
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/shipping",
                                             "Shipping method " + changed->name + " saved");
      },
      kForm);
}

// ---- /admin/settings/email ------------------------------------------------------------------

Response email_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                    const FormErrors& errors, const std::string& to) {
  json::object data{{"tabs", settings_tabs("/admin/settings/email")},
                    {"driver", p->s.mail_driver},
                    {"settings", configured(p->s.mail_settings)},
                    {"can_write", ctx.can("settings:write")},
                    {"errors", errors.to_json()},
                    {"values", json::object{{"to", to}}}};
  return p->admin.render(req, ctx, status, "system_email", std::move(data),
                         settings_page("Email", "/admin/settings/email"));
}

void add_email(http::Router& router, const Shared& p) {
  p->admin.add_page(router, "GET", "/admin/settings/email", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      std::string to;
                      if (ctx.who && !ctx.who->account_id.empty())
                        if (auto me = p->s.accounts.find_account(ctx.who->account_id); me && *me)
                          to = (*me)->email;
                      return email_page(p, req, ctx, 200, {}, to);
                    });
  p->admin.add_page(
      router, "POST", "/admin/settings/email/test", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        std::string to = form.get("to");
        const bool looks_like_email = to.size() >= 3 && to.size() <= 254 &&
                                      to.find('@') != std::string::npos &&
                                      to.find_first_of(" \t\r\n<>,;\"") == std::string::npos;
        if (!looks_like_email)
          return email_page(p, req, ctx, 422,
                            field_error("to", "Enter an email address like name@example.com"), to);
        mail::MailMessage message;
        message.to = to;
        message.subject = "Test email from FFF";
        message.text =
            "This is a test email from the FFF admin console.\n\n"
            "If you can read it, the shop's mail settings work.\n";
        message.html =
            "<p>This is a test email from the FFF admin console.</p>"
            "<p>If you can read it, the shop's mail settings work.</p>";
        auto sent = p->s.mailer.send(message);
        if (!sent) {
          if (sent.error().kind == ErrorKind::invalid)
            return email_page(p, req, ctx, 422,
                              field_error("to", "This address cannot be used for mail"), to);
          return email_page(
              p, req, ctx, 503,
              FormErrors{.fields = {},
                         .summary = "The mail could not be handed over: " + sent.error().message},
              to);
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/email",
                                             "Test email sent to " + to);
      },
      kForm);
}

// ---- /admin/settings/webhooks ---------------------------------------------------------------

json::object endpoint_json(const webhooks::Endpoint& e) {
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"topics", join(e.topics)},
          {"topic_list", strings(e.topics)},
          {"enabled", e.enabled},
          {"failures", e.consecutive_failures},
          {"has_failures", e.consecutive_failures > 0},
          {"disabled_reason",
           e.disabled_reason ? json::value(*e.disabled_reason) : json::value(nullptr)},
          {"created_at", when(e.created_at)},
          {"updated_at", when(e.updated_at)}};
}

Response webhooks_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                       const FormErrors& errors, json::object values,
                       std::optional<webhooks::CreatedEndpoint> created = std::nullopt) {
  auto list = p->s.webhooks.list();
  if (!list) return failure(list.error());
  json::array items;
  for (const auto& e : *list) items.push_back(endpoint_json(e));
  json::object data{{"tabs", settings_tabs("/admin/settings/webhooks")},
                    {"endpoints", std::move(items)},
                    {"has_endpoints", !list->empty()},
                    {"can_write", ctx.can("settings:write")},
                    {"errors", errors.to_json()},
                    {"values", std::move(values)}};
  if (created)
    data["created"] =
        json::object{{"endpoint", endpoint_json(created->endpoint)}, {"secret", created->secret}};
  auto page = settings_page("Webhooks", "/admin/settings/webhooks");
  page.own_heading = true;  // the title shares its row with "Add endpoint"
  return p->admin.render(req, ctx, status, "system_webhooks", std::move(data), page);
}

json::object delivery_json(const webhooks::Delivery& d) {
  json::array log;
  for (const auto& a : d.log)
    log.push_back(json::object{
        {"attempt", a.attempt},
        {"status", a.status},
        {"delivered", a.status == "delivered"},
        {"response_code", a.response_code ? json::value(*a.response_code) : json::value(nullptr)},
        {"excerpt", a.response_excerpt},
        {"error", a.error ? json::value(*a.error) : json::value(nullptr)},
        {"duration_ms", a.duration_ms},
        {"at", when(a.created_at)}});
  static const std::map<std::string, std::string> kBadge = {{"delivered", "success"},
                                                            {"pending", "neutral"},
                                                            {"failing", "warning"},
                                                            {"failed", "danger"},
                                                            {"skipped", "neutral"}};
  auto badge = kBadge.find(d.status);
  return {{"id", d.id},
          {"topic", d.topic},
          {"status", d.status},
          {"badge", badge == kBadge.end() ? "neutral" : badge->second},
          {"attempts", d.attempts},
          {"response_code", d.response_code ? json::value(*d.response_code) : json::value(nullptr)},
          {"created_at", when(d.created_at)},
          {"updated_at", when(d.updated_at)},
          {"can_retry", d.status != "pending"},
          {"log", std::move(log)},
          {"has_log", !d.log.empty()}};
}

Response webhook_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                      const webhooks::Endpoint& e, const FormErrors& errors,
                      std::optional<json::object> values = std::nullopt) {
  auto deliveries = p->s.webhooks.deliveries(e.id, 50);
  if (!deliveries) return failure(deliveries.error());
  json::array items;
  for (const auto& d : *deliveries) items.push_back(delivery_json(d));
  json::object data{{"tabs", settings_tabs("/admin/settings/webhooks")},
                    {"endpoint", endpoint_json(e)},
                    {"deliveries", std::move(items)},
                    {"has_deliveries", !deliveries->empty()},
                    {"can_write", ctx.can("settings:write")},
                    {"errors", errors.to_json()},
                    {"values", values ? std::move(*values)
                                      : json::object{{"url", e.url},
                                                     {"description", e.description},
                                                     {"topics", join(e.topics)}}}};
  AdminPage page{.title = "Webhook endpoint", .section = "settings", .crumbs = {}};
  page.crumbs = {{"Settings", "/admin/settings"}, {"Webhooks", "/admin/settings/webhooks"}};
  return p->admin.render(req, ctx, status, "system_webhook", std::move(data), page);
}

void add_webhooks(http::Router& router, const Shared& p) {
  p->admin.add_page(router, "GET", "/admin/settings/webhooks", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      return webhooks_page(p, req, ctx, 200, {}, json::object{{"topics", "*"}});
                    });
  p->admin.add_page(
      router, "POST", "/admin/settings/webhooks", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        json::object values{{"url", form.get("url")},
                            {"description", form.get("description")},
                            {"topics", form.get("topics")}};
        webhooks::EndpointInput in;
        in.url = form.get("url");
        in.description = form.get("description");
        in.topics = split_list(form.get("topics"));
        if (in.url->empty())
          return webhooks_page(p, req, ctx, 422,
                               field_error("url", "Enter the https:// address to post events to"),
                               std::move(values));
        auto made = p->s.webhooks.create(in);
        if (!made) {
          if (!users_fault(made.error())) return failure(made.error());
          auto e = errors_of(made.error());
          if (e.fields.empty() && (made.error().code == "invalid_webhook_url" ||
                                   made.error().code == "webhook_url_private"))
            e.fields["url"] = made.error().message;
          return webhooks_page(p, req, ctx, status_for(made.error()), e, std::move(values));
        }
        // The secret is shown on this answer only: it is never stored in the clear.
        auto page = webhooks_page(p, req, ctx, 201, {}, json::object{{"topics", "*"}}, *made);
        return page;
      },
      kForm);
  p->admin.add_page(router, "GET", "/admin/settings/webhooks/{id}", "settings",
                    [p](const Request& req, const StaffContext& ctx) {
                      auto e = p->s.webhooks.get(std::string(req.param("id")));
                      if (!e) {
                        if (e.error().kind == ErrorKind::not_found)
                          return p->admin.not_found(req, ctx, "webhook endpoint");
                        return failure(e.error());
                      }
                      return webhook_page(p, req, ctx, 200, *e, {});
                    });
  p->admin.add_page(
      router, "POST", "/admin/settings/webhooks/{id}", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        std::string id(req.param("id"));
        auto e = p->s.webhooks.get(id);
        if (!e) {
          if (e.error().kind == ErrorKind::not_found)
            return p->admin.not_found(req, ctx, "webhook endpoint");
          return failure(e.error());
        }
        auto form = Form::of(req);
        webhooks::EndpointInput in;
        std::string notice = "Endpoint saved";
        // Enable/disable buttons send only `enabled`; the edit form sends the rest.
        if (form.has("enabled")) {
          in.enabled = form.get("enabled") == "true";
          notice = *in.enabled ? "Endpoint enabled" : "Endpoint disabled";
        } else {
          in.url = form.get("url");
          in.description = form.get("description");
          in.topics = split_list(form.get("topics"));
        }
        auto changed = p->s.webhooks.update(id, in);
        if (!changed) {
          if (!users_fault(changed.error())) return failure(changed.error());
          auto errors = errors_of(changed.error());
          if (errors.fields.empty() && (changed.error().code == "invalid_webhook_url" ||
                                        changed.error().code == "webhook_url_private"))
            errors.fields["url"] = changed.error().message;
          return webhook_page(p, req, ctx, status_for(changed.error()), *e, errors,
                              json::object{{"url", form.get("url")},
                                           {"description", form.get("description")},
                                           {"topics", form.get("topics")}});
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/webhooks/" + id, notice);
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/settings/webhooks/{id}/delete", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto removed = p->s.webhooks.remove(std::string(req.param("id")));
        if (!removed) {
          if (removed.error().kind == ErrorKind::not_found)
            return p->admin.not_found(req, ctx, "webhook endpoint");
          return failure(removed.error());
        }
        return p->admin.redirect_with_notice(req, "/admin/settings/webhooks", "Endpoint deleted");
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/settings/webhooks/{id}/deliveries/{delivery}/retry", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        std::string id(req.param("id"));
        auto again = p->s.webhooks.redeliver(id, std::string(req.param("delivery")));
        const std::string back = "/admin/settings/webhooks/" + id;
        if (!again) {
          if (again.error().code == "webhook_not_found")
            return p->admin.not_found(req, ctx, "webhook endpoint");
          if (again.error().kind == ErrorKind::not_found)
            return p->admin.not_found(req, ctx, "webhook delivery");
          if (!users_fault(again.error())) return failure(again.error());
          std::string why = again.error().code == "webhook_disabled"
                                ? "Enable the endpoint before delivering again"
                                : again.error().message;
          return p->admin.redirect_with_notice(req, back, why, NoticeKind::danger);
        }
        return p->admin.redirect_with_notice(req, back, "Delivery queued again");
      },
      kForm);
}

// ---- /admin/system/jobs ---------------------------------------------------------------------

void add_jobs(http::Router& router, const Shared& p) {
  p->admin.add_page(
      router, "GET", "/admin/system", "settings",
      [](const Request&, const StaffContext&) { return Admin::redirect("/admin/system/jobs"); });
  p->admin.add_page(
      router, "GET", "/admin/system/jobs", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        jobs::JobFilter filter;
        filter.limit = 50;
        std::string status = req.query_param("status").value_or("");
        if (status != "ready" && status != "running" && status != "done" && status != "dead")
          status.clear();
        if (!status.empty()) filter.status = status;
        std::string kind = req.query_param("kind").value_or("");
        if (kind.size() > 100) kind.clear();
        if (!kind.empty()) filter.kind = kind;
        if (auto before = req.query_param("before")) {
          Uuid id;
          if (Uuid::parse(*before, id)) filter.before_id = *before;
        }
        auto list = p->s.jobs.list(filter);
        if (!list) return failure(list.error());
        auto counts = p->s.jobs.counts();
        if (!counts) return failure(counts.error());
        json::array items;
        for (const auto& j : *list) {
          static const std::map<std::string, std::string> kBadge = {
              {"ready", "info"}, {"running", "info"}, {"done", "success"}, {"dead", "danger"}};
          auto badge = kBadge.find(j.status);
          items.push_back(json::object{
              {"id", j.id},
              {"kind", j.kind},
              {"status", j.status},
              {"badge", badge == kBadge.end() ? "neutral" : badge->second},
              {"attempts", j.attempts},
              {"max_attempts", j.max_attempts},
              {"run_at", when(j.run_at)},
              {"created_at", when(j.created_at)},
              {"updated_at", when(j.updated_at)},
              {"event_id", j.event_id ? json::value(*j.event_id) : json::value(nullptr)},
              {"last_error", j.last_error ? json::value(*j.last_error) : json::value(nullptr)},
              {"can_retry", j.status == "dead" || (j.status == "ready" && j.last_error)}});
        }
        auto state_link = [&](const char* label, const char* value, int64_t count) {
          std::string href = "/admin/system/jobs";
          if (*value) href += std::string("?status=") + value;
          return json::object{
              {"label", label}, {"href", href}, {"count", count}, {"current", status == value}};
        };
        json::array states;
        states.push_back(
            state_link("All", "", counts->ready + counts->running + counts->done + counts->dead));
        states.push_back(state_link("Ready", "ready", counts->ready));
        states.push_back(state_link("Running", "running", counts->running));
        states.push_back(state_link("Done", "done", counts->done));
        states.push_back(state_link("Dead letters", "dead", counts->dead));
        json::object data{{"tabs", system_tabs(ctx, "/admin/system/jobs")},
                          {"states", std::move(states)},
                          {"jobs", std::move(items)},
                          {"has_jobs", !list->empty()},
                          {"status", status},
                          {"kind", kind},
                          {"events_pending", counts->events_pending},
                          {"dead", counts->dead},
                          {"can_write", ctx.can("settings:write")}};
        if (static_cast<int>(list->size()) == filter.limit) {
          std::string next = "/admin/system/jobs?before=" + list->back().id;
          if (!status.empty()) next += "&status=" + status;
          if (!kind.empty()) next += "&kind=" + http::percent_encode(kind);
          data["next"] = next;
        }
        return p->admin.render(req, ctx, 200, "system_jobs", std::move(data), system_page("Jobs"));
      });
  p->admin.add_page(
      router, "POST", "/admin/system/jobs/{id}/retry", "settings",
      [p](const Request& req, const StaffContext& ctx) {
        auto job = p->s.jobs.retry(std::string(req.param("id")));
        if (!job) {
          if (job.error().kind == ErrorKind::not_found) return p->admin.not_found(req, ctx, "job");
          if (!users_fault(job.error())) return failure(job.error());
          return p->admin.redirect_with_notice(req, "/admin/system/jobs?status=dead",
                                               "This job cannot be retried: it is running or done",
                                               NoticeKind::danger);
        }
        return p->admin.redirect_with_notice(req, "/admin/system/jobs?status=dead",
                                             "Job " + job->kind + " queued to run again");
      },
      kForm);
}

// ---- /admin/system/audit --------------------------------------------------------------------

// Names for the actors the log mentions: staff accounts by email, tokens by name.
std::map<std::string, std::string> actor_names(const Shared& p) {
  std::map<std::string, std::string> names;
  if (auto staff = p->s.accounts.staff_accounts())
    for (const auto& a : *staff) names[a.id] = a.email;
  if (auto tokens = p->s.tokens.list())
    for (const auto& t : *tokens) names[t.id] = "token " + t.name;
  return names;
}

void add_audit(http::Router& router, const Shared& p) {
  p->admin.add_page(
      router, "GET", "/admin/system/audit", "audit",
      [p](const Request& req, const StaffContext& ctx) {
        staff::AuditFilter filter;
        filter.per_page = 50;
        FormErrors errors;
        auto q = [&](const char* name) { return req.query_param(name).value_or(""); };
        json::object values{{"actor", q("actor")},
                            {"action", q("action")},
                            {"outcome", q("outcome")},
                            {"from", q("from")},
                            {"to", q("to")}};
        if (!q("actor").empty()) filter.actor = q("actor").substr(0, 200);
        if (!q("action").empty()) filter.action = q("action").substr(0, 200);
        if (q("outcome") == "ok" || q("outcome") == "denied" || q("outcome") == "failed")
          filter.outcome = q("outcome");
        // Dates are days (UTC); "to" includes its whole day.
        for (const char* name : {"from", "to"}) {
          std::string day = q(name);
          if (day.empty()) continue;
          auto at = parse_iso8601(day.size() == 10 ? day + "T00:00:00Z" : day);
          if (!at) {
            errors.fields[name] = "Enter a date like 2026-11-26";
            continue;
          }
          if (std::string_view(name) == "to" && day.size() == 10) *at += std::chrono::hours(24);
          (std::string_view(name) == "from" ? filter.from : filter.to) = to_iso8601(*at);
        }
        if (!errors.fields.empty()) errors.summary = "Some filters were not understood.";
        if (auto after = req.query_param("after")) {
          Uuid id;
          if (Uuid::parse(*after, id)) filter.after = *after;
        }
        auto page = p->s.audit.list(filter);
        if (!page) return failure(page.error());
        auto names = actor_names(p);
        json::array items;
        for (const auto& e : page->items) {
          auto name = names.find(e.actor_id);
          items.push_back(json::object{{"at", when(e.at)},
                                       {"actor_kind", e.actor_kind},
                                       {"actor_id", e.actor_id},
                                       {"actor", name == names.end() ? e.actor_id : name->second},
                                       {"action", e.action},
                                       {"permission", e.permission},
                                       {"target", e.target},
                                       {"client_ip", e.client_ip},
                                       {"status", e.status},
                                       {"outcome", e.outcome},
                                       {"badge", e.outcome == "ok"       ? "success"
                                                 : e.outcome == "denied" ? "warning"
                                                                         : "danger"},
                                       {"request_id", e.request_id}});
        }
        json::array actors;
        for (const auto& [id, name] : names)
          actors.push_back(
              json::object{{"id", id}, {"name", name}, {"selected", q("actor") == id}});
        json::array outcomes;
        for (const char* o : {"ok", "denied", "failed"})
          outcomes.push_back(json::object{{"value", o}, {"selected", q("outcome") == o}});
        json::object data{{"tabs", system_tabs(ctx, "/admin/system/audit")},
                          {"entries", std::move(items)},
                          {"has_entries", !page->items.empty()},
                          {"actors", std::move(actors)},
                          {"outcomes", std::move(outcomes)},
                          {"errors", errors.to_json()},
                          {"values", std::move(values)},
                          {"filtered", filter.actor || filter.action || filter.outcome ||
                                           filter.from || filter.to}};
        data["paging"] = filter.after.has_value() || page->next_after.has_value();
        if (filter.after) {
          std::string first = "/admin/system/audit";
          char sep = '?';
          for (const char* name : {"actor", "action", "outcome", "from", "to"})
            if (!q(name).empty()) {
              first += sep + std::string(name) + "=" + http::percent_encode(q(name));
              sep = '&';
            }
          data["first"] = first;
        }
        if (page->next_after) {
          std::string next = "/admin/system/audit?after=" + *page->next_after;
          for (const char* name : {"actor", "action", "outcome", "from", "to"})
            if (!q(name).empty())
              next += std::string("&") + name + "=" + http::percent_encode(q(name));
          data["next"] = next;
        }
        return p->admin.render(req, ctx, errors.empty() ? 200 : 422, "system_audit",
                               std::move(data), system_page("Audit log"));
      });
}

// ---- /admin/system/staff --------------------------------------------------------------------

json::array scope_choices(const std::vector<std::string>& chosen) {
  static const std::pair<const char*, const char*> kHelp[] = {
      {"catalog", "Products, inventory and media"},
      {"orders", "Orders, shipments, returns and payments"},
      {"support", "Read orders and customers"}};
  json::array out;
  for (const auto& [scope, help] : kHelp)
    out.push_back(
        json::object{{"value", scope},
                     {"help", help},
                     {"checked", std::find(chosen.begin(), chosen.end(), scope) != chosen.end()}});
  return out;
}

Response staff_form_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                         const std::optional<accounts::Account>& member, const FormErrors& errors,
                         json::object values) {
  std::vector<std::string> chosen;
  if (auto* scopes = values.if_contains("scopes"); scopes && scopes->is_array())
    for (const auto& s : scopes->as_array())
      if (s.is_string()) chosen.emplace_back(s.as_string());
  std::string role = values.contains("role") ? std::string(values["role"].as_string()) : "staff";
  std::string title = member ? member->name : "New staff member";
  std::string href = member ? "/admin/system/staff/" + member->id : "/admin/system/staff/new";
  json::object data{{"tabs", system_tabs(ctx, "/admin/system/staff")},
                    {"editing", member.has_value()},
                    {"action", member ? href : std::string("/admin/system/staff")},
                    {"scope_choices", scope_choices(chosen)},
                    {"role_admin", role == "admin"},
                    {"role_staff", role != "admin"},
                    {"self", member && ctx.who && member->id == ctx.who->account_id},
                    {"errors", errors.to_json()},
                    {"values", std::move(values)}};
  if (member)
    data["member"] = json::object{{"id", member->id},
                                  {"name", member->name},
                                  {"email", member->email},
                                  {"created_at", when(member->created_at)}};
  AdminPage page{.title = title, .section = "system", .crumbs = {}};
  page.crumbs = {{"System", "/admin/system/jobs"}, {"Staff", "/admin/system/staff"}};
  return p->admin.render(req, ctx, status, "system_staff_form", std::move(data), page);
}

Result<std::optional<accounts::Account>> find_staff(const Shared& p, const std::string& id) {
  auto all = p->s.accounts.staff_accounts();
  if (!all) return all.error();
  for (auto& a : *all)
    if (a.id == id) return std::optional<accounts::Account>(std::move(a));
  return std::optional<accounts::Account>{};
}

// Role and scopes from the form; an admin holds everything, so carries no scopes.
std::pair<std::string, std::vector<std::string>> role_of(const Form& form) {
  std::string role = form.get("role") == "admin" ? "admin" : "staff";
  std::vector<std::string> scopes;
  if (role == "staff")
    for (const auto& s : form.all("scopes"))
      if (staff::is_staff_scope(s)) scopes.push_back(s);
  return {role, scopes};
}

void add_staff(http::Router& router, const Shared& p) {
  p->admin.add_page(
      router, "GET", "/admin/system/staff", "staff",
      [p](const Request& req, const StaffContext& ctx) {
        auto all = p->s.accounts.staff_accounts();
        if (!all) return failure(all.error());
        json::array items;
        for (const auto& a : *all) {
          auto totp = p->s.second_factor.enabled(a.id);
          items.push_back(json::object{{"id", a.id},
                                       {"two_factor", totp && *totp},
                                       {"name", a.name},
                                       {"email", a.email},
                                       {"role", accounts::to_string(a.role)},
                                       {"admin", a.role == accounts::Role::admin},
                                       {"scopes", join(a.scopes)},
                                       {"has_scopes", !a.scopes.empty()},
                                       {"self", ctx.who && a.id == ctx.who->account_id},
                                       {"created_at", when(a.created_at)}});
        }
        json::object data{{"tabs", system_tabs(ctx, "/admin/system/staff")},
                          {"members", std::move(items)},
                          {"can_write", ctx.can("staff:write")}};
        auto page = system_page("Staff");
        page.own_heading = true;  // the title shares its row with "Add staff member"
        return p->admin.render(req, ctx, 200, "system_staff", std::move(data), page);
      });
  p->admin.add_page(
      router, "GET", "/admin/system/staff/new", "staff",
      [p](const Request& req, const StaffContext& ctx) {
        return staff_form_page(p, req, ctx, 200, std::nullopt, {}, json::object{{"role", "staff"}});
      });
  p->admin.add_page(router, "GET", "/admin/system/staff/{id}", "staff",
                    [p](const Request& req, const StaffContext& ctx) {
                      auto found = find_staff(p, std::string(req.param("id")));
                      if (!found) return failure(found.error());
                      if (!*found) return p->admin.not_found(req, ctx, "staff member");
                      const auto& a = **found;
                      return staff_form_page(p, req, ctx, 200, a, {},
                                             json::object{{"role", accounts::to_string(a.role)},
                                                          {"scopes", strings(a.scopes)}});
                    });
  p->admin.add_page(
      router, "POST", "/admin/system/staff", "staff",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        auto [role, scopes] = role_of(form);
        auto password_values = form.all("password");
        std::string password = password_values.empty() ? "" : password_values.front();
        json::object values{{"name", form.get("name")},
                            {"email", form.get("email")},
                            {"role", role},
                            {"scopes", strings(scopes)}};
        FormErrors errors;
        if (form.get("name").empty()) errors.fields["name"] = "Enter the person's name";
        if (form.get("email").empty()) errors.fields["email"] = "Enter an email address";
        if (password.empty())
          errors.fields["password"] = "Choose a first password (10+ characters)";
        if (role == "staff" && scopes.empty())
          errors.fields["scopes"] = "Choose at least one scope for a staff member";
        if (!errors.fields.empty()) {
          errors.summary = "Please fix the fields marked below.";
          return staff_form_page(p, req, ctx, 422, std::nullopt, errors, std::move(values));
        }
        auto made = p->s.accounts.create_staff_account(
            form.get("email"), form.get("name"), password, *accounts::parse_role(role), scopes);
        if (!made) {
          if (!users_fault(made.error())) return failure(made.error());
          auto e = errors_of(made.error());
          if (made.error().code == "email_taken")
            e = field_error("email", "An account with this email exists already");
          return staff_form_page(p, req, ctx, status_for(made.error()), std::nullopt, e,
                                 std::move(values));
        }
        return p->admin.redirect_with_notice(req, "/admin/system/staff",
                                             made->name + " can now sign in as " + role);
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/system/staff/{id}", "staff",
      [p](const Request& req, const StaffContext& ctx) {
        std::string id(req.param("id"));
        auto found = find_staff(p, id);
        if (!found) return failure(found.error());
        if (!*found) return p->admin.not_found(req, ctx, "staff member");
        auto form = Form::of(req);
        auto [role, scopes] = role_of(form);
        json::object values{{"role", role}, {"scopes", strings(scopes)}};
        if (ctx.who && id == ctx.who->account_id)
          return staff_form_page(
              p, req, ctx, 409, **found,
              FormErrors{.fields = {},
                         .summary = "You cannot change your own role: ask another admin."},
              std::move(values));
        if (role == "staff" && scopes.empty())
          return staff_form_page(
              p, req, ctx, 422, **found,
              field_error("scopes", "Choose at least one scope for a staff member"),
              std::move(values));
        auto changed = p->s.accounts.set_role(id, *accounts::parse_role(role), scopes);
        if (!changed) {
          if (!users_fault(changed.error())) return failure(changed.error());
          return staff_form_page(p, req, ctx, status_for(changed.error()), **found,
                                 errors_of(changed.error()), std::move(values));
        }
        return p->admin.redirect_with_notice(req, "/admin/system/staff",
                                             changed->name + " is now " + role +
                                                 (scopes.empty() ? "" : " (" + join(scopes) + ")") +
                                                 "; their sessions were ended");
      },
      kForm);
}

// ---- /admin/system/tokens -------------------------------------------------------------------

Response tokens_page(const Shared& p, const Request& req, const StaffContext& ctx, int status,
                     const FormErrors& errors, json::object values,
                     std::optional<staff::IssuedToken> issued = std::nullopt) {
  auto list = p->s.tokens.list();
  if (!list) return failure(list.error());
  const std::string now = to_iso8601(now_utc());
  json::array items;
  for (const auto& t : *list) {
    std::string state = "active", badge = "success";
    if (t.revoked_at) {
      state = "revoked";
      badge = "neutral";
    } else if (t.expires_at && *t.expires_at <= now) {
      state = "expired";
      badge = "warning";
    }
    items.push_back(json::object{{"id", t.id},
                                 {"name", t.name},
                                 {"prefix", t.prefix},
                                 {"scopes", join(t.scopes)},
                                 {"created_at", when(t.created_at)},
                                 {"expires_at", when_or_null(t.expires_at)},
                                 {"last_used_at", when_or_null(t.last_used_at)},
                                 {"state", state},
                                 {"badge", badge},
                                 {"bootstrap", t.bootstrap},
                                 {"can_revoke", state == "active"}});
  }
  std::set<std::string> chosen;
  if (auto* scopes = values.if_contains("scopes"); scopes && scopes->is_array())
    for (const auto& s : scopes->as_array())
      if (s.is_string()) chosen.emplace(s.as_string());
  json::array areas;
  for (auto area : staff::kTokenAreas) {
    std::string a(area);
    areas.push_back(json::object{{"area", a},
                                 {"read", a + ":read"},
                                 {"write", a + ":write"},
                                 {"read_checked", chosen.count(a + ":read") > 0},
                                 {"write_checked", chosen.count(a + ":write") > 0}});
  }
  json::object data{{"tabs", system_tabs(ctx, "/admin/system/tokens")},
                    {"tokens", std::move(items)},
                    {"has_tokens", !list->empty()},
                    {"areas", std::move(areas)},
                    {"all_checked", chosen.count("*") > 0},
                    {"can_write", ctx.can("tokens:write")},
                    {"errors", errors.to_json()},
                    {"values", std::move(values)}};
  if (issued)
    data["issued"] = json::object{{"name", issued->token.name},
                                  {"secret", issued->secret},
                                  {"scopes", join(issued->token.scopes)}};
  auto page = system_page("API tokens");
  page.own_heading = true;  // the title shares its row with "Create token"
  return p->admin.render(req, ctx, status, "system_tokens", std::move(data), page);
}

void add_tokens(http::Router& router, const Shared& p) {
  p->admin.add_page(router, "GET", "/admin/system/tokens", "tokens",
                    [p](const Request& req, const StaffContext& ctx) {
                      return tokens_page(p, req, ctx, 200, {}, {});
                    });
  p->admin.add_page(
      router, "POST", "/admin/system/tokens", "tokens",
      [p](const Request& req, const StaffContext& ctx) {
        auto form = Form::of(req);
        staff::NewApiToken in;
        in.name = form.get("name");
        for (const auto& s : form.all("scopes"))
          if (std::find(in.scopes.begin(), in.scopes.end(), s) == in.scopes.end())
            in.scopes.push_back(s);
        json::object values{
            {"name", in.name}, {"expires", form.get("expires")}, {"scopes", strings(in.scopes)}};
        FormErrors errors;
        if (std::string day = form.get("expires"); !day.empty()) {
          auto at = parse_iso8601(day.size() == 10 ? day + "T00:00:00Z" : day);
          if (!at)
            errors.fields["expires"] = "Enter a date like 2027-01-31";
          else if (*at <= now_utc())
            errors.fields["expires"] = "Choose a date in the future";
          else
            in.expires_at = to_iso8601(*at);
        }
        if (in.name.empty()) errors.fields["name"] = "Name the token after what uses it";
        if (in.scopes.empty()) errors.fields["scopes"] = "Choose at least one permission";
        if (!errors.fields.empty()) {
          errors.summary = "Please fix the fields marked below.";
          return tokens_page(p, req, ctx, 422, errors, std::move(values));
        }
        const http::Principal* who = req.principal.get();
        in.created_by = !who                                            ? "anonymous"
                        : who->kind == http::Principal::Kind::api_token ? "token:" + who->token_id
                                                                        : who->account_id;
        auto issued = p->s.tokens.create(in);
        if (!issued) {
          if (!users_fault(issued.error())) return failure(issued.error());
          auto e = errors_of(issued.error());
          // The service names scopes by position ("scopes[2]"): one message for the group.
          std::map<std::string, std::string> fields;
          for (auto& [f, m] : e.fields)
            fields[f.rfind("scopes", 0) == 0 ? "scopes" : f == "expires_at" ? "expires" : f] = m;
          e.fields = std::move(fields);
          return tokens_page(p, req, ctx, status_for(issued.error()), e, std::move(values));
        }
        // Shown on this answer only: the token is kept as a hash.
        return tokens_page(p, req, ctx, 201, {}, {}, *issued);
      },
      kForm);
  p->admin.add_page(
      router, "POST", "/admin/system/tokens/{id}/revoke", "tokens",
      [p](const Request& req, const StaffContext& ctx) {
        auto revoked = p->s.tokens.revoke(std::string(req.param("id")));
        if (!revoked) {
          if (revoked.error().kind == ErrorKind::not_found)
            return p->admin.not_found(req, ctx, "API token");
          return failure(revoked.error());
        }
        return p->admin.redirect_with_notice(req, "/admin/system/tokens", "Token revoked");
      },
      kForm);
}

}  // namespace

void add_system_pages(http::Router& router, const Admin& admin, SystemPageServices services) {
  auto p = std::make_shared<const Pages>(Pages{admin, std::move(services)});
  add_general(router, p);
  add_taxes(router, p);
  add_shipping(router, p);
  add_email(router, p);
  add_webhooks(router, p);
  add_jobs(router, p);
  add_audit(router, p);
  add_staff(router, p);
  add_tokens(router, p);
}

}  // namespace fff::web::admin
