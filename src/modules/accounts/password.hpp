// modules/accounts/password: which passwords are acceptable and how they are stored.
//
// Passwords are hashed with Argon2id (libsodium crypto_pwhash_str), at a cost the operator picks
// (password_hash setting); a hash made at another cost is upgraded at the next successful login.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/error.hpp"

namespace fff::accounts {

inline constexpr size_t kMinPasswordChars = 10;
inline constexpr size_t kMaxPasswordBytes = 1024;
inline constexpr const char* kDefaultPasswordList = "/usr/share/john/password.lst";

// Thread-safety: immutable after load; check() may run concurrently.
class PasswordPolicy {
 public:
  // Reads the common-password list (one per line, lines starting with "#!" are comments), as
  // Debian's john-data package ships it. Error: unavailable "password_list_missing" naming the
  // file and the package to install.
  static Result<PasswordPolicy> load(const std::filesystem::path& list);
  // A policy with the given common passwords (tests).
  static PasswordPolicy with_list(std::unordered_set<std::string> common);

  // Ok when `password` is valid UTF-8 of at least kMinPasswordChars characters and at most
  // kMaxPasswordBytes bytes, not on the common list (compared case-insensitively) and not the
  // account's email. Error: unprocessable "weak_password" on field `field`, never quoting it.
  Result<void> check(std::string_view password, std::string_view email,
                     const char* field = "password") const;
  size_t size() const { return common_.size(); }

 private:
  std::unordered_set<std::string> common_;  // lower-cased
};

enum class HashCost { min, interactive, moderate };
// "min", "interactive" or "moderate".
bool parse_hash_cost(std::string_view text, HashCost& out);

// Thread-safety: every call may run concurrently. Hashing takes tens of milliseconds and 64+ MiB
// at the interactive cost: call it on handler threads only. At most `max_at_once` hashes run at
// a time (the rest wait their turn): with four handler threads on a 1 GB server, a burst of
// sign-ins would otherwise want 256 MiB at once, and more at once only makes each one slower.
class PasswordHasher {
 public:
  // `max_at_once` 0 means one per CPU core.
  explicit PasswordHasher(HashCost cost, unsigned max_at_once = 0);
  ~PasswordHasher();
  PasswordHasher(PasswordHasher&&) noexcept;

  // The encoded Argon2id hash ("$argon2id$v=19$m=…"). Error: internal when memory runs out.
  Result<std::string> hash(std::string_view password) const;
  // True when `password` matches `encoded`. An empty or foreign `encoded` is false.
  bool verify(std::string_view encoded, std::string_view password) const;
  // Spends as long as a real verify() on a dummy hash, so that an unknown email takes as long as
  // a wrong password. Always false.
  bool verify_dummy(std::string_view password) const;
  // True when `encoded` was made at another cost than this hasher's.
  bool needs_rehash(std::string_view encoded) const;
  // The most hashes that ever ran at once (for tests and metrics).
  unsigned peak_at_once() const;

 private:
  class Gate;
  unsigned long long opslimit_;
  size_t memlimit_;
  std::unique_ptr<Gate> gate_;
  std::string dummy_;
};

}  // namespace fff::accounts
