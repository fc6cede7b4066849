#include "modules/accounts/store.hpp"

#include <cctype>
#include <sstream>

namespace fff::accounts {
namespace {

constexpr const char* kAccountColumns =
    "id, email, name, phone_sealed, role, scopes, password_hash, email_verified_at, status, "
    "created_at, updated_at";

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : ",") + s;
  return out;
}

StoredAccount read_account(const db::Row& r) {
  StoredAccount s;
  s.account.id = r.text(0);
  s.account.email = r.text(1);
  s.account.name = r.text(2);
  s.phone_sealed = r.opt_text(3);
  s.account.role = parse_role(r.text(4)).value_or(Role::customer);
  s.account.scopes = split_scopes(r.text(5));
  s.password_hash = r.text(6);
  s.account.email_verified_at = r.opt_text(7);
  s.account.status = r.text(8);
  s.account.created_at = r.text(9);
  s.account.updated_at = r.text(10);
  return s;
}

constexpr const char* kSessionColumns =
    "id, account_id, created_at, last_seen_at, expires_at, absolute_expires_at, "
    "second_factor_at";

Session read_session(const db::Row& r, size_t at = 0) {
  return {r.text(at),     r.text(at + 1), r.text(at + 2),    r.text(at + 3),
          r.text(at + 4), r.text(at + 5), r.opt_text(at + 6)};
}

constexpr const char* kAddressColumns =
    "id, account_id, sealed, key_id, is_default, created_at, updated_at";

StoredAddress read_address(const db::Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.boolean(4), r.text(5), r.text(6)};
}

db::Value opt(const std::optional<std::string>& v) {
  if (!v) return std::monostate{};
  return *v;
}

}  // namespace

const char* to_string(Role role) {
  switch (role) {
    case Role::staff: return "staff";
    case Role::admin: return "admin";
    case Role::customer: break;
  }
  return "customer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "customer") return Role::customer;
  if (text == "staff") return Role::staff;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

const char* to_string(TokenPurpose purpose) {
  switch (purpose) {
    case TokenPurpose::reset_password: return "reset_password";
    case TokenPurpose::unlock: return "unlock";
    case TokenPurpose::change_email: return "change_email";
    case TokenPurpose::verify_email: break;
  }
  return "verify_email";
}

namespace {
TokenPurpose parse_purpose(const std::string& text) {
  if (text == "reset_password") return TokenPurpose::reset_password;
  if (text == "unlock") return TokenPurpose::unlock;
  if (text == "change_email") return TokenPurpose::change_email;
  return TokenPurpose::verify_email;
}
}  // namespace

Result<bool> AccountStore::insert_account(const StoredAccount& s,
                                          const std::optional<std::string>& phone_key) {
  const Account& a = s.account;
  auto r = db_.query(
      "INSERT INTO accounts (id, email, name, phone_sealed, phone_key_id, role, scopes, "
      "password_hash, email_verified_at, status, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ON CONFLICT DO NOTHING",
      {a.id, a.email, a.name, opt(s.phone_sealed), opt(phone_key), std::string(to_string(a.role)),
       join_scopes(a.scopes), s.password_hash, opt(a.email_verified_at), a.status, a.created_at});
  if (!r) return r.error();
  return r->affected == 1;
}

Result<std::optional<StoredAccount>> AccountStore::account_by_email(const std::string& email) {
  auto r = db_.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE email = $1",
                     {email});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredAccount>{};
  return std::optional<StoredAccount>{read_account(r->rows[0])};
}

