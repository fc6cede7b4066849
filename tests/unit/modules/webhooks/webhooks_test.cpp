// Webhooks on every storage config, against a loopback HTTP receiver the test starts: endpoint
// validation, the idempotent fan-out into delivery jobs, signed deliveries, timeouts, retries,
// disabling after repeated failures, the delivery log and redelivery.
#include "modules/webhooks/service.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/jobs.hpp"
#include "migrations/webhooks.hpp"
#include "modules/webhooks/sender.hpp"
#include "support/http_receiver.hpp"
#include "support/test_databases.hpp"

namespace fff::webhooks {
namespace {

namespace json = boost::json;
using fff::testing::HttpReceiver;

std::string envelope(const std::string& topic, const std::string& id = new_id()) {
  return json::serialize(
      json::object{{"id", id},
                   {"topic", topic},
                   {"subject", new_id()},
                   {"created_at", "2026-11-26T07:00:00.000000Z"},
                   {"data", json::object{{"order", json::object{{"number", "FFF-10023"}}}}}});
}

class WebhooksTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok());
    db_ = std::move(opened).value();
    std::vector<db::Migration> all = db::jobs_migrations();
    for (auto& m : db::webhooks_migrations()) all.push_back(std::move(m));
    ASSERT_TRUE(db::migrate(*db_, all).ok());
    auto keys = crypto::KeyRing::parse("k1:" + std::string(43, 'A') + "=");
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    keys_ = std::make_unique<crypto::KeyRing>(std::move(*keys));
    queue_ = std::make_unique<jobs::JobQueue>(*db_, Clock::system());
    make_service(WebhookSettings{
        .allow_private = true, .failure_limit = 3, .timeout = std::chrono::milliseconds(5000)});
  }

  void make_service(WebhookSettings settings) {
    service_ = std::make_unique<WebhookService>(*db_, *queue_, *keys_, settings);
    service_->register_jobs();
  }

  CreatedEndpoint create(const std::string& url, std::vector<std::string> topics = {"order.*"}) {
    auto made = service_->create(EndpointInput{.url = url, .topics = std::move(topics)});
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? *made : CreatedEndpoint{};
  }

  // The delivery jobs enqueued so far, oldest first.
  std::vector<jobs::Job> delivery_jobs() {
    auto r = db_->query(
        "SELECT id, payload FROM jobs WHERE kind = 'webhooks.deliver' ORDER BY created_at, id");
    std::vector<jobs::Job> out;
    if (!r) return out;
    for (const auto& row : r->rows) {
      jobs::Job j;
      j.id = row.text(0);
      j.kind = kDeliverJob;
      j.payload = row.text(1);
      j.attempts = 1;
      j.max_attempts = 8;
      out.push_back(j);
    }
    return out;
  }

  Result<void> publish(const std::string& topic, const std::string& id = new_id()) {
    jobs::Job job;
    job.kind = kFanOutJob;
    job.payload = envelope(topic, id);
    return service_->fan_out(job);
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<crypto::KeyRing> keys_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<WebhookService> service_;
  HttpReceiver receiver_;
};
INSTANTIATE_TEST_SUITE_P(, WebhooksTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(WebhooksTest, ADeliveryIsSignedOverTimestampAndBody) {
  auto endpoint = create(receiver_.url());
  ASSERT_TRUE(endpoint.secret.starts_with("whsec_"));
  std::string event_id = new_id();
  ASSERT_TRUE(publish("order.placed", event_id).ok());
  auto jobs = delivery_jobs();
  ASSERT_EQ(jobs.size(), 1u);
  auto before = std::chrono::system_clock::now();
  ASSERT_TRUE(service_->deliver(jobs[0]).ok());
  ASSERT_TRUE(receiver_.wait_for(1));
  auto req = receiver_.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/hook");
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("fff-webhook-event"), "order.placed");
  // The body is the event envelope.
  auto body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("id").as_string(), event_id);
  EXPECT_EQ(body.at("topic").as_string(), "order.placed");
  // The timestamp is now, in unix seconds.
  int64_t ts = std::stoll(req.header("fff-webhook-timestamp").value_or("0"));
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count();
  EXPECT_LE(std::abs(ts - now), 5);
  // A receiver recomputes HMAC-SHA256(secret, timestamp + "." + body) and compares.
  std::string message = std::to_string(ts) + "." + req.body;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(endpoint.secret.data()),
                              endpoint.secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  EXPECT_EQ(req.header("fff-webhook-signature"), "v1=" + std::string(hex));
  // The delivery id is the header, and the log has the attempt.
  auto list = service_->deliveries(endpoint.endpoint.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  const Delivery& d = list->at(0);
  EXPECT_EQ(req.header("fff-webhook-id"), d.id);
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.event_id, event_id);
  EXPECT_EQ(d.response_code, 200);
  ASSERT_EQ(d.log.size(), 1u);
  EXPECT_EQ(d.log[0].attempt, 1);
  EXPECT_EQ(d.log[0].status, "delivered");
  EXPECT_EQ(d.log[0].response_code, 200);
  EXPECT_EQ(d.log[0].response_excerpt, "ok");
  EXPECT_GE(d.log[0].duration_ms, 0);
  // Delivered is final: the same job again posts nothing.
  ASSERT_TRUE(service_->deliver(jobs[0]).ok());
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

