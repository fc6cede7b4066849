// Webhooks end to end: `fff serve` (its own workers) delivers a catalog event to an endpoint an
// admin registered through the API — a loopback receiver the test starts — signed with the
// secret the API showed once, and the delivery log says so; a receiver that fails gets the
// endpoint disabled after webhook_failure_limit attempts. SQLite: the storage side runs on both
// configs in the webhooks unit tests.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/http_client.hpp"
#include "support/http_receiver.hpp"
#include "support/server_process.hpp"

namespace fff::api_webhooks {
namespace {

namespace json = boost::json;
using testing::HttpConnection;
using testing::HttpReceiver;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;

const std::string kToken = "staff-test-token-0123456789abcdef";

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body = "") {
  HttpConnection conn(port);
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.headers.push_back({"Authorization", "Bearer " + kToken});
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  return conn.request(req, Millis(15000));
}

std::string hmac_hex(const std::string& key, const std::string& message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

// Polls `probe` until it is true or `seconds` pass.
template <typename F>
bool eventually(F probe, int seconds = 15) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return probe();
}

ServerOptions options(int failure_limit = 10) {
  return ServerOptions{.env = {{"FFF_DEMO", "0"},
                               {"FFF_ADMIN_TOKEN", kToken},
                               {"FFF_WEBHOOKS_ALLOW_PRIVATE", "1"},
                               {"FFF_WEBHOOK_FAILURE_LIMIT", std::to_string(failure_limit)}}};
}

TEST(WebhooksApi, ACatalogEventIsDeliveredSignedAndLogged) {
  ASSERT_GE(sodium_init(), 0);
  HttpReceiver receiver;
  ServerProcess server(options());
  uint16_t port = server.port();
  HttpResponse made = call(port, "POST", "/api/v1/admin/webhooks",
                           R"({"url":")" + receiver.url("/fff") + R"(","topics":["catalog.*"]})");
  ASSERT_EQ(made.status, 201) << made.body;
  auto endpoint = json::parse(made.body).as_object();
  std::string id(endpoint.at("id").as_string());
  std::string secret(endpoint.at("secret").as_string());

  ASSERT_EQ(
      call(port, "POST", "/api/v1/admin/brands", R"({"slug":"hook-brand","name":"Hook"})").status,
      201);
  ASSERT_TRUE(receiver.wait_for(1, 15000)) << server.output();
  auto req = receiver.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/fff");
  auto body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("topic").as_string(), "catalog.changed");
  EXPECT_EQ(req.header("fff-webhook-event"), "catalog.changed");
  std::string ts = req.header("fff-webhook-timestamp").value_or("");
  EXPECT_EQ(req.header("fff-webhook-signature"), "v1=" + hmac_hex(secret, ts + "." + req.body));

  json::object delivery;
  ASSERT_TRUE(eventually([&] {
    HttpResponse log = call(port, "GET", "/api/v1/admin/webhooks/" + id + "/deliveries");
    if (log.status != 200) return false;
    auto items = json::parse(log.body).as_object().at("items").as_array();
    if (items.empty() || items[0].as_object().at("status").as_string() != "delivered") return false;
    delivery = items[0].as_object();
    return true;
  }));
  EXPECT_EQ(req.header("fff-webhook-id"), std::string(delivery.at("id").as_string()));
  EXPECT_EQ(delivery.at("event_id").as_string(), body.at("id").as_string());
  EXPECT_EQ(delivery.at("response_code").as_int64(), 200);
  EXPECT_EQ(delivery.at("log").as_array().size(), 1u);
  // The secret was shown once and is never logged.
  EXPECT_EQ(server.output().find(secret), std::string::npos);
}

TEST(WebhooksApi, AFailingReceiverGetsTheEndpointDisabled) {
  HttpReceiver receiver;
  receiver.respond(500, "nope");
  ServerProcess server(options(1));  // one failure is enough here
  uint16_t port = server.port();
  HttpResponse made = call(port, "POST", "/api/v1/admin/webhooks",
                           R"({"url":")" + receiver.url() + R"(","topics":["*"]})");
  ASSERT_EQ(made.status, 201);
  std::string id(json::parse(made.body).as_object().at("id").as_string());
  ASSERT_EQ(
      call(port, "POST", "/api/v1/admin/brands", R"({"slug":"fail-brand","name":"F"})").status,
      201);
  ASSERT_TRUE(eventually([&] {
    HttpResponse e = call(port, "GET", "/api/v1/admin/webhooks/" + id);
    return e.status == 200 && !json::parse(e.body).as_object().at("enabled").as_bool();
  })) << server.output();
  auto e = json::parse(call(port, "GET", "/api/v1/admin/webhooks/" + id).body).as_object();
  EXPECT_EQ(e.at("disabled_reason").as_string(), "too_many_failures");
  EXPECT_TRUE(server.wait_for_log({"webhook endpoint disabled", id}, Millis(5000)));
  // …and the staff audit log has it, by the system.
  HttpResponse audit = call(port, "GET", "/api/v1/admin/audit?per_page=100");
  ASSERT_EQ(audit.status, 200);
  bool audited = false;
  json::value audit_body = json::parse(audit.body);
  for (const auto& entry : audit_body.as_object().at("items").as_array()) {
    std::string text = json::serialize(entry);
    if (text.find("webhook.disabled") != std::string::npos && text.find(id) != std::string::npos)
      audited = true;
  }
  EXPECT_TRUE(audited) << audit.body;
  auto items = json::parse(call(port, "GET", "/api/v1/admin/webhooks/" + id + "/deliveries").body)
                   .as_object()
                   .at("items")
                   .as_array();
  ASSERT_FALSE(items.empty());
  auto first = items.back().as_object();
  EXPECT_EQ(first.at("status").as_string(), "failed");
  EXPECT_EQ(first.at("response_code").as_int64(), 500);
  EXPECT_EQ(first.at("log").as_array()[0].as_object().at("response_excerpt").as_string(), "nope");
  // Redelivery waits for an admin to enable the endpoint again.
  std::string delivery(first.at("id").as_string());
  HttpResponse retry =
      call(port, "POST", "/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery + "/retry");
  EXPECT_EQ(retry.status, 409);
  receiver.respond(200);
  ASSERT_EQ(call(port, "PATCH", "/api/v1/admin/webhooks/" + id, R"({"enabled":true})").status, 200);
  retry = call(port, "POST", "/api/v1/admin/webhooks/" + id + "/deliveries/" + delivery + "/retry");
  ASSERT_EQ(retry.status, 202) << retry.body;
  EXPECT_TRUE(eventually([&] {
    auto list = json::parse(call(port, "GET", "/api/v1/admin/webhooks/" + id + "/deliveries").body)
                    .as_object()
                    .at("items")
                    .as_array();
    for (const auto& d : list)
      if (d.as_object().at("id").as_string() == delivery)
        return d.as_object().at("status").as_string() == "delivered";
    return false;
  })) << server.output();
}

}  // namespace
}  // namespace fff::api_webhooks
