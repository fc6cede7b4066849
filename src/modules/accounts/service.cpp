#include "modules/accounts/service.hpp"

#include <sodium.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "core/id.hpp"
#include "core/log.hpp"
#include "infra/mail/templates.hpp"
#include "modules/accounts/validation.hpp"

namespace fff::accounts {
namespace {

namespace json = boost::json;

constexpr std::chrono::minutes kVerifyTtl{48 * 60};
constexpr std::chrono::minutes kResetTtl{60};
constexpr std::chrono::minutes kUnlockTtl{24 * 60};
constexpr std::chrono::minutes kEmailChangeTtl{24 * 60};
const std::set<std::string> kStaffScopes = {"catalog", "orders",    "support", "inventory",
                                            "media",   "customers", "reports"};

Error invalid_credentials() {
  return Error::unauthenticated("invalid_credentials", "the email or password is not right");
}
Error invalid_token() {
  return Error::unprocessable("invalid_token",
                              "the link is unknown, already used or expired; ask for a new one",
                              {{"token", "is unknown, used or expired"}});
}
Error wrong_password() {
  return Error::forbidden("wrong_password", "the password is not right");
}
Error address_not_found() {
  return Error::not_found("address_not_found", "no such address");
}

// One account mail from its template (web/templates/email/<name>.*): the greeting's name, the
// link when there is one, and whatever else the template asks for.
Result<mail::MailMessage> compose(const std::string& name, const std::string& to,
                                  const std::string& greeting_name, const std::string& public_url,
                                  json::object data = {}) {
  data["shop_name"] = "FFF";
  data["public_url"] = public_url;
  data["name"] = greeting_name;
  return mail::MailTemplates::builtin().message(name, to, data);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

Result<std::vector<std::string>> check_scopes(const std::vector<std::string>& scopes) {
  std::set<std::string> unique;
  for (const auto& s : scopes) {
    if (!kStaffScopes.count(s))
      return Error::unprocessable("invalid_scope", "unknown staff scope '" + s + "'",
                                  {{"scopes", "unknown scope '" + s + "'"}});
    unique.insert(s);
  }
  return std::vector<std::string>(unique.begin(), unique.end());
}

// The address fields sealed together: one sealed value per address.
std::string address_json(const Address& a) {
  return json::serialize(json::object{{"name", a.name},
                                      {"line1", a.line1},
                                      {"line2", a.line2},
                                      {"city", a.city},
                                      {"region", a.region},
                                      {"postal_code", a.postal_code},
                                      {"country", a.country},
                                      {"phone", a.phone}});
}

// Applies and validates the members `patch` has; `creating` requires name, line1, city and
// country.
Result<void> apply_address(Address& a, const AddressPatch& p, bool creating) {
  struct Field {
    const char* name;
    const std::optional<std::string>& value;
    std::string& target;
    size_t min, max;
  };
  Field fields[] = {
      {"name", p.name, a.name, 1, 100},       {"line1", p.line1, a.line1, 1, 200},
      {"line2", p.line2, a.line2, 0, 200},    {"city", p.city, a.city, 1, 100},
      {"region", p.region, a.region, 0, 100}, {"postal_code", p.postal_code, a.postal_code, 0, 20},
  };
  std::vector<FieldError> errors;
  for (auto& f : fields) {
    if (!f.value) {
      if (creating && f.min > 0) errors.push_back({f.name, "is required"});
      continue;
    }
    auto checked = check_text(*f.value, f.name, f.min, f.max);
    if (!checked)
      errors.push_back(checked.error().fields.front());
    else
      f.target = std::move(*checked);
  }
  if (p.country) {
    std::string code = *p.country;
    for (char& c : code)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!is_country_code(code))
      errors.push_back({"country", "is not an ISO 3166-1 alpha-2 country code"});
    else
      a.country = code;
  } else if (creating) {
    errors.push_back({"country", "is required"});
  }
  if (p.phone) {
    if (p.phone->empty()) {
      a.phone.clear();
    } else {
      auto phone = check_phone(*p.phone);
      if (!phone)
        errors.push_back(phone.error().fields.front());
      else
        a.phone = std::move(*phone);
    }
  }
  if (p.is_default) a.is_default = *p.is_default;
  if (!errors.empty()) {
    std::string message = errors.front().field + " " + errors.front().message;
    return Error::unprocessable("invalid_field", message, std::move(errors));
  }
  return {};
}

}  // namespace

std::string new_secret_token() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string out(sodium_base64_encoded_len(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

bool is_secret_token(std::string_view token) {
  if (token.size() != 43) return false;
  return std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

AccountService::AccountService(db::Database& database, kv::KeyValueStore& shared_state,
                               mail::Mailer& mailer, const crypto::KeyRing& keys,
                               PasswordPolicy policy, AccountSettings settings, const Clock& clock)
    : store_(database),
      lockout_(shared_state),
      mailer_(mailer),
      keys_(keys),
      policy_(std::move(policy)),
      hasher_(settings.hash_cost),
      settings_(std::move(settings)),
      clock_(clock) {
  while (!settings_.public_url.empty() && settings_.public_url.back() == '/')
    settings_.public_url.pop_back();
}

std::string AccountService::now() const {
  return to_iso8601(clock_.now());
}

std::string AccountService::link(const std::string& path, const std::string& token) const {
  return settings_.public_url + path + "?token=" + token;
}

void AccountService::send(const std::string& purpose, Result<mail::MailMessage> message) {
  // A mail that cannot go out must not change the answer (that would tell who has an account);
  // the operator sees it in the log, without the address or the link.
  if (!message) {
    log::error("mail not composed", {{"purpose", purpose}, {"error", message.error().message}});
    return;
  }
  if (auto sent = mailer_.send(*message); !sent)
    log::warn("mail not sent", {{"purpose", purpose}, {"error", sent.error().code}});
}

Result<Account> AccountService::open_account(const StoredAccount& stored) const {
  Account a = stored.account;
  if (stored.phone_sealed) {
    auto phone = keys_.open(*stored.phone_sealed);
    if (!phone) return phone.error();
    a.phone = std::move(*phone);
  }
  return a;
}

Result<Address> AccountService::open_address(const StoredAddress& s) const {
  auto opened = keys_.open(s.sealed);
  if (!opened) return opened.error();
  Address a;
  a.id = s.id;
  a.account_id = s.account_id;
  a.is_default = s.is_default;
  a.created_at = s.created_at;
  a.updated_at = s.updated_at;
  boost::system::error_code ec;
  auto value = json::parse(*opened, ec);
  if (ec || !value.is_object()) return Error::internal("a sealed address is not JSON");
  auto get = [&](const char* key) -> std::string {
    const auto* v = value.as_object().if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  a.name = get("name");
  a.line1 = get("line1");
  a.line2 = get("line2");
  a.city = get("city");
  a.region = get("region");
  a.postal_code = get("postal_code");
  a.country = get("country");
  a.phone = get("phone");
  return a;
}

Result<std::string> AccountService::issue_token(const std::string& account_id, TokenPurpose purpose,
                                                std::chrono::minutes ttl,
                                                const std::optional<std::string>& new_email) {
  std::string token = new_secret_token();
  AccountToken t;
  t.id = new_id();
  t.account_id = account_id;
  t.purpose = purpose;
  t.new_email = new_email;
  t.expires_at = to_iso8601(clock_.now() + ttl);
  if (auto r = store_.insert_token(t, token_hash(token), now()); !r) return r.error();
  return token;
}

Result<NewSession> AccountService::start_session(const Account& account) {
  Timestamp t = clock_.now();
  Timestamp absolute = t + std::chrono::days(settings_.session_max_days);
  Timestamp idle = std::min(absolute, t + std::chrono::days(settings_.session_idle_days));
  NewSession made;
  made.token = new_secret_token();
  made.account = account;
  made.session = Session{new_id(),         account.id,           to_iso8601(t), to_iso8601(t),
                         to_iso8601(idle), to_iso8601(absolute), std::nullopt};
  if (auto r = store_.insert_session(made.session, token_hash(made.token)); !r) return r.error();
  return made;
}

Result<void> AccountService::sign_up(const std::string& raw_email, const std::string& password,
                                     const std::string& raw_name) {
  std::vector<FieldError> errors;
  auto email = normalise_email(raw_email);
  if (!email) errors.push_back(email.error().fields.front());
  auto name = check_text(raw_name, "name", 1, 100);
  if (!name) errors.push_back(name.error().fields.front());
  if (auto ok = policy_.check(password, email ? *email : std::string()); !ok)
    errors.push_back(ok.error().fields.front());
  if (!errors.empty()) {
    // The first failure names the code; all of them are listed.
    std::string code = !email ? "invalid_email" : !name ? "invalid_field" : "weak_password";
    std::string message = errors.front().field + " " + errors.front().message;
    return Error::unprocessable(code, message, std::move(errors));
  }
  // Hashed whether or not the email is taken, so both answers take as long.
  auto hash = hasher_.hash(password);
  if (!hash) return hash.error();
  StoredAccount stored;
  stored.account.id = new_id();
  stored.account.email = *email;
  stored.account.name = *name;
  stored.account.created_at = stored.account.updated_at = now();
  stored.password_hash = std::move(*hash);
  auto inserted = store_.insert_account(stored, std::nullopt);
  if (!inserted) return inserted.error();
  if (*inserted) {
    auto token = issue_token(stored.account.id, TokenPurpose::verify_email, kVerifyTtl);
    if (!token) return token.error();
    send("verify_email", compose("verify_email", *email, *name, settings_.public_url,
                                 {{"welcome", true}, {"link", link("/account/verify", *token)}}));
    return {};
  }
  auto allowed = lockout_.allow_mail("signup", *email);
  if (!allowed) return allowed.error();
  if (*allowed) {
    auto existing = store_.account_by_email(*email);
    if (!existing) return existing.error();
    std::string owner = *existing ? (*existing)->account.name : std::string();
    send("signup_attempt", compose("signup_attempt", *email, owner, settings_.public_url,
                                   {{"link", settings_.public_url + "/account/forgot-password"}}));
  }
  return {};
}

Result<NewSession> AccountService::log_in(const std::string& raw_email,
                                          const std::string& password) {
  auto email = normalise_email(raw_email);
  if (!email) return email.error();
  auto locked = lockout_.locked_for(*email);
  if (!locked) return locked.error();
  if (*locked > 0)
    return Error::rate_limited("account_locked",
                               "too many failed logins; try again later or use the unlock link "
                               "we emailed",
                               static_cast<int>(std::min<int64_t>(*locked, 86'400 * 30)));
  auto found = store_.account_by_email(*email);
  if (!found) return found.error();
  bool usable = *found && (*found)->account.status == "active";
  bool matched = false;
  if (password.empty() || password.size() > kMaxPasswordBytes)
    hasher_.verify_dummy("x");  // no hashing of megabytes, same cost as any other miss
  else if (usable)
    matched = hasher_.verify((*found)->password_hash, password);
  else
    hasher_.verify_dummy(password);
  if (!matched) {
    auto failure = lockout_.record_failure(*email);
    if (!failure) return failure.error();
    if (failure->hard && usable) {
      auto token = issue_token((*found)->account.id, TokenPurpose::unlock, kUnlockTtl);
      if (!token) return token.error();
      send("unlock", compose("account_locked", *email, (*found)->account.name, settings_.public_url,
                             {{"link", link("/account/unlock", *token)}}));
    }
    log::info("login failed", {{"failures", failure->failures}});
    return invalid_credentials();
  }
  if (auto r = lockout_.clear(*email); !r) return r.error();
  const StoredAccount& stored = **found;
  if (hasher_.needs_rehash(stored.password_hash)) {
    auto rehashed = hasher_.hash(password);
    if (!rehashed) return rehashed.error();
    if (auto r = store_.set_password_hash(stored.account.id, *rehashed, now()); !r)
      return r.error();
  }
  auto account = open_account(stored);
  if (!account) return account.error();
  return start_session(*account);
}

Result<std::optional<http::Principal>> AccountService::resolve_session(const std::string& token) {
  using Out = std::optional<http::Principal>;
  if (!is_secret_token(token)) return Out{};
  auto found = store_.session_by_token(token_hash(token));
  if (!found) return found.error();
  if (!*found || (*found)->status != "active") return Out{};
  const StoredSession& s = **found;
  Timestamp t = clock_.now();
  std::string now_text = to_iso8601(t);
  if (now_text >= s.session.expires_at || now_text >= s.session.absolute_expires_at) {
    if (auto r = store_.delete_session(s.session.id); !r) return r.error();
    return Out{};
  }
  auto last = parse_iso8601(s.session.last_seen_at);
  if (!last || t - *last >= kSessionTouchInterval) {
    auto absolute = parse_iso8601(s.session.absolute_expires_at);
    Timestamp expires = t + std::chrono::days(settings_.session_idle_days);
    if (absolute) expires = std::min(expires, *absolute);
    if (auto r = store_.touch_session(s.session.id, now_text, to_iso8601(expires)); !r)
      return r.error();
  }
  http::Principal p;
  p.kind = s.role == Role::admin   ? http::Principal::Kind::admin
           : s.role == Role::staff ? http::Principal::Kind::staff
                                   : http::Principal::Kind::customer;
  p.account_id = s.session.account_id;
  p.session_id = s.session.id;
  if (s.role != Role::customer) {
    std::string scopes = s.scopes;
    size_t at = 0;
    while (at <= scopes.size()) {
      size_t comma = scopes.find(',', at);
      if (comma == std::string::npos) comma = scopes.size();
      if (comma > at) p.scopes.push_back(scopes.substr(at, comma - at));
      at = comma + 1;
    }
  }
  p.by_cookie = true;
  p.second_factor = s.session.second_factor_at.has_value();
  return Out{std::move(p)};
}

Result<void> AccountService::log_out(const std::string& session_id) {
  return store_.delete_session(session_id);
}

Result<void> AccountService::log_out_everywhere(const std::string& account_id) {
  return store_.delete_sessions_of(account_id);
}

Result<std::string> AccountService::confirm_second_factor(const std::string& session_id) {
  std::string token = new_secret_token();
  auto rotated = store_.rotate_session(session_id, token_hash(token), now());
  if (!rotated) return rotated.error();
  if (!*rotated) return Error::not_found("session_not_found", "the session has ended");
  return token;
}

Result<Account> AccountService::verify(const std::string& token) {
  if (!is_secret_token(token)) return invalid_token();
  std::string t = now();
  auto consumed = store_.consume_token(token_hash(token), t);
  if (!consumed) return consumed.error();
  if (!*consumed) return invalid_token();
  const AccountToken& tok = **consumed;
  if (tok.purpose == TokenPurpose::verify_email) {
    if (auto r = store_.mark_verified(tok.account_id, t); !r) return r.error();
  } else if (tok.purpose == TokenPurpose::change_email && tok.new_email) {
    auto before = active_account(tok.account_id);
    if (!before) return before.error();
    auto changed = store_.set_email(tok.account_id, *tok.new_email, t);
    if (!changed) return changed.error();
    if (!*changed)
      return Error::conflict("email_taken", "that email address belongs to another account now");
    send("email_changed", compose("email_changed", before->account.email, before->account.name,
                                  settings_.public_url));
  } else {
    return invalid_token();  // a reset or unlock token is no verification token
  }
  return account(tok.account_id);
}

Result<void> AccountService::resend_verification(const std::string& raw_email) {
  auto email = normalise_email(raw_email);
  if (!email) return email.error();
  auto allowed = lockout_.allow_mail("verify", *email);
  if (!allowed) return allowed.error();
  if (!*allowed) return {};
  auto found = store_.account_by_email(*email);
  if (!found) return found.error();
  if (!*found || (*found)->account.status != "active" || (*found)->account.email_verified_at)
    return {};
  auto token = issue_token((*found)->account.id, TokenPurpose::verify_email, kVerifyTtl);
  if (!token) return token.error();
  send("verify_email", compose("verify_email", *email, (*found)->account.name, settings_.public_url,
                               {{"welcome", false}, {"link", link("/account/verify", *token)}}));
  return {};
}

Result<void> AccountService::forgot_password(const std::string& raw_email) {
  auto email = normalise_email(raw_email);
  if (!email) return email.error();
  auto allowed = lockout_.allow_mail("reset", *email);
  if (!allowed) return allowed.error();
  if (!*allowed) return {};
  auto found = store_.account_by_email(*email);
  if (!found) return found.error();
  if (!*found || (*found)->account.status != "active") return {};
  auto token = issue_token((*found)->account.id, TokenPurpose::reset_password, kResetTtl);
  if (!token) return token.error();
  send("reset_password",
       compose("reset_password", *email, (*found)->account.name, settings_.public_url,
               {{"link", link("/account/reset-password", *token)}}));
  return {};
}

Result<void> AccountService::reset_password(const std::string& token, const std::string& password) {
  if (!is_secret_token(token)) return invalid_token();
  // Checked before the token is spent, so a weak password does not burn the link. The email
  // comparison needs the account, which only the token names: checked after.
  if (auto ok = policy_.check(password, ""); !ok) return ok.error();
  std::string t = now();
  auto consumed = store_.consume_token(token_hash(token), t);
  if (!consumed) return consumed.error();
  if (!*consumed || (*consumed)->purpose != TokenPurpose::reset_password) return invalid_token();
  auto stored = active_account((*consumed)->account_id);
  if (!stored) return invalid_token();
  if (auto ok = policy_.check(password, stored->account.email); !ok) return ok.error();
  auto hash = hasher_.hash(password);
  if (!hash) return hash.error();
  const std::string& id = stored->account.id;
  if (auto r = store_.set_password_hash(id, *hash, t); !r) return r;
  if (auto r = store_.burn_tokens(id, TokenPurpose::reset_password, t); !r) return r;
  if (auto r = store_.delete_sessions_of(id); !r) return r;
  if (auto r = lockout_.clear(stored->account.email); !r) return r;
  send("password_changed", compose("password_changed", stored->account.email, stored->account.name,
                                   settings_.public_url, {{"everywhere", true}}));
  return {};
}

Result<void> AccountService::unlock(const std::string& token) {
  if (!is_secret_token(token)) return invalid_token();
  auto consumed = store_.consume_token(token_hash(token), now());
  if (!consumed) return consumed.error();
  if (!*consumed || (*consumed)->purpose != TokenPurpose::unlock) return invalid_token();
  auto stored = active_account((*consumed)->account_id);
  if (!stored) return invalid_token();
  return lockout_.clear(stored->account.email);
}

Result<StoredAccount> AccountService::active_account(const std::string& account_id) {
  auto found = store_.account_by_id(account_id);
  if (!found) return found.error();
  if (!*found || (*found)->account.status != "active")
    return Error::not_found("account_not_found", "no such account");
  return std::move(**found);
}

Result<Account> AccountService::account(const std::string& account_id) {
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  return open_account(*stored);
}

Result<std::optional<Account>> AccountService::find_account(const std::string& account_id) {
  if (!is_uuid(account_id)) return std::optional<Account>{};
  auto found = store_.account_by_id(account_id);
  if (!found) return found.error();
  if (!*found) return std::optional<Account>{};
  auto opened = open_account(**found);
  if (!opened) return opened.error();
  return std::optional<Account>{std::move(*opened)};
}

Result<Account> AccountService::update_profile(const std::string& account_id,
                                               const ProfilePatch& patch) {
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  std::string name = stored->account.name;
  std::optional<std::string> sealed = stored->phone_sealed;
  std::optional<std::string> key;
  if (sealed) key = std::string(crypto::KeyRing::key_id_of(*sealed));
  std::vector<FieldError> errors;
  if (patch.name) {
    auto checked = check_text(*patch.name, "name", 1, 100);
    if (!checked)
      errors.push_back(checked.error().fields.front());
    else
      name = std::move(*checked);
  }
  if (patch.phone) {
    if (!*patch.phone || (*patch.phone)->empty()) {
      sealed.reset();
      key.reset();
    } else {
      auto phone = check_phone(**patch.phone);
      if (!phone) {
        errors.push_back(phone.error().fields.front());
      } else {
        sealed = keys_.seal(*phone);
        key = keys_.active_key_id();
      }
    }
  }
  if (!errors.empty()) {
    std::string message = errors.front().field + " " + errors.front().message;
    return Error::unprocessable("invalid_field", message, std::move(errors));
  }
  if (auto r = store_.set_profile(account_id, name, sealed, key, now()); !r) return r.error();
  return account(account_id);
}

Result<void> AccountService::check_password(const StoredAccount& stored,
                                            const std::string& password) {
  if (password.empty() || password.size() > kMaxPasswordBytes ||
      !hasher_.verify(stored.password_hash, password))
    return wrong_password();
  return {};
}

Result<std::string> AccountService::change_password(const std::string& account_id,
                                                    const std::string& session_id,
                                                    const std::string& current_password,
                                                    const std::string& new_password) {
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  if (auto ok = check_password(*stored, current_password); !ok) return ok.error();
  if (auto ok = policy_.check(new_password, stored->account.email, "new_password"); !ok)
    return ok.error();
  auto hash = hasher_.hash(new_password);
  if (!hash) return hash.error();
  std::string t = now();
  if (auto r = store_.set_password_hash(account_id, *hash, t); !r) return r.error();
  if (auto r = store_.delete_sessions_of(account_id, session_id); !r) return r.error();
  if (auto r = store_.burn_tokens(account_id, TokenPurpose::reset_password, t); !r)
    return r.error();
  std::string token = new_secret_token();
  auto rotated = store_.rotate_session(session_id, token_hash(token), std::nullopt);
  if (!rotated) return rotated.error();
  if (!*rotated) return Error::unauthenticated("not_signed_in", "the session has ended");
  send("password_changed", compose("password_changed", stored->account.email, stored->account.name,
                                   settings_.public_url, {{"everywhere", false}}));
  return token;
}

Result<void> AccountService::request_email_change(const std::string& account_id,
                                                  const std::string& password,
                                                  const std::string& raw_email) {
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  auto email = normalise_email(raw_email);
  if (!email) return email.error();
  if (auto ok = check_password(*stored, password); !ok) return ok.error();
  if (*email == stored->account.email) return {};
  auto allowed = lockout_.allow_mail("change", *email);
  if (!allowed) return allowed.error();
  if (!*allowed) return {};
  // Whether the new address is taken is checked when the link is followed: telling it here
  // would let a signed-in customer probe for other customers' emails.
  auto token = issue_token(account_id, TokenPurpose::change_email, kEmailChangeTtl, *email);
  if (!token) return token.error();
  send("change_email", compose("change_email", *email, stored->account.name, settings_.public_url,
                               {{"link", link("/account/verify", *token)}}));
  return {};
}

Result<std::vector<Address>> AccountService::addresses(const std::string& account_id) {
  auto stored = store_.addresses_of(account_id);
  if (!stored) return stored.error();
  std::vector<Address> out;
  for (const auto& s : *stored) {
    auto a = open_address(s);
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

Result<Address> AccountService::add_address(const std::string& account_id,
                                            const AddressPatch& input) {
  Address a;
  if (auto ok = apply_address(a, input, true); !ok) return ok.error();
  a.id = new_id();
  a.account_id = account_id;
  a.created_at = a.updated_at = now();
  std::string sealed = keys_.seal(address_json(a));
  auto inserted = store_.insert_address(
      {a.id, account_id, sealed, keys_.active_key_id(), a.is_default, a.created_at, a.updated_at},
      settings_.max_addresses);
  if (!inserted) return inserted.error();
  if (!*inserted)
    return Error::conflict(
        "too_many_addresses",
        "an address book holds at most " + std::to_string(settings_.max_addresses) + " addresses");
  return a;
}

Result<Address> AccountService::address(const std::string& account_id,
                                        const std::string& address_id) {
  if (!is_uuid(address_id)) return address_not_found();
  auto stored = store_.address(account_id, address_id);
  if (!stored) return stored.error();
  if (!*stored) return address_not_found();
  return open_address(**stored);
}

Result<Address> AccountService::update_address(const std::string& account_id,
                                               const std::string& address_id,
                                               const AddressPatch& patch) {
  auto current = address(account_id, address_id);
  if (!current) return current.error();
  Address a = *current;
  if (auto ok = apply_address(a, patch, false); !ok) return ok.error();
  a.updated_at = now();
  auto updated =
      store_.update_address({a.id, account_id, keys_.seal(address_json(a)), keys_.active_key_id(),
                             a.is_default, a.created_at, a.updated_at});
  if (!updated) return updated.error();
  if (!*updated) return address_not_found();
  return a;
}

Result<void> AccountService::delete_address(const std::string& account_id,
                                            const std::string& address_id) {
  if (!is_uuid(address_id)) return address_not_found();
  auto deleted = store_.delete_address(account_id, address_id);
  if (!deleted) return deleted.error();
  if (!*deleted) return address_not_found();
  return {};
}

Result<AccountExport> AccountService::export_data(const std::string& account_id) {
  AccountExport out;
  auto a = account(account_id);
  if (!a) return a.error();
  out.account = std::move(*a);
  auto list = addresses(account_id);
  if (!list) return list.error();
  out.addresses = std::move(*list);
  auto sessions = store_.sessions_of(account_id, now());
  if (!sessions) return sessions.error();
  out.sessions = std::move(*sessions);
  return out;
}

Result<void> AccountService::delete_account(const std::string& account_id,
                                            const std::string& password) {
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  if (auto ok = check_password(*stored, password); !ok) return ok.error();
  // .invalid never resolves (RFC 2606), and the id keeps the placeholder unique.
  return store_.anonymise(account_id, "deleted-" + account_id + "@deleted.invalid", now());
}

Result<Account> AccountService::create_staff_account(const std::string& raw_email,
                                                     const std::string& raw_name,
                                                     const std::string& password, Role role,
                                                     const std::vector<std::string>& scopes) {
  if (role == Role::customer)
    return Error::unprocessable("invalid_role", "a staff account is staff or admin",
                                {{"role", "must be staff or admin"}});
  auto email = normalise_email(raw_email);
  if (!email) return email.error();
  auto name = check_text(raw_name, "name", 1, 100);
  if (!name) return name.error();
  if (auto ok = policy_.check(password, *email); !ok) return ok.error();
  auto checked_scopes = check_scopes(scopes);
  if (!checked_scopes) return checked_scopes.error();
  auto hash = hasher_.hash(password);
  if (!hash) return hash.error();
  StoredAccount stored;
  stored.account.id = new_id();
  stored.account.email = *email;
  stored.account.name = *name;
  stored.account.role = role;
  stored.account.scopes = std::move(*checked_scopes);
  stored.account.created_at = stored.account.updated_at = now();
  stored.account.email_verified_at = stored.account.created_at;  // staff are set up by staff
  stored.password_hash = std::move(*hash);
  auto inserted = store_.insert_account(stored, std::nullopt);
  if (!inserted) return inserted.error();
  if (!*inserted) return Error::conflict("email_taken", "that email has an account already");
  return stored.account;
}

Result<Account> AccountService::set_role(const std::string& account_id, Role role,
                                         const std::vector<std::string>& scopes) {
  if (!is_uuid(account_id)) return Error::not_found("account_not_found", "no such account");
  auto stored = active_account(account_id);
  if (!stored) return stored.error();
  auto checked = check_scopes(scopes);
  if (!checked) return checked.error();
  std::vector<std::string> kept = role == Role::customer ? std::vector<std::string>{} : *checked;
  if (auto r = store_.set_role(account_id, role, join(kept), now()); !r) return r.error();
  // A privilege change ends every session: the next request signs in under the new role.
  if (auto r = store_.delete_sessions_of(account_id); !r) return r.error();
  return account(account_id);
}

Result<std::vector<Account>> AccountService::staff_accounts() {
  auto stored = store_.staff_accounts();
  if (!stored) return stored.error();
  std::vector<Account> out;
  for (const auto& s : *stored) {
    auto a = open_account(s);
    if (!a) return a.error();
    out.push_back(std::move(*a));
  }
  return out;
}

Result<CustomerPage> AccountService::customers(const CustomerFilter& filter) {
  if (filter.limit < 1 || filter.limit > 200)
    return Error::invalid("invalid_parameter", "limit must be from 1 to 200",
                          {{"limit", "must be from 1 to 200"}});
  auto stored = store_.customers(filter);
  if (!stored) return stored.error();
  CustomerPage page;
  for (auto& s : *stored) {
    if (static_cast<int>(page.items.size()) == filter.limit) {
      page.next = page.items.back().id;
      break;
    }
    page.items.push_back(std::move(s.account));
  }
  return page;
}

Result<size_t> AccountService::count_to_reseal() {
  return store_.count_not_on(keys_.active_key_id());
}

Result<size_t> AccountService::reseal(size_t batch) {
  const std::string& active = keys_.active_key_id();
  size_t done = 0;
  auto addresses = store_.addresses_not_on(active, batch);
  if (!addresses) return addresses.error();
  for (const auto& a : *addresses) {
    auto plain = keys_.open(a.sealed);
    if (!plain) return plain.error();
    if (auto r = store_.reseal_address(a.id, a.sealed, keys_.seal(*plain), active); !r)
      return r.error();
    ++done;
  }
  if (done >= batch) return done;
  auto phones = store_.phones_not_on(active, batch - done);
  if (!phones) return phones.error();
  for (const auto& p : *phones) {
    auto plain = keys_.open(p.sealed);
    if (!plain) return plain.error();
    if (auto r = store_.reseal_phone(p.id, p.sealed, keys_.seal(*plain), active); !r)
      return r.error();
    ++done;
  }
  return done;
}

Result<int64_t> AccountService::sweep_expired() {
  auto now = clock_.now();
  return store_.delete_expired(to_iso8601(now), to_iso8601(now - std::chrono::days(1)),
                               to_iso8601(now - std::chrono::days(7)));
}

}  // namespace fff::accounts
