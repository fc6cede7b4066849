// modules/accounts/service: the accounts module's rules; its only door for other code.
//
// Sign-up, login and the mails that prove who owns an address; sessions (opaque tokens, stored
// hashed, sliding expiry); the address book; export and deletion of personal data; staff
// accounts for the staff module (through the app, never by including this module).
//
// Nothing here reveals whether an email has an account: sign-up, login and password reset answer
// alike (and take as long) for known and unknown emails. Passwords, tokens and cookie values
// never reach a log line or an error message.
//
// Thread-safety: safe to use from many threads at once (state is in the database and the shared
// key-value store). Password hashing blocks for tens of milliseconds: handler threads only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/http/principal.hpp"
#include "infra/kv/kv_store.hpp"
#include "infra/mail/mailer.hpp"
#include "modules/accounts/lockout.hpp"
#include "modules/accounts/model.hpp"
#include "modules/accounts/password.hpp"
#include "modules/accounts/store.hpp"

namespace fff::accounts {

struct AccountSettings {
  HashCost hash_cost = HashCost::interactive;
  int session_idle_days = 14;                        // a session unused this long ends
  int session_max_days = 90;                         // and none lives longer than this
  std::string public_url = "http://localhost:8080";  // links in mails start with it
  size_t max_addresses = 20;
};

// Sliding expiry is written at most this often per session, so reads stay cheap.
inline constexpr std::chrono::seconds kSessionTouchInterval{60};

class AccountService {
 public:
  AccountService(db::Database& database, kv::KeyValueStore& shared_state, mail::Mailer& mailer,
                 const crypto::KeyRing& keys, PasswordPolicy policy, AccountSettings settings,
                 const Clock& clock = Clock::system());

  const AccountSettings& settings() const { return settings_; }

  // --- signing up and in ---
  // Creates a customer account and mails a verification link; for an email that has an account
  // already, mails its owner instead ("someone tried to sign up") and answers the same.
  // Errors: unprocessable invalid_email, invalid_field (name), weak_password.
  Result<void> sign_up(const std::string& email, const std::string& password,
                       const std::string& name);
  // A new session. Errors: unprocessable invalid_email; unauthenticated invalid_credentials
  // (unknown email, wrong password, deleted account: indistinguishable); rate_limited
  // account_locked carrying retry_after.
  Result<NewSession> log_in(const std::string& email, const std::string& password);
  // The principal a session token stands for, sliding its expiry; nullopt for an unknown,
  // expired or revoked token.
  Result<std::optional<http::Principal>> resolve_session(const std::string& token);
  Result<void> log_out(const std::string& session_id);
  // Deletes sessions past their idle or absolute expiry and mailed tokens expired a day ago or
  // used a week ago (they answer as unknown already; this keeps the tables small). Returns how
  // many rows went. Run periodically (App schedules it hourly).
  Result<int64_t> sweep_expired();
  Result<void> log_out_everywhere(const std::string& account_id);
  // Marks the session as having passed the second factor and gives it a new token (returned;
  // the old one stops working). Error: not_found session_not_found.
  Result<std::string> confirm_second_factor(const std::string& session_id);

  // --- mailed tokens ---
  // Email verification or an email change, by the token in the link. Errors: unprocessable
  // invalid_token (unknown, used or expired); conflict email_taken (an email change whose new
  // address was taken meanwhile).
  Result<Account> verify(const std::string& token);
  // Mails a new verification link when the email has an unverified account; answers the same
  // either way. Error: invalid_email.
  Result<void> resend_verification(const std::string& email);
  // Mails a reset link (valid 1 h) when the email has an account; answers the same either way.
  Result<void> forgot_password(const std::string& email);
  // Sets the password and ends every session of the account. Errors: invalid_token,
  // weak_password.
  Result<void> reset_password(const std::string& token, const std::string& password);
  // Lifts a lockout. Error: invalid_token.
  Result<void> unlock(const std::string& token);

