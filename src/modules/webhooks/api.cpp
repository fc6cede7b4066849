#include "modules/webhooks/api.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <set>

#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::webhooks {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

json::value opt_json(const std::optional<std::string>& v) {
  return v ? json::value(json::string(*v)) : json::value(nullptr);
}
json::value opt_json(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object endpoint_json(const Endpoint& e) {
  json::array topics;
  for (const auto& t : e.topics) topics.push_back(json::string(t));
  return {{"id", e.id},
          {"url", e.url},
          {"description", e.description},
          {"topics", std::move(topics)},
          {"enabled", e.enabled},
          {"disabled_reason", opt_json(e.disabled_reason)},
          {"consecutive_failures", e.consecutive_failures},
          {"created_at", e.created_at},
          {"updated_at", e.updated_at}};
}

json::object delivery_json(const Delivery& d) {
  json::array log;
  for (const auto& a : d.log)
    log.push_back(json::object{{"id", a.id},
                               {"attempt", a.attempt},
                               {"status", a.status},
                               {"response_code", opt_json(a.response_code)},
                               {"response_excerpt", a.response_excerpt},
                               {"error", opt_json(a.error)},
                               {"duration_ms", a.duration_ms},
                               {"at", a.created_at}});
  return {{"id", d.id},
          {"endpoint_id", d.endpoint_id},
          {"event_id", d.event_id},
          {"topic", d.topic},
          {"status", d.status},
          {"attempts", d.attempts},
          {"response_code", opt_json(d.response_code)},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at},
          {"log", std::move(log)}};
}

// The body of a create or update: every member checked by type, unknown members refused.
Result<EndpointInput> parse_input(const Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  const json::object& o = body->get_object();
  std::vector<FieldError> errors;
  static const std::set<std::string> kKnown = {"url", "topics", "description", "enabled"};
  for (const auto& [key, value] : o)
    if (!kKnown.count(std::string(key)))
      errors.push_back({std::string(key), "is not a field here"});
  EndpointInput in;
  for (const char* key : {"url", "description"}) {
    const json::value* v = o.if_contains(key);
    if (!v) continue;
    if (!v->is_string()) {
      errors.push_back({key, "must be a string"});
      continue;
    }
    (std::string_view(key) == "url" ? in.url : in.description) = std::string(v->get_string());
  }
  if (const json::value* v = o.if_contains("enabled")) {
    if (!v->is_bool())
      errors.push_back({"enabled", "must be true or false"});
    else
      in.enabled = v->get_bool();
  }
  if (const json::value* v = o.if_contains("topics")) {
    if (!v->is_array()) {
      errors.push_back({"topics", "must be an array of topics"});
    } else {
      std::vector<std::string> topics;
      for (size_t i = 0; i < v->get_array().size(); ++i) {
        const json::value& t = v->get_array()[i];
        if (!t.is_string())
          errors.push_back({"topics[" + std::to_string(i) + "]", "must be a string"});
        else
          topics.emplace_back(t.get_string());
      }
      in.topics = std::move(topics);
    }
  }
  if (!errors.empty()) {
    std::string summary = errors.size() == 1
                              ? errors[0].field + " " + errors[0].message
                              : std::to_string(errors.size()) + " fields are invalid";
    return Error::unprocessable("invalid_webhook", summary, errors);
  }
  return in;
}

Result<int> limit_param(const Request& req) {
  auto raw = req.query_param("limit");
  if (!raw) return 50;
  int v = 0;
  auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size() || v < 1 || v > 200)
    return Error::invalid("invalid_parameter", "limit must be a whole number from 1 to 200",
                          {{"limit", "must be a whole number from 1 to 200"}});
  return v;
}

}  // namespace

void add_staff_routes(http::Router& router, WebhookService& service,
                      const http::StaffAccess& access) {
  auto add = [&router, &access](const char* method, const char* pattern, http::Handler handler,
                                http::RouteOptions options = {}) {
    http::add_staff_route(router, access, "settings", method, pattern, std::move(handler), options);
  };
  http::RouteOptions small{.body_limit = 16 * 1024};

  add(
      "POST", "/api/v1/admin/webhooks",
      [&service](const Request& req) {
        auto input = parse_input(req);
        if (!input) return fail(input.error(), req);
        auto created = service.create(*input);
        if (!created) return fail(created.error(), req);
        json::object out = endpoint_json(created->endpoint);
        out["secret"] = created->secret;  // shown once
        Response res = http::json_response(out, 201);
        res.headers.set("Location", "/api/v1/admin/webhooks/" + created->endpoint.id);
        res.headers.set("Cache-Control", "no-store");
        return res;
      },
      small);

  add("GET", "/api/v1/admin/webhooks", [&service](const Request& req) {
    auto all = service.list();
    if (!all) return fail(all.error(), req);
    json::array items;
    for (const auto& e : *all) items.push_back(endpoint_json(e));
    return http::json_response({{"items", std::move(items)}});
  });

  add("GET", "/api/v1/admin/webhooks/{id}", [&service](const Request& req) {
    auto found = service.get(std::string(req.param("id")));
    if (!found) return fail(found.error(), req);
    return http::json_response(endpoint_json(*found));
  });

  add(
      "PATCH", "/api/v1/admin/webhooks/{id}",
      [&service](const Request& req) {
        auto input = parse_input(req);
        if (!input) return fail(input.error(), req);
        auto updated = service.update(std::string(req.param("id")), *input);
        if (!updated) return fail(updated.error(), req);
        return http::json_response(endpoint_json(*updated));
      },
      small);

  add("DELETE", "/api/v1/admin/webhooks/{id}", [&service](const Request& req) {
    if (auto r = service.remove(std::string(req.param("id"))); !r) return fail(r.error(), req);
    Response res;
    res.status = 204;
    return res;
  });

  add("GET", "/api/v1/admin/webhooks/{id}/deliveries", [&service](const Request& req) {
    auto limit = limit_param(req);
    if (!limit) return fail(limit.error(), req);
    auto list = service.deliveries(std::string(req.param("id")), *limit);
    if (!list) return fail(list.error(), req);
    json::array items;
    for (const auto& d : *list) items.push_back(delivery_json(d));
    return http::json_response({{"items", std::move(items)}});
  });

  add("POST", "/api/v1/admin/webhooks/{id}/deliveries/{delivery}/retry",
      [&service](const Request& req) {
        auto d =
            service.redeliver(std::string(req.param("id")), std::string(req.param("delivery")));
        if (!d) return fail(d.error(), req);
        return http::json_response(delivery_json(*d), 202);
      });
}

}  // namespace fff::webhooks
