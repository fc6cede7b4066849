// Discounts in the admin: coupons with their usage (/admin/discounts), create, edit, disable and
// enable — through PricingService's coupon functions, as the JSON admin API (area catalog).
#include <cstdio>
#include <stdexcept>

#include "core/time.hpp"
#include "web/admin/ops_common.hpp"

namespace fff::web::admin::ops {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;
using pricing::Coupon;
using pricing::CouponKind;

// Field → how the form names it, to turn the service's "must be …" into a sentence.
const std::map<std::string, std::string> kFieldLabels = {
    {"code", "The code"},
    {"kind", "The type"},
    {"percent", "The percentage"},
    {"amount", "The amount"},
    {"minimum_subtotal", "The minimum order"},
    {"starts_at", "The start"},
    {"ends_at", "The end"},
    {"usage_limit", "The usage limit"},
    {"per_customer_limit", "The limit per customer"}};

std::string percent_text(int64_t bp) {
  std::string s = std::to_string(bp / 100);
  if (bp % 100) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%02lld", static_cast<long long>(bp % 100));
    std::string frac(buf);
    while (frac.back() == '0') frac.pop_back();
    s += frac;
  }
  return s;
}

std::string value_text(const Coupon& c) {
  switch (c.kind) {
    case CouponKind::percentage: return percent_text(c.percent_bp) + "% off";
    case CouponKind::fixed: return Site::money(Money(c.amount_minor, c.currency)) + " off";
    case CouponKind::free_shipping: return "Free shipping";
  }
  return "";
}

json::object status_of(const Coupon& c, const std::string& now) {
  if (!c.active)
    return {{"label", "Disabled"}, {"cls", "admin-badge-neutral"}, {"key", "disabled"}};
  if (c.ends_at && *c.ends_at <= now)
    return {{"label", "Expired"}, {"cls", "admin-badge-neutral"}, {"key", "expired"}};
  if (c.starts_at && *c.starts_at > now)
    return {{"label", "Scheduled"}, {"cls", "admin-badge-info"}, {"key", "scheduled"}};
  if (c.usage_limit && c.used >= *c.usage_limit)
    return {{"label", "Used up"}, {"cls", "admin-badge-warning"}, {"key", "used_up"}};
  return {{"label", "Active"}, {"cls", "admin-badge-success"}, {"key", "active"}};
}

json::object coupon_row(const Coupon& c, const std::string& now) {
  std::string validity;
  if (c.starts_at || c.ends_at)
    validity = (c.starts_at ? when(*c.starts_at) : "now") + " → " +
               (c.ends_at ? when(*c.ends_at) : "no end");
  json::object usage{{"used", c.used},
                     {"limit", c.usage_limit ? std::to_string(*c.usage_limit) : ""},
                     {"limited", c.usage_limit.has_value()},
                     {"max", c.usage_limit.value_or(0)}};
  return {
      {"id", c.id},
      {"href", "/admin/discounts/" + c.id},
      {"code", c.code},
      {"value", value_text(c)},
      {"minimum",
       c.minimum_subtotal_minor ? Site::money(Money(*c.minimum_subtotal_minor, c.currency)) : ""},
      {"validity", validity},
      {"per_customer", c.per_customer_limit ? std::to_string(*c.per_customer_limit) : ""},
      {"usage", std::move(usage)},
      {"status", status_of(c, now)},
      {"active", c.active},
      {"created", when(c.created_at)}};
}

// What the form shows: the stored coupon or what was submitted.
struct CouponForm {
  std::string code, kind = "percentage", percent, amount, minimum_subtotal, starts_at, ends_at,
                    usage_limit, per_customer_limit;
  bool active = true;
};

