#include "modules/accounts/api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/log.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::accounts {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr size_t kBodyLimit = 16 * 1024;

Response fail(const Error& e, const Request& req) {
  return http::problem(e, req.request_id);
}

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

json::value opt_json(const std::optional<std::string>& v) {
  if (!v) return nullptr;
  return json::value(*v);
}

json::object account_json(const Account& a) {
  json::array scopes;
  for (const auto& s : a.scopes) scopes.push_back(json::value(s));
  return {{"id", a.id},
          {"email", a.email},
          {"name", a.name},
          {"phone", opt_json(a.phone)},
          {"role", to_string(a.role)},
          {"scopes", std::move(scopes)},
          {"email_verified", a.email_verified_at.has_value()},
          {"email_verified_at", opt_json(a.email_verified_at)},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

json::object address_json(const Address& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"line1", a.line1},
          {"line2", a.line2},
          {"city", a.city},
          {"region", a.region},
          {"postal_code", a.postal_code},
          {"country", a.country},
          {"phone", a.phone},
          {"is_default", a.is_default},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

json::object session_json(const Session& s, const std::string& current) {
  return {{"id", s.id},
          {"created_at", s.created_at},
          {"last_seen_at", s.last_seen_at},
          {"expires_at", s.expires_at},
          {"second_factor", s.second_factor_at.has_value()},
          {"current", s.id == current}};
}

Result<json::object> object_body(const Request& req) {
  auto body = http::json_body(req);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::invalid("malformed_json", "the request body must be a JSON object");
  return std::move(body->as_object());
}

// A string member: absent gives nullopt (or an error when required), another type an error.
Result<std::optional<std::string>> string_member(const json::object& o, const char* name,
                                                 bool required) {
  const json::value* v = o.if_contains(name);
  if (!v || v->is_null()) {
    if (!required) return std::optional<std::string>{};
    return Error::unprocessable("invalid_field", std::string(name) + " is required",
                                {{name, "is required"}});
  }
  if (!v->is_string())
    return Error::unprocessable("invalid_field", std::string(name) + " must be a string",
                                {{name, "must be a string"}});
  return std::optional<std::string>{std::string(v->as_string())};
}

// Several required string members, in order; the error names every one missing.
Result<std::vector<std::string>> required_strings(const json::object& o,
                                                  std::initializer_list<const char*> names) {
  std::vector<std::string> out;
  std::vector<FieldError> errors;
  for (const char* name : names) {
    auto v = string_member(o, name, true);
    if (!v)
      errors.push_back(v.error().fields.front());
    else
      out.push_back(std::move(**v));
  }
  if (!errors.empty()) {
    std::string message = errors.front().field + " " + errors.front().message;
    return Error::unprocessable("invalid_field", message, std::move(errors));
  }
  return out;
}

Result<AddressPatch> address_patch(const json::object& o) {
  AddressPatch p;
  struct Member {
    const char* name;
    std::optional<std::string>& target;
  };
  Member members[] = {{"name", p.name},       {"line1", p.line1},   {"line2", p.line2},
                      {"city", p.city},       {"region", p.region}, {"postal_code", p.postal_code},
                      {"country", p.country}, {"phone", p.phone}};
  for (auto& m : members) {
    auto v = string_member(o, m.name, false);
    if (!v) return v.error();
    m.target = std::move(*v);
  }
  if (const json::value* d = o.if_contains("is_default"); d && !d->is_null()) {
    if (!d->is_bool())
      return Error::unprocessable("invalid_field", "is_default must be true or false",
                                  {{"is_default", "must be true or false"}});
    p.is_default = d->as_bool();
  }
  for (const auto& member : o) {
    std::string_view key = member.key();
    bool known = key == "is_default";
    for (auto& m : members) known = known || key == m.name;
    if (!known)
      return Error::unprocessable("invalid_field", "unknown member " + std::string(key),
                                  {{std::string(key), "is not an address field"}});
  }
  return p;
}

// The signed-in principal's session, or nullptr.
const http::Principal* signed_in(const Request& req) {
  if (!req.principal || req.principal->session_id.empty()) return nullptr;
  return req.principal.get();
}

Error not_signed_in() {
  return Error::unauthenticated("not_signed_in", "sign in first");
}

int64_t cookie_max_age(const AccountService& service) {
  return int64_t{service.settings().session_max_days} * 86'400;
}

}  // namespace

std::string session_cookie(std::string_view token, int64_t max_age_seconds, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(token) +
                  "; Path=/; Max-Age=" + std::to_string(max_age_seconds) +
                  "; HttpOnly; SameSite=Lax";
  if (secure) c += "; Secure";
  return c;
}

std::string cleared_session_cookie(bool secure) {
  return session_cookie("", 0, secure);
}

http::Middleware authenticate(AccountService& service) {
  return [&service](Request& req, const http::Next& next) -> Response {
    if (auto auth = req.headers.get("Authorization");
        auth && auth->size() >= 7 && http::iequals(auth->substr(0, 7), "Bearer "))
      return next(req);
    auto cookie = req.cookie(kSessionCookie);
    bool stale = false;
    if (cookie && !cookie->empty()) {
      auto principal = service.resolve_session(std::string(*cookie));
      if (!principal) {
        log::warn("session lookup failed", {{"error", principal.error().code}});
        return fail(Error::unavailable("sessions_unavailable",
                                       "sessions cannot be checked right now; try again"),
                    req);
      }
      if (*principal)
        req.principal = std::make_shared<const http::Principal>(std::move(**principal));
      else
        stale = true;
    }
    Response res = next(req);
    if (stale && !res.headers.has("Set-Cookie") &&
        (req.path.starts_with("/api/v1/auth/") || req.path.starts_with("/api/v1/me")))
      res.headers.add("Set-Cookie", cleared_session_cookie(req.secure));
    return res;
  };
}

void add_routes(http::Router& router, AccountService& service) {
  http::RouteOptions small{.body_limit = kBodyLimit};
  AccountService* s = &service;

  router.add(
      "POST", "/api/v1/auth/signup",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"email", "password", "name"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->sign_up((*v)[0], (*v)[1], (*v)[2]); !r) return fail(r.error(), req);
        return http::json_response(
            {{"status", "check_email"},
             {"message", "If the address can be used, we sent a link to confirm it."}},
            202);
      },
      small);

  router.add(
      "POST", "/api/v1/auth/login",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"email", "password"});
        if (!v) return fail(v.error(), req);
        auto made = s->log_in((*v)[0], (*v)[1]);
        if (!made) return fail(made.error(), req);
        // A session the browser already had is replaced: no fixation across logins.
        if (const auto* p = signed_in(req); p && p->session_id != made->session.id)
          (void)s->log_out(p->session_id);
        Response res = http::json_response({{"account", account_json(made->account)}});
        res.headers.add("Set-Cookie", session_cookie(made->token, cookie_max_age(*s), req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/auth/logout",
      [s](const Request& req) {
        if (const auto* p = signed_in(req))
          if (auto r = s->log_out(p->session_id); !r) return fail(r.error(), req);
        Response res = no_content();
        res.headers.add("Set-Cookie", cleared_session_cookie(req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/auth/logout-everywhere",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        if (auto r = s->log_out_everywhere(p->account_id); !r) return fail(r.error(), req);
        Response res = no_content();
        res.headers.add("Set-Cookie", cleared_session_cookie(req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/auth/verify",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"token"});
        if (!v) return fail(v.error(), req);
        auto account = s->verify((*v)[0]);
        if (!account) return fail(account.error(), req);
        return http::json_response({{"account", account_json(*account)}});
      },
      small);

  router.add(
      "POST", "/api/v1/auth/verify/resend",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"email"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->resend_verification((*v)[0]); !r) return fail(r.error(), req);
        return http::json_response({{"status", "check_email"}}, 202);
      },
      small);

  router.add(
      "POST", "/api/v1/auth/password/forgot",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"email"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->forgot_password((*v)[0]); !r) return fail(r.error(), req);
        return http::json_response({{"status", "check_email"}}, 202);
      },
      small);

  router.add(
      "POST", "/api/v1/auth/password/reset",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"token", "password"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->reset_password((*v)[0], (*v)[1]); !r) return fail(r.error(), req);
        Response res = no_content();
        res.headers.add("Set-Cookie", cleared_session_cookie(req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/auth/unlock",
      [s](const Request& req) {
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"token"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->unlock((*v)[0]); !r) return fail(r.error(), req);
        return no_content();
      },
      small);

  router.add("GET", "/api/v1/me", [s](const Request& req) {
    const auto* p = signed_in(req);
    if (!p) return fail(not_signed_in(), req);
    auto account = s->account(p->account_id);
    if (!account) return fail(account.error(), req);
    return http::json_response(account_json(*account));
  });

  router.add(
      "PATCH", "/api/v1/me",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        ProfilePatch patch;
        auto name = string_member(*body, "name", false);
        if (!name) return fail(name.error(), req);
        patch.name = std::move(*name);
        if (const json::value* phone = body->if_contains("phone")) {
          if (phone->is_null())
            patch.phone = std::optional<std::string>{};
          else if (phone->is_string())
            patch.phone = std::optional<std::string>{std::string(phone->as_string())};
          else
            return fail(Error::unprocessable("invalid_field", "phone must be a string or null",
                                             {{"phone", "must be a string or null"}}),
                        req);
        }
        auto account = s->update_profile(p->account_id, patch);
        if (!account) return fail(account.error(), req);
        return http::json_response(account_json(*account));
      },
      small);

  router.add(
      "DELETE", "/api/v1/me",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"password"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->delete_account(p->account_id, (*v)[0]); !r) return fail(r.error(), req);
        Response res = no_content();
        res.headers.add("Set-Cookie", cleared_session_cookie(req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/me/password",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"current_password", "new_password"});
        if (!v) return fail(v.error(), req);
        auto token = s->change_password(p->account_id, p->session_id, (*v)[0], (*v)[1]);
        if (!token) return fail(token.error(), req);
        Response res = no_content();
        res.headers.add("Set-Cookie", session_cookie(*token, cookie_max_age(*s), req.secure));
        return res;
      },
      small);

  router.add(
      "POST", "/api/v1/me/email",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto v = required_strings(*body, {"password", "email"});
        if (!v) return fail(v.error(), req);
        if (auto r = s->request_email_change(p->account_id, (*v)[0], (*v)[1]); !r)
          return fail(r.error(), req);
        return http::json_response({{"status", "check_email"}}, 202);
      },
      small);

  router.add("GET", "/api/v1/me/addresses", [s](const Request& req) {
    const auto* p = signed_in(req);
    if (!p) return fail(not_signed_in(), req);
    auto list = s->addresses(p->account_id);
    if (!list) return fail(list.error(), req);
    json::array items;
    for (const auto& a : *list) items.push_back(address_json(a));
    return http::json_response({{"items", std::move(items)}});
  });

  router.add(
      "POST", "/api/v1/me/addresses",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto patch = address_patch(*body);
        if (!patch) return fail(patch.error(), req);
        auto made = s->add_address(p->account_id, *patch);
        if (!made) return fail(made.error(), req);
        Response res = http::json_response(address_json(*made), 201);
        res.headers.set("Location", "/api/v1/me/addresses/" + made->id);
        return res;
      },
      small);

  router.add("GET", "/api/v1/me/addresses/{id}", [s](const Request& req) {
    const auto* p = signed_in(req);
    if (!p) return fail(not_signed_in(), req);
    auto a = s->address(p->account_id, std::string(req.param("id")));
    if (!a) return fail(a.error(), req);
    return http::json_response(address_json(*a));
  });

  router.add(
      "PATCH", "/api/v1/me/addresses/{id}",
      [s](const Request& req) {
        const auto* p = signed_in(req);
        if (!p) return fail(not_signed_in(), req);
        auto body = object_body(req);
        if (!body) return fail(body.error(), req);
        auto patch = address_patch(*body);
        if (!patch) return fail(patch.error(), req);
        auto a = s->update_address(p->account_id, std::string(req.param("id")), *patch);
        if (!a) return fail(a.error(), req);
        return http::json_response(address_json(*a));
      },
      small);

  router.add("DELETE", "/api/v1/me/addresses/{id}", [s](const Request& req) {
    const auto* p = signed_in(req);
    if (!p) return fail(not_signed_in(), req);
    if (auto r = s->delete_address(p->account_id, std::string(req.param("id"))); !r)
      return fail(r.error(), req);
    return no_content();
  });

  router.add("GET", "/api/v1/me/export", [s](const Request& req) {
    const auto* p = signed_in(req);
    if (!p) return fail(not_signed_in(), req);
    auto data = s->export_data(p->account_id);
    if (!data) return fail(data.error(), req);
    json::array addresses, sessions;
    for (const auto& a : data->addresses) addresses.push_back(address_json(a));
    for (const auto& x : data->sessions) sessions.push_back(session_json(x, p->session_id));
    Response res = http::json_response({{"account", account_json(data->account)},
                                        {"addresses", std::move(addresses)},
                                        {"sessions", std::move(sessions)},
                                        {"orders", json::array()}});
    res.headers.set("Content-Disposition", "attachment; filename=\"fff-account-export.json\"");
    return res;
  });
}

}  // namespace fff::accounts
