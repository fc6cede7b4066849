// Stock in the admin: levels by variant and location (/admin/inventory), one variant's levels,
// adjustment form and ledger (/admin/inventory/{variant_id}), and the low-stock threshold.
// Adjustments go through InventoryService::adjust, as the JSON admin API's do.
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "core/id.hpp"
#include "web/admin/ops_common.hpp"

namespace fff::web::admin::ops {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr int64_t kLevelsPerPage = 25;
constexpr int64_t kLedgerPerPage = 25;

const std::map<std::string, std::string> kReasonLabels = {
    {"receipt", "Receipt (goods in)"}, {"return", "Customer return"},
    {"count", "Stock count"},          {"damage", "Damaged"},
    {"theft", "Theft or loss"},        {"correction", "Correction"},
    {"adjustment", "Other adjustment"}};

std::map<std::string, inventory::Location> locations_by_id(Pages& p) {
  std::map<std::string, inventory::Location> out;
  auto list = p.s.inventory.locations();
  if (!list) throw std::runtime_error("inventory locations: " + list.error().message);
  for (auto& l : *list) out.emplace(l.id, l);
  return out;
}

json::object stock_badge(int64_t available, int64_t threshold) {
  if (available <= 0) return {{"label", "Out of stock"}, {"cls", "admin-badge-danger"}};
  if (available <= threshold) return {{"label", "Low"}, {"cls", "admin-badge-warning"}};
  return {{"label", "In stock"}, {"cls", "admin-badge-success"}};
}

int64_t threshold_of(Pages& p) {
  auto t = p.s.inventory.low_stock_threshold();
  if (!t) throw std::runtime_error("low-stock threshold: " + t.error().message);
  return *t;
}

// A SKU as typed to a variant id (exact, then upper case); nullopt when none.
std::optional<std::string> variant_by_sku(Pages& p, std::string sku) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto found = p.s.catalog.find_variant(sku, "");
    if (found && *found) return (*found)->id;
    std::string upper = sku;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (upper == sku) break;
    sku = upper;
  }
  return std::nullopt;
}

Response render_list(Pages& p, const Request& req, const StaffContext& ctx, int status,
                     const std::string& threshold_value, const FormErrors& errors) {
  std::string q = req.query_param("q").value_or("");
  bool low = req.query_param("low").value_or("") == "1";
  int64_t page = page_param(req);
  int64_t threshold = threshold_of(p);
  inventory::LevelQuery query;
  query.limit = static_cast<int>(kLevelsPerPage);
  query.offset = (page - 1) * kLevelsPerPage;
  if (low) query.at_most_available = threshold;
  bool unknown_sku = false;
  if (!q.empty()) {
    auto id = variant_by_sku(p, q);
    if (id)
      query.variant_ids = {*id};
    else
      unknown_sku = true;
  }
  inventory::LevelPage levels;
  if (!unknown_sku) {
    auto found = p.s.inventory.level_page(query);
    if (!found) throw std::runtime_error("inventory levels: " + found.error().message);
    levels = std::move(*found);
  }
  // Low stock is judged on the variant's sum over locations, as the dashboard does.
  std::vector<std::string> ids;
  for (const auto& l : levels.items)
    if (ids.empty() || ids.back() != l.variant_id) ids.push_back(l.variant_id);
  auto views = variant_views(p, ids);
  auto available = p.s.inventory.available(ids);
  auto locations = locations_by_id(p);
  json::array rows;
  for (const auto& l : levels.items) {
    auto v = views.find(l.variant_id);
    int64_t total = 0;
    if (available)
      if (auto a = available->find(l.variant_id); a != available->end()) total = a->second;
    auto loc = locations.find(l.location_id);
    rows.push_back(json::object{
        {"href", "/admin/inventory/" + l.variant_id},
        {"sku", v != views.end() ? v->second.sku : l.variant_id},
        {"product", v != views.end() ? v->second.product_title : "(not in the catalog)"},
        {"variant", v != views.end() ? variant_label(v->second) : ""},
        {"location", loc != locations.end() ? loc->second.name : l.location_id},
        {"on_hand", l.on_hand},
        {"reserved", l.reserved},
        {"available", l.available()},
        {"badge", stock_badge(total, threshold)}});
  }
  std::string base = "/admin/inventory";
  std::string query_string;
  if (!q.empty()) query_string += "q=" + http::percent_encode(q, {}, true);
  if (low) query_string += std::string(query_string.empty() ? "" : "&") + "low=1";
  if (!query_string.empty()) base += "?" + query_string;
  json::object d{
      {"q", q},
      {"low", low},
      {"rows", std::move(rows)},
      {"empty", levels.items.empty()},
      {"unknown_sku", unknown_sku},
      {"filtered", !q.empty() || low},
      {"pager",
       pager(base, page, kLevelsPerPage, levels.total, static_cast<int64_t>(levels.items.size()))},
      {"threshold", threshold},
      {"threshold_value", threshold_value.empty() ? std::to_string(threshold) : threshold_value},
      {"can_write", ctx.can("inventory:write")},
      {"errors", errors.to_json()},
      {"threshold_error", errors.fields.count("threshold") ? errors.fields.at("threshold") : ""}};
  return p.admin.render(req, ctx, status, "ops_inventory", std::move(d),
                        page_for("Inventory", "inventory"));
}

