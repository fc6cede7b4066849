// The in-process store: a hash map with deadlines, for a single node.
#include <mutex>
#include <unordered_map>

#include "infra/kv/kv_store.hpp"
#include "infra/kv/stores.hpp"

namespace fff::kv {
namespace {

using Clock = std::chrono::steady_clock;

class MemoryStore final : public KeyValueStore {
 public:
  Result<int64_t> increment(std::string_view key, int64_t by,
                            std::chrono::milliseconds ttl) override {
    if (auto ok = check(key, ttl); !ok) return ok.error();
    std::lock_guard lock(mutex_);
    Entry& e = live(key, Clock::now() + ttl);
    int64_t value = 0;
    if (!e.value.empty()) value = std::stoll(e.value);  // only increment writes counters
    value += by;
    e.value = std::to_string(value);
    return value;
  }

  Result<std::optional<std::string>> get(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    std::lock_guard lock(mutex_);
    auto it = find_live(key);
    if (it == entries_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second.value);
  }

  Result<bool> set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl,
                   bool only_if_absent) override {
    if (auto ok = check(key, ttl); !ok) return ok.error();
    std::lock_guard lock(mutex_);
    auto it = find_live(key);
    if (it != entries_.end() && only_if_absent) return false;
    sweep();
    entries_.insert_or_assign(std::string(key), Entry{std::string(value), Clock::now() + ttl});
    return true;
  }

  Result<void> remove(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(std::string(key)); it != entries_.end()) entries_.erase(it);
    return {};
  }

  Result<std::optional<std::chrono::milliseconds>> time_left(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    std::lock_guard lock(mutex_);
    auto it = find_live(key);
    if (it == entries_.end()) return std::optional<std::chrono::milliseconds>();
    return std::optional<std::chrono::milliseconds>(
        std::chrono::ceil<std::chrono::milliseconds>(it->second.deadline - Clock::now()));
  }

  Result<void> ping() override { return {}; }
  std::string_view kind() const override { return "memory"; }

 private:
  struct Entry {
    std::string value;
    Clock::time_point deadline;
  };

  static Result<void> check(std::string_view key, std::chrono::milliseconds ttl) {
    if (auto ok = check_key(key); !ok) return ok;
    if (ttl.count() < 1)
      return Error::invalid("invalid_kv_ttl", "an expiry must be at least 1 ms", {{"ttl", "< 1"}});
    return {};
  }

  std::unordered_map<std::string, Entry>::iterator find_live(std::string_view key) {
    auto it = entries_.find(std::string(key));
    if (it != entries_.end() && it->second.deadline <= Clock::now()) {
      entries_.erase(it);
      return entries_.end();
    }
    return it;
  }

  // The entry at `key`, made empty with `deadline` when absent or expired.
  Entry& live(std::string_view key, Clock::time_point deadline) {
    auto it = find_live(key);
    if (it != entries_.end()) return it->second;
    sweep();
    return entries_.insert_or_assign(std::string(key), Entry{{}, deadline}).first->second;
  }

  // Expired entries are dropped now and then on insert, so keys nobody reads again (one IP's
  // window long past) do not pile up: the work is spread over inserts, amortised O(1).
  void sweep() {
    if (++inserts_ % kSweepEvery != 0) return;
    auto now = Clock::now();
    for (auto it = entries_.begin(); it != entries_.end();)
      it = it->second.deadline <= now ? entries_.erase(it) : std::next(it);
  }

  static constexpr uint64_t kSweepEvery = 1024;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t inserts_ = 0;
};

}  // namespace

std::unique_ptr<KeyValueStore> make_memory_store() {
  return std::make_unique<MemoryStore>();
}

}  // namespace fff::kv
