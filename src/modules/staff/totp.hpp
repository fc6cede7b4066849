// modules/staff/totp: one-time passwords (RFC 4226 HOTP, RFC 6238 TOTP with HMAC-SHA1, 30 s
// steps) and the base32 text authenticator apps read secrets in. Pure functions, no storage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fff::staff::totp {

inline constexpr int64_t kStepSeconds = 30;
inline constexpr int kDigits = 6;
inline constexpr size_t kSecretBytes = 20;  // 160 bits, as RFC 4226 recommends

// The HOTP value of `counter` under `key`, `digits` long with leading zeros.
std::string hotp(std::string_view key, uint64_t counter, int digits = kDigits);
// The time step of `unix_seconds`.
inline int64_t step_at(int64_t unix_seconds) {
  return unix_seconds / kStepSeconds;
}

// The step within ±1 of `now_step` whose code is `code` (compared in constant time), or nothing.
std::optional<int64_t> matching_step(std::string_view key, std::string_view code, int64_t now_step);

// RFC 4648 base32, upper case, without padding (what otpauth URIs carry).
std::string base32(std::string_view bytes);

// otpauth://totp/FFF:<account>?secret=…&issuer=FFF&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view account_label, std::string_view secret_base32);

}  // namespace fff::staff::totp
