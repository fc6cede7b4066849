#include "modules/staff/api.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <memory>

#include "core/id.hpp"
#include "core/time.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"
#include "modules/staff/policy.hpp"

namespace fff::staff {
namespace {

namespace json = boost::json;

json::value opt_json(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return json::string(*v);
}

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

json::object token_json(const ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"prefix", t.prefix},
          {"scopes", strings(t.scopes)},
          {"created_by", t.created_by},
          {"created_at", t.created_at},
          {"expires_at", opt_json(t.expires_at)},
          {"last_used_at", opt_json(t.last_used_at)},
          {"revoked_at", opt_json(t.revoked_at)},
          {"bootstrap", t.bootstrap}};
}

json::object audit_json(const AuditEntry& e) {
  return {{"id", e.id},
          {"at", e.at},
          {"actor_kind", e.actor_kind},
          {"actor_id", e.actor_id},
          {"action", e.action},
          {"permission", e.permission},
          {"target", e.target},
          {"client_ip", e.client_ip},
          {"status", e.status},
          {"outcome", e.outcome},
          {"request_id", e.request_id}};
}

json::object member_json(const StaffMember& m) {
  return {{"id", m.id},
          {"email", m.email},
          {"name", m.name},
          {"role", m.role},
          {"scopes", strings(m.scopes)},
          {"created_at", m.created_at}};
}

http::Response fail(const Error& e, const http::Request& req) {
  return http::problem(e, req.request_id);
}

Error bad_field(const std::string& code, const std::string& field, const std::string& message) {
  return Error::unprocessable(code, field + " " + message, {{field, message}});
}

Result<json::object> object_body(const http::Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("invalid_body", "the request body must be a JSON object");
  return std::move(body->as_object());
}

// An optional string member; error naming the field when it is there but not a string.
Result<std::optional<std::string>> string_member(const json::object& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end() || it->value().is_null()) return std::optional<std::string>{};
  if (!it->value().is_string()) return bad_field("invalid_type", name, "must be a string");
  return std::optional<std::string>{std::string(it->value().as_string())};
}

Result<std::optional<std::vector<std::string>>> strings_member(const json::object& o,
                                                               const char* name) {
  auto it = o.find(name);
  if (it == o.end()) return std::optional<std::vector<std::string>>{};
  if (!it->value().is_array())
    return bad_field("invalid_type", name, "must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : it->value().as_array()) {
    if (!v.is_string()) return bad_field("invalid_type", name, "must be an array of strings");
    out.emplace_back(v.as_string());
  }
  return std::optional<std::vector<std::string>>{std::move(out)};
}

Error bad_parameter(const std::string& name, const std::string& message) {
  return Error::invalid("invalid_parameter", name + " " + message, {{name, message}});
}

Result<AuditFilter> audit_filter(const http::Request& req) {
  AuditFilter f;
  if (auto v = req.query_param("actor"); v && !v->empty()) {
    if (v->size() > 200) return bad_parameter("actor", "is longer than 200 characters");
    f.actor = *v;
  }
  if (auto v = req.query_param("action"); v && !v->empty()) {
    if (v->size() > 200) return bad_parameter("action", "is longer than 200 characters");
    f.action = *v;
  }
  if (auto v = req.query_param("outcome"); v && !v->empty()) {
    if (*v != "ok" && *v != "denied" && *v != "failed")
      return bad_parameter("outcome", "must be ok, denied or failed");
    f.outcome = *v;
  }
  for (const char* name : {"from", "to"}) {
    if (auto v = req.query_param(name); v && !v->empty()) {
      auto at = parse_iso8601(*v);
      if (!at) return bad_parameter(name, "must be an ISO 8601 time (2026-11-26T06:00:00Z)");
      (std::string_view(name) == "from" ? f.from : f.to) = to_iso8601(*at);
    }
  }
  if (auto v = req.query_param("after"); v && !v->empty()) {
    if (!is_uuid(*v)) return bad_parameter("after", "must be an entry id from next_after");
    f.after = *v;
  }
  if (auto v = req.query_param("per_page"); v) {
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size() || n < 1 || n > kMaxAuditPage)
      return bad_parameter("per_page", "must be a whole number from 1 to 200");
    f.per_page = n;
  }
  return f;
}