TEST_P(WebhooksTest, ThroughTheQueueAnEventReachesTheReceiverSigned) {
  auto endpoint = create(receiver_.url(), {"order.placed"});
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto event = jobs::publish(*tx, "order.placed", new_id(), R"({"order":{"number":"FFF-1"}})",
                             Clock::system().now());
  ASSERT_TRUE(event.ok());
  ASSERT_TRUE(tx->commit().ok());
  for (int i = 0; i < 10 && receiver_.requests().empty(); ++i) {
    auto ran = queue_->run_due();
    ASSERT_TRUE(ran.ok()) << ran.error().message;
  }
  ASSERT_EQ(receiver_.requests().size(), 1u);
  auto req = receiver_.requests()[0];
  EXPECT_EQ(json::parse(req.body).as_object().at("id").as_string(), event->id);
  int64_t ts = std::stoll(req.header("fff-webhook-timestamp").value_or("0"));
  EXPECT_EQ(req.header("fff-webhook-signature"), "v1=" + sign(endpoint.secret, ts, req.body));
  EXPECT_EQ(service_->deliveries(endpoint.endpoint.id)->at(0).status, "delivered");
}

TEST_P(WebhooksTest, FanOutMatchesTopicsAndIsIdempotentPerEndpointAndEvent) {
  auto orders = create(receiver_.url("/orders"), {"order.*"});
  auto placed = create(receiver_.url("/placed"), {"order.placed"});
  auto all = create(receiver_.url("/all"), {"*"});
  auto off = service_->create(
      EndpointInput{.url = receiver_.url("/off"), .topics = {{"*"}}, .enabled = false});
  ASSERT_TRUE(off.ok());
  std::string event_id = new_id();
  ASSERT_TRUE(publish("order.placed", event_id).ok());
  ASSERT_TRUE(publish("order.placed", event_id).ok());  // the same event again
  EXPECT_EQ(delivery_jobs().size(), 3u);
  ASSERT_TRUE(publish("payment.captured").ok());  // only "*"
  EXPECT_EQ(delivery_jobs().size(), 4u);
  EXPECT_EQ(service_->deliveries(all.endpoint.id)->size(), 2u);
  EXPECT_EQ(service_->deliveries(placed.endpoint.id)->size(), 1u);
  EXPECT_EQ(service_->deliveries(orders.endpoint.id)->size(), 1u);
  EXPECT_EQ(service_->deliveries(off->endpoint.id)->size(), 0u);
}

