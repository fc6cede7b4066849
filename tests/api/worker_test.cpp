// `fff serve --no-workers` only fills the queue; `fff worker --drain`, another process on the same
// database, empties it: every event dispatched, every job done, and a guest purchase's mails
// written as .eml files — on every storage config.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "infra/db/database.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_databases.hpp"

namespace fff::api_worker {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::ServerProcess;

constexpr const char* kToken = "worker-test-token-0123456789abcdef";

struct CliRun {
  int exit_code = -1;
  std::string output;
};

// Runs `fff <args>` to completion with a clean environment plus `env`, stdout and stderr together.
CliRun run_fff(const std::string& args, const std::string& env) {
  std::string command =
      "env -i PATH=/usr/bin:/bin " + env + " " + FFF_BINARY_PATH + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body = "") {
  HttpConnection conn(port);
  HttpRequest r;
  r.method = method;
  r.target = target;
  r.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  if (!body.empty()) {
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = body;
  }
  return conn.request(r);
}

boost::json::object queue_counts(uint16_t port) {
  auto r = call(port, "GET", "/api/v1/admin/jobs?limit=1");
  EXPECT_EQ(r.status, 200) << r.body;
  return boost::json::parse(r.body).at("counts").as_object();
}

class WorkerTest : public ::testing::TestWithParam<std::string> {};
INSTANTIATE_TEST_SUITE_P(, WorkerTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(WorkerTest, AWorkerAloneDrainsWhatServeWithoutWorkersQueued) {
  fff::testing::ScratchDatabase scratch(GetParam());
  std::string url = scratch.url();
  ServerProcess server({.env = {{"FFF_DATABASE_URL", url},
                                {"FFF_ADMIN_TOKEN", kToken},
                                {"FFF_DEMO_PRODUCTS", "40"},
                                {"FFF_DEMO_IMAGES", "0"}},
                        .args = {"serve", "--listen", "127.0.0.1:0", "--no-workers"}});
  // Work for the queue: a product (catalog.changed) and stock received for it (stock.changed,
  // which the catalog's in-stock mirror subscribes to).
  auto created = call(server.port(), "POST", "/api/v1/admin/products",
                      R"({"slug": "queue-test-tee", "title": "Queue Test Tee", "status": "active",
                          "variants": [{"sku": "QTT-M", "size": "m", "colour": "white",
                                        "price": "20.00"}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto moved = call(server.port(), "POST", "/api/v1/admin/inventory/adjustments",
                    R"({"sku": "QTT-M", "delta": 5, "reason": "receipt"})");
  ASSERT_EQ(moved.status, 201) << moved.body;

  // A guest buys one: order.placed and payment.captured are mails to send.
  auto cart = call(server.port(), "POST", "/api/v1/carts", "{}");
  ASSERT_EQ(cart.status, 201) << cart.body;
  std::string cart_id(boost::json::parse(cart.body).at("id").as_string());
  auto line = call(server.port(), "POST", "/api/v1/carts/" + cart_id + "/lines",
                   R"({"sku": "QTT-M", "quantity": 2})");
  ASSERT_LT(line.status, 300) << line.body;
  auto order = call(server.port(), "POST", "/api/v1/checkout",
                    R"({"cart_id": ")" + cart_id + R"(", "email": "queue.buyer@example.com",
                        "shipping_address": {"name": "Queue Buyer", "line1": "1 Main St",
                          "city": "London", "postal_code": "N1 9GU", "country": "GB"},
                        "shipping_method": "standard",
                        "payment": {"method": "card", "card_number": "4242424242424242"}})");
  ASSERT_EQ(order.status, 201) << order.body;
  std::string number(boost::json::parse(order.body).at("number").as_string());
  auto mail_dir = server.work_dir() / "data" / "mail";
  auto mails_about = [&](const std::string& text) {
    int n = 0;
    if (!std::filesystem::exists(mail_dir)) return 0;
    for (const auto& f : std::filesystem::directory_iterator(mail_dir)) {
      std::ifstream in(f.path());
      std::string eml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (eml.find(text) != std::string::npos &&
          eml.find("queue.buyer@example.com") != std::string::npos)
        ++n;
    }
    return n;
  };

  // Nothing in this process dispatches or runs jobs.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto before = queue_counts(server.port());
  EXPECT_GE(before.at("events_pending").as_int64(), 2) << boost::json::serialize(before);
  EXPECT_EQ(before.at("done").as_int64(), 0);
  EXPECT_EQ(mails_about(number), 0);

  auto worker = run_fff("worker --drain", "FFF_DATABASE_URL=" + url + " FFF_DATA_DIR=" +
                                              (server.work_dir() / "data").string() +
                                              " FFF_DEMO=0 FFF_ADMIN_TOKEN=" + kToken);
  ASSERT_EQ(worker.exit_code, 0) << worker.output;
  EXPECT_NE(worker.output.find("queue drained"), std::string::npos) << worker.output;

  auto after = queue_counts(server.port());
  EXPECT_EQ(after.at("events_pending").as_int64(), 0) << boost::json::serialize(after);
  EXPECT_EQ(after.at("ready").as_int64(), 0);
  EXPECT_EQ(after.at("dead").as_int64(), 0);
  auto mirror = call(server.port(), "GET", "/api/v1/admin/jobs?kind=catalog.stock_mirror");
  ASSERT_EQ(mirror.status, 200);
  auto items = boost::json::parse(mirror.body).at("items").as_array();
  ASSERT_GE(items.size(), 1u) << mirror.body;
  for (const auto& j : items) EXPECT_EQ(j.at("status").as_string(), "done") << mirror.body;
  // The worker sent the order's mails: placed and payment received, as .eml files (no SMTP set).
  EXPECT_EQ(mails_about(number), 2);
}

}  // namespace
}  // namespace fff::api_worker
