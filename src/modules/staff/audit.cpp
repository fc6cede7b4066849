#include "modules/staff/audit.hpp"

#include "core/id.hpp"
#include "core/log.hpp"

namespace fff::staff {

Actor actor_of(const http::Principal* who) {
  if (!who) return {"anonymous", "anonymous"};
  using Kind = http::Principal::Kind;
  switch (who->kind) {
    case Kind::customer: return {"customer", who->account_id};
    case Kind::staff: return {"staff", who->account_id};
    case Kind::admin: return {"admin", who->account_id};
    case Kind::api_token: return {"api_token", who->token_id};
  }
  return {"anonymous", "anonymous"};
}

std::string_view outcome_of(int status) {
  if (status < 400) return "ok";
  if (status == 401 || status == 403) return "denied";
  return "failed";
}

void AuditLog::record_request(const http::Request& req, std::string_view permission, int status) {
  AuditEntry e;
  Actor actor = actor_of(req.principal.get());
  e.actor_kind = std::move(actor.kind);
  e.actor_id = std::move(actor.id);
  e.action = req.method + " " + std::string(req.route_pattern());
  e.permission = std::string(permission);
  for (const auto& [name, value] : req.path_params) {
    if (!e.target.empty()) e.target += ',';
    e.target += name + "=" + value;
  }
  e.client_ip = req.client_address.empty() ? req.remote_address : req.client_address;
  e.status = status;
  e.request_id = req.request_id;
  write(std::move(e));
}

void AuditLog::record_action(const Actor& actor, std::string_view action,
                             std::string_view permission, std::string_view target, int status,
                             std::string_view client_ip, std::string_view request_id) {
  AuditEntry e;
  e.actor_kind = actor.kind;
  e.actor_id = actor.id;
  e.action = std::string(action);
  e.permission = std::string(permission);
  e.target = std::string(target);
  e.client_ip = std::string(client_ip);
  e.status = status;
  e.request_id = std::string(request_id);
  write(std::move(e));
}

void AuditLog::write(AuditEntry e) {
  e.id = new_id();
  e.at = to_iso8601(clock_.now());
  e.outcome = std::string(outcome_of(e.status));
  if (auto r = store_.insert_audit(e); !r)
    log::warn("audit entry not written", {{"action", e.action},
                                          {"status", e.status},
                                          {"request_id", e.request_id},
                                          {"error", r.error().code}});
}

Result<AuditPage> AuditLog::list(const AuditFilter& filter) {
  return store_.audit(filter);
}

}  // namespace fff::staff