CouponForm form_of(const Coupon& c) {
  CouponForm f;
  f.code = c.code;
  f.kind = pricing::to_string(c.kind);
  if (c.kind == CouponKind::percentage) f.percent = percent_text(c.percent_bp);
  if (c.kind == CouponKind::fixed) f.amount = Money(c.amount_minor, c.currency).decimal();
  if (c.minimum_subtotal_minor)
    f.minimum_subtotal = Money(*c.minimum_subtotal_minor, c.currency).decimal();
  if (c.starts_at) f.starts_at = c.starts_at->substr(0, 16);
  if (c.ends_at) f.ends_at = c.ends_at->substr(0, 16);
  if (c.usage_limit) f.usage_limit = std::to_string(*c.usage_limit);
  if (c.per_customer_limit) f.per_customer_limit = std::to_string(*c.per_customer_limit);
  f.active = c.active;
  return f;
}

CouponForm form_of(const Form& form) {
  return CouponForm{form.get("code"),
                    form.get("kind"),
                    form.get("percent"),
                    form.get("amount"),
                    form.get("minimum_subtotal"),
                    form.get("starts_at"),
                    form.get("ends_at"),
                    form.get("usage_limit"),
                    form.get("per_customer_limit"),
                    form.get("active") == "1"};
}

// The form as a CouponInput; problems the page can tell before the service go to `errors`.
pricing::CouponInput input_of(const CouponForm& f, Currency currency, bool creating,
                              FormErrors& errors) {
  pricing::CouponInput in;
  in.code = f.code;
  in.kind = f.kind;
  in.active = f.active;
  if (f.kind == "percentage") {
    auto bp = Money::parse(f.percent, Currency::USD);  // two decimals: percent × 100 = bp
    if (!bp)
      errors.fields["percent"] = "Enter a percentage such as 10 or 12.5.";
    else
      in.percent_bp = bp->minor();
  }
  if (f.kind == "fixed") {
    auto amount = Money::parse(f.amount, currency);
    if (!amount)
      errors.fields["amount"] = "Enter an amount such as 5 or 7.50.";
    else
      in.amount_minor = amount->minor();
  }
  if (f.minimum_subtotal.empty()) {
    in.clear_minimum = !creating;
  } else if (auto m = Money::parse(f.minimum_subtotal, currency); !m) {
    errors.fields["minimum_subtotal"] = "Enter an amount such as 50, or leave it empty.";
  } else {
    in.minimum_subtotal_minor = m->minor();
  }
  auto moment = [&](const std::string& text, std::optional<std::string>& field, bool& clear,
                    const char* name) {
    if (text.empty()) {
      clear = !creating;
      return;
    }
    std::string iso = text.size() == 16 ? text + ":00Z" : text;
    if (!parse_iso8601(iso))
      errors.fields[name] = "Enter a date and time (UTC), or leave it empty.";
    else
      field = iso;
  };
  moment(f.starts_at, in.starts_at, in.clear_starts_at, "starts_at");
  moment(f.ends_at, in.ends_at, in.clear_ends_at, "ends_at");
  auto limit_of = [&](const std::string& text, std::optional<int64_t>& field, bool& clear,
                      const char* name) {
    if (text.empty()) {
      clear = !creating;
      return;
    }
    auto n = whole_number(text);
    if (!n)
      errors.fields[name] = "Enter a whole number, or leave it empty for no limit.";
    else
      field = *n;
  };
  limit_of(f.usage_limit, in.usage_limit, in.clear_usage_limit, "usage_limit");
  limit_of(f.per_customer_limit, in.per_customer_limit, in.clear_per_customer_limit,
           "per_customer_limit");
  return in;
}

// A service error as messages beside the fields.
FormErrors coupon_errors(const Error& e) {
  FormErrors out;
  if (e.code == "coupon_code_taken") {
    out.fields["code"] = "Another coupon already has this code.";
  } else {
    for (const auto& f : e.fields) {
      auto label = kFieldLabels.find(f.field);
      std::string message = f.message;
      if (f.field == "ends_at" && message == "must be after starts_at")
        message = "must be after the start";
      if (label != kFieldLabels.end())
        out.fields[f.field] = label->second + " " + message + ".";
      else if (out.summary.empty())
        out.summary = f.field + " " + message + ".";
    }
  }
  if (out.summary.empty())
    out.summary = "The coupon was not saved: please fix the fields marked below.";
  return out;
}

