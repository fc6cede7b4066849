#include "modules/accounts/lockout.hpp"

#include <sodium.h>

namespace fff::accounts {

// Emails can be 254 bytes of UTF-8 and keys must be printable ASCII: key on a hash of the email.
std::string Lockout::key(std::string_view what, std::string_view email) const {
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(email.data()),
                     email.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return "accounts:" + std::string(what) + ":" + hex;
}

Result<int64_t> Lockout::locked_for(std::string_view email) {
  auto left = store_.time_left(key("lock", email));
  if (!left) return left.error();
  if (!*left) return int64_t{0};
  return std::max<int64_t>(1, (left->value().count() + 999) / 1000);
}

Result<Lockout::Failure> Lockout::record_failure(std::string_view email) {
  auto counted = store_.increment(key("failures", email), 1, kFailureWindow);
  if (!counted) return counted.error();
  Failure f;
  f.failures = *counted;
  std::chrono::milliseconds lock{0};
  if (f.failures >= kHardFailures) {
    lock = kHardLock;
    f.hard = f.failures == kHardFailures;
    // The hard lock outlives the failure window: keep counting from the threshold.
  } else if (f.failures >= kMediumFailures) {
    lock = kMediumLock;
  } else if (f.failures >= kSoftFailures) {
    lock = kSoftLock;
  }
  if (lock.count() > 0) {
    auto set = store_.set(key("lock", email), "1", lock);
    if (!set) return set.error();
    f.locked_for = std::chrono::duration_cast<std::chrono::seconds>(lock).count();
  }
  return f;
}

Result<void> Lockout::clear(std::string_view email) {
  if (auto r = store_.remove(key("lock", email)); !r) return r;
  return store_.remove(key("failures", email));
}

Result<void> Lockout::lift(std::string_view email) {
  return store_.remove(key("lock", email));
}

Result<bool> Lockout::allow_mail(std::string_view kind, std::string_view email) {
  auto counted = store_.increment(key(std::string("mail-") + std::string(kind), email), 1,
                                  std::chrono::hours(1));
  if (!counted) return counted.error();
  return *counted <= kMailsPerHour;
}

}  // namespace fff::accounts