std::string created_by(const http::Request& req) {
  const http::Principal* p = req.principal.get();
  if (!p) return "anonymous";
  if (p->kind == http::Principal::Kind::api_token) return "token:" + p->token_id;
  return p->account_id;
}

size_t utf8_chars(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

// Role and scopes as the staff routes accept them.
Result<void> check_role(const std::string& role, const std::vector<std::string>& scopes) {
  if (std::find(std::begin(kRoles), std::end(kRoles), role) == std::end(kRoles))
    return bad_field("unknown_role", "role", "must be staff or admin");
  for (size_t i = 0; i < scopes.size(); ++i)
    if (!is_staff_scope(scopes[i]))
      return bad_field("unknown_scope", "scopes[" + std::to_string(i) + "]",
                       "must be catalog, orders or support");
  return {};
}

Error directory_unavailable() {
  return Error::unavailable("staff_directory_unavailable",
                            "staff accounts are not available on this server yet");
}

using Shared = std::shared_ptr<StaffRoutes>;

void add_token_routes(http::Router& router, const Shared& s) {
  http::add_staff_route(router, s->access, "tokens", "GET", "/api/v1/admin/tokens",
                        [s](const http::Request& req) {
                          auto tokens = s->tokens.list();
                          if (!tokens) return fail(tokens.error(), req);
                          json::array items;
                          for (const auto& t : *tokens) items.push_back(token_json(t));
                          return http::json_response({{"items", std::move(items)}});
                        });
  http::add_staff_route(router, s->access, "tokens", "POST", "/api/v1/admin/tokens",
                        [s](const http::Request& req) {
                          auto body = object_body(req);
                          if (!body) return fail(body.error(), req);
                          NewApiToken request;
                          auto name = string_member(*body, "name");
                          if (!name) return fail(name.error(), req);
                          request.name = name->value_or("");
                          auto scopes = strings_member(*body, "scopes");
                          if (!scopes) return fail(scopes.error(), req);
                          request.scopes = scopes->value_or(std::vector<std::string>{});
                          auto expires = string_member(*body, "expires_at");
                          if (!expires) return fail(expires.error(), req);
                          request.expires_at = *expires;
                          request.created_by = created_by(req);
                          auto issued = s->tokens.create(request);
                          if (!issued) return fail(issued.error(), req);
                          json::object out = token_json(issued->token);
                          out["token"] = issued->secret;  // the only time it is shown
                          return http::json_response(out, 201);
                        });
  http::add_staff_route(router, s->access, "tokens", "DELETE", "/api/v1/admin/tokens/{id}",
                        [s](const http::Request& req) {
                          auto revoked = s->tokens.revoke(std::string(req.param("id")));
                          if (!revoked) return fail(revoked.error(), req);
                          return http::Response::text(204, "");
                        });
}

void add_audit_routes(http::Router& router, const Shared& s) {
  http::add_staff_route(router, s->access, "audit", "GET", "/api/v1/admin/audit",
                        [s](const http::Request& req) {
                          auto filter = audit_filter(req);
                          if (!filter) return fail(filter.error(), req);
                          auto page = s->audit.list(*filter);
                          if (!page) return fail(page.error(), req);
                          json::array items;
                          for (const auto& e : page->items) items.push_back(audit_json(e));
                          return http::json_response({{"items", std::move(items)},
                                                      {"per_page", filter->per_page},
                                                      {"next_after", opt_json(page->next_after)}});
                        });
}

void add_staff_member_routes(http::Router& router, const Shared& s) {
  http::add_staff_route(router, s->access, "staff", "GET", "/api/v1/admin/staff",
                        [s](const http::Request& req) {
                          if (!s->directory.available()) return fail(directory_unavailable(), req);
                          auto members = s->directory.list();
                          if (!members) return fail(members.error(), req);
                          json::array items;
                          for (const auto& m : *members) items.push_back(member_json(m));
                          return http::json_response({{"items", std::move(items)}});
                        });
  http::add_staff_route(
      router, s->access, "staff", "POST", "/api/v1/admin/staff", [s](const http::Request& req) {
        if (!s->directory.available()) return fail(directory_unavailable(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        NewStaffMember m;
        for (auto [name, field] :
             {std::pair{"email", &m.email}, std::pair{"name", &m.name},
              std::pair{"password", &m.password}, std::pair{"role", &m.role}}) {
          auto v = string_member(*body, name);
          if (!v) return fail(v.error(), req);
          *field = v->value_or("");
        }
        auto scopes = strings_member(*body, "scopes");
        if (!scopes) return fail(scopes.error(), req);
        m.scopes = scopes->value_or(std::vector<std::string>{});
        if (m.email.empty() || m.email.find('@') == std::string::npos)
          return fail(bad_field("invalid_email", "email", "must be an email address"), req);
        if (utf8_chars(m.email) > kMaxEmailChars)
          return fail(bad_field("email_too_long", "email", "is longer than 254 characters"), req);
        if (m.name.empty())
          return fail(bad_field("name_required", "name", "must not be empty"), req);
        if (utf8_chars(m.name) > kMaxStaffNameChars)
          return fail(bad_field("name_too_long", "name", "is longer than 200 characters"), req);
        if (m.password.empty())
          return fail(bad_field("password_required", "password", "must not be empty"), req);
        if (m.role.empty()) m.role = "staff";
        if (auto ok = check_role(m.role, m.scopes); !ok) return fail(ok.error(), req);
        if (m.role == "admin") m.scopes.clear();  // an admin holds everything anyway
        auto created = s->directory.create_staff(m);
        if (!created) return fail(created.error(), req);
        return http::json_response(member_json(*created), 201);
      });
  http::add_staff_route(router, s->access, "staff", "PATCH", "/api/v1/admin/staff/{id}",
                        [s](const http::Request& req) {
                          if (!s->directory.available()) return fail(directory_unavailable(), req);
                          std::string id(req.param("id"));
                          auto body = object_body(req);
                          if (!body) return fail(body.error(), req);
                          auto found = s->directory.find(id);
                          if (!found) return fail(found.error(), req);
                          if (!*found)
                            return fail(Error::not_found("staff_not_found", "no such staff member"),
                                        req);
                          auto role = string_member(*body, "role");
                          if (!role) return fail(role.error(), req);
                          auto scopes = strings_member(*body, "scopes");
                          if (!scopes) return fail(scopes.error(), req);
                          std::string new_role = role->value_or((*found)->role);
                          std::vector<std::string> new_scopes = scopes->value_or((*found)->scopes);
                          if (auto ok = check_role(new_role, new_scopes); !ok)
                            return fail(ok.error(), req);
                          if (new_role == "admin") new_scopes.clear();
                          auto changed = s->directory.set_role(id, new_role, new_scopes);
                          if (!changed) return fail(changed.error(), req);
                          return http::json_response(member_json(*changed));
                        });
}

// The signed-in staff member's own account id; the policy has let only staff and admins in.
const std::string& me(const http::Request& req) {
  return req.principal->account_id;
}

// A code (or recovery code) from the body; neither given is a 422 naming "code".
Result<std::pair<std::string, std::string>> codes_from(const http::Request& req) {
  auto body = object_body(req);
  if (!body) return body.error();
  auto code = string_member(*body, "code");
  if (!code) return code.error();
  auto recovery = string_member(*body, "recovery_code");
  if (!recovery) return recovery.error();
  if (code->value_or("").empty() && recovery->value_or("").empty())
    return bad_field("code_required", "code", "must be the 6-digit code from your app");
  if (code->value_or("").size() > 64 || recovery->value_or("").size() > 64)
    return bad_field("second_factor_invalid", "code", "is not a valid code");
  return std::pair{code->value_or(""), recovery->value_or("")};
}

http::Response rate_limited(const Error& e, const http::Request& req, SecondFactorService& sf,
                            const std::string& account_id) {
  http::Response r = fail(e, req);
  if (e.kind == ErrorKind::rate_limited)
    r.headers.set("Retry-After",
                  std::to_string(std::max<int64_t>(1, sf.retry_after(account_id).count())));
  return r;
}

void add_second_factor_routes(http::Router& router, const Shared& s) {
  http::add_staff_route(
      router, s->access, "me", "POST", "/api/v1/admin/me/totp", [s](const http::Request& req) {
        std::string label = me(req);
        if (s->directory.available()) {
          if (auto found = s->directory.find(me(req)); found && *found) label = (*found)->email;
        }
        auto enrolment = s->second_factor.start(me(req), label);
        if (!enrolment) return fail(enrolment.error(), req);
        return http::json_response({{"secret", enrolment->secret}, {"otpauth_uri", enrolment->uri}},
                                   201);
      });
  http::add_staff_route(
      router, s->access, "me", "POST", "/api/v1/admin/me/totp/confirm",
      [s](const http::Request& req) {
        auto codes = codes_from(req);
        if (!codes) return fail(codes.error(), req);
        auto recovery = s->second_factor.confirm(me(req), codes->first);
        if (!recovery) return rate_limited(recovery.error(), req, s->second_factor, me(req));
        return http::json_response({{"enabled", true}, {"recovery_codes", strings(*recovery)}});
      });
  http::add_staff_route(router, s->access, "me", "DELETE", "/api/v1/admin/me/totp",
                        [s](const http::Request& req) {
                          auto codes = codes_from(req);
                          if (!codes) return fail(codes.error(), req);
                          auto off = s->second_factor.disable(me(req), codes->first, codes->second);
                          if (!off)
                            return rate_limited(off.error(), req, s->second_factor, me(req));
                          return http::Response::text(204, "");
                        });
  // Not a staff route of the admin API: a cookie session finishing its sign-in. Audited all the
  // same, as "me:write".
  router.add("POST", "/api/v1/auth/second-factor", [s](const http::Request& req) {
    auto answer = [&]() -> http::Response {
      const http::Principal* who = req.principal.get();
      if (!who || !who->is_staff() || !who->by_cookie || who->session_id.empty())
        return fail(Error::unauthenticated("not_signed_in", "sign in as staff first"), req);
      if (!s->confirm_second_factor)
        return fail(Error::unavailable("second_factor_unavailable",
                                       "sessions cannot take a second factor on this server yet"),
                    req);
      auto codes = codes_from(req);
      if (!codes) return fail(codes.error(), req);
      auto verified = s->second_factor.verify(who->account_id, codes->first, codes->second);
      if (!verified) return rate_limited(verified.error(), req, s->second_factor, who->account_id);
      auto token = s->confirm_second_factor(who->session_id);
      if (!token) return fail(token.error(), req);
      http::Response r = http::json_response({{"second_factor", true}});
      std::string cookie =
          std::string(kSessionCookie) + "=" + *token + "; HttpOnly; SameSite=Lax; Path=/";
      if (req.secure) cookie += "; Secure";
      r.headers.add("Set-Cookie", cookie);
      return r;
    }();
    s->audit.record_request(req, "me:write", answer.status);
    return answer;
  });
}

}  // namespace

void add_routes(http::Router& router, StaffRoutes routes) {
  auto s = std::make_shared<StaffRoutes>(std::move(routes));
  add_token_routes(router, s);
  add_audit_routes(router, s);
  add_staff_member_routes(router, s);
  add_second_factor_routes(router, s);
}

}  // namespace fff::staff
