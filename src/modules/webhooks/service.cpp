#include "modules/webhooks/service.hpp"

#include <boost/json.hpp>
#include <set>

#include "core/id.hpp"
#include "core/log.hpp"
#include "modules/webhooks/sender.hpp"
#include "modules/webhooks/store.hpp"

namespace fff::webhooks {
namespace {

namespace json = boost::json;

Error not_found() {
  return Error::not_found("webhook_not_found", "no such webhook endpoint");
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 60 || s[0] < 'a' || s[0] > 'z') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

// "*", "module.*" or "module.event" (snake_case words).
bool valid_topic(std::string_view t) {
  if (t == "*") return true;
  size_t dot = t.find('.');
  if (dot == std::string_view::npos || t.find('.', dot + 1) != std::string_view::npos) return false;
  std::string_view rest = t.substr(dot + 1);
  return valid_name(t.substr(0, dot)) && (rest == "*" || valid_name(rest));
}

}  // namespace

bool topic_matches(const std::vector<std::string>& patterns, std::string_view topic) {
  for (const auto& p : patterns) {
    if (p == "*" || p == topic) return true;
    if (p.size() >= 2 && p.ends_with(".*") &&
        topic.starts_with(std::string_view(p).substr(0, p.size() - 1)))
      return true;
  }
  return false;
}

WebhookService::WebhookService(db::Database& database, jobs::JobQueue& queue,
                               const crypto::KeyRing& keys, WebhookSettings settings,
                               const Clock& clock)
    : db_(database), queue_(queue), keys_(keys), settings_(settings), clock_(clock) {}

void WebhookService::register_jobs() {
  queue_.subscribe(
      kFanOutJob, {"*"}, [this](const jobs::Job& job) { return fan_out(job); }, {},
      [this](std::string_view topic) { return wants(topic); });
  queue_.handle(
      kDeliverJob, [this](const jobs::Job& job) { return deliver(job); }, settings_.retry);
}

bool WebhookService::wants(std::string_view topic) {
  std::lock_guard lock(wanted_mutex_);
  auto now = std::chrono::steady_clock::now();
  if (!wanted_at_ || now - *wanted_at_ > std::chrono::seconds(1)) {
    auto enabled = WebhookStore(db_).enabled();
    if (!enabled) return true;
    wanted_.clear();
    for (const auto& e : *enabled) wanted_.push_back(e.topics);
    wanted_at_ = now;
  }
  for (const auto& topics : wanted_)
    if (topic_matches(topics, topic)) return true;
  return false;
}

void WebhookService::forget_wanted() {
  std::lock_guard lock(wanted_mutex_);
  wanted_at_.reset();
}

Result<void> WebhookService::validate(const EndpointInput& in, bool creating) const {
  std::vector<FieldError> errors;
  std::optional<Error> url_error;
  if (creating && !in.url) errors.push_back({"url", "is required"});
  if (in.url) {
    if (auto ok = check_endpoint_url(*in.url, settings_.allow_private); !ok) {
      url_error = ok.error();
      errors.push_back(ok.error().fields.front());
    }
  }
  if (creating && !in.topics) errors.push_back({"topics", "is required"});
  if (in.topics) {
    if (in.topics->empty() || in.topics->size() > 50)
      errors.push_back({"topics", "must list 1 to 50 topics"});
    std::set<std::string> seen;
    for (size_t i = 0; i < in.topics->size(); ++i) {
      const std::string& t = (*in.topics)[i];
      std::string field = "topics[" + std::to_string(i) + "]";
      if (!valid_topic(t))
        errors.push_back({field, "must be a topic such as order.placed, order.* or *"});
      else if (!seen.insert(t).second)
        errors.push_back({field, "is listed twice"});
    }
  }
  if (in.description && in.description->size() > 200)
    errors.push_back({"description", "must be at most 200 bytes"});
  if (errors.empty()) return {};
  // A URL refused on its own gets its own code; anything more is a list of fields.
  if (url_error && errors.size() == 1) return *url_error;
  std::string summary = errors.size() == 1 ? errors[0].field + " " + errors[0].message
                                           : std::to_string(errors.size()) + " fields are invalid";
  return Error::unprocessable("invalid_webhook", summary, errors);
}

Result<CreatedEndpoint> WebhookService::create(const EndpointInput& input) {
  if (auto ok = validate(input, true); !ok) return ok.error();
  CreatedEndpoint out;
  out.secret = new_secret();
  StoredEndpoint s;
  Endpoint& e = s.endpoint;
  e.id = new_id();
  e.url = *input.url;
  e.topics = *input.topics;
  e.description = input.description.value_or("");
  e.enabled = input.enabled.value_or(true);
  e.created_at = e.updated_at = to_iso8601(clock_.now());
  s.secret_sealed = keys_.seal(out.secret);
  s.secret_key_id = keys_.active_key_id();
  if (auto r = WebhookStore(db_).insert(s); !r) return r.error();
  forget_wanted();
  log::info("webhook endpoint created", {{"webhook_id", e.id}});
  out.endpoint = e;
  return out;
}

Result<std::vector<Endpoint>> WebhookService::list() {
  return WebhookStore(db_).list();
}

Result<Endpoint> WebhookService::get(const std::string& id) {
  if (!is_uuid(id)) return not_found();
  auto found = WebhookStore(db_).find(id);
  if (!found) return found.error();
  if (!*found) return not_found();
  return (*found)->endpoint;
}

Result<Endpoint> WebhookService::update(const std::string& id, const EndpointInput& input) {
  auto current = get(id);
  if (!current) return current.error();
  if (auto ok = validate(input, false); !ok) return ok.error();
  Endpoint e = *current;
  if (input.url) e.url = *input.url;
  if (input.topics) e.topics = *input.topics;
  if (input.description) e.description = *input.description;
  if (input.enabled) e.enabled = *input.enabled;
  e.updated_at = to_iso8601(clock_.now());
  auto updated = WebhookStore(db_).update(e);
  if (!updated) return updated.error();
  if (!*updated) return not_found();
  if (input.enabled && *input.enabled && !current->enabled)
    log::info("webhook endpoint re-enabled", {{"webhook_id", id}});
  forget_wanted();
  return get(id);
}

Result<void> WebhookService::remove(const std::string& id) {
  if (!is_uuid(id)) return not_found();
  auto removed = WebhookStore(db_).remove(id);
  if (!removed) return removed.error();
  if (!*removed) return not_found();
  forget_wanted();
  return {};
}

Result<std::vector<Delivery>> WebhookService::deliveries(const std::string& endpoint_id,
                                                         int limit) {
  if (auto e = get(endpoint_id); !e) return e.error();
  return WebhookStore(db_).deliveries(endpoint_id, limit);
}

Result<Delivery> WebhookService::redeliver(const std::string& endpoint_id,
                                           const std::string& delivery_id) {
  auto endpoint = get(endpoint_id);
  if (!endpoint) return endpoint.error();
  Error missing = Error::not_found("webhook_delivery_not_found", "no such delivery");
  if (!is_uuid(delivery_id)) return missing;
  WebhookStore store(db_);
  auto found = store.delivery(delivery_id);
  if (!found) return found.error();
  if (!*found || (*found)->endpoint_id != endpoint_id) return missing;
  if (!endpoint->enabled)
    return Error::conflict("webhook_disabled",
                           "the endpoint is disabled; enable it (PATCH enabled=true) first");
  auto tx = db_.begin();
  if (!tx) return tx.error();
  std::string now = to_iso8601(clock_.now());
  if (auto r = store.set_delivery_status(*tx, delivery_id, "pending", now); !r) return r.error();
  auto job =
      queue_.enqueue(*tx, kDeliverJob, json::serialize(json::object{{"delivery_id", delivery_id}}));
  if (!job) return job.error();
  if (auto c = tx->commit(); !c) return c.error();
  Delivery d = **found;
  d.status = "pending";
  d.updated_at = now;
  return d;
}

Result<size_t> WebhookService::reseal(size_t batch) {
  WebhookStore store(db_);
  auto stale = store.sealed_elsewhere(keys_.active_key_id(), static_cast<int64_t>(batch));
  if (!stale) return stale.error();
  for (const auto& [id, sealed] : *stale) {
    auto secret = keys_.open(sealed);
    if (!secret) return secret.error();
    if (auto r = store.reseal(id, sealed, keys_.seal(*secret), keys_.active_key_id()); !r)
      return r.error();
  }
  return stale->size();
}

Result<size_t> WebhookService::count_to_reseal() {
  auto n = WebhookStore(db_).count_sealed_elsewhere(keys_.active_key_id());
  if (!n) return n.error();
  return static_cast<size_t>(*n);
}

Result<void> WebhookService::fan_out(const jobs::Job& job) {
  boost::system::error_code ec;
  json::value parsed = json::parse(job.payload, ec);
  if (ec || !parsed.is_object())
    return Error::invalid("invalid_event", "the job's payload is not an event envelope");
  const json::object& event = parsed.get_object();
  const json::value* id = event.if_contains("id");
  const json::value* topic = event.if_contains("topic");
  if (!id || !id->is_string() || !topic || !topic->is_string())
    return Error::invalid("invalid_event", "an event envelope needs id and topic");
  WebhookStore store(db_);
  auto endpoints = store.enabled();
  if (!endpoints) return endpoints.error();
  std::vector<const Endpoint*> matching;
  for (const auto& e : *endpoints)
    if (topic_matches(e.topics, topic->get_string())) matching.push_back(&e);
  if (matching.empty()) return {};
  auto tx = db_.begin();
  if (!tx) return tx.error();
  std::string now = to_iso8601(clock_.now());
  for (const Endpoint* e : matching) {
    Delivery d;
    d.id = new_id();
    d.endpoint_id = e->id;
    d.event_id = std::string(id->get_string());
    d.topic = std::string(topic->get_string());
    d.payload = job.payload;
    d.created_at = now;
    auto made = store.insert_delivery(*tx, d);
    if (!made) return made.error();
    if (!*made) continue;  // this event reached this endpoint before
    auto queued =
        queue_.enqueue(*tx, kDeliverJob, json::serialize(json::object{{"delivery_id", d.id}}));
    if (!queued) return queued.error();
  }
  if (auto c = tx->commit(); !c) return c.error();
  return {};
}

Result<void> WebhookService::deliver(const jobs::Job& job) {
  boost::system::error_code ec;
  json::value parsed = json::parse(job.payload, ec);
  const json::value* id =
      !ec && parsed.is_object() ? parsed.get_object().if_contains("delivery_id") : nullptr;
  if (!id || !id->is_string())
    return Error::invalid("invalid_job", "a delivery job names its delivery_id");
  WebhookStore store(db_);
  auto found = store.delivery(std::string(id->get_string()));
  if (!found) return found.error();
  if (!*found) return {};  // its endpoint was deleted
  Delivery d = std::move(**found);
  if (d.status == "delivered") return {};
  auto endpoint = store.find(d.endpoint_id);
  if (!endpoint) return endpoint.error();
  if (!*endpoint) return {};
  std::string now = to_iso8601(clock_.now());
  if (!(*endpoint)->endpoint.enabled) {
    if (auto r = store.set_delivery_status(d.id, "skipped", now); !r) return r.error();
    return {};
  }
  auto secret = keys_.open((*endpoint)->secret_sealed);
  if (!secret) return secret.error();
  int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"FFF-Webhook-Id", d.id},
      {"FFF-Webhook-Timestamp", std::to_string(timestamp)},
      {"FFF-Webhook-Event", d.topic},
      {"FFF-Webhook-Signature", "v1=" + sign(*secret, timestamp, d.payload)}};
  PostOutcome outcome =
      post((*endpoint)->endpoint.url, headers, d.payload,
           PostOptions{.timeout = settings_.timeout, .allow_private = settings_.allow_private});
  AttemptRecord record;
  record.success = outcome.delivered();
  record.attempt.id = new_id();
  record.attempt.attempt = d.attempts + 1;
  record.attempt.status = record.success ? "delivered" : "failed";
  record.attempt.response_code = outcome.status;
  record.attempt.response_excerpt = outcome.excerpt;
  record.attempt.error = outcome.error;
  record.attempt.duration_ms = outcome.duration_ms;
  bool last_try = job.max_attempts > 0 && job.attempts >= job.max_attempts;
  record.delivery_status = record.success ? "delivered" : last_try ? "failed" : "failing";
  auto result = store.record_attempt(d, record, settings_.failure_limit, to_iso8601(clock_.now()));
  if (!result) return result.error();
  if (record.success) return {};
  std::string why = outcome.status ? "HTTP " + std::to_string(*outcome.status)
                                   : outcome.error.value_or("no answer");
  log::warn("webhook delivery failed", {{"webhook_id", d.endpoint_id},
                                        {"delivery_id", d.id},
                                        {"attempt", record.attempt.attempt},
                                        {"error", why}});
  if (result->disabled_now) {
    log::warn("webhook endpoint disabled", {{"webhook_id", d.endpoint_id},
                                            {"consecutive_failures", result->consecutive_failures},
                                            {"reason", "too_many_failures"}});
    if (settings_.on_disabled) settings_.on_disabled(d.endpoint_id, result->consecutive_failures);
    if (auto r = store.set_delivery_status(d.id, "failed", to_iso8601(clock_.now())); !r)
      return r.error();
    return {};  // no more retries: the endpoint is off until staff turn it on again
  }
  return Error::unavailable("webhook_delivery_failed", "delivery " + d.id + ": " + why);
}

}  // namespace fff::webhooks