TEST_P(WebhooksTest, AFailedDeliveryIsLoggedAndRetriedThenSucceeds) {
  auto endpoint = create(receiver_.url());
  receiver_.respond(500, "boom");
  ASSERT_TRUE(publish("order.placed").ok());
  auto job = delivery_jobs().at(0);
  auto first = service_->deliver(job);
  ASSERT_FALSE(first.ok());  // the queue retries it with backoff
  EXPECT_EQ(first.error().code, "webhook_delivery_failed");
  receiver_.respond(204, "");
  job.attempts = 2;
  ASSERT_TRUE(service_->deliver(job).ok());
  auto d = service_->deliveries(endpoint.endpoint.id)->at(0);
  EXPECT_EQ(d.status, "delivered");
  EXPECT_EQ(d.attempts, 2);
  ASSERT_EQ(d.log.size(), 2u);
  EXPECT_EQ(d.log[0].status, "failed");
  EXPECT_EQ(d.log[0].response_code, 500);
  EXPECT_EQ(d.log[0].response_excerpt, "boom");
  EXPECT_EQ(d.log[1].response_code, 204);
  // The same delivery id on both attempts, so receivers can dedupe.
  auto reqs = receiver_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].header("fff-webhook-id"), reqs[1].header("fff-webhook-id"));
  EXPECT_EQ(service_->get(endpoint.endpoint.id)->consecutive_failures, 0);
}

TEST_P(WebhooksTest, RepeatedFailuresDisableTheEndpointUntilStaffEnableIt) {
  std::vector<std::pair<std::string, int64_t>> told;
  make_service(WebhookSettings{
      .allow_private = true,
      .failure_limit = 3,
      .on_disabled = [&told](const std::string& id, int64_t n) { told.emplace_back(id, n); }});
  auto endpoint = create(receiver_.url());
  receiver_.respond(503, "down");
  ASSERT_TRUE(publish("order.placed").ok());
  auto job = delivery_jobs().at(0);
  EXPECT_FALSE(service_->deliver(job).ok());
  EXPECT_FALSE(service_->deliver(job).ok());
  // The third consecutive failure disables the endpoint and ends the retries.
  EXPECT_TRUE(service_->deliver(job).ok());
  auto e = service_->get(endpoint.endpoint.id);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->enabled);
  EXPECT_EQ(e->disabled_reason, "too_many_failures");
  EXPECT_EQ(e->consecutive_failures, 3);
  ASSERT_EQ(told.size(), 1u);  // the app audits it
  EXPECT_EQ(told[0].first, endpoint.endpoint.id);
  EXPECT_EQ(told[0].second, 3);
  EXPECT_EQ(service_->deliveries(endpoint.endpoint.id)->at(0).status, "failed");
  // Disabled: new events make no deliveries, redelivery is refused.
  ASSERT_TRUE(publish("order.placed").ok());
  EXPECT_EQ(delivery_jobs().size(), 1u);
  auto d = service_->deliveries(endpoint.endpoint.id)->at(0);
  EXPECT_EQ(service_->redeliver(endpoint.endpoint.id, d.id).error().code, "webhook_disabled");
  // Re-enabled by staff: failures count from zero, and a redelivery goes through.
  auto on = service_->update(endpoint.endpoint.id, EndpointInput{.enabled = true});
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(on->enabled);
  EXPECT_EQ(on->consecutive_failures, 0);
  EXPECT_FALSE(on->disabled_reason.has_value());
  receiver_.respond(200);
  auto again = service_->redeliver(endpoint.endpoint.id, d.id);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->status, "pending");
  auto jobs = delivery_jobs();
  ASSERT_EQ(jobs.size(), 2u);
  ASSERT_TRUE(service_->deliver(jobs[1]).ok());
  auto after = service_->deliveries(endpoint.endpoint.id)->at(0);
  EXPECT_EQ(after.status, "delivered");
  EXPECT_EQ(after.attempts, 4);
}

TEST_P(WebhooksTest, AReceiverThatHangsTimesOutAfterFiveSeconds) {
  auto endpoint = create(receiver_.url());
  receiver_.hang(true);
  ASSERT_TRUE(publish("order.placed").ok());
  auto started = std::chrono::steady_clock::now();
  auto r = service_->deliver(delivery_jobs().at(0));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(r.ok());
  EXPECT_GE(took, std::chrono::milliseconds(4900));
  EXPECT_LT(took, std::chrono::milliseconds(8000));
  auto d = service_->deliveries(endpoint.endpoint.id)->at(0);
  EXPECT_EQ(d.status, "failing");
  ASSERT_EQ(d.log.size(), 1u);
  EXPECT_FALSE(d.log[0].response_code.has_value());
  EXPECT_NE(d.log[0].error.value_or("").find("timed out"), std::string::npos);
  EXPECT_GE(d.log[0].duration_ms, 4900);
}

