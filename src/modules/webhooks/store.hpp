// modules/webhooks/store: the webhooks' SQL (webhook_endpoints, webhook_deliveries,
// webhook_attempts). The only code that touches those tables.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "infra/db/database.hpp"
#include "modules/webhooks/model.hpp"

namespace fff::webhooks {

struct StoredEndpoint {
  Endpoint endpoint;
  std::string secret_sealed;
  std::string secret_key_id;
};

// What one attempt changed, written in one transaction.
struct AttemptRecord {
  Attempt attempt;
  std::string delivery_status;  // delivered, failing, failed
  bool success = false;
};

class WebhookStore {
 public:
  explicit WebhookStore(db::Database& database) : db_(database) {}

  Result<void> insert(const StoredEndpoint& e);
  Result<std::vector<Endpoint>> list();
  Result<std::vector<Endpoint>> enabled();
  Result<std::optional<StoredEndpoint>> find(const std::string& id);
  // Writes url, description, topics, enabled (re-enabling clears failures and the reason).
  Result<bool> update(const Endpoint& e);
  Result<bool> remove(const std::string& id);
  // Secrets sealed under another key than `active_key_id` (at most `limit`): id and sealed value.
  Result<std::vector<std::pair<std::string, std::string>>> sealed_elsewhere(
      const std::string& active_key_id, int64_t limit);
  Result<int64_t> count_sealed_elsewhere(const std::string& active_key_id);
  // Replaces the sealed secret when it is still `before` (a concurrent rotation wins once).
  Result<void> reseal(const std::string& id, const std::string& before, const std::string& sealed,
                      const std::string& key_id);

  // A delivery for (endpoint, event) unless there is one already; true when this call made it.
  Result<bool> insert_delivery(db::Transaction& tx, const Delivery& d);
  Result<std::optional<Delivery>> delivery(const std::string& id);
  // Newest first, each with its attempts.
  Result<std::vector<Delivery>> deliveries(const std::string& endpoint_id, int limit);
  Result<void> set_delivery_status(const std::string& id, const std::string& status,
                                   const std::string& now);
  Result<void> set_delivery_status(db::Transaction& tx, const std::string& id,
                                   const std::string& status, const std::string& now);

  // Appends the attempt, updates its delivery, and counts the endpoint's consecutive failures
  // (reset by a success). When failures reach `failure_limit` the endpoint is disabled in the
  // same transaction. Returns the endpoint's failures after this attempt and whether this call
  // disabled it.
  struct AttemptResult {
    int64_t consecutive_failures = 0;
    bool disabled_now = false;
  };
  Result<AttemptResult> record_attempt(const Delivery& d, const AttemptRecord& r,
                                       int64_t failure_limit, const std::string& now);

 private:
  db::Database& db_;
};

}  // namespace fff::webhooks
