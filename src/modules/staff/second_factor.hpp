// modules/staff/second_factor: staff two-factor with TOTP (RFC 6238: SHA-1, 30 s, 6 digits, one
// step either side), each step accepted once, and ten single-use recovery codes. Secrets are
// sealed at rest with the KeyRing; recovery codes are kept as SHA-256 only. Wrong codes count
// against the account in the shared key-value store: kMaxFailures per kFailureWindow, then 429.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/db/database.hpp"
#include "infra/kv/kv_store.hpp"
#include "modules/staff/store.hpp"

namespace fff::staff {

inline constexpr int kRecoveryCodes = 10;
inline constexpr int64_t kMaxFailures = 5;
inline constexpr std::chrono::minutes kFailureWindow{15};

struct Enrolment {
  std::string secret;  // base32, for typing into an app
  std::string uri;     // otpauth://…, for a QR code
};

// Thread-safety: every member may run concurrently. REQUIRES: the database, clock, key ring and
// store outlive the service.
class SecondFactorService {
 public:
  SecondFactorService(db::Database& database, const Clock& clock, const crypto::KeyRing& keys,
                      kv::KeyValueStore& shared_state)
      : store_(database), clock_(clock), keys_(keys), shared_state_(shared_state) {}

  // Starts (or restarts) enrolment with a fresh secret. `label` names the account in the app.
  // Error: conflict second_factor_enabled when it is on already (disable it first).
  Result<Enrolment> start(const std::string& account_id, std::string_view label);
  // Turns two-factor on with the first code from the app; returns the recovery codes, which are
  // never shown again. Errors: conflict second_factor_not_started; unprocessable
  // second_factor_invalid; rate_limited too_many_attempts.
  Result<std::vector<std::string>> confirm(const std::string& account_id, std::string_view code);
  // Turns two-factor off, given a current code or an unused recovery code. Errors: conflict
  // second_factor_not_enabled; unprocessable second_factor_invalid; rate_limited.
  Result<void> disable(const std::string& account_id, std::string_view code,
                       std::string_view recovery_code);
  // Checks a sign-in's second factor: a current, not yet used code, or an unused recovery code
  // (then used up). Errors: conflict second_factor_not_enabled; unauthenticated
  // second_factor_invalid; rate_limited too_many_attempts (with the time left in the message).
  Result<void> verify(const std::string& account_id, std::string_view code,
                      std::string_view recovery_code);
  // Is two-factor on for this account? (The accounts module asks at sign-in.)
  Result<bool> enabled(const std::string& account_id);
  // How long until `account_id` may try again; zero when it may now.
  std::chrono::seconds retry_after(const std::string& account_id);

  // Re-seals up to `batch` secrets not sealed under the active key; returns how many. Call until
  // it returns 0. Error: a secret under a key no longer in the ring (master_key_unknown).
  Result<size_t> reseal(size_t batch);
  // How many secrets reseal() has left to do.
  Result<size_t> count_to_reseal();

 private:
  enum class Failure { unauthenticated, unprocessable };
  Result<void> check(const std::string& account_id, std::string_view code,
                     std::string_view recovery_code, Failure failure);
  Result<void> not_blocked(const std::string& account_id);
  void count_failure(const std::string& account_id);
  void forget_failures(const std::string& account_id);

  StaffStore store_;
  const Clock& clock_;
  const crypto::KeyRing& keys_;
  kv::KeyValueStore& shared_state_;
};

// Recovery codes as typed: case, spaces and dashes do not matter.
std::string normalize_recovery_code(std::string_view code);

}  // namespace fff::staff