Response render_form(Pages& p, const Request& req, const StaffContext& ctx, int status,
                     const std::optional<Coupon>& existing, const CouponForm& f,
                     const FormErrors& errors) {
  json::object fields;
  for (const auto& [name, label] : kFieldLabels) {
    auto it = errors.fields.find(name);
    fields[name] = json::object{{"error", it == errors.fields.end() ? "" : it->second}};
  }
  json::array kinds;
  for (auto [value, label] : {std::pair{"percentage", "Percentage off the order"},
                              std::pair{"fixed", "Fixed amount off the order"},
                              std::pair{"free_shipping", "Free shipping"}})
    kinds.push_back(
        json::object{{"value", value}, {"label", label}, {"selected", f.kind == value}});
  std::string now = to_iso8601(Clock::system().now());
  json::object d{{"editing", existing.has_value()},
                 {"action", existing ? "/admin/discounts/" + existing->id : "/admin/discounts"},
                 {"f", json::object{{"code", f.code},
                                    {"percent", f.percent},
                                    {"amount", f.amount},
                                    {"minimum_subtotal", f.minimum_subtotal},
                                    {"starts_at", f.starts_at},
                                    {"ends_at", f.ends_at},
                                    {"usage_limit", f.usage_limit},
                                    {"per_customer_limit", f.per_customer_limit},
                                    {"active", f.active}}},
                 {"kinds", std::move(kinds)},
                 {"fields", std::move(fields)},
                 {"currency", std::string(currency_code(p.currency()))},
                 {"errors", errors.to_json()},
                 {"can_write", ctx.can("catalog:write")}};
  if (existing) d["coupon"] = coupon_row(*existing, now);
  std::string title = existing ? existing->code : "New coupon";
  return p.admin.render(req, ctx, status, "ops_discount_form", std::move(d),
                        page_for(title, "discounts", {{"Discounts", "/admin/discounts"}}));
}

}  // namespace

