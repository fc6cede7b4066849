// modules/accounts: who shops and who works here. Owns accounts (customers, staff, admins),
// their sessions, single-use account tokens (email verification, password reset, unlock, email
// change) and the address book. Phone numbers and addresses are sealed at rest (infra/crypto);
// tokens and session ids given to clients are stored only as SHA-256 hashes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fff::accounts {

enum class Role { customer, staff, admin };
const char* to_string(Role role);
// "customer", "staff" or "admin".
std::optional<Role> parse_role(std::string_view text);

struct Account {
  std::string id;
  std::string email;  // normalised (validation.hpp)
  std::string name;
  std::optional<std::string> phone;  // opened; sealed in storage
  Role role = Role::customer;
  std::vector<std::string> scopes;  // staff scopes ("catalog", "orders", "support")
  std::optional<std::string> email_verified_at;
  std::string status = "active";  // active | deleted
  std::string created_at;
  std::string updated_at;
};

struct Session {
  std::string id;
  std::string account_id;
  std::string created_at;
  std::string last_seen_at;
  std::string expires_at;           // sliding: last_seen_at + session_idle_days, capped below
  std::string absolute_expires_at;  // created_at + session_max_days
  std::optional<std::string> second_factor_at;
};

// A session just made, with the one copy of its token the client will ever get.
struct NewSession {
  Session session;
  std::string token;  // base64url of 32 random bytes: goes into the fff_session cookie
  Account account;
};

struct Address {
  std::string id;
  std::string account_id;
  std::string name;
  std::string line1;
  std::string line2;
  std::string city;
  std::string region;
  std::string postal_code;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string phone;
  bool is_default = false;
  std::string created_at;
  std::string updated_at;
};

// What a PATCH may change; absent members stay as they are.
struct AddressPatch {
  std::optional<std::string> name, line1, line2, city, region, postal_code, country, phone;
  std::optional<bool> is_default;
};

struct ProfilePatch {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> phone;  // a value sets it, nullopt-inside clears it
};

// Single-use tokens mailed to the account's owner.
enum class TokenPurpose { verify_email, reset_password, unlock, change_email };
const char* to_string(TokenPurpose purpose);

struct AccountToken {
  std::string id;
  std::string account_id;
  TokenPurpose purpose = TokenPurpose::verify_email;
  std::optional<std::string> new_email;  // change_email only
  std::string expires_at;
  std::optional<std::string> used_at;
};

// The personal-data export (GET /me/export).
struct AccountExport {
  Account account;
  std::vector<Address> addresses;
  std::vector<Session> sessions;
};

// Staff's customer list (the admin console): customers only, newest first, keyset pages.
struct CustomerFilter {
  // Part of the email or the name, case-insensitive; "" or none: everyone.
  std::optional<std::string> search;
  int limit = 50;
  std::optional<std::string> after;  // the `next` of the previous page (an account id)
};

struct CustomerPage {
  std::vector<Account> items;  // phone not opened
  std::optional<std::string> next;
};

}  // namespace fff::accounts
