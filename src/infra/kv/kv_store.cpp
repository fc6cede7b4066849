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

Result<std::unique_ptr<KeyValueStore>> KeyValueStore::open(const std::string& url) {
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
