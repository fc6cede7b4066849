// modules/webhooks/model: endpoints staff register, deliveries (one per endpoint and event, with
// a stable id sent as FFF-Webhook-Id) and the log of delivery attempts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fff::webhooks {

struct Endpoint {
  std::string id;
  std::string url;
  std::string description;
  std::vector<std::string> topics;  // "order.placed", "order.*" or "*"
  bool enabled = true;
  int64_t consecutive_failures = 0;
  std::optional<std::string> disabled_reason;  // "too_many_failures" when the queue turned it off
  std::string created_at;
  std::string updated_at;
};

// What staff send to create or change an endpoint; absent members stay as they are.
struct EndpointInput {
  std::optional<std::string> url = std::nullopt;
  std::optional<std::vector<std::string>> topics = std::nullopt;
  std::optional<std::string> description = std::nullopt;
  std::optional<bool> enabled = std::nullopt;
};

struct Attempt {
  std::string id;
  int64_t attempt = 0;
  std::string status;  // delivered, failed
  std::optional<int64_t> response_code;
  std::string response_excerpt;      // the first bytes of the answer
  std::optional<std::string> error;  // why there was no answer (timeout, refused address)
  int64_t duration_ms = 0;
  std::string created_at;
};

struct Delivery {
  std::string id;  // FFF-Webhook-Id
  std::string endpoint_id;
  std::string event_id;
  std::string topic;
  std::string payload;  // the event envelope, posted as is
  std::string status;   // pending, delivered, failing (will retry), failed, skipped (disabled)
  int64_t attempts = 0;
  std::optional<int64_t> response_code;  // of the last attempt
  std::string created_at;
  std::string updated_at;
  std::vector<Attempt> log;  // oldest first (filled by listings)
};

// Does `topic` match one of `patterns` (exact, "prefix.*" or "*")?
bool topic_matches(const std::vector<std::string>& patterns, std::string_view topic);

}  // namespace fff::webhooks
