// modules/accounts/lockout: progressive lockout after failed logins, and per-email limits on
// the mails anyone can trigger, kept in the shared key-value store so every node agrees.
//
// Keys are the normalised email, whether or not an account has it, so an unknown email locks
// exactly like a known one and the answers reveal nothing. Failures are counted in a window of
// kFailureWindow from the first; at kSoftFailures the email is locked for kSoftLock, at
// kMediumFailures for kMediumLock, at kHardFailures until the unlock link is used (kept for
// kHardLock at most). Each further failure at a threshold re-arms its lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "infra/kv/kv_store.hpp"

namespace fff::accounts {

class Lockout {
 public:
  static constexpr std::chrono::minutes kFailureWindow{60};
  static constexpr int64_t kSoftFailures = 5;
  static constexpr std::chrono::minutes kSoftLock{1};
  static constexpr int64_t kMediumFailures = 10;
  static constexpr std::chrono::minutes kMediumLock{15};
  static constexpr int64_t kHardFailures = 20;
  static constexpr std::chrono::hours kHardLock{24 * 30};
  // Mails per email and hour (reset, verification resend, sign-up notices).
  static constexpr int64_t kMailsPerHour = 3;

  explicit Lockout(kv::KeyValueStore& store) : store_(store) {}

  // Seconds left on the email's lock, 0 when it is not locked.
  Result<int64_t> locked_for(std::string_view email);

  struct Failure {
    int64_t failures = 0;    // in the current window
    int64_t locked_for = 0;  // seconds of the lock this failure set, 0 for none
    bool hard = false;       // locked until unlocked by email; true only at the threshold itself
  };
  Result<Failure> record_failure(std::string_view email);
  // Forgets failures and any lock (a successful login, an unlock link).
  Result<void> clear(std::string_view email);
  // Removes the lock but keeps the failures counted: what the lock's expiry does (tests).
  Result<void> lift(std::string_view email);

  // Counts one mail of `kind` ("reset", "verify", "signup") to `email`; false once the hourly
  // allowance is spent (the caller then quietly sends nothing).
  Result<bool> allow_mail(std::string_view kind, std::string_view email);

 private:
  std::string key(std::string_view what, std::string_view email) const;
  kv::KeyValueStore& store_;
};

}  // namespace fff::accounts