struct AdjustForm {
  std::string location = "main", mode = "delta", quantity, reason = "receipt", note, key;
};

Response render_variant(Pages& p, const Request& req, const StaffContext& ctx, int status,
                        const std::string& variant_id, const AdjustForm& form,
                        const FormErrors& errors) {
  auto variant = p.s.catalog.find_variant("", variant_id);
  if (!variant) throw std::runtime_error("catalog variant: " + variant.error().message);
  auto levels = p.s.inventory.levels(variant_id);
  if (!levels) throw std::runtime_error("inventory levels: " + levels.error().message);
  if (!*variant && levels->empty()) return p.admin.not_found(req, ctx, "variant");
  auto views = variant_views(p, {variant_id});
  auto view = views.find(variant_id);
  std::string sku = view != views.end() ? view->second.sku : variant_id;
  std::string product = view != views.end() ? view->second.product_title : "";
  int64_t threshold = threshold_of(p);
  auto locations = locations_by_id(p);

  json::array level_rows;
  int64_t on_hand = 0, reserved = 0;
  for (const auto& l : *levels) {
    auto loc = locations.find(l.location_id);
    level_rows.push_back(
        json::object{{"location", loc != locations.end() ? loc->second.name : l.location_id},
                     {"code", loc != locations.end() ? loc->second.code : ""},
                     {"on_hand", l.on_hand},
                     {"reserved", l.reserved},
                     {"available", l.available()}});
    on_hand += l.on_hand;
    reserved += l.reserved;
  }
  int64_t page = page_param(req);
  auto ledger = p.s.inventory.ledger_page(variant_id, static_cast<int>(kLedgerPerPage),
                                          (page - 1) * kLedgerPerPage);
  if (!ledger) throw std::runtime_error("inventory ledger: " + ledger.error().message);
  // "staff:<account id>" as the staff member's name (the ledger keeps the stable id).
  std::map<std::string, std::string> actors;
  for (const auto& e : ledger->items) {
    if (!e.actor.starts_with("staff:") || actors.count(e.actor)) continue;
    auto account = p.s.accounts.find_account(e.actor.substr(6));
    actors[e.actor] = account && *account
                          ? ((*account)->name.empty() ? (*account)->email : (*account)->name)
                          : "Staff member";
  }
  json::array entries;
  for (const auto& e : ledger->items) {
    auto loc = locations.find(e.location_id);
    std::string reason = e.reason;
    entries.push_back(
        json::object{{"at", when(e.created_at)},
                     {"kind", e.kind == "return"    ? "Return"
                              : e.kind == "receipt" ? "Receipt"
                              : e.kind == "sale"    ? "Sale"
                                                    : "Adjustment"},
                     {"change", (e.quantity > 0 ? "+" : "") + std::to_string(e.quantity)},
                     {"up", e.quantity > 0},
                     {"reason", reason},
                     {"actor", actors.count(e.actor) ? actors.at(e.actor) : e.actor},
                     {"location", loc != locations.end() ? loc->second.name : e.location_id}});
  }
  json::array location_options;
  for (const auto& [id, l] : locations)
    location_options.push_back(
        json::object{{"code", l.code}, {"name", l.name}, {"selected", l.code == form.location}});
  json::array reasons;
  for (const char* r : inventory::kAdjustmentReasons)
    reasons.push_back(
        json::object{{"value", r}, {"label", kReasonLabels.at(r)}, {"selected", form.reason == r}});
  auto field_error = [&](const char* name) -> json::value {
    auto it = errors.fields.find(name);
    return it == errors.fields.end() ? json::value("") : json::value(it->second);
  };
  json::object d{{"variant_id", variant_id},
                 {"sku", sku},
                 {"product", product},
                 {"product_href", view != views.end() ? "/p/" + view->second.product_slug : ""},
                 {"variant", view != views.end() ? variant_label(view->second) : ""},
                 {"levels", std::move(level_rows)},
                 {"no_levels", levels->empty()},
                 {"on_hand", on_hand},
                 {"reserved", reserved},
                 {"available", on_hand - reserved},
                 {"badge", stock_badge(on_hand - reserved, threshold)},
                 {"entries", std::move(entries)},
                 {"no_entries", ledger->items.empty()},
                 {"pager", pager("/admin/inventory/" + variant_id, page, kLedgerPerPage,
                                 ledger->total, static_cast<int64_t>(ledger->items.size()))},
                 {"can_write", ctx.can("inventory:write")},
                 {"form", json::object{{"locations", std::move(location_options)},
                                       {"reasons", std::move(reasons)},
                                       {"delta", form.mode != "count"},
                                       {"count", form.mode == "count"},
                                       {"quantity", form.quantity},
                                       {"note", form.note},
                                       {"key", form.key.empty() ? new_id() : form.key},
                                       {"action", "/admin/inventory/" + variant_id + "/adjust"}}},
                 {"errors", errors.to_json()},
                 {"quantity_error", field_error("quantity")},
                 {"reason_error", field_error("reason")},
                 {"location_error", field_error("location")},
                 {"note_error", field_error("note")}};
  return p.admin.render(req, ctx, status, "ops_inventory_variant", std::move(d),
                        page_for(sku, "inventory", {{"Inventory", "/admin/inventory"}}));
}