TEST_P(WebhooksTest, RedirectsAreNotFollowed) {
  auto endpoint = create(receiver_.url("/first"));
  receiver_.redirect_to(receiver_.url("/second"));
  ASSERT_TRUE(publish("order.placed").ok());
  EXPECT_FALSE(service_->deliver(delivery_jobs().at(0)).ok());
  ASSERT_EQ(receiver_.requests().size(), 1u);
  EXPECT_EQ(receiver_.requests()[0].target, "/first");
  EXPECT_EQ(service_->deliveries(endpoint.endpoint.id)->at(0).response_code, 302);
}

TEST_P(WebhooksTest, PrivateAddressesAreRefusedUnlessAllowed) {
  make_service(WebhookSettings{.allow_private = false});
  for (const char* url :
       {"http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/x",
        "http://192.168.0.10/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
        "http://[fe80::1]/x", "http://0.0.0.0/x", "http://172.20.0.1/x",
        "http://[::ffff:127.0.0.1]/x", "https://100.64.0.1/x"}) {
    auto made = service_->create(EndpointInput{.url = url, .topics = {{"*"}}});
    ASSERT_FALSE(made.ok()) << url;
    EXPECT_EQ(made.error().code, "webhook_url_private") << url;
    ASSERT_EQ(made.error().fields.size(), 1u);
    EXPECT_EQ(made.error().fields[0].field, "url");
  }
  EXPECT_TRUE(
      service_->create(EndpointInput{.url = "https://93.184.215.14/hook", .topics = {{"*"}}}).ok());
}

TEST_P(WebhooksTest, AnAddressTurnedPrivateIsRefusedAtDelivery) {
  auto endpoint = create(receiver_.url());  // registered while private addresses were allowed
  make_service(WebhookSettings{.allow_private = false, .failure_limit = 10});
  ASSERT_TRUE(publish("order.placed").ok());
  EXPECT_FALSE(service_->deliver(delivery_jobs().at(0)).ok());
  EXPECT_TRUE(receiver_.requests().empty());
  auto d = service_->deliveries(endpoint.endpoint.id)->at(0);
  EXPECT_NE(d.log.at(0).error.value_or("").find("private"), std::string::npos);
}

TEST_P(WebhooksTest, BadInputIsRefusedWithPreciseErrors) {
  auto code = [&](EndpointInput in) {
    auto r = service_->create(in);
    return r.ok() ? std::string("ok") : r.error().code;
  };
  EXPECT_EQ(code({.url = "ftp://example.com/x", .topics = {{"*"}}}), "invalid_webhook_url");
  EXPECT_EQ(code({.url = "not a url", .topics = {{"*"}}}), "invalid_webhook_url");
  EXPECT_EQ(code({.url = "http:///nohost", .topics = {{"*"}}}), "invalid_webhook_url");
  EXPECT_EQ(code({.url = "https://user:pw@example.com/x", .topics = {{"*"}}}),
            "invalid_webhook_url");
  EXPECT_EQ(code({.url = "https://example.com/" + std::string(2100, 'a'), .topics = {{"*"}}}),
            "invalid_webhook_url");
  EXPECT_EQ(code({.topics = {{"*"}}}), "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url()}), "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url(), .topics = std::vector<std::string>{}}),
            "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url(), .topics = {{"Order.Placed"}}}), "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url(), .topics = {{"order.*.x"}}}), "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url(), .topics = {{"order.placed", "order.placed"}}}),
            "invalid_webhook");
  EXPECT_EQ(code({.url = receiver_.url(), .topics = {{"order.placed", "order.*", "*"}}}), "ok");
  EXPECT_EQ(service_->get(new_id()).error().code, "webhook_not_found");
  EXPECT_EQ(service_->get("not-an-id").error().code, "webhook_not_found");
  EXPECT_EQ(service_->remove(new_id()).error().code, "webhook_not_found");
}

