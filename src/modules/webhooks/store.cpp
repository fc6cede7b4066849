#include "modules/webhooks/store.hpp"

#include <boost/json.hpp>

#include "core/id.hpp"

namespace fff::webhooks {
namespace {

namespace json = boost::json;

constexpr const char* kEndpointColumns =
    "id, url, description, topics, enabled, consecutive_failures, disabled_reason, created_at, "
    "updated_at, secret_sealed, secret_key_id";

std::string topics_text(const std::vector<std::string>& topics) {
  json::array out;
  for (const auto& t : topics) out.push_back(json::string(t));
  return json::serialize(out);
}

std::vector<std::string> topics_from(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_array()) return out;
  for (const auto& t : parsed.get_array())
    if (t.is_string()) out.emplace_back(t.get_string());
  return out;
}

StoredEndpoint endpoint_from(const db::Row& r) {
  StoredEndpoint s;
  Endpoint& e = s.endpoint;
  e.id = r.text(0);
  e.url = r.text(1);
  e.description = r.text(2);
  e.topics = topics_from(r.text(3));
  e.enabled = r.boolean(4);
  e.consecutive_failures = r.int64(5);
  e.disabled_reason = r.opt_text(6);
  e.created_at = r.text(7);
  e.updated_at = r.text(8);
  s.secret_sealed = r.text(9);
  s.secret_key_id = r.text(10);
  return s;
}

constexpr const char* kDeliveryColumns =
    "id, endpoint_id, event_id, topic, payload, status, attempts, response_code, created_at, "
    "updated_at";

Delivery delivery_from(const db::Row& r) {
  Delivery d;
  d.id = r.text(0);
  d.endpoint_id = r.text(1);
  d.event_id = r.text(2);
  d.topic = r.text(3);
  d.payload = r.text(4);
  d.status = r.text(5);
  d.attempts = r.int64(6);
  d.response_code = r.opt_int64(7);
  d.created_at = r.text(8);
  d.updated_at = r.text(9);
  return d;
}

db::Value opt(const std::optional<std::string>& v) {
  return v ? db::Value(*v) : db::Value(std::monostate{});
}
db::Value opt(const std::optional<int64_t>& v) {
  return v ? db::Value(*v) : db::Value(std::monostate{});
}

}  // namespace

Result<void> WebhookStore::insert(const StoredEndpoint& s) {
  const Endpoint& e = s.endpoint;
  auto r = db_.query(
      "INSERT INTO webhook_endpoints (id, url, description, topics, enabled, consecutive_failures, "
      "disabled_reason, created_at, updated_at, secret_sealed, secret_key_id) "
      "VALUES ($1, $2, $3, $4, $5, 0, NULL, $6, $6, $7, $8)",
      {e.id, e.url, e.description, topics_text(e.topics), e.enabled, e.created_at, s.secret_sealed,
       s.secret_key_id});
  if (!r) return r.error();
  return {};
}

Result<std::vector<Endpoint>> WebhookStore::list() {
  auto r = db_.query(std::string("SELECT ") + kEndpointColumns +
                     " FROM webhook_endpoints ORDER BY created_at, id");
  if (!r) return r.error();
  std::vector<Endpoint> out;
  for (const auto& row : r->rows) out.push_back(endpoint_from(row).endpoint);
  return out;
}

Result<std::vector<Endpoint>> WebhookStore::enabled() {
  auto r = db_.query(std::string("SELECT ") + kEndpointColumns +
                         " FROM webhook_endpoints WHERE enabled = $1 ORDER BY id",
                     {true});
  if (!r) return r.error();
  std::vector<Endpoint> out;
  for (const auto& row : r->rows) out.push_back(endpoint_from(row).endpoint);
  return out;
}

Result<std::optional<StoredEndpoint>> WebhookStore::find(const std::string& id) {
  auto r = db_.query(
      std::string("SELECT ") + kEndpointColumns + " FROM webhook_endpoints WHERE id = $1", {id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<StoredEndpoint>{};
  return std::optional<StoredEndpoint>{endpoint_from(r->rows[0])};
}

Result<bool> WebhookStore::update(const Endpoint& e) {
  auto r = db_.query(
      "UPDATE webhook_endpoints SET url = $2, description = $3, topics = $4, enabled = $5, "
      "consecutive_failures = CASE WHEN $5 AND NOT enabled THEN 0 ELSE consecutive_failures END, "
      "disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END, updated_at = $6 "
      "WHERE id = $1",
      {e.id, e.url, e.description, topics_text(e.topics), e.enabled, e.updated_at});
  if (!r) return r.error();
  return r->affected > 0;
}

Result<bool> WebhookStore::remove(const std::string& id) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  // Children first: SQLite enforces the foreign keys only when asked to, PostgreSQL always.
  if (auto r = tx->query("DELETE FROM webhook_attempts WHERE endpoint_id = $1", {id}); !r)
    return r.error();
  if (auto r = tx->query("DELETE FROM webhook_deliveries WHERE endpoint_id = $1", {id}); !r)
    return r.error();
  auto r = tx->query("DELETE FROM webhook_endpoints WHERE id = $1", {id});
  if (!r) return r.error();
  if (auto c = tx->commit(); !c) return c.error();
  return r->affected > 0;
}

Result<std::vector<std::pair<std::string, std::string>>> WebhookStore::sealed_elsewhere(
    const std::string& active_key_id, int64_t limit) {
  auto r = db_.query(
      "SELECT id, secret_sealed FROM webhook_endpoints WHERE secret_key_id <> $1 ORDER BY id "
      "LIMIT $2",
      {active_key_id, limit});
  if (!r) return r.error();
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& row : r->rows) out.emplace_back(row.text(0), row.text(1));
  return out;
}