// The service's errors beside the form's fields (delta and set_on_hand are both "quantity").
FormErrors adjust_errors(const Error& e) {
  FormErrors out;
  for (const auto& f : e.fields) {
    if (f.field == "Idempotency-Key") {
      out.summary = "This form was already used for another adjustment. Please enter it again.";
      continue;
    }
    std::string name = f.field == "delta" || f.field == "set_on_hand" ? "quantity" : f.field;
    std::string label = name == "quantity"   ? "The quantity "
                        : name == "location" ? "The location "
                        : name == "reason"   ? "The reason "
                        : name == "note"     ? "The note "
                                             : name + " ";
    out.fields[name] = label + f.message + ".";
  }
  if (out.fields.empty() && out.summary.empty()) out.summary = e.message;
  return out;
}

}  // namespace

void add_inventory_pages(http::Router& router, const std::shared_ptr<Pages>& p) {
  const Admin& admin = p->admin;
  admin.add_page(router, "GET", "/admin/inventory", "inventory",
                 [p](const Request& req, const StaffContext& ctx) {
                   return render_list(*p, req, ctx, 200, "", {});
                 });

  admin.add_page(router, "POST", "/admin/inventory/threshold", "inventory",
                 [p](const Request& req, const StaffContext& ctx) {
                   Form form = Form::of(req);
                   std::string value = form.get("threshold");
                   auto n = whole_number(value);
                   FormErrors errors;
                   if (!n) {
                     errors.fields["threshold"] = "Enter a whole number of units, such as 5.";
                   } else if (auto done = p->s.inventory.set_low_stock_threshold(*n); !done) {
                     if (done.error().kind != ErrorKind::unprocessable)
                       throw std::runtime_error("threshold: " + done.error().message);
                     errors.fields["threshold"] =
                         "The threshold " + done.error().fields.at(0).message + ".";
                   }
                   if (!errors.fields.empty()) {
                     errors.summary = "The low-stock threshold was not saved.";
                     return render_list(*p, req, ctx, 422, value, errors);
                   }
                   return p->admin.redirect_with_notice(
                       req, "/admin/inventory",
                       "Low-stock threshold set to " + std::to_string(*n) + " units.");
                 });

  admin.add_page(router, "GET", "/admin/inventory/{variant_id}", "inventory",
                 [p](const Request& req, const StaffContext& ctx) {
                   std::string id(req.param("variant_id"));
                   if (!is_uuid(id)) return p->admin.not_found(req, ctx, "variant");
                   return render_variant(*p, req, ctx, 200, id, {}, {});
                 });

  admin.add_page(
      router, "POST", "/admin/inventory/{variant_id}/adjust", "inventory",
      [p](const Request& req, const StaffContext& ctx) {
        std::string id(req.param("variant_id"));
        if (!is_uuid(id)) return p->admin.not_found(req, ctx, "variant");
        auto variant = p->s.catalog.find_variant("", id);
        if (!variant) throw std::runtime_error("catalog variant: " + variant.error().message);
        if (!*variant) return p->admin.not_found(req, ctx, "variant");
        Form form = Form::of(req);
        AdjustForm f{form.get("location"), form.get("mode"), form.get("quantity"),
                     form.get("reason"),   form.get("note"), form.get("key")};
        if (f.location.empty()) f.location = "main";
        FormErrors errors;
        auto quantity = whole_number(f.quantity);
        if (!quantity)
          errors.fields["quantity"] = f.mode == "count"
                                          ? "Enter the number of units counted, such as 12."
                                          : "Enter a whole number of units, such as 5 or -2.";
        if (!kReasonLabels.count(f.reason)) errors.fields["reason"] = "Choose a reason.";
        if (errors.fields.empty()) {
          inventory::StockAdjustment a;
          a.variant_id = id;
          a.location_code = f.location;
          if (f.mode == "count")
            a.set_on_hand = *quantity;
          else
            a.delta = *quantity;
          a.reason = f.reason;
          a.note = f.note;
          a.actor = "staff:" + ctx.who->account_id;
          if (!f.key.empty()) a.idempotency_key = f.key;
          auto done = p->s.inventory.adjust(a);
          if (done) {
            std::string change =
                done->quantity == 0
                    ? "no change, the count matched"
                    : (done->quantity > 0 ? "+" : "") + std::to_string(done->quantity) + " units";
            return p->admin.redirect_with_notice(req, "/admin/inventory/" + id,
                                                 "Stock adjusted (" + change +
                                                     "): " + std::to_string(done->level.on_hand) +
                                                     " on hand at " + f.location + ".");
          }
          if (done.error().kind != ErrorKind::unprocessable &&
              done.error().kind != ErrorKind::invalid)
            throw std::runtime_error("adjust: " + done.error().message);
          errors = adjust_errors(done.error());
        }
        if (errors.summary.empty()) errors.summary = "The stock was not adjusted.";
        f.key.clear();  // a corrected form is a new request
        return render_variant(*p, req, ctx, 422, id, f, errors);
      });
}

}  // namespace fff::web::admin::ops