void add_discount_pages(http::Router& router, const std::shared_ptr<Pages>& p) {
  const Admin& admin = p->admin;
  admin.add_page(router, "GET", "/admin/discounts", "catalog",
                 [p](const Request& req, const StaffContext& ctx) {
                   auto coupons = p->s.pricing.coupons();
                   if (!coupons) throw std::runtime_error("coupons: " + coupons.error().message);
                   std::string now = to_iso8601(Clock::system().now());
                   std::string show = req.query_param("status").value_or("");
                   json::array rows;
                   int64_t active = 0, redemptions = 0;
                   for (const auto& c : *coupons) {
                     json::object row = coupon_row(c, now);
                     bool is_active = row["status"].as_object()["key"].as_string() == "active";
                     active += is_active;
                     redemptions += c.used;
                     if (show == "active" && !is_active) continue;
                     rows.push_back(std::move(row));
                   }
                   json::object d{{"rows", std::move(rows)},
                                  {"empty", coupons->empty()},
                                  {"count", static_cast<int64_t>(coupons->size())},
                                  {"active_count", active},
                                  {"redemptions", redemptions},
                                  {"only_active", show == "active"},
                                  {"can_write", ctx.can("catalog:write")}};
                   d["none_shown"] = !coupons->empty() && d["rows"].as_array().empty();
                   return p->admin.render(req, ctx, 200, "ops_discounts", std::move(d),
                                          page_for("Discounts", "discounts"));
                 });

  admin.add_page(
      router, "GET", "/admin/discounts/new", "catalog",
      [p](const Request& req, const StaffContext& ctx) {
        if (!ctx.can("catalog:write"))
          return p->admin.forbidden(
              req, ctx,
              Error::forbidden("permission_denied", "this caller may not use catalog:write"));
        return render_form(*p, req, ctx, 200, std::nullopt, CouponForm{}, {});
      });

  admin.add_page(router, "POST", "/admin/discounts", "catalog",
                 [p](const Request& req, const StaffContext& ctx) {
                   CouponForm f = form_of(Form::of(req));
                   FormErrors errors;
                   auto in = input_of(f, p->currency(), true, errors);
                   if (errors.fields.empty()) {
                     auto made = p->s.pricing.create_coupon(in);
                     if (made)
                       return p->admin.redirect_with_notice(req, "/admin/discounts",
                                                            "Coupon " + made->code + " created.");
                     if (made.error().kind == ErrorKind::internal ||
                         made.error().kind == ErrorKind::unavailable)
                       throw std::runtime_error("create coupon: " + made.error().message);
                     errors = coupon_errors(made.error());
                   }
                   if (errors.summary.empty())
                     errors.summary =
                         "The coupon was not saved: please fix the fields marked below.";
                   return render_form(*p, req, ctx, 422, std::nullopt, f, errors);
                 });

  admin.add_page(router, "GET", "/admin/discounts/{id}", "catalog",
                 [p](const Request& req, const StaffContext& ctx) {
                   auto c = p->s.pricing.coupon(std::string(req.param("id")));
                   if (!c) {
                     if (c.error().kind == ErrorKind::not_found)
                       return p->admin.not_found(req, ctx, "coupon");
                     throw std::runtime_error("coupon: " + c.error().message);
                   }
                   return render_form(*p, req, ctx, 200, *c, form_of(*c), {});
                 });

  admin.add_page(router, "POST", "/admin/discounts/{id}", "catalog",
                 [p](const Request& req, const StaffContext& ctx) {
                   std::string id(req.param("id"));
                   auto c = p->s.pricing.coupon(id);
                   if (!c) {
                     if (c.error().kind == ErrorKind::not_found)
                       return p->admin.not_found(req, ctx, "coupon");
                     throw std::runtime_error("coupon: " + c.error().message);
                   }
                   CouponForm f = form_of(Form::of(req));
                   FormErrors errors;
                   auto in = input_of(f, p->currency(), false, errors);
                   if (errors.fields.empty()) {
                     auto saved = p->s.pricing.update_coupon(id, in);
                     if (saved)
                       return p->admin.redirect_with_notice(req, "/admin/discounts/" + id,
                                                            "Coupon " + saved->code + " saved.");
                     if (saved.error().kind == ErrorKind::internal ||
                         saved.error().kind == ErrorKind::unavailable)
                       throw std::runtime_error("update coupon: " + saved.error().message);
                     errors = coupon_errors(saved.error());
                   }
                   if (errors.summary.empty())
                     errors.summary =
                         "The coupon was not saved: please fix the fields marked below.";
                   return render_form(*p, req, ctx, 422, *c, f, errors);
                 });

  for (bool enable : {false, true}) {
    admin.add_page(
        router, "POST", enable ? "/admin/discounts/{id}/enable" : "/admin/discounts/{id}/disable",
        "catalog", [p, enable](const Request& req, const StaffContext& ctx) {
          std::string id(req.param("id"));
          pricing::CouponInput in;
          in.active = enable;
          auto saved = p->s.pricing.update_coupon(id, in);
          if (!saved) {
            if (saved.error().kind == ErrorKind::not_found)
              return p->admin.not_found(req, ctx, "coupon");
            if (saved.error().kind == ErrorKind::internal ||
                saved.error().kind == ErrorKind::unavailable)
              throw std::runtime_error("coupon active: " + saved.error().message);
            return p->admin.redirect_with_notice(
                req, "/admin/discounts/" + id,
                "The coupon was not changed: " + saved.error().message, NoticeKind::danger);
          }
          return p->admin.redirect_with_notice(
              req, "/admin/discounts/" + id,
              "Coupon " + saved->code +
                  (enable ? " enabled." : " disabled: it can no longer be used."),
              enable ? NoticeKind::success : NoticeKind::warning);
        });
  }
}

}  // namespace fff::web::admin::ops
