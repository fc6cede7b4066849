#include "modules/inventory/staff_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <set>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::inventory {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

Result<int> int_param(const Request& req, const char* name, int fallback, int lo, int hi) {
  auto raw = req.query_param(name);
  if (!raw) return fallback;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < lo || v > hi) {
    std::string message =
        "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    return Error::invalid("invalid_parameter", std::string(name) + " " + message,
                          {{name, message}});
  }
  return v;
}

Error variant_not_found(const std::string& sku, const std::string& id) {
  return Error::not_found("variant_not_found", sku.empty() ? "no variant with id '" + id + "'"
                                                           : "no variant with SKU '" + sku + "'");
}

// ?sku= or ?variant_id= to a variant, through the catalog.
Result<VariantRef> variant_param(const Request& req, const VariantLookup& variants) {
  std::string sku = req.query_param("sku").value_or("");
  std::string id = req.query_param("variant_id").value_or("");
  if (sku.empty() == id.empty())
    return Error::invalid("invalid_parameter", "give sku or variant_id",
                          {{"sku", "give exactly one of sku and variant_id"}});
  auto found = variants(sku, id);
  if (!found) return found.error();
  if (!*found) return variant_not_found(sku, id);
  return std::move(**found);
}

json::object level_json(const Level& l, const std::map<std::string, std::string>& codes) {
  auto code = codes.find(l.location_id);
  return {{"location", code != codes.end() ? code->second : l.location_id},
          {"location_id", l.location_id},
          {"on_hand", l.on_hand},
          {"reserved", l.reserved},
          {"available", l.available()}};
}

Result<std::map<std::string, std::string>> location_codes(InventoryService& service) {
  auto list = service.locations();
  if (!list) return list.error();
  std::map<std::string, std::string> out;
  for (const auto& l : *list) out[l.id] = l.code;
  return out;
}

}  // namespace

void add_staff_routes(http::Router& router, InventoryService& service,
                      const http::StaffAccess& access, VariantLookup variants) {
  auto add = [&router, &access](const char* method, const char* pattern, http::Handler handler,
                                http::RouteOptions options = {}) {
    http::add_staff_route(router, access, "inventory", method, pattern, std::move(handler),
                          options);
  };

  add(
      "POST", "/api/v1/admin/inventory/adjustments",
      [&service, variants](const Request& req) {
        auto body = http::json_body(req);
        if (!body) return fail(body.error(), req);
        if (!body->is_object())
          return fail(Error::invalid("invalid_body", "the request body must be a JSON object"),
                      req);
        const json::object& o = body->get_object();
        std::vector<FieldError> errors;
        static const std::set<std::string> kKnown = {
            "sku", "variant_id", "location", "delta", "set_on_hand", "reason", "note"};
        for (const auto& [key, value] : o)
          if (!kKnown.count(std::string(key)))
            errors.push_back({std::string(key), "is not a field here"});
        auto text = [&](const char* key) -> std::string {
          const json::value* v = o.if_contains(key);
          if (!v || v->is_null()) return "";
          if (!v->is_string()) {
            errors.push_back({key, "must be a string"});
            return "";
          }
          return std::string(v->get_string());
        };
        auto integer = [&](const char* key) -> std::optional<int64_t> {
          const json::value* v = o.if_contains(key);
          if (!v || v->is_null()) return std::nullopt;
          if (!v->is_int64()) {
            errors.push_back({key, "must be a whole number"});
            return std::nullopt;
          }
          return v->get_int64();
        };
        StockAdjustment a;
        std::string sku = text("sku");
        std::string variant_id = text("variant_id");
        std::string location = text("location");
        if (!location.empty()) a.location_code = location;
        a.delta = integer("delta");
        a.set_on_hand = integer("set_on_hand");
        a.reason = text("reason");
        a.note = text("note");
        a.actor = kStaffActor;
        if (auto key = req.headers.get("Idempotency-Key")) a.idempotency_key = std::string(*key);
        if (sku.empty() == variant_id.empty())
          errors.push_back({"sku", "give exactly one of sku and variant_id"});
        if (!errors.empty()) {
          std::string summary = errors.size() == 1
                                    ? errors[0].field + " " + errors[0].message
                                    : std::to_string(errors.size()) + " fields are invalid";
          return fail(Error::unprocessable("invalid_adjustment", summary, errors), req);
        }
        auto variant = variants(sku, variant_id);
        if (!variant) return fail(variant.error(), req);
        if (!*variant) {
          // An unknown variant in a body is a field problem, not a missing resource.
          std::string field = sku.empty() ? "variant_id" : "sku";
          return fail(Error::unprocessable("unknown_variant", field + " names no variant",
                                           {{field, "names no variant"}}),
                      req);
        }
        a.variant_id = (*variant)->variant_id;
        auto done = service.adjust(a);
        if (!done) return fail(done.error(), req);
        auto codes = location_codes(service);
        if (!codes) return fail(codes.error(), req);
        Response res = http::json_response(
            {{"variant_id", a.variant_id},
             {"sku", (*variant)->sku},
             {"entry_id",
              done->entry_id ? json::value(json::string(*done->entry_id)) : json::value(nullptr)},
             {"quantity", done->quantity},
             {"level", level_json(done->level, *codes)},
             {"replayed", done->replayed}},
            done->replayed ? 200 : 201);
        if (done->replayed) res.headers.set("Idempotent-Replayed", "true");
        return res;
      },
      http::RouteOptions{.body_limit = 16 * 1024});

  add("GET", "/api/v1/admin/inventory/levels", [&service, variants](const Request& req) {
    auto variant = variant_param(req, variants);
    if (!variant) return fail(variant.error(), req);
    auto levels = service.levels(variant->variant_id);
    if (!levels) return fail(levels.error(), req);
    auto codes = location_codes(service);
    if (!codes) return fail(codes.error(), req);
    json::array items;
    int64_t on_hand = 0, available = 0;
    for (const auto& l : *levels) {
      items.push_back(level_json(l, *codes));
      on_hand += l.on_hand;
      available += l.available();
    }
    return http::json_response({{"variant_id", variant->variant_id},
                                {"sku", variant->sku},
                                {"on_hand", on_hand},
                                {"available", available},
                                {"items", std::move(items)}});
  });

  add("GET", "/api/v1/admin/inventory/ledger", [&service, variants](const Request& req) {
    auto variant = variant_param(req, variants);
    if (!variant) return fail(variant.error(), req);
    auto page = int_param(req, "page", 1, 1, 1'000'000);
    if (!page) return fail(page.error(), req);
    auto per_page = int_param(req, "per_page", 50, 1, 200);
    if (!per_page) return fail(per_page.error(), req);
    auto entries = service.ledger_page(variant->variant_id, *per_page,
                                       static_cast<int64_t>(*page - 1) * *per_page);
    if (!entries) return fail(entries.error(), req);
    auto codes = location_codes(service);
    if (!codes) return fail(codes.error(), req);
    json::array items;
    for (const auto& e : entries->items) {
      auto code = codes->find(e.location_id);
      items.push_back(json::object{{"id", e.id},
                                   {"kind", e.kind},
                                   {"quantity", e.quantity},
                                   {"reason", e.reason},
                                   {"actor", e.actor},
                                   {"location", code != codes->end() ? code->second : ""},
                                   {"created_at", e.created_at}});
    }
    return http::json_response({{"variant_id", variant->variant_id},
                                {"sku", variant->sku},
                                {"items", std::move(items)},
                                {"page", *page},
                                {"per_page", *per_page},
                                {"total", entries->total}});
  });
}

}  // namespace fff::inventory