Result<std::optional<StoredAccount>> AccountStore::account_by_id(const std::string& id) {
  auto r =
      db_.query(std::string("SELECT ") + kAccountColumns + " FROM accounts WHERE id = $1", {id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredAccount>{};
  return std::optional<StoredAccount>{read_account(r->rows[0])};
}

Result<std::vector<StoredAccount>> AccountStore::staff_accounts() {
  auto r = db_.query(std::string("SELECT ") + kAccountColumns +
                     " FROM accounts WHERE role IN ('staff', 'admin') AND status = 'active' "
                     "ORDER BY email");
  if (!r) return r.error();
  std::vector<StoredAccount> out;
  for (const auto& row : r->rows) out.push_back(read_account(row));
  return out;
}

Result<std::vector<StoredAccount>> AccountStore::customers(const CustomerFilter& f) {
  std::string sql = std::string("SELECT ") + kAccountColumns +
                    " FROM accounts WHERE role = 'customer' AND status = 'active'";
  db::Params params;
  if (f.search && !f.search->empty()) {
    // A LIKE pattern with the user's %, _ and \ taken literally.
    std::string pattern = "%";
    for (char c : *f.search) {
      char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == '%' || lower == '_' || lower == '\\') pattern += '\\';
      pattern += lower;
    }
    pattern += '%';
    params.push_back(pattern);
    sql += " AND (lower(email) LIKE $1 ESCAPE '\\' OR lower(name) LIKE $1 ESCAPE '\\')";
  }
  if (f.after) {
    params.push_back(*f.after);
    sql += " AND id < $" + std::to_string(params.size());
  }
  sql += " ORDER BY id DESC LIMIT " + std::to_string(f.limit + 1);
  auto r = db_.query(sql, params);
  if (!r) return r.error();
  std::vector<StoredAccount> out;
  for (const auto& row : r->rows) out.push_back(read_account(row));
  return out;
}

Result<void> AccountStore::set_password_hash(const std::string& id, const std::string& hash,
                                             const std::string& now) {
  auto r = db_.query("UPDATE accounts SET password_hash = $2, updated_at = $3 WHERE id = $1",
                     {id, hash, now});
  if (!r) return r.error();
  return {};
}

Result<void> AccountStore::set_profile(const std::string& id, const std::string& name,
                                       const std::optional<std::string>& phone_sealed,
                                       const std::optional<std::string>& phone_key,
                                       const std::string& now) {
  auto r = db_.query(
      "UPDATE accounts SET name = $2, phone_sealed = $3, phone_key_id = $4, updated_at = $5 "
      "WHERE id = $1",
      {id, name, opt(phone_sealed), opt(phone_key), now});
  if (!r) return r.error();
  return {};
}

Result<void> AccountStore::mark_verified(const std::string& id, const std::string& now) {
  auto r = db_.query(
      "UPDATE accounts SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 "
      "WHERE id = $1",
      {id, now});
  if (!r) return r.error();
  return {};
}

Result<bool> AccountStore::set_email(const std::string& id, const std::string& email,
                                     const std::string& now) {
  auto r = db_.query(
      "UPDATE accounts SET email = $2, email_verified_at = $3, updated_at = $3 "
      "WHERE id = $1 AND status = 'active' "
      "AND NOT EXISTS (SELECT 1 FROM accounts other WHERE other.email = $2)",
      {id, email, now});
  if (!r) {
    if (r.error().code == "unique_violation") return false;
    return r.error();
  }
  return r->affected == 1;
}

Result<void> AccountStore::set_role(const std::string& id, Role role, const std::string& scopes,
                                    const std::string& now) {
  auto r = db_.query("UPDATE accounts SET role = $2, scopes = $3, updated_at = $4 WHERE id = $1",
                     {id, std::string(to_string(role)), scopes, now});
  if (!r) return r.error();
  return {};
}

Result<void> AccountStore::anonymise(const std::string& id, const std::string& placeholder,
                                     const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  for (const char* sql :
       {"DELETE FROM addresses WHERE account_id = $1", "DELETE FROM sessions WHERE account_id = $1",
        "DELETE FROM account_tokens WHERE account_id = $1"}) {
    auto r = tx->query(sql, {id});
    if (!r) return r.error();
  }
  auto r = tx->query(
      "UPDATE accounts SET email = $2, name = '', phone_sealed = NULL, phone_key_id = NULL, "
      "password_hash = '', status = 'deleted', updated_at = $3 WHERE id = $1",
      {id, placeholder, now});
  if (!r) return r.error();
  return tx->commit();
}

Result<void> AccountStore::insert_session(const Session& s, const std::string& token_hash) {
  auto r = db_.query(
      "INSERT INTO sessions (id, account_id, token_hash, created_at, last_seen_at, expires_at, "
      "absolute_expires_at, second_factor_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {s.id, s.account_id, token_hash, s.created_at, s.last_seen_at, s.expires_at,
       s.absolute_expires_at, opt(s.second_factor_at)});
  if (!r) return r.error();
  return {};
}

Result<std::optional<StoredSession>> AccountStore::session_by_token(const std::string& token_hash) {
  auto r = db_.query(
      "SELECT s.id, s.account_id, s.created_at, s.last_seen_at, s.expires_at, "
      "s.absolute_expires_at, s.second_factor_at, a.role, a.scopes, a.status "
      "FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1",
      {token_hash});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredSession>{};
  const auto& row = r->rows[0];
  return std::optional<StoredSession>{
      StoredSession{read_session(row), parse_role(row.text(7)).value_or(Role::customer),
                    row.text(8), row.text(9)}};
}

