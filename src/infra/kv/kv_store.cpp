#include "infra/kv/kv_store.hpp"

#include <charconv>

#include "infra/kv/stores.hpp"

namespace fff::kv {

Result<void> check_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes)
    return Error::invalid("invalid_kv_key", "a key needs 1 to 512 bytes", {{"key", "length"}});
  for (char c : key)
    if (c <= ' ' || c > '~')
      return Error::invalid("invalid_kv_key", "a key is printable ASCII without spaces",
                            {{"key", "characters"}});
  return {};
}

namespace {

class PrefixedStore : public KeyValueStore {
 public:
  PrefixedStore(std::unique_ptr<KeyValueStore> inner, std::string prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  Result<int64_t> increment(std::string_view key, int64_t by,
                            std::chrono::milliseconds ttl) override {
    return inner_->increment(prefixed(key), by, ttl);
  }
  Result<std::optional<std::string>> get(std::string_view key) override {
    return inner_->get(prefixed(key));
  }
  Result<bool> set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl,
                   bool only_if_absent) override {
    return inner_->set(prefixed(key), value, ttl, only_if_absent);
  }
  Result<void> remove(std::string_view key) override { return inner_->remove(prefixed(key)); }
  Result<std::optional<std::chrono::milliseconds>> time_left(std::string_view key) override {
    return inner_->time_left(prefixed(key));
  }
  Result<void> ping() override { return inner_->ping(); }
  std::string_view kind() const override { return inner_->kind(); }

 private:
  std::string prefixed(std::string_view key) const {
    std::string out;
    out.reserve(prefix_.size() + key.size());
    return out.append(prefix_).append(key);
  }
  std::unique_ptr<KeyValueStore> inner_;
  std::string prefix_;
};

}  // namespace

Result<std::unique_ptr<KeyValueStore>> KeyValueStore::open(const std::string& url,
                                                           const std::string& key_prefix) {
  if (!key_prefix.empty()) {
    if (auto ok = check_key(key_prefix); !ok)
      return Error::invalid("invalid_kv_prefix", "the key prefix must be printable ASCII",
                            {{"kv_prefix", "characters"}});
    auto inner = open(url);
    if (!inner) return inner.error();
    return std::unique_ptr<KeyValueStore>(
        std::make_unique<PrefixedStore>(std::move(*inner), key_prefix));
  }
  if (url.empty() || url == "memory:") return make_memory_store();
  auto bad = [&](const std::string& why) {
    return Error::invalid("invalid_kv_url", "'" + url + "' is not a usable redis URL: " + why,
                          {{"redis_url", why}});
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0) return bad("use redis://host:port[/db] (or memory:)");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos) return bad("credentials are not supported yet");
  std::string_view hostport = rest.substr(0, rest.find('/'));
  std::string_view path = rest.size() > hostport.size() ? rest.substr(hostport.size() + 1) : "";
  auto colon = hostport.rfind(':');
  std::string host(colon == std::string_view::npos ? hostport : hostport.substr(0, colon));
  int port = 6379;
  if (colon != std::string_view::npos) {
    auto digits = hostport.substr(colon + 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || p != digits.data() + digits.size() || port < 1 || port > 65535)
      return bad("the port must be 1-65535");
  }
  if (host.empty()) return bad("no host");
  int db = 0;
  if (!path.empty()) {
    auto [p, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
    if (ec != std::errc() || p != path.data() + path.size() || db < 0 || db > 15)
      return bad("the database must be 0-15");
  }
  return make_redis_store(std::move(host), port, db);
}

}  // namespace fff::kv
