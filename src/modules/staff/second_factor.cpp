#include "modules/staff/second_factor.hpp"

#include <sodium.h>

#include <cctype>

#include "core/log.hpp"
#include "modules/staff/tokens.hpp"
#include "modules/staff/totp.hpp"

namespace fff::staff {
namespace {

std::string failure_key(const std::string& account_id) {
  return "staff:2fa:fail:" + account_id;
}

int64_t unix_seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string new_recovery_code() {
  unsigned char bytes[7];
  randombytes_buf(bytes, sizeof bytes);
  std::string text = totp::base32(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  std::string code;
  for (size_t i = 0; i < 10; ++i) {
    if (i == 5) code += '-';
    code += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  return code;
}

}  // namespace

std::string normalize_recovery_code(std::string_view code) {
  std::string out;
  for (unsigned char c : code)
    if (c != '-' && c != ' ') out += static_cast<char>(std::tolower(c));
  return out;
}

Result<Enrolment> SecondFactorService::start(const std::string& account_id,
                                             std::string_view label) {
  unsigned char secret[totp::kSecretBytes];
  randombytes_buf(secret, sizeof secret);
  std::string_view raw(reinterpret_cast<char*>(secret), sizeof secret);
  SecondFactor pending;
  pending.account_id = account_id;
  pending.secret_sealed = keys_.seal(raw);
  pending.key_id = keys_.active_key_id();
  pending.created_at = to_iso8601(clock_.now());
  auto started = store_.start_enrolment(pending);
  if (!started) return started.error();
  if (!*started)
    return Error::conflict("second_factor_enabled",
                           "two-factor is on already; turn it off before enrolling again");
  std::string text = totp::base32(raw);
  sodium_memzero(secret, sizeof secret);
  return Enrolment{text, totp::otpauth_uri(label, text)};
}

Result<std::vector<std::string>> SecondFactorService::confirm(const std::string& account_id,
                                                              std::string_view code) {
  if (auto r = not_blocked(account_id); !r) return r.error();
  auto factor = store_.second_factor(account_id);
  if (!factor) return factor.error();
  if (!*factor || (*factor)->enabled_at)
    return Error::conflict("second_factor_not_started", "start enrolment first");
  auto secret = keys_.open((*factor)->secret_sealed);
  if (!secret) return secret.error();
  auto step = totp::matching_step(*secret, code, totp::step_at(unix_seconds(clock_.now())));
  std::vector<std::string> codes;
  std::vector<std::string> hashes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    codes.push_back(new_recovery_code());
    hashes.push_back(sha256_hex(normalize_recovery_code(codes.back())));
  }
  if (step) {
    auto enabled = store_.enable(account_id, *step, hashes, to_iso8601(clock_.now()));
    if (!enabled) return enabled.error();
    if (*enabled) {
      forget_failures(account_id);
      return codes;
    }
  }
  count_failure(account_id);
  return Error::unprocessable("second_factor_invalid", "that code is not valid",
                              {{"code", "the current code from your authenticator app"}});
}

Result<void> SecondFactorService::disable(const std::string& account_id, std::string_view code,
                                          std::string_view recovery_code) {
  if (auto r = check(account_id, code, recovery_code, Failure::unprocessable); !r) return r;
  return store_.remove_second_factor(account_id);
}

Result<void> SecondFactorService::verify(const std::string& account_id, std::string_view code,
                                         std::string_view recovery_code) {
  return check(account_id, code, recovery_code, Failure::unauthenticated);
}

Result<void> SecondFactorService::check(const std::string& account_id, std::string_view code,
                                        std::string_view recovery_code, Failure failure) {
  if (auto r = not_blocked(account_id); !r) return r;
  auto factor = store_.second_factor(account_id);
  if (!factor) return factor.error();
  if (!*factor || !(*factor)->enabled_at)
    return Error::conflict("second_factor_not_enabled", "two-factor is not on for this account");
  bool passed = false;
  if (!recovery_code.empty()) {
    auto used = store_.use_recovery_code(
        account_id, sha256_hex(normalize_recovery_code(recovery_code)), to_iso8601(clock_.now()));
    if (!used) return used.error();
    passed = *used;
  } else {
    auto secret = keys_.open((*factor)->secret_sealed);
    if (!secret) return secret.error();
    auto step = totp::matching_step(*secret, code, totp::step_at(unix_seconds(clock_.now())));
    if (step) {
      auto fresh = store_.use_step(account_id, *step);  // a step is good for one sign-in only
      if (!fresh) return fresh.error();
      passed = *fresh;
    }
  }
  if (passed) {
    forget_failures(account_id);
    return {};
  }
  count_failure(account_id);
  std::string field = recovery_code.empty() ? "code" : "recovery_code";
  if (failure == Failure::unauthenticated)
    return Error::unauthenticated("second_factor_invalid", "that code is not valid");
  return Error::unprocessable("second_factor_invalid", "that code is not valid",
                              {{field, "not a current code or an unused recovery code"}});
}

Result<bool> SecondFactorService::enabled(const std::string& account_id) {
  auto factor = store_.second_factor(account_id);
  if (!factor) return factor.error();
  return *factor && (*factor)->enabled_at.has_value();
}

Result<void> SecondFactorService::not_blocked(const std::string& account_id) {
  auto count = shared_state_.get(failure_key(account_id));
  if (!count) return count.error();
  if (*count && std::atoll((*count)->c_str()) >= kMaxFailures)
    return Error{
        ErrorKind::rate_limited, "too_many_attempts", "too many wrong codes; try again later", {}};
  return {};
}

std::chrono::seconds SecondFactorService::retry_after(const std::string& account_id) {
  auto left = shared_state_.time_left(failure_key(account_id));
  if (!left || !*left) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(**left);
}

void SecondFactorService::forget_failures(const std::string& account_id) {
  if (auto r = shared_state_.remove(failure_key(account_id)); !r)
    log::warn("second factor failures not cleared", {{"error", r.error().code}});
}

void SecondFactorService::count_failure(const std::string& account_id) {
  auto r = shared_state_.increment(
      failure_key(account_id), 1,
      std::chrono::duration_cast<std::chrono::milliseconds>(kFailureWindow));
  if (!r) log::warn("second factor failure not counted", {{"error", r.error().code}});
}

Result<size_t> SecondFactorService::count_to_reseal() {
  return store_.count_not_under(keys_.active_key_id());
}

Result<size_t> SecondFactorService::reseal(size_t batch) {
  const std::string& active = keys_.active_key_id();
  auto rows = store_.sealed_not_under(active, batch);
  if (!rows) return rows.error();
  size_t done = 0;
  for (const auto& [account_id, sealed] : *rows) {
    auto plain = keys_.open(sealed);
    if (!plain) return plain.error();
    auto replaced = store_.reseal(account_id, sealed, keys_.seal(*plain), active);
    if (!replaced) return replaced.error();
    if (*replaced) ++done;
  }
  return done;
}

}  // namespace fff::staff