TEST_P(WebhooksTest, TheSecretIsSealedAtRest) {
  auto endpoint = create(receiver_.url());
  auto r = db_->query("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1",
                      {endpoint.endpoint.id});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].text(0).find(endpoint.secret), std::string::npos);
  EXPECT_TRUE(r->rows[0].text(0).starts_with("pii1.k1."));
}

TEST_P(WebhooksTest, KeyRotationResealsSecretsAndSigningGoesOn) {
  auto endpoint = create(receiver_.url());
  auto rotated = crypto::KeyRing::parse("k1:" + std::string(43, 'A') + "=" +
                                        ",k2:" + std::string(42, 'B') + "A=");
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  keys_ = std::make_unique<crypto::KeyRing>(std::move(*rotated));
  make_service(WebhookSettings{.allow_private = true});
  EXPECT_EQ(service_->count_to_reseal().value(), 1u);
  EXPECT_EQ(service_->reseal(10).value(), 1u);
  EXPECT_EQ(service_->count_to_reseal().value(), 0u);
  auto r = db_->query("SELECT secret_key_id FROM webhook_endpoints WHERE id = $1",
                      {endpoint.endpoint.id});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].text(0), "k2");
  // The secret is the same one: a delivery still verifies with what staff were shown.
  ASSERT_TRUE(publish("order.placed").ok());
  ASSERT_TRUE(service_->deliver(delivery_jobs().at(0)).ok());
  auto req = receiver_.requests().at(0);
  int64_t ts = std::stoll(req.header("fff-webhook-timestamp").value_or("0"));
  EXPECT_EQ(req.header("fff-webhook-signature"), "v1=" + sign(endpoint.secret, ts, req.body));
}

TEST_P(WebhooksTest, DeletingAnEndpointRemovesItsDeliveries) {
  auto endpoint = create(receiver_.url());
  ASSERT_TRUE(publish("order.placed").ok());
  ASSERT_TRUE(service_->deliver(delivery_jobs().at(0)).ok());
  ASSERT_TRUE(service_->remove(endpoint.endpoint.id).ok());
  EXPECT_EQ(service_->get(endpoint.endpoint.id).error().code, "webhook_not_found");
  auto left = db_->query("SELECT COUNT(*) FROM webhook_deliveries");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->rows[0].int64(0), 0);
  // A job for a delivery that is gone is done, not retried.
  EXPECT_TRUE(service_->deliver(delivery_jobs().at(0)).ok());
}

TEST(WebhookTopics, MatchExactPrefixAndEverything) {
  EXPECT_TRUE(topic_matches({"order.placed"}, "order.placed"));
  EXPECT_FALSE(topic_matches({"order.placed"}, "order.shipped"));
  EXPECT_TRUE(topic_matches({"order.*"}, "order.shipped"));
  EXPECT_FALSE(topic_matches({"order.*"}, "orders.shipped"));
  EXPECT_FALSE(topic_matches({"order.*"}, "payment.captured"));
  EXPECT_TRUE(topic_matches({"payment.captured", "*"}, "stock.changed"));
  EXPECT_FALSE(topic_matches({}, "order.placed"));
}

TEST(WebhookSignature, IsHexHmacSha256OfTimestampDotBody) {
  ASSERT_GE(sodium_init(), 0);
  // Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b'whsec_test',
  // b'1700000000.{\"id\":\"e1\"}', hashlib.sha256).hexdigest())"
  EXPECT_EQ(sign("whsec_test", 1700000000, R"({"id":"e1"})"),
            "6a85cb117c993612a34c72b4cfb5a16baed25a80d26e298ce0e6671320fd07c8");
  EXPECT_NE(sign("whsec_test", 1700000001, R"({"id":"e1"})"),
            sign("whsec_test", 1700000000, R"({"id":"e1"})"));
}

}  // namespace
}  // namespace fff::webhooks
