// Checkout under stress, over real HTTP against a child `fff serve`, on SQLite and PostgreSQL:
//   - 200 concurrent checkouts of a variant with 10 in stock make exactly 10 orders, the rest are
//     409 insufficient_stock, stock ends at 0 and the ledger agrees with the levels;
//   - kill -9 of the server in the middle of a checkout load, then a restart on the same database:
//     every order answered 201 exists and is complete, every order has its order.placed event in
//     the outbox, stock and ledger agree and account for every unit sold;
//   - the same Idempotency-Key sent 20 times at once makes one order, and every answer names it.
// The tests read the database directly (the orders and outbox tables) to check what the API
// cannot show; inventory's own verify() checks levels against the ledger.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "infra/db/database.hpp"
#include "modules/inventory/service.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_databases.hpp"

namespace fff {
namespace {

namespace json = boost::json;
using testing::Header;
using testing::HttpConnection;
using testing::HttpError;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;

constexpr const char* kToken = "staff-test-token-0123456789abcdef";

json::value parse(const HttpResponse& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  return ec ? json::value() : v;
}

std::string text_at(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* at = &v;
  for (const char* key : path) {
    if (!at->is_object() || !at->get_object().if_contains(key)) return "";
    at = &at->get_object().at(key);
  }
  return at->is_string() ? std::string(at->get_string()) : json::serialize(*at);
}

std::string problem_code(const HttpResponse& r) {
  return text_at(parse(r), {"code"});
}

class Shop {
 public:
  explicit Shop(uint16_t port) : port_(port) {}

  HttpResponse call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::vector<Header> headers = {},
                    Millis timeout = Millis(120000)) const {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.headers = std::move(headers);
    if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
    HttpConnection conn(port_);
    return conn.request(req, timeout);
  }
  HttpResponse staff(const std::string& method, const std::string& target,
                     const std::string& body = "") const {
    return call(method, target, body, {{"Authorization", std::string("Bearer ") + kToken}});
  }

  // An active product with one variant per SKU, each price 20.00, `stock` units on hand.
  void product(const std::string& slug, const std::vector<std::string>& skus, int64_t stock) const {
    const char* sizes[] = {"xs", "s", "m", "l", "xl"};
    std::string variants;
    for (size_t i = 0; i < skus.size(); ++i)
      variants += std::string(i ? ", " : "") + R"({"sku": ")" + skus[i] + R"(", "size": ")" +
                  sizes[i % 5] + R"(", "colour": "black", "price": "20.00"})";
    auto made = staff("POST", "/api/v1/admin/products",
                      R"({"slug": ")" + slug +
                          R"(", "title": "Reliability Tee", "status": )"
                          R"("active", "variants": [)" +
                          variants + "]}");
    ASSERT_EQ(made.status, 201) << made.describe();
    for (const auto& sku : skus) {
      auto moved = staff("POST", "/api/v1/admin/inventory/adjustments",
                         R"({"sku": ")" + sku + R"(", "delta": )" + std::to_string(stock) +
                             R"(, "reason": "receipt"})");
      ASSERT_EQ(moved.status, 201) << moved.describe();
    }
  }

  // A guest cart holding `quantity` of `sku`; "" on failure (the test then fails).
  std::string cart(const std::string& sku, int64_t quantity) const {
    auto made = call("POST", "/api/v1/carts", "{}");
    EXPECT_EQ(made.status, 201) << made.describe();
    std::string id = text_at(parse(made), {"id"});
    auto added = call("POST", "/api/v1/carts/" + id + "/lines",
                      R"({"sku": ")" + sku + R"(", "quantity": )" + std::to_string(quantity) + "}");
    EXPECT_EQ(added.status, 200) << added.describe();
    return added.status == 200 ? id : "";
  }

  int64_t on_hand(const std::string& sku) const {
    auto level = staff("GET", "/api/v1/admin/inventory/levels?sku=" + sku);
    EXPECT_EQ(level.status, 200) << level.describe();
    auto v = parse(level);
    return v.is_object() && v.at("on_hand").is_int64() ? v.at("on_hand").get_int64() : -1;
  }

 private:
  uint16_t port_;
};

std::string checkout_body(const std::string& cart, const std::string& email) {
  return R"({"cart_id": ")" + cart + R"(", "email": ")" + email +
         R"(", "shipping_address": {"name": "Rel Iable", "line1": "1 Main St", "city": )"
         R"("Springfield", "postal_code": "12345", "country": "US"}, "shipping_method": )"
         R"("standard", "payment": {"method": "cash_on_delivery"}})";
}