  // --- the signed-in customer ---
  Result<Account> account(const std::string& account_id);
  Result<std::optional<Account>> find_account(const std::string& account_id);
  Result<Account> update_profile(const std::string& account_id, const ProfilePatch& patch);
  // Errors: forbidden wrong_password; weak_password. Ends the account's other sessions and
  // gives `session_id` a new token (returned).
  Result<std::string> change_password(const std::string& account_id, const std::string& session_id,
                                      const std::string& current_password,
                                      const std::string& new_password);
  // Mails a confirmation link to the new address; the email changes when it is followed.
  // Errors: forbidden wrong_password; invalid_email.
  Result<void> request_email_change(const std::string& account_id, const std::string& password,
                                    const std::string& new_email);
  Result<std::vector<Address>> addresses(const std::string& account_id);
  // Errors: unprocessable invalid_field naming it; conflict too_many_addresses.
  Result<Address> add_address(const std::string& account_id, const AddressPatch& input);
  // Errors: not_found address_not_found (also for another account's address).
  Result<Address> address(const std::string& account_id, const std::string& address_id);
  Result<Address> update_address(const std::string& account_id, const std::string& address_id,
                                 const AddressPatch& patch);
  Result<void> delete_address(const std::string& account_id, const std::string& address_id);
  Result<AccountExport> export_data(const std::string& account_id);
  // Removes personal data (email replaced by a placeholder, name and phone cleared, addresses,
  // sessions and tokens deleted) and keeps the row for orders. Error: forbidden wrong_password.
  Result<void> delete_account(const std::string& account_id, const std::string& password);

  // --- staff accounts (the staff module, through the app) ---
  // A verified staff or admin account. Errors: as sign_up; conflict email_taken; unprocessable
  // invalid_role / invalid_scope.
  Result<Account> create_staff_account(const std::string& email, const std::string& name,
                                       const std::string& password, Role role,
                                       const std::vector<std::string>& scopes);
  // Changes role and scopes and ends every session of the account (a privilege change).
  // Error: not_found account_not_found.
  Result<Account> set_role(const std::string& account_id, Role role,
                           const std::vector<std::string>& scopes);
  Result<std::vector<Account>> staff_accounts();
  // Staff's customer list: active customers, newest first, searched by part of the email or
  // name. Phones stay sealed (the list does not show them). Error: invalid invalid_parameter for
  // a limit outside 1..200.
  Result<CustomerPage> customers(const CustomerFilter& filter);

  // Re-seals up to `batch` addresses and phone numbers sealed under an older key; returns how
  // many. Zero means everything is on the active key (`fff keys rotate` loops until then).
  Result<size_t> reseal(size_t batch);
  // How many values reseal() has left to do.
  Result<size_t> count_to_reseal();

 private:
  Result<Account> open_account(const StoredAccount& stored) const;
  Result<Address> open_address(const StoredAddress& stored) const;
  Result<NewSession> start_session(const Account& account);
  Result<std::string> issue_token(const std::string& account_id, TokenPurpose purpose,
                                  std::chrono::minutes ttl,
                                  const std::optional<std::string>& new_email = std::nullopt);
  Result<StoredAccount> active_account(const std::string& account_id);
  Result<void> check_password(const StoredAccount& stored, const std::string& password);
  void send(const std::string& purpose, Result<mail::MailMessage> message);
  std::string link(const std::string& path, const std::string& token) const;
  std::string now() const;

  AccountStore store_;
  Lockout lockout_;
  mail::Mailer& mailer_;
  const crypto::KeyRing& keys_;
  PasswordPolicy policy_;
  PasswordHasher hasher_;
  AccountSettings settings_;
  const Clock& clock_;
};

// Random session and mail tokens: 32 bytes as unpadded base64url (43 characters).
std::string new_secret_token();
// True when `token` looks like one new_secret_token() makes (checked before any lookup).
bool is_secret_token(std::string_view token);
// SHA-256 of a token, hex: what the database keeps.
std::string token_hash(std::string_view token);

}  // namespace fff::accounts