Result<int64_t> WebhookStore::count_sealed_elsewhere(const std::string& active_key_id) {
  auto r = db_.query("SELECT COUNT(*) FROM webhook_endpoints WHERE secret_key_id <> $1",
                     {active_key_id});
  if (!r) return r.error();
  return r->rows[0].int64(0);
}

Result<void> WebhookStore::reseal(const std::string& id, const std::string& before,
                                  const std::string& sealed, const std::string& key_id) {
  auto r = db_.query(
      "UPDATE webhook_endpoints SET secret_sealed = $3, secret_key_id = $4 "
      "WHERE id = $1 AND secret_sealed = $2",
      {id, before, sealed, key_id});
  if (!r) return r.error();
  return {};
}

Result<bool> WebhookStore::insert_delivery(db::Transaction& tx, const Delivery& d) {
  auto r = tx.query(
      "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, topic, payload, status, "
      "attempts, response_code, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, 'pending', 0, NULL, $6, $6) "
      "ON CONFLICT (endpoint_id, event_id) DO NOTHING",
      {d.id, d.endpoint_id, d.event_id, d.topic, d.payload, d.created_at});
  if (!r) return r.error();
  return r->affected > 0;
}

Result<std::optional<Delivery>> WebhookStore::delivery(const std::string& id) {
  auto r = db_.query(
      std::string("SELECT ") + kDeliveryColumns + " FROM webhook_deliveries WHERE id = $1", {id});
  if (!r) return r.error();
  if (r->rows.empty()) return std::optional<Delivery>{};
  return std::optional<Delivery>{delivery_from(r->rows[0])};
}

Result<std::vector<Delivery>> WebhookStore::deliveries(const std::string& endpoint_id, int limit) {
  auto r = db_.query(std::string("SELECT ") + kDeliveryColumns +
                         " FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC "
                         "LIMIT $2",
                     {endpoint_id, int64_t{limit}});
  if (!r) return r.error();
  std::vector<Delivery> out;
  for (const auto& row : r->rows) out.push_back(delivery_from(row));
  for (auto& d : out) {
    auto a = db_.query(
        "SELECT id, attempt, status, response_code, response_excerpt, error, duration_ms, "
        "created_at FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt, id",
        {d.id});
    if (!a) return a.error();
    for (const auto& row : a->rows)
      d.log.push_back(Attempt{row.text(0), row.int64(1), row.text(2), row.opt_int64(3), row.text(4),
                              row.opt_text(5), row.int64(6), row.text(7)});
  }
  return out;
}

Result<void> WebhookStore::set_delivery_status(const std::string& id, const std::string& status,
                                               const std::string& now) {
  auto r = db_.query("UPDATE webhook_deliveries SET status = $2, updated_at = $3 WHERE id = $1",
                     {id, status, now});
  if (!r) return r.error();
  return {};
}

Result<void> WebhookStore::set_delivery_status(db::Transaction& tx, const std::string& id,
                                               const std::string& status, const std::string& now) {
  auto r = tx.query("UPDATE webhook_deliveries SET status = $2, updated_at = $3 WHERE id = $1",
                    {id, status, now});
  if (!r) return r.error();
  return {};
}

Result<WebhookStore::AttemptResult> WebhookStore::record_attempt(const Delivery& d,
                                                                 const AttemptRecord& rec,
                                                                 int64_t failure_limit,
                                                                 const std::string& now) {
  auto tx = db_.begin();
  if (!tx) return tx.error();
  const Attempt& a = rec.attempt;
  if (auto r = tx->query(
          "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, topic, attempt, "
          "status, response_code, response_excerpt, error, duration_ms, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          {a.id, d.id, d.endpoint_id, d.event_id, d.topic, a.attempt, a.status,
           opt(a.response_code), a.response_excerpt, opt(a.error), a.duration_ms, now});
      !r)
    return r.error();
  if (auto r =
          tx->query("UPDATE webhook_deliveries SET status = $2, attempts = $3, response_code = $4, "
                    "updated_at = $5 WHERE id = $1",
                    {d.id, rec.delivery_status, a.attempt, opt(a.response_code), now});
      !r)
    return r.error();
  AttemptResult result;
  if (rec.success) {
    auto r = tx->query("UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1",
                       {d.endpoint_id});
    if (!r) return r.error();
  } else {
    auto r = tx->query(
        "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1 "
        "WHERE id = $1 RETURNING consecutive_failures, enabled",
        {d.endpoint_id});
    if (!r) return r.error();
    if (!r->rows.empty()) {
      result.consecutive_failures = r->rows[0].int64(0);
      bool enabled = r->rows[0].boolean(1);
      if (enabled && result.consecutive_failures >= failure_limit) {
        auto off = tx->query(
            "UPDATE webhook_endpoints SET enabled = $2, disabled_reason = 'too_many_failures', "
            "updated_at = $3 WHERE id = $1",
            {d.endpoint_id, false, now});
        if (!off) return off.error();
        result.disabled_now = true;
      }
    }
  }
  if (auto c = tx->commit(); !c) return c.error();
  return result;
}

}  // namespace fff::webhooks
