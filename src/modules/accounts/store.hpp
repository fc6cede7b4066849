// modules/accounts/store: the accounts module's SQL; the only code that touches accounts,
// sessions, account_tokens and addresses. Sealing, hashing and rules live in the service.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/accounts/model.hpp"

namespace fff::accounts {

// An account as stored: the phone still sealed, with the password hash.
struct StoredAccount {
  Account account;  // phone unset
  std::optional<std::string> phone_sealed;
  std::string password_hash;
};

struct StoredSession {
  Session session;
  Role role = Role::customer;
  std::string scopes;
  std::string status;
};

struct StoredAddress {
  std::string id;
  std::string account_id;
  std::string sealed;  // the address fields as JSON, sealed
  std::string key_id;
  bool is_default = false;
  std::string created_at;
  std::string updated_at;
};

struct SealedValue {
  std::string id;  // the owning row
  std::string sealed;
};

class AccountStore {
 public:
  explicit AccountStore(db::Database& database) : db_(database) {}

  // False (nothing written) when the email is taken.
  Result<bool> insert_account(const StoredAccount& a, const std::optional<std::string>& phone_key);
  Result<std::optional<StoredAccount>> account_by_email(const std::string& email);
  Result<std::optional<StoredAccount>> account_by_id(const std::string& id);
  Result<std::vector<StoredAccount>> staff_accounts();
  // Active customer accounts, newest first (`limit` + 1 rows, so the caller knows of a next page).
  Result<std::vector<StoredAccount>> customers(const CustomerFilter& filter);
  Result<void> set_password_hash(const std::string& id, const std::string& hash,
                                 const std::string& now);
  Result<void> set_profile(const std::string& id, const std::string& name,
                           const std::optional<std::string>& phone_sealed,
                           const std::optional<std::string>& phone_key, const std::string& now);
  Result<void> mark_verified(const std::string& id, const std::string& now);
  // False when another account has `email`.
  Result<bool> set_email(const std::string& id, const std::string& email, const std::string& now);
  Result<void> set_role(const std::string& id, Role role, const std::string& scopes,
                        const std::string& now);
  // In one transaction: the email replaced by `placeholder`, name and phone cleared, status
  // deleted, every address, session and token of the account removed.
  Result<void> anonymise(const std::string& id, const std::string& placeholder,
                         const std::string& now);

  Result<void> insert_session(const Session& s, const std::string& token_hash);
  Result<std::optional<StoredSession>> session_by_token(const std::string& token_hash);
  Result<std::optional<Session>> session_by_id(const std::string& id);
  Result<void> touch_session(const std::string& id, const std::string& last_seen,
                             const std::string& expires);
  // Gives the session a new token hash (and a second-factor time when given). False when the
  // session is gone.
  Result<bool> rotate_session(const std::string& id, const std::string& token_hash,
                              const std::optional<std::string>& second_factor_at);
  Result<void> delete_session(const std::string& id);
  // Every session of the account except `keep` (empty: all of them).
  Result<void> delete_sessions_of(const std::string& account_id, const std::string& keep = "");
  Result<std::vector<Session>> sessions_of(const std::string& account_id, const std::string& now);

  Result<void> insert_token(const AccountToken& t, const std::string& token_hash,
                            const std::string& now);
  // Marks the unused, unexpired token with `token_hash` used and returns it; nullopt when there
  // is none (unknown, used or expired). Atomic: two concurrent uses cannot both succeed.
  Result<std::optional<AccountToken>> consume_token(const std::string& token_hash,
                                                    const std::string& now);
  // Marks every unused token of `purpose` for the account used (after a reset, the others die).
  Result<void> burn_tokens(const std::string& account_id, TokenPurpose purpose,
                           const std::string& now);

  // Inserts the address (making it the only default when is_default) unless the account has
  // `max` already: false then.
  Result<bool> insert_address(const StoredAddress& a, size_t max);
  Result<std::vector<StoredAddress>> addresses_of(const std::string& account_id);
  Result<std::optional<StoredAddress>> address(const std::string& account_id,
                                               const std::string& id);
  // False when the account has no such address.
  Result<bool> update_address(const StoredAddress& a);
  Result<bool> delete_address(const std::string& account_id, const std::string& id);

  // Rows sealed under another key than `active_key`, at most `limit`.
  Result<std::vector<SealedValue>> addresses_not_on(const std::string& active_key, size_t limit);
  Result<std::vector<SealedValue>> phones_not_on(const std::string& active_key, size_t limit);
  // How many addresses and phone numbers are sealed under another key than `active_key`.
  Result<size_t> count_not_on(const std::string& active_key);
  // Replaces the sealed value only when it is still `old_sealed` (a concurrent edit wins).
  Result<void> reseal_address(const std::string& id, const std::string& old_sealed,
                              const std::string& sealed, const std::string& key);
  Result<void> reseal_phone(const std::string& id, const std::string& old_sealed,
                            const std::string& sealed, const std::string& key);

  // Removes sessions expired at `now` and tokens expired before `tokens_before` or used before
  // `used_before`; returns the number of rows removed.
  Result<int64_t> delete_expired(const std::string& now, const std::string& tokens_before,
                                 const std::string& used_before);

 private:
  db::Database& db_;
};

}  // namespace fff::accounts