Result<std::optional<Session>> AccountStore::session_by_id(const std::string& id) {
  auto r =
      db_.query(std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id = $1", {id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<Session>{};
  return std::optional<Session>{read_session(r->rows[0])};
}

Result<void> AccountStore::touch_session(const std::string& id, const std::string& last_seen,
                                         const std::string& expires) {
  auto r = db_.query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1",
                     {id, last_seen, expires});
  if (!r) return r.error();
  return {};
}

Result<bool> AccountStore::rotate_session(const std::string& id, const std::string& token_hash,
                                          const std::optional<std::string>& second_factor_at) {
  auto r = db_.query(
      "UPDATE sessions SET token_hash = $2, second_factor_at = COALESCE($3, second_factor_at) "
      "WHERE id = $1",
      {id, token_hash, opt(second_factor_at)});
  if (!r) return r.error();
  return r->affected == 1;
}

Result<void> AccountStore::delete_session(const std::string& id) {
  auto r = db_.query("DELETE FROM sessions WHERE id = $1", {id});
  if (!r) return r.error();
  return {};
}

Result<void> AccountStore::delete_sessions_of(const std::string& account_id,
                                              const std::string& keep) {
  auto r = keep.empty() ? db_.query("DELETE FROM sessions WHERE account_id = $1", {account_id})
                        : db_.query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2",
                                    {account_id, keep});
  if (!r) return r.error();
  return {};
}

Result<std::vector<Session>> AccountStore::sessions_of(const std::string& account_id,
                                                       const std::string& now) {
  auto r = db_.query(std::string("SELECT ") + kSessionColumns +
                         " FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY id",
                     {account_id, now});
  if (!r) return r.error();
  std::vector<Session> out;
  for (const auto& row : r->rows) out.push_back(read_session(row));
  return out;
}

Result<void> AccountStore::insert_token(const AccountToken& t, const std::string& token_hash,
                                        const std::string& now) {
  auto r = db_.query(
      "INSERT INTO account_tokens (id, account_id, purpose, token_hash, new_email, expires_at, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {t.id, t.account_id, std::string(to_string(t.purpose)), token_hash, opt(t.new_email),
       t.expires_at, now});
  if (!r) return r.error();
  return {};
}

Result<std::optional<AccountToken>> AccountStore::consume_token(const std::string& token_hash,
                                                                const std::string& now) {
  auto r = db_.query(
      "UPDATE account_tokens SET used_at = $2 "
      "WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 "
      "RETURNING id, account_id, purpose, new_email, expires_at",
      {token_hash, now});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<AccountToken>{};
  const auto& row = r->rows[0];
  return std::optional<AccountToken>{AccountToken{
      row.text(0), row.text(1), parse_purpose(row.text(2)), row.opt_text(3), row.text(4), now}};
}

Result<void> AccountStore::burn_tokens(const std::string& account_id, TokenPurpose purpose,
                                       const std::string& now) {
  auto r = db_.query(
      "UPDATE account_tokens SET used_at = $3 "
      "WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
      {account_id, std::string(to_string(purpose)), now});
  if (!r) return r.error();
  return {};
}

Result<bool> AccountStore::insert_address(const StoredAddress& a, size_t max) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  auto count = tx->query("SELECT CAST(count(*) AS BIGINT) FROM addresses WHERE account_id = $1",
                         {a.account_id});
  if (!count) return count.error();
  if (static_cast<size_t>(count->rows[0].int64(0)) >= max) {
    tx->rollback();
    return false;
  }
  if (a.is_default) {
    auto r = tx->query("UPDATE addresses SET is_default = $2 WHERE account_id = $1",
                       {a.account_id, false});
    if (!r) return r.error();
  }
  auto r = tx->query(
      "INSERT INTO addresses (id, account_id, sealed, key_id, is_default, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      {a.id, a.account_id, a.sealed, a.key_id, a.is_default, a.created_at, a.updated_at});
  if (!r) return r.error();
  if (auto c = tx->commit(); !c) return c.error();
  return true;
}

Result<std::vector<StoredAddress>> AccountStore::addresses_of(const std::string& account_id) {
  auto r = db_.query(std::string("SELECT ") + kAddressColumns +
                         " FROM addresses WHERE account_id = $1 ORDER BY id",
                     {account_id});
  if (!r) return r.error();
  std::vector<StoredAddress> out;
  for (const auto& row : r->rows) out.push_back(read_address(row));
  return out;
}

