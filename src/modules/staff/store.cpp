#include "modules/staff/store.hpp"

#include <sstream>

namespace fff::staff {
namespace {

db::Value opt(const std::optional<std::string>& v) {
  if (!v) return std::monostate{};
  return *v;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

constexpr const char* kTokenColumns =
    "id, name, prefix, scopes, created_by, created_at, expires_at, last_used_at, revoked_at, "
    "bootstrap";

ApiToken token_from(const db::Row& row) {
  ApiToken t;
  t.id = row.text(0);
  t.name = row.text(1);
  t.prefix = row.text(2);
  t.scopes = split_scopes(row.text(3));
  t.created_by = row.text(4);
  t.created_at = row.text(5);
  t.expires_at = row.opt_text(6);
  t.last_used_at = row.opt_text(7);
  t.revoked_at = row.opt_text(8);
  t.bootstrap = row.boolean(9);
  return t;
}

db::Params token_params(const ApiToken& t, const std::string& hash) {
  return {t.id,
          t.name,
          hash,
          t.prefix,
          join_scopes(t.scopes),
          t.created_by,
          t.created_at,
          opt(t.expires_at),
          int64_t{t.bootstrap ? 1 : 0}};
}

constexpr const char* kInsertToken =
    "INSERT INTO api_tokens (id, name, token_hash, prefix, scopes, created_by, created_at, "
    "expires_at, bootstrap) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

}  // namespace

Result<void> StaffStore::insert_token(const ApiToken& token, const std::string& token_hash) {
  auto r = db_.query(kInsertToken, token_params(token, token_hash));
  if (!r) return r.error();
  return {};
}

Result<bool> StaffStore::insert_token_if_absent(const ApiToken& token,
                                                const std::string& token_hash) {
  auto r = db_.query(std::string(kInsertToken) + " ON CONFLICT (token_hash) DO NOTHING",
                     token_params(token, token_hash));
  if (!r) return r.error();
  return r->affected > 0;
}

Result<std::vector<ApiToken>> StaffStore::tokens() {
  auto r = db_.query(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY id DESC");
  if (!r) return r.error();
  std::vector<ApiToken> out;
  for (const auto& row : r->rows) out.push_back(token_from(row));
  return out;
}

Result<std::optional<ApiToken>> StaffStore::token_by_hash(const std::string& token_hash) {
  auto r =
      db_.query(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE token_hash = $1",
                {token_hash});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<ApiToken>{};
  return std::optional<ApiToken>{token_from(r->rows.front())};
}

Result<bool> StaffStore::revoke_token(const std::string& id, const std::string& now) {
  auto r = db_.query("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                     {id, now});
  if (!r) return r.error();
  return r->affected > 0;
}

Result<bool> StaffStore::token_exists(const std::string& id) {
  auto r = db_.query("SELECT 1 FROM api_tokens WHERE id = $1", {id});
  if (!r) return r.error();
  return !r->rows.empty();
}

Result<int64_t> StaffStore::revoke_other_bootstraps(const std::string& keep_hash,
                                                    const std::string& now) {
  auto r = db_.query(
      "UPDATE api_tokens SET revoked_at = $2 WHERE bootstrap = 1 AND revoked_at IS NULL AND "
      "token_hash <> $1",
      {keep_hash, now});
  if (!r) return r.error();
  return r->affected;
}

Result<void> StaffStore::touch_token(const std::string& id, const std::string& now) {
  auto r = db_.query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", {id, now});
  if (!r) return r.error();
  return {};
}

Result<void> StaffStore::insert_audit(const AuditEntry& e) {
  auto r = db_.query(
      "INSERT INTO audit_log (id, at, actor_kind, actor_id, action, permission, target, "
      "client_ip, status, outcome, request_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "$11)",
      {e.id, e.at, e.actor_kind, e.actor_id, e.action, e.permission, e.target, e.client_ip,
       int64_t{e.status}, e.outcome, e.request_id});
  if (!r) return r.error();
  return {};
}

Result<AuditPage> StaffStore::audit(const AuditFilter& f) {
  std::string sql =
      "SELECT id, at, actor_kind, actor_id, action, permission, target, client_ip, status, "
      "outcome, request_id FROM audit_log WHERE 1 = 1";
  db::Params params;
  auto add = [&](const std::string& condition, db::Value value) {
    params.push_back(std::move(value));
    sql += " AND " + condition + std::to_string(params.size());
  };
  if (f.actor) add("actor_id = $", *f.actor);
  if (f.action) {
    std::string pattern = "%";
    for (char c : *f.action) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    add("action LIKE $", pattern);
    sql += " ESCAPE '\\'";
  }
  if (f.outcome) add("outcome = $", *f.outcome);
  if (f.from) add("at >= $", *f.from);
  if (f.to) add("at < $", *f.to);
  if (f.after) add("id < $", *f.after);
  sql += " ORDER BY id DESC LIMIT " + std::to_string(f.per_page + 1);
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  AuditPage page;
  for (const auto& row : r->rows) {
    if (page.items.size() == static_cast<size_t>(f.per_page)) {
      page.next_after = page.items.back().id;
      break;
    }
    AuditEntry e;
    e.id = row.text(0);
    e.at = row.text(1);
    e.actor_kind = row.text(2);
    e.actor_id = row.text(3);
    e.action = row.text(4);
    e.permission = row.text(5);
    e.target = row.text(6);
    e.client_ip = row.text(7);
    e.status = static_cast<int>(row.int64(8));
    e.outcome = row.text(9);
    e.request_id = row.text(10);
    page.items.push_back(std::move(e));
  }
  return page;
}

Result<std::optional<SecondFactor>> StaffStore::second_factor(const std::string& account_id) {
  auto r = db_.query(
      "SELECT account_id, secret_sealed, key_id, created_at, enabled_at, last_step "
      "FROM staff_second_factors WHERE account_id = $1",
      {account_id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<SecondFactor>{};
  const auto& row = r->rows.front();
  return std::optional<SecondFactor>{SecondFactor{row.text(0), row.text(1), row.text(2),
                                                  row.text(3), row.opt_text(4), row.int64(5)}};
}

Result<bool> StaffStore::start_enrolment(const SecondFactor& p) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto removed =
      tx->query("DELETE FROM staff_second_factors WHERE account_id = $1 AND enabled_at IS NULL",
                {p.account_id});
  if (!removed) return removed.error();
  auto inserted = tx->query(
      "INSERT INTO staff_second_factors (account_id, secret_sealed, key_id, created_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO NOTHING",
      {p.account_id, p.secret_sealed, p.key_id, p.created_at});
  if (!inserted) return inserted.error();
  if (auto c = tx->commit(); !c) return c.error();
  return inserted->affected > 0;
}

Result<bool> StaffStore::enable(const std::string& account_id, int64_t step,
                                const std::vector<std::string>& code_hashes,
                                const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto updated = tx->query(
      "UPDATE staff_second_factors SET enabled_at = $2, last_step = $3 "
      "WHERE account_id = $1 AND enabled_at IS NULL AND last_step < $3",
      {account_id, now, step});
  if (!updated) return updated.error();
  if (updated->affected == 0) return false;  // rolled back by the destructor
  auto cleared = tx->query("DELETE FROM staff_recovery_codes WHERE account_id = $1", {account_id});
  if (!cleared) return cleared.error();
  for (const auto& hash : code_hashes) {
    auto r = tx->query("INSERT INTO staff_recovery_codes (account_id, code_hash) VALUES ($1, $2)",
                       {account_id, hash});
    if (!r) return r.error();
  }
  if (auto c = tx->commit(); !c) return c.error();
  return true;
}

Result<bool> StaffStore::use_step(const std::string& account_id, int64_t step) {
  auto r = db_.query(
      "UPDATE staff_second_factors SET last_step = $2 WHERE account_id = $1 AND last_step < $2",
      {account_id, step});
  if (!r) return r.error();
  return r->affected > 0;
}

Result<bool> StaffStore::use_recovery_code(const std::string& account_id,
                                           const std::string& code_hash, const std::string& now) {
  auto r = db_.query(
      "UPDATE staff_recovery_codes SET used_at = $3 "
      "WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
      {account_id, code_hash, now});
  if (!r) return r.error();
  return r->affected > 0;
}

Result<int64_t> StaffStore::unused_recovery_codes(const std::string& account_id) {
  auto r = db_.query(
      "SELECT COUNT(*) FROM staff_recovery_codes WHERE account_id = $1 AND used_at IS NULL",
      {account_id});
  if (!r) return r.error();
  return r->rows.front().int64(0);
}

Result<void> StaffStore::remove_second_factor(const std::string& account_id) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  for (const char* sql : {"DELETE FROM staff_recovery_codes WHERE account_id = $1",
                          "DELETE FROM staff_second_factors WHERE account_id = $1"}) {
    auto r = tx->query(sql, {account_id});
    if (!r) return r.error();
  }
  return tx->commit();
}

Result<size_t> StaffStore::count_not_under(const std::string& key_id) {
  auto r = db_.query("SELECT count(*) FROM staff_second_factors WHERE key_id <> $1", {key_id});
  if (!r) return r.error();
  return static_cast<size_t>(r->rows.at(0).int64(0));
}

Result<std::vector<std::pair<std::string, std::string>>> StaffStore::sealed_not_under(
    const std::string& key_id, size_t limit) {
  auto r = db_.query(
      "SELECT account_id, secret_sealed FROM staff_second_factors WHERE key_id <> $1 "
      "ORDER BY account_id LIMIT " +
          std::to_string(limit),
      {key_id});
  if (!r) return r.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : r->rows) out.emplace_back(row.text(0), row.text(1));
  return out;
}

Result<bool> StaffStore::reseal(const std::string& account_id, const std::string& old_sealed,
                                const std::string& new_sealed, const std::string& key_id) {
  auto r = db_.query(
      "UPDATE staff_second_factors SET secret_sealed = $3, key_id = $4 "
      "WHERE account_id = $1 AND secret_sealed = $2",
      {account_id, old_sealed, new_sealed, key_id});
  if (!r) return r.error();
  return r->affected > 0;
}

}  // namespace fff::staff
