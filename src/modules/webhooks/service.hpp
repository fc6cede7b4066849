// modules/webhooks: signed HTTP callbacks to integrations, for every event they asked for.
//
// Staff register endpoints (URL, topics, enabled); each gets a signing secret, shown once and
// kept sealed with the KeyRing (it must be recovered to sign). A subscriber on every topic
// ("webhooks.fanout") makes one delivery per matching enabled endpoint and event (idempotent:
// UNIQUE (endpoint, event)) and enqueues a "webhooks.deliver" job for it in the same
// transaction. A delivery POSTs the event envelope with
//   FFF-Webhook-Id: <delivery id>            (the same on every retry: receivers dedupe by it)
//   FFF-Webhook-Timestamp: <unix seconds>
//   FFF-Webhook-Event: <topic>
//   FFF-Webhook-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
// with a 5 s timeout and no redirects followed. 2xx is delivered; anything else is logged and
// retried with the job's backoff; after `failure_limit` consecutive failed attempts the endpoint
// is disabled (logged) until staff re-enable it.
//
// Thread-safety: safe from many threads (state is in the database).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/db/database.hpp"
#include "infra/jobs/queue.hpp"
#include "modules/webhooks/model.hpp"

namespace fff::webhooks {

struct WebhookSettings {
  bool allow_private = false;  // endpoints on loopback/private addresses (tests)
  int64_t failure_limit = 10;  // consecutive failed attempts before an endpoint is disabled
  std::chrono::milliseconds timeout{5000};
  jobs::RetryPolicy retry{
      .max_attempts = 8, .base = std::chrono::seconds(10), .cap = std::chrono::hours(1)};
  // Told when deliveries disabled an endpoint (the app writes it to the staff audit log).
  std::function<void(const std::string& endpoint_id, int64_t consecutive_failures)> on_disabled =
      nullptr;
};

struct CreatedEndpoint {
  Endpoint endpoint;
  std::string secret;  // shown once
};

inline constexpr const char* kFanOutJob = "webhooks.fanout";
inline constexpr const char* kDeliverJob = "webhooks.deliver";

class WebhookService {
 public:
  WebhookService(db::Database& database, jobs::JobQueue& queue, const crypto::KeyRing& keys,
                 WebhookSettings settings, const Clock& clock = Clock::system());

  // Registers the fan-out subscriber and the delivery job handler with the queue.
  void register_jobs();

  // --- staff ---
  // Errors: unprocessable invalid_webhook_url, webhook_url_private (field url), invalid_webhook
  // (other fields, each named).
  Result<CreatedEndpoint> create(const EndpointInput& input);
  Result<std::vector<Endpoint>> list();
  // Error: not_found webhook_not_found.
  Result<Endpoint> get(const std::string& id);
  // Changes what `input` names; enabled=true on a disabled endpoint re-enables it (failures
  // counted from zero). Errors as create and get.
  Result<Endpoint> update(const std::string& id, const EndpointInput& input);
  Result<void> remove(const std::string& id);
  // The endpoint's latest deliveries (newest first, at most `limit`), each with its attempts.
  Result<std::vector<Delivery>> deliveries(const std::string& endpoint_id, int limit = 50);
  // Delivers again now (a new job; the delivery keeps its id). Errors: not_found
  // webhook_not_found, webhook_delivery_not_found; conflict webhook_disabled.
  Result<Delivery> redeliver(const std::string& endpoint_id, const std::string& delivery_id);

  // --- key rotation (`fff keys rotate`, through App::reseal_secrets) ---
  // Re-seals up to `batch` signing secrets sealed under an older master key; returns how many.
  Result<size_t> reseal(size_t batch);
  Result<size_t> count_to_reseal();

  // --- jobs ---
  // An event envelope to deliveries (one per matching enabled endpoint, made once).
  Result<void> fan_out(const jobs::Job& job);
  // One attempt of the delivery named by the payload {"delivery_id": …}. Error (retried):
  // unavailable webhook_delivery_failed.
  Result<void> deliver(const jobs::Job& job);

  // True when an enabled endpoint wants `topic`. The dispatcher asks before making a fan-out
  // job, so a shop without endpoints spends nothing per event. The list is re-read at most once
  // a second (at once after a change on this node): an endpoint registered on another node hears
  // events committed from about a second later. A failed read answers true (the job decides).
  bool wants(std::string_view topic);

 private:
  Result<void> validate(const EndpointInput& input, bool creating) const;
  void forget_wanted();

  std::mutex wanted_mutex_;
  std::vector<std::vector<std::string>> wanted_;  // topics of each enabled endpoint
  std::optional<std::chrono::steady_clock::time_point> wanted_at_;

  db::Database& db_;
  jobs::JobQueue& queue_;
  const crypto::KeyRing& keys_;
  WebhookSettings settings_;
  const Clock& clock_;
};

}  // namespace fff::webhooks