Result<std::optional<StoredAddress>> AccountStore::address(const std::string& account_id,
                                                           const std::string& id) {
  // Both ids in the condition: another account's address is exactly as absent as no address.
  auto r = db_.query(std::string("SELECT ") + kAddressColumns +
                         " FROM addresses WHERE id = $1 AND account_id = $2",
                     {id, account_id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredAddress>{};
  return std::optional<StoredAddress>{read_address(r->rows[0])};
}

Result<bool> AccountStore::update_address(const StoredAddress& a) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  if (a.is_default) {
    auto r = tx->query("UPDATE addresses SET is_default = $2 WHERE account_id = $1 AND id <> $3",
                       {a.account_id, false, a.id});
    if (!r) return r.error();
  }
  auto r = tx->query(
      "UPDATE addresses SET sealed = $3, key_id = $4, is_default = $5, updated_at = $6 "
      "WHERE id = $1 AND account_id = $2",
      {a.id, a.account_id, a.sealed, a.key_id, a.is_default, a.updated_at});
  if (!r) return r.error();
  if (r->affected != 1) {
    tx->rollback();
    return false;
  }
  if (auto c = tx->commit(); !c) return c.error();
  return true;
}

Result<bool> AccountStore::delete_address(const std::string& account_id, const std::string& id) {
  auto r = db_.query("DELETE FROM addresses WHERE id = $1 AND account_id = $2", {id, account_id});
  if (!r) return r.error();
  return r->affected == 1;
}

Result<std::vector<SealedValue>> AccountStore::addresses_not_on(const std::string& active_key,
                                                                size_t limit) {
  auto r = db_.query("SELECT id, sealed FROM addresses WHERE key_id <> $1 ORDER BY id LIMIT $2",
                     {active_key, static_cast<int64_t>(limit)});
  if (!r) return r.error();
  std::vector<SealedValue> out;
  for (const auto& row : r->rows) out.push_back({row.text(0), row.text(1)});
  return out;
}

Result<size_t> AccountStore::count_not_on(const std::string& active_key) {
  auto r = db_.query(
      "SELECT (SELECT count(*) FROM addresses WHERE key_id <> $1) + (SELECT count(*) FROM "
      "accounts WHERE phone_key_id IS NOT NULL AND phone_key_id <> $1)",
      {active_key});
  if (!r) return r.error();
  return static_cast<size_t>(r->rows.at(0).int64(0));
}

Result<std::vector<SealedValue>> AccountStore::phones_not_on(const std::string& active_key,
                                                             size_t limit) {
  auto r = db_.query(
      "SELECT id, phone_sealed FROM accounts WHERE phone_key_id IS NOT NULL AND phone_key_id <> "
      "$1 ORDER BY id LIMIT $2",
      {active_key, static_cast<int64_t>(limit)});
  if (!r) return r.error();
  std::vector<SealedValue> out;
  for (const auto& row : r->rows) out.push_back({row.text(0), row.text(1)});
  return out;
}

Result<void> AccountStore::reseal_address(const std::string& id, const std::string& old_sealed,
                                          const std::string& sealed, const std::string& key) {
  auto r = db_.query("UPDATE addresses SET sealed = $3, key_id = $4 WHERE id = $1 AND sealed = $2",
                     {id, old_sealed, sealed, key});
  if (!r) return r.error();
  return {};
}

Result<void> AccountStore::reseal_phone(const std::string& id, const std::string& old_sealed,
                                        const std::string& sealed, const std::string& key) {
  auto r = db_.query(
      "UPDATE accounts SET phone_sealed = $3, phone_key_id = $4 WHERE id = $1 AND phone_sealed = "
      "$2",
      {id, old_sealed, sealed, key});
  if (!r) return r.error();
  return {};
}

Result<int64_t> AccountStore::delete_expired(const std::string& now,
                                             const std::string& tokens_before,
                                             const std::string& used_before) {
  auto sessions =
      db_.query("DELETE FROM sessions WHERE expires_at <= $1 OR absolute_expires_at <= $1", {now});
  if (!sessions) return sessions.error();
  auto tokens = db_.query("DELETE FROM account_tokens WHERE expires_at < $1 OR used_at < $2",
                          {tokens_before, used_before});
  if (!tokens) return tokens.error();
  return sessions->affected + tokens->affected;
}

}  // namespace fff::accounts
