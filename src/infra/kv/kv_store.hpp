// infra/kv: small shared state with expiry — counters for rate limits and lockouts, one-off
// markers — that every node of a shop must agree on.
//
// One node needs nothing more than its own memory (the embedded default); several nodes share a
// Redis server (FFF_REDIS_URL=redis://host:port/db). Callers see the same interface either way,
// so a rate limit written once works on a laptop and behind nginx.
//
// Keys are at most kMaxKeyBytes of printable ASCII; values are opaque bytes. Expiry is in whole
// milliseconds and at least one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace fff::kv {

inline constexpr size_t kMaxKeyBytes = 512;

// Thread-safety: every store is safe to use from many threads at once.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  // Adds `by` to the counter at `key` and returns the new value. A key that does not exist (or
  // has expired) starts from zero and lives for `ttl` from now; an existing one keeps its expiry
  // (a fixed window, which is what a rate limit counts in). Errors: invalid "invalid_kv_key";
  // unavailable "kv_unavailable" when the shared store cannot be reached.
  virtual Result<int64_t> increment(std::string_view key, int64_t by,
                                    std::chrono::milliseconds ttl) = 0;
  // The value at `key`, or nothing when it is absent or expired.
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  // Sets `key` to `value` for `ttl`, replacing any value. With `only_if_absent`, leaves an
  // existing key alone and returns false.
  virtual Result<bool> set(std::string_view key, std::string_view value,
                           std::chrono::milliseconds ttl, bool only_if_absent = false) = 0;
  // Removes `key`; removing an absent key is not an error.
  virtual Result<void> remove(std::string_view key) = 0;
  // How long `key` has left, or nothing when it is absent.
  virtual Result<std::optional<std::chrono::milliseconds>> time_left(std::string_view key) = 0;
  // Ok when the store answers (/readyz).
  virtual Result<void> ping() = 0;
  // "memory" or "redis".
  virtual std::string_view kind() const = 0;

  // "" or "memory:" gives this process's own store; "redis://host:port[/db]" a Redis server
  // (connections made lazily, a few kept open). A non-empty `key_prefix` is put before every
  // key, so that several shops (or test servers) can share one Redis database without seeing
  // each other's counters. Error: invalid "invalid_kv_url".
  static Result<std::unique_ptr<KeyValueStore>> open(const std::string& url,
                                                     const std::string& key_prefix = "");
};

// Ok for a usable key; the error names the problem.
Result<void> check_key(std::string_view key);

}  // namespace fff::kv