class CheckoutReliability : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<testing::ScratchDatabase>(GetParam());
    std::mt19937_64 rng(std::random_device{}());
    data_dir_ = std::filesystem::temp_directory_path() /
                ("fff-checkout-" + std::to_string(::getpid()) + "-" + std::to_string(rng()));
    std::filesystem::create_directories(data_dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(data_dir_, ec);
  }

  // A server on the scratch database; a restart gets the same data dir (its keys) and database.
  std::unique_ptr<ServerProcess> start_server() {
    ServerOptions options;
    options.env = {{"FFF_DATABASE_URL", scratch_->url()},
                   {"FFF_DATA_DIR", data_dir_.string()},
                   {"FFF_ADMIN_TOKEN", kToken},
                   {"FFF_DEMO_PRODUCTS", "30"},
                   {"FFF_DEMO_IMAGES", "0"},
                   {"FFF_RATE_LIMIT_GLOBAL", "0"},
                   {"FFF_RATE_LIMIT_SENSITIVE", "0"},
                   {"FFF_HANDLER_QUEUE", "1024"}};
    options.start_timeout = Millis(120000);
    return std::make_unique<ServerProcess>(options);
  }

  std::unique_ptr<db::Database> open_database() {
    db::Options options;
    options.pool_size = 2;
    options.busy_timeout_ms = 20000;
    auto opened = db::Database::open(scratch_->url(), options);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  int64_t count(db::Database& database, const std::string& sql, const db::Params& params = {}) {
    auto rows = database.query(sql, params);
    EXPECT_TRUE(rows.ok()) << sql << ": " << (rows.ok() ? "" : rows.error().message);
    if (!rows.ok() || rows->rows.empty() || rows->rows[0].is_null(0)) return 0;
    return rows->rows[0].int64(0);
  }

  void expect_ledger_agrees(db::Database& database) {
    inventory::InventoryService inventory(database, Clock::system());
    auto mismatches = inventory.verify();
    ASSERT_TRUE(mismatches.ok()) << mismatches.error().message;
    EXPECT_TRUE(mismatches->empty()) << mismatches->size() << " levels disagree with the ledger";
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::filesystem::path data_dir_;
};
INSTANTIATE_TEST_SUITE_P(, CheckoutReliability, ::testing::ValuesIn(testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(CheckoutReliability, TwoHundredCheckoutsForTenUnitsMakeTenOrders) {
  auto server = start_server();
  Shop shop(server->port());
  ASSERT_NO_FATAL_FAILURE(shop.product("rush-tee", {"RUSH-BLK-XS"}, 10));
  constexpr int kBuyers = 200;
  std::vector<std::string> carts(kBuyers);
  {
    std::vector<std::thread> makers;
    std::atomic<int> next{0};
    for (int t = 0; t < 8; ++t)
      makers.emplace_back([&] {
        for (int i = next++; i < kBuyers; i = next++) carts[i] = shop.cart("RUSH-BLK-XS", 1);
      });
    for (auto& m : makers) m.join();
  }
  for (const auto& c : carts) ASSERT_FALSE(c.empty());

  std::vector<HttpResponse> answers(kBuyers);
  std::vector<std::string> failures(kBuyers);
  std::latch ready(kBuyers + 1);
  std::vector<std::thread> buyers;
  for (int i = 0; i < kBuyers; ++i)
    buyers.emplace_back([&, i] {
      HttpRequest req;
      req.method = "POST";
      req.target = "/api/v1/checkout";
      req.headers = {{"Content-Type", "application/json"}};
      req.body = checkout_body(carts[i], "buyer" + std::to_string(i) + "@example.com");
      try {
        HttpConnection conn(server->port(), Millis(30000));
        ready.arrive_and_wait();  // every buyer connected: send together
        answers[i] = conn.request(req, Millis(180000));
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  ready.arrive_and_wait();
  for (auto& b : buyers) b.join();

  int created = 0, out_of_stock = 0;
  std::set<std::string> numbers;
  for (int i = 0; i < kBuyers; ++i) {
    ASSERT_TRUE(failures[i].empty()) << "buyer " << i << ": " << failures[i];
    if (answers[i].status == 201) {
      ++created;
      numbers.insert(text_at(parse(answers[i]), {"number"}));
    } else if (answers[i].status == 409 && problem_code(answers[i]) == "insufficient_stock") {
      ++out_of_stock;
    } else {
      ADD_FAILURE() << "buyer " << i << " got an unexpected answer:\n" << answers[i].describe();
    }
  }
  EXPECT_EQ(created, 10);
  EXPECT_EQ(out_of_stock, kBuyers - 10);
  EXPECT_EQ(numbers.size(), 10u);  // ten distinct orders
  EXPECT_EQ(shop.on_hand("RUSH-BLK-XS"), 0);

  auto ledger = shop.staff("GET", "/api/v1/admin/inventory/ledger?sku=RUSH-BLK-XS&per_page=200");
  ASSERT_EQ(ledger.status, 200) << ledger.describe();
  int64_t sum = 0, sold = 0;
  json::value entries = parse(ledger);
  for (const auto& e : entries.at("items").as_array()) {
    sum += e.at("quantity").as_int64();
    if (e.at("kind").as_string() == "sale") sold -= e.at("quantity").as_int64();
  }
  EXPECT_EQ(sum, 0) << "the ledger must sum to the level (0)";
  EXPECT_EQ(sold, 10);

  auto database = open_database();
  ASSERT_TRUE(database);
  EXPECT_EQ(count(*database, "SELECT COUNT(*) FROM orders"), 10);
  EXPECT_EQ(
      count(*database,
            "SELECT CAST(SUM(quantity) AS BIGINT) FROM order_lines WHERE sku = 'RUSH-BLK-XS'"),
      10);
  EXPECT_EQ(count(*database, "SELECT COUNT(*) FROM outbox_events WHERE topic = 'order.placed'"),
            10);
  expect_ledger_agrees(*database);
  EXPECT_TRUE(server->stop(SIGTERM).clean());
}

TEST_P(CheckoutReliability, KillDuringCheckoutLoadLosesNothing) {
  auto server = start_server();
  Shop shop(server->port());
  const std::vector<std::string> skus = {"LOAD-BLK-XS", "LOAD-BLK-S", "LOAD-BLK-M", "LOAD-BLK-L"};
  constexpr int64_t kStock = 400;
  ASSERT_NO_FATAL_FAILURE(shop.product("load-tee", skus, kStock));
  constexpr int kCarts = 160;
  std::vector<std::string> carts(kCarts);
  {
    std::vector<std::thread> makers;
    std::atomic<int> next{0};
    for (int t = 0; t < 8; ++t)
      makers.emplace_back([&] {
        for (int i = next++; i < kCarts; i = next++) carts[i] = shop.cart(skus[i % 4], 1 + i % 3);
      });
    for (auto& m : makers) m.join();
  }
  for (const auto& c : carts) ASSERT_FALSE(c.empty());

  // Buyers check out as fast as they can until the server dies under them.
  struct Answer {
    std::string cart, email, number, order_id, total;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Answer> placed;
  std::atomic<int> next{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> buyers;
  const uint16_t port = server->port();
  for (int t = 0; t < 16; ++t)
    buyers.emplace_back([&] {
      for (int i = next++; i < kCarts && !killed; i = next++) {
        std::string email = "load" + std::to_string(i) + "@example.com";
        HttpRequest req;
        req.method = "POST";
        req.target = "/api/v1/checkout";
        req.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", carts[i]}};
        req.body = checkout_body(carts[i], email);
        try {
          HttpConnection conn(port, Millis(5000));
          HttpResponse r = conn.request(req, Millis(60000));
          if (r.status == 201) {
            auto v = parse(r);
            std::lock_guard lock(mu);
            placed.push_back({carts[i], email, text_at(v, {"number"}), text_at(v, {"id"}),
                              text_at(v, {"total", "amount"})});
            cv.notify_all();
          }
        } catch (const std::exception&) {
          // No answer: the server is gone (or going). Whether that order exists is checked below.
        }
      }
    });
  {
    std::unique_lock lock(mu);
    bool enough = cv.wait_for(lock, std::chrono::seconds(180), [&] { return placed.size() >= 20; });
    ASSERT_TRUE(enough) << "only " << placed.size() << " orders were placed";
  }
  server->signal(SIGKILL);
  killed = true;
  for (auto& b : buyers) b.join();
  auto status = server->wait(Millis(20000));
  EXPECT_FALSE(status.exited) << status.describe();
  server.reset();

  // Restart on the same database: recovery is the database's (WAL / PostgreSQL), nothing else.
  server = start_server();
  Shop again(server->port());
  auto database = open_database();
  ASSERT_TRUE(database);
  std::vector<Answer> answered;
  {
    std::lock_guard lock(mu);
    answered = placed;
  }
  ASSERT_GE(answered.size(), 20u);
  for (const auto& a : answered) {
    auto order = again.call("GET", "/api/v1/orders/" + a.number + "?email=" + a.email);
    ASSERT_EQ(order.status, 200) << "order " << a.number << " was answered 201 but is gone:\n"
                                 << order.describe();
    auto v = parse(order);
    EXPECT_EQ(text_at(v, {"id"}), a.order_id);
    EXPECT_EQ(text_at(v, {"total", "amount"}), a.total);
    EXPECT_EQ(v.at("lines").as_array().size(), 1u) << order.describe();
    EXPECT_EQ(
        count(*database, "SELECT COUNT(*) FROM order_lines WHERE order_id = $1", {a.order_id}), 1);
  }
  // Every order in the database — answered or cut off before its answer — is complete and has
  // its order.placed event: an order and its event commit together or not at all.
  int64_t orders = count(*database, "SELECT COUNT(*) FROM orders");
  EXPECT_GE(orders, static_cast<int64_t>(answered.size()));
  EXPECT_EQ(count(*database,
                  "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM outbox_events e "
                  "WHERE e.topic = 'order.placed' AND e.subject = CAST(o.id AS TEXT))"),
            0);
  EXPECT_EQ(count(*database,
                  "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS "
                  "(SELECT 1 FROM order_lines l WHERE l.order_id = o.id)"),
            0);
  EXPECT_EQ(count(*database, "SELECT COUNT(*) FROM outbox_events WHERE topic = 'order.placed'"),
            orders);
  // Stock: what is left plus what the orders hold is what was received, SKU by SKU.
  for (const auto& sku : skus) {
    int64_t sold = count(
        *database, "SELECT CAST(SUM(quantity) AS BIGINT) FROM order_lines WHERE sku = $1", {sku});
    EXPECT_EQ(again.on_hand(sku) + sold, kStock) << sku;
  }
  expect_ledger_agrees(*database);
  EXPECT_TRUE(server->stop(SIGTERM).clean());
}

TEST_P(CheckoutReliability, SameIdempotencyKeyTwentyTimesAtOnceMakesOneOrder) {
  auto server = start_server();
  Shop shop(server->port());
  ASSERT_NO_FATAL_FAILURE(shop.product("once-tee", {"ONCE-BLK-XS"}, 50));
  std::string cart = shop.cart("ONCE-BLK-XS", 2);
  ASSERT_FALSE(cart.empty());
  constexpr int kTries = 20;
  std::vector<HttpResponse> answers(kTries);
  std::vector<std::string> failures(kTries);
  std::latch ready(kTries + 1);
  std::vector<std::thread> tries;
  for (int i = 0; i < kTries; ++i)
    tries.emplace_back([&, i] {
      HttpRequest req;
      req.method = "POST";
      req.target = "/api/v1/checkout";
      req.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "one-order-please"}};
      req.body = checkout_body(cart, "once@example.com");
      try {
        HttpConnection conn(server->port(), Millis(30000));
        ready.arrive_and_wait();
        answers[i] = conn.request(req, Millis(120000));
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  ready.arrive_and_wait();
  for (auto& t : tries) t.join();

  std::set<std::string> numbers;
  int created = 0;
  for (int i = 0; i < kTries; ++i) {
    ASSERT_TRUE(failures[i].empty()) << failures[i];
    ASSERT_TRUE(answers[i].status == 201 || answers[i].status == 200) << answers[i].describe();
    if (answers[i].status == 201) ++created;
    numbers.insert(text_at(parse(answers[i]), {"number"}));
  }
  EXPECT_EQ(created, 1);
  ASSERT_EQ(numbers.size(), 1u);
  EXPECT_FALSE(numbers.begin()->empty());
  EXPECT_EQ(shop.on_hand("ONCE-BLK-XS"), 48);
  auto database = open_database();
  ASSERT_TRUE(database);
  EXPECT_EQ(count(*database, "SELECT COUNT(*) FROM orders"), 1);
  EXPECT_EQ(count(*database, "SELECT COUNT(*) FROM outbox_events WHERE topic = 'order.placed'"), 1);
  expect_ledger_agrees(*database);
  EXPECT_TRUE(server->stop(SIGTERM).clean());
}

}  // namespace
}  // namespace fff
