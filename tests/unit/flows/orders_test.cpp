// Checkout, orders and payments together, on every storage config: the checkout transaction
// (stock, coupon, cart, payment, outbox), idempotency, concurrency (no oversell, unique numbers,
// one order per key), the order and payment state machines, refunds, returns, webhooks and the
// release of unpaid orders.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "flows/checkout.hpp"
#include "flows/order_actions.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/cart.hpp"
#include "migrations/catalog.hpp"
#include "migrations/inventory.hpp"
#include "migrations/jobs.hpp"
#include "migrations/orders.hpp"
#include "migrations/payments.hpp"
#include "migrations/pricing.hpp"
#include "support/test_databases.hpp"

namespace fff::flows {
namespace {

using orders::Status;

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

// The system clock moved by an offset the test controls.
class ShiftedClock : public Clock {
 public:
  Timestamp now() const override {
    return Clock::system().now() + std::chrono::microseconds(offset_.load());
  }
  void advance(std::chrono::minutes m) {
    offset_ += std::chrono::duration_cast<std::chrono::microseconds>(m).count();
  }

 private:
  std::atomic<int64_t> offset_{0};
};

constexpr const char* kGoodCard = "4242424242424242";
constexpr const char* kDeclined = "4000000000000002";
constexpr const char* kNoFunds = "4000000000009995";
constexpr const char* kThreeDS = "4000000000003220";
constexpr const char* kSecret = "test-webhook-secret-0123456789abcdef";

class OrdersTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { open("immediate"); }

  void open(const std::string& capture_mode) {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 12;
    options.busy_timeout_ms = 30'000;
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    std::vector<db::Migration> all = db::jobs_migrations();
    for (auto list : {db::catalog_migrations(), db::inventory_migrations(), db::cart_migrations(),
                      db::pricing_migrations(), db::orders_migrations(), db::payments_migrations()})
      for (auto& m : list) all.push_back(m);
    auto migrated = db::migrate(*db_, all);
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    catalog_ = std::make_unique<catalog::CatalogService>(*db_, clock_);
    inventory_ = std::make_unique<inventory::InventoryService>(*db_, clock_);
    carts_ = std::make_unique<cart::CartService>(*db_, clock_);
    pricing_ = std::make_unique<pricing::PricingService>(*db_, clock_);
    payments::PaymentSettings settings;
    settings.capture_mode = capture_mode;
    settings.webhook_secret = kSecret;
    payments_ = std::make_unique<payments::PaymentService>(*db_, clock_, settings);
    orders_ = std::make_unique<orders::OrderService>(*db_, clock_);
    checkout_ = std::make_unique<CheckoutServices>(
        CheckoutServices{{*carts_, *pricing_, *catalog_, *inventory_}, *orders_, *payments_, *db_});
    actions_ =
        std::make_unique<OrderActions>(OrderServices{*orders_, *payments_, *inventory_, *db_});

    for (const char* size : {"m", "l"})
      ASSERT_TRUE(catalog_->create_option_value("size", {size, size, std::nullopt, 0}).ok());
    ASSERT_TRUE(catalog_->create_option_value("colour", {"black", "Black", "#111111", 0}).ok());
    auto category = catalog_->create_category({"dresses", "Dresses", std::nullopt, 0});
    ASSERT_TRUE(category.ok()) << describe(category);
    catalog::ProductInput in;
    in.slug = "linen-dress";
    in.title = "Linen Dress";
    in.category_id = std::optional<std::string>(category->id);
    in.status = "active";
    for (auto [sku, size, price] : {std::tuple{"LD-M", "m", 5000}, std::tuple{"LD-L", "l", 3000}}) {
      catalog::VariantInput v;
      v.sku = sku;
      v.size = size;
      v.colour = "black";
      v.price_minor = price;
      in.variants.push_back(v);
    }
    auto product = catalog_->create_product(in);
    ASSERT_TRUE(product.ok()) << describe(product);
    for (const auto& v : product->variants) (v.sku == "LD-M" ? medium_ : large_) = v.id;
    auto location = inventory_->ensure_location("main", "Main");
    ASSERT_TRUE(location.ok());
    location_ = location->id;
    stock(medium_, 10);
    stock(large_, 10);
  }

  void stock(const std::string& variant, int64_t units) {
    int64_t delta = units - on_hand(variant);
    if (delta == 0) return;
    inventory::StockAdjustment a;
    a.variant_id = variant;
    a.delta = delta;
    a.reason = "correction";
    a.actor = "staff:test";
    auto done = inventory_->adjust(a);
    ASSERT_TRUE(done.ok()) << describe(done);
  }

  int64_t on_hand(const std::string& variant) {
    auto units = inventory_->on_hand({variant});
    EXPECT_TRUE(units.ok());
    auto it = units->find(variant);
    return it == units->end() ? 0 : it->second;
  }

  std::string cart_with(std::vector<std::pair<std::string, int64_t>> lines) {
    auto cart = carts_->create(std::nullopt);
    EXPECT_TRUE(cart.ok()) << describe(cart);
    for (const auto& [variant, quantity] : lines) {
      auto added = carts_->add_line(cart->id, variant, quantity, 1000);
      EXPECT_TRUE(added.ok()) << describe(added);
    }
    return cart->id;
  }

  CheckoutRequest request(const std::string& cart_id, const std::string& method = "card",
                          std::optional<std::string> card = std::string(kGoodCard)) {
    CheckoutRequest r;
    r.cart_id = cart_id;
    r.email = "ana@example.com";
    r.shipping_address = {"Ana Lima", "1 Main St", "", "Springfield", "", "12345", "US", ""};
    r.shipping_method = "standard";
    r.payment_method = method;
    r.card_number = method == "card" ? card : std::nullopt;
    r.fingerprint = "fp-" + cart_id;
    return r;
  }

  orders::Order place(std::vector<std::pair<std::string, int64_t>> lines,
                      const std::string& method = "card",
                      std::optional<std::string> card = std::string(kGoodCard)) {
    auto done = checkout(*checkout_, request(cart_with(lines), method, card));
    EXPECT_TRUE(done.ok()) << describe(done);
    return done.ok() ? done->order : orders::Order{};
  }

  int64_t count(const std::string& sql) {
    auto rows = db_->query(sql);
    EXPECT_TRUE(rows.ok()) << describe(rows);
    return rows.ok() ? rows->rows[0].int64(0) : -1;
  }

  std::vector<std::string> topics() {
    auto rows = db_->query("SELECT topic FROM outbox_events ORDER BY seq");
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> out;
    for (const auto& r : rows->rows) out.push_back(r.text(0));
    return out;
  }

  orders::Order reload(const std::string& id) {
    auto o = orders_->find(id);
    EXPECT_TRUE(o.ok()) << describe(o);
    return o.ok() ? *o : orders::Order{};
  }

  payments::Payment payment_of(const orders::Order& o) {
    auto p = payments_->find(o.payment_id.value_or(""));
    EXPECT_TRUE(p.ok()) << describe(p);
    return p.ok() ? *p : payments::Payment{};
  }

  ShiftedClock clock_;
  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<inventory::InventoryService> inventory_;
  std::unique_ptr<cart::CartService> carts_;
  std::unique_ptr<pricing::PricingService> pricing_;
  std::unique_ptr<payments::PaymentService> payments_;
  std::unique_ptr<orders::OrderService> orders_;
  std::unique_ptr<CheckoutServices> checkout_;
  std::unique_ptr<OrderActions> actions_;
  std::string medium_, large_, location_;
};
INSTANTIATE_TEST_SUITE_P(, OrdersTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(OrdersTest, CardCheckoutPlacesAPaidOrderSellsStockAndPublishesEvents) {
  std::string cart_id = cart_with({{medium_, 2}, {large_, 1}});
  auto done = checkout(*checkout_, request(cart_id));
  ASSERT_TRUE(done.ok()) << describe(done);
  const auto& o = done->order;
  EXPECT_EQ(o.number, "FFF-10001");
  EXPECT_EQ(o.status, Status::paid);
  EXPECT_EQ(o.payment_status, "captured");
  EXPECT_EQ(done->payment.captured_minor, o.total_minor);
  EXPECT_EQ(o.subtotal_minor, 2 * 5000 + 3000);
  EXPECT_EQ(o.total_minor, o.subtotal_minor - o.discount_minor + o.shipping_minor + o.tax_minor);
  ASSERT_EQ(o.lines.size(), 2u);
  auto stored = reload(o.id);
  EXPECT_EQ(stored.number, o.number);
  ASSERT_EQ(stored.lines.size(), 2u);
  EXPECT_EQ(stored.lines[0].sku, "LD-M");
  EXPECT_EQ(stored.lines[0].product_name, "Linen Dress");
  EXPECT_EQ(stored.lines[0].unit_price_minor, 5000);
  EXPECT_EQ(stored.shipping_address.city, "Springfield");
  EXPECT_EQ(on_hand(medium_), 8);
  EXPECT_EQ(on_hand(large_), 9);
  auto ledger = inventory_->ledger(medium_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->back().kind, "sale");
  EXPECT_EQ(ledger->back().quantity, -2);
  EXPECT_EQ(ledger->back().reason, "order FFF-10001");
  auto verify = inventory_->verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->empty());
  auto cart = carts_->find(cart_id);
  ASSERT_TRUE(cart.ok());
  EXPECT_EQ(cart->status, "ordered");
  auto t = topics();
  for (const char* topic :
       {"stock.changed", "order.placed", "payment.authorized", "payment.captured"})
    EXPECT_NE(std::find(t.begin(), t.end(), topic), t.end()) << topic;
  auto data = db_->query("SELECT data FROM outbox_events WHERE topic = 'order.placed'");
  ASSERT_TRUE(data.ok());
  EXPECT_NE(data->rows[0].text(0).find("\"number\":\"FFF-10001\""), std::string::npos);
  // A second order gets the next number.
  EXPECT_EQ(place({{medium_, 1}}).number, "FFF-10002");
}

TEST_P(OrdersTest, DeclinedCardOrInsufficientFundsChangesNothing) {
  std::string cart_id = cart_with({{medium_, 2}});
  size_t events = topics().size();
  for (const char* card : {kDeclined, kNoFunds}) {
    auto done = checkout(*checkout_, request(cart_id, "card", std::string(card)));
    ASSERT_FALSE(done.ok());
    EXPECT_EQ(done.error().kind, ErrorKind::payment_failed);
    EXPECT_EQ(done.error().code,
              std::string(card) == kDeclined ? "card_declined" : "insufficient_funds");
  }
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM payments"), 0);
  EXPECT_EQ(on_hand(medium_), 10);
  EXPECT_EQ(topics().size(), events);
  auto cart = carts_->find(cart_id);
  ASSERT_TRUE(cart.ok());
  EXPECT_EQ(cart->status, "open");
  // The shopper tries another card: it goes through, with the first number.
  auto retried = checkout(*checkout_, request(cart_id));
  ASSERT_TRUE(retried.ok()) << describe(retried);
  EXPECT_EQ(retried->order.number, "FFF-10001");
}

TEST_P(OrdersTest, BadCardNumberAndMissingCardAreRefused) {
  std::string cart_id = cart_with({{medium_, 1}});
  auto bad = checkout(*checkout_, request(cart_id, "card", std::string("4242424242424241")));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_card_number");
  auto none = checkout(*checkout_, request(cart_id, "card", std::nullopt));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "card_number_required");
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 0);
}

TEST_P(OrdersTest, InsufficientStockNamesTheSkuAndWritesNothing) {
  stock(medium_, 1);
  std::string cart_id = cart_with({{large_, 1}, {medium_, 2}});
  auto done = checkout(*checkout_, request(cart_id));
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, "insufficient_stock");
  EXPECT_NE(done.error().message.find("LD-M"), std::string::npos) << done.error().message;
  EXPECT_EQ(on_hand(large_), 10);
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 0);
}

TEST_P(OrdersTest, SellRefusesWhatIsNotOnHandEvenWhenTheCartLooksFine) {
  // The conditional update, not the pre-check, is what stops an oversell.
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto sold =
      inventory_->sell(*tx, {{large_, 3, "LD-L"}, {medium_, 11, "LD-M"}}, "order X", "order:X");
  ASSERT_FALSE(sold.ok());
  EXPECT_EQ(sold.error().code, "insufficient_stock");
  EXPECT_NE(sold.error().message.find("LD-M"), std::string::npos);
  tx->rollback();
  EXPECT_EQ(on_hand(large_), 10);
  EXPECT_EQ(on_hand(medium_), 10);
}

TEST_P(OrdersTest, CashOnDeliveryIsConfirmedThenCollectedWhenDelivered) {
  auto o = place({{medium_, 1}}, "cash_on_delivery");
  EXPECT_EQ(o.status, Status::confirmed);
  EXPECT_EQ(o.payment_status, "pending");
  EXPECT_EQ(on_hand(medium_), 9);
  auto shipped = actions_->ship(o.id, "ups", "1Z999", {}, "staff:a");
  ASSERT_TRUE(shipped.ok()) << describe(shipped);
  EXPECT_EQ(shipped->order.status, Status::shipped);
  ASSERT_EQ(shipped->order.shipments.size(), 1u);
  EXPECT_EQ(shipped->order.shipments[0].tracking_url.value_or(""),
            "https://www.ups.com/track?tracknum=1Z999");
  auto delivered = actions_->deliver(o.id, "staff:a");
  ASSERT_TRUE(delivered.ok()) << describe(delivered);
  auto stored = reload(o.id);
  EXPECT_EQ(stored.status, Status::delivered);
  EXPECT_EQ(stored.payment_status, "captured");
  EXPECT_EQ(payment_of(stored).captured_minor, stored.total_minor);
  auto t = topics();
  for (const char* topic : {"order.shipped", "order.delivered", "payment.captured"})
    EXPECT_NE(std::find(t.begin(), t.end(), topic), t.end()) << topic;
}

TEST_P(OrdersTest, SameIdempotencyKeyAndBodyAnswersTheSameOrderAnotherBodyIsRefused) {
  std::string cart_id = cart_with({{medium_, 1}});
  auto r = request(cart_id);
  r.idempotency_key = "key-1";
  auto first = checkout(*checkout_, r);
  ASSERT_TRUE(first.ok()) << describe(first);
  EXPECT_FALSE(first->replayed);
  auto again = checkout(*checkout_, r);
  ASSERT_TRUE(again.ok()) << describe(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->order.number, first->order.number);
  auto other = r;
  other.fingerprint = "something else";
  auto reused = checkout(*checkout_, other);
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, "idempotency_key_reused");
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(on_hand(medium_), 9);
}

TEST_P(OrdersTest, TwentyConcurrentRetriesWithOneKeyMakeOneOrder) {
  std::string cart_id = cart_with({{medium_, 1}});
  auto r = request(cart_id);
  r.idempotency_key = "same-key";
  std::vector<std::thread> threads;
  std::vector<std::string> numbers(20);
  std::vector<std::string> errors(20);
  for (int i = 0; i < 20; ++i)
    threads.emplace_back([&, i] {
      auto done = checkout(*checkout_, r);
      if (done.ok())
        numbers[i] = done->order.number;
      else
        errors[i] = describe(done);
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(errors[i], "") << i;
    EXPECT_EQ(numbers[i], "FFF-10001") << i;
  }
  EXPECT_EQ(count("SELECT count(*) FROM orders"), 1);
  EXPECT_EQ(on_hand(medium_), 9);
}

TEST_P(OrdersTest, ConcurrentCheckoutsNeverOversellAndNumbersAreUnique) {
  stock(medium_, 5);
  constexpr int kShoppers = 16;
  std::vector<std::string> carts;
  for (int i = 0; i < kShoppers; ++i) carts.push_back(cart_with({{medium_, 1}}));
  std::vector<std::string> numbers(kShoppers), codes(kShoppers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kShoppers; ++i)
    threads.emplace_back([&, i] {
      auto done = checkout(*checkout_, request(carts[i]));
      if (done.ok())
        numbers[i] = done->order.number;
      else
        codes[i] = done.error().code;
    });
  for (auto& t : threads) t.join();
  std::set<std::string> placed;
  int refused = 0;
  for (int i = 0; i < kShoppers; ++i) {
    if (!numbers[i].empty()) {
      EXPECT_TRUE(placed.insert(numbers[i]).second) << "number used twice: " << numbers[i];
    } else {
      EXPECT_EQ(codes[i], "insufficient_stock");
      ++refused;
    }
  }
  EXPECT_EQ(placed.size(), 5u);
  EXPECT_EQ(refused, kShoppers - 5);
  EXPECT_EQ(on_hand(medium_), 0);
  EXPECT_EQ(placed, (std::set<std::string>{"FFF-10001", "FFF-10002", "FFF-10003", "FFF-10004",
                                           "FFF-10005"}));
  auto verify = inventory_->verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->empty());
}

TEST_P(OrdersTest, StateMachineAllowsExactlyTheDocumentedMoves) {
  using S = Status;
  std::map<S, std::set<S>> allowed = {
      {S::pending_payment, {S::paid, S::cancelled}},
      {S::confirmed, {S::partially_fulfilled, S::fulfilled, S::shipped, S::cancelled}},
      {S::paid,
       {S::partially_fulfilled, S::fulfilled, S::shipped, S::cancelled, S::partially_refunded,
        S::refunded}},
      {S::partially_fulfilled, {S::partially_fulfilled, S::fulfilled, S::shipped}},
      {S::fulfilled, {S::shipped}},
      {S::shipped, {S::delivered}},
      {S::delivered, {S::partially_refunded, S::refunded, S::returned}},
      {S::partially_refunded, {S::partially_refunded, S::refunded, S::returned}},
      {S::cancelled, {}},
      {S::refunded, {}},
      {S::returned, {}},
  };
  for (const auto& [from, tos] : allowed)
    for (const auto& [to, unused] : allowed)
      EXPECT_EQ(orders::can_transition(from, to), tos.count(to) == 1)
          << orders::to_string(from) << " → " << orders::to_string(to);
}

TEST_P(OrdersTest, IllegalTransitionsAreRefusedAndChangeNothing) {
  // A card waiting for its extra step: pending_payment.
  auto waiting = place({{medium_, 1}}, "card", std::string(kThreeDS));
  ASSERT_EQ(waiting.status, Status::pending_payment);
  auto before = reload(waiting.id);
  int64_t events = count("SELECT count(*) FROM outbox_events");
  auto expect_illegal = [&](const Result<OrderOutcome>& r, const char* what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, "illegal_transition") << what << ": " << describe(r);
  };
  expect_illegal(actions_->ship(waiting.id, "ups", "1Z1", {}, "staff:a"), "ship unpaid");
  expect_illegal(actions_->deliver(waiting.id, "staff:a"), "deliver unpaid");
  expect_illegal(actions_->refund(waiting.id, 100, "x", "staff:a"), "refund unpaid");
  expect_illegal(actions_->capture(waiting.id, std::nullopt, "staff:a"), "capture unconfirmed");
  auto after = reload(waiting.id);
  EXPECT_EQ(after.status, before.status);
  EXPECT_EQ(after.payment_status, before.payment_status);
  EXPECT_EQ(after.timeline.size(), before.timeline.size());
  EXPECT_EQ(after.shipments.size(), 0u);
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events"), events);

  // A paid order cannot be delivered before it ships; a shipped one cannot be cancelled.
  auto paid = place({{large_, 1}});
  expect_illegal(actions_->deliver(paid.id, "staff:a"), "deliver unshipped");
  ASSERT_TRUE(actions_->ship(paid.id, "dhl", "JD01", {}, "staff:a").ok());
  expect_illegal(actions_->cancel(paid.id, "customer:x", ""), "cancel shipped");
  EXPECT_EQ(on_hand(large_), 9);
  // A cancelled order stays cancelled.
  auto gone = place({{large_, 1}});
  ASSERT_TRUE(actions_->cancel(gone.id, "customer:x", "").ok());
  expect_illegal(actions_->cancel(gone.id, "customer:x", ""), "cancel twice");
  expect_illegal(actions_->ship(gone.id, "ups", "1Z2", {}, "staff:a"), "ship cancelled");
  EXPECT_EQ(on_hand(large_), 9);
}

TEST_P(OrdersTest, RefundsNeverExceedWhatWasCaptured) {
  auto o = place({{medium_, 1}});
  int64_t total = o.total_minor;
  ASSERT_GT(total, 2);
  auto partial = actions_->refund(o.id, total - 1, "damaged", "staff:a");
  ASSERT_TRUE(partial.ok()) << describe(partial);
  EXPECT_EQ(partial->order.status, Status::partially_refunded);
  auto too_much = actions_->refund(o.id, 2, "again", "staff:a");
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, "refund_exceeds_captured");
  auto rest = actions_->refund(o.id, std::nullopt, "rest", "staff:a");
  ASSERT_TRUE(rest.ok()) << describe(rest);
  EXPECT_EQ(rest->order.status, Status::refunded);
  auto more = actions_->refund(o.id, 1, "more", "staff:a");
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.error().code, "illegal_transition");
  auto stored = reload(o.id);
  EXPECT_EQ(stored.refunded_minor, total);
  auto p = payment_of(stored);
  EXPECT_EQ(p.refunded_minor, p.captured_minor);
  EXPECT_EQ(p.status, "refunded");
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events WHERE topic = 'payment.refunded'"), 2);
}

TEST_P(OrdersTest, CancellingAPaidOrderRestocksAndRefundsIt) {
  auto o = place({{medium_, 3}});
  EXPECT_EQ(on_hand(medium_), 7);
  auto cancelled = actions_->cancel(o.id, "customer:x", "changed my mind");
  ASSERT_TRUE(cancelled.ok()) << describe(cancelled);
  EXPECT_EQ(cancelled->order.status, Status::cancelled);
  EXPECT_EQ(on_hand(medium_), 10);
  auto p = payment_of(reload(o.id));
  EXPECT_EQ(p.status, "refunded");
  EXPECT_EQ(p.refunded_minor, o.total_minor);
  auto ledger = inventory_->ledger(medium_);
  ASSERT_TRUE(ledger.ok());
  EXPECT_EQ(ledger->back().kind, "return");
  EXPECT_EQ(ledger->back().quantity, 3);
  auto t = topics();
  EXPECT_NE(std::find(t.begin(), t.end(), "order.cancelled"), t.end());
  EXPECT_NE(std::find(t.begin(), t.end(), "payment.refunded"), t.end());
  auto verify = inventory_->verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->empty());
}

TEST_P(OrdersTest, ExtraConfirmationStepPaysTheOrderOrFailsAndReleasesIt) {
  auto o = place({{medium_, 1}}, "card", std::string(kThreeDS));
  EXPECT_EQ(o.status, Status::pending_payment);
  EXPECT_EQ(o.payment_status, "requires_action");
  auto confirmed = actions_->confirm_payment(*o.payment_id, true, "guest");
  ASSERT_TRUE(confirmed.ok()) << describe(confirmed);
  EXPECT_EQ(confirmed->order.status, Status::paid);
  EXPECT_EQ(confirmed->payment->status, "captured");
  auto twice = actions_->confirm_payment(*o.payment_id, true, "guest");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "illegal_transition");

  auto failing = place({{medium_, 2}}, "card", std::string(kThreeDS));
  EXPECT_EQ(on_hand(medium_), 7);
  auto failed = actions_->confirm_payment(*failing.payment_id, false, "guest");
  ASSERT_TRUE(failed.ok()) << describe(failed);
  EXPECT_EQ(reload(failing.id).status, Status::cancelled);
  EXPECT_EQ(payment_of(reload(failing.id)).status, "failed");
  EXPECT_EQ(on_hand(medium_), 9);
}

TEST_P(OrdersTest, UnpaidOrdersReleaseTheirStockAfterTheTimeout) {
  auto waiting = place({{medium_, 2}}, "card", std::string(kThreeDS));
  auto paid = place({{medium_, 1}});
  EXPECT_EQ(on_hand(medium_), 7);
  auto early = actions_->release_unpaid(std::chrono::minutes(30));
  ASSERT_TRUE(early.ok()) << describe(early);
  EXPECT_EQ(*early, 0);
  EXPECT_EQ(on_hand(medium_), 7);
  clock_.advance(std::chrono::minutes(31));
  auto released = actions_->release_unpaid(std::chrono::minutes(30));
  ASSERT_TRUE(released.ok()) << describe(released);
  EXPECT_EQ(*released, 1);
  EXPECT_EQ(on_hand(medium_), 9);  // the 2 units of the unpaid order are back
  EXPECT_EQ(reload(waiting.id).status, Status::cancelled);
  EXPECT_EQ(payment_of(reload(waiting.id)).status, "voided");
  EXPECT_EQ(reload(paid.id).status, Status::paid);
  auto again = actions_->release_unpaid(std::chrono::minutes(30));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(on_hand(medium_), 9);
  // Confirming the released payment afterwards is refused.
  auto late = actions_->confirm_payment(*waiting.payment_id, true, "guest");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "illegal_transition");
}

TEST_P(OrdersTest, WebhookSignatureTimestampAndShapeAreChecked) {
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  std::string body = R"({"id":"evt_1","type":"payment.authorized","payment_id":"x"})";
  auto ok = payments_->verify_webhook("simulated_card",
                                      payments::webhook_signature(kSecret, now, body), body);
  ASSERT_TRUE(ok.ok()) << describe(ok);
  EXPECT_EQ(ok->id, "evt_1");
  auto bad = payments_->verify_webhook(
      "simulated_card", payments::webhook_signature("another-secret-entirely-000000", now, body),
      body);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_signature");
  auto tampered = payments_->verify_webhook(
      "simulated_card", payments::webhook_signature(kSecret, now, body), body + " ");
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, "invalid_signature");
  auto old = payments_->verify_webhook("simulated_card",
                                       payments::webhook_signature(kSecret, now - 301, body), body);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, "timestamp_out_of_tolerance");
  auto recent = payments_->verify_webhook(
      "simulated_card", payments::webhook_signature(kSecret, now - 290, body), body);
  EXPECT_TRUE(recent.ok()) << describe(recent);
  auto missing = payments_->verify_webhook("simulated_card", std::nullopt, body);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "missing_signature");
  auto garbled = payments_->verify_webhook("simulated_card", std::string("v1=abc"), body);
  ASSERT_FALSE(garbled.ok());
  EXPECT_EQ(garbled.error().code, "malformed_signature");
  auto unknown = payments_->verify_webhook("paypal", std::string("t=1,v1=00"), body);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "unknown_provider");
}

TEST_P(OrdersTest, AWebhookDeliveredFiveTimesAtOnceIsAppliedOnce) {
  auto o = place({{medium_, 1}}, "card", std::string(kThreeDS));
  payments::WebhookEvent e{"simulated_card", "evt_42", "payment.authorized", *o.payment_id};
  std::atomic<int> applied{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i)
    threads.emplace_back([&] {
      auto r = actions_->apply_webhook(e);
      if (!r.ok())
        ++failed;
      else if (r->applied)
        ++applied;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(applied.load(), 1);
  auto stored = reload(o.id);
  EXPECT_EQ(stored.status, Status::paid);
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events WHERE topic = 'payment.authorized'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM payment_webhook_events"), 1);
  // A replay later changes nothing either.
  auto replay = actions_->apply_webhook(e);
  ASSERT_TRUE(replay.ok());
  EXPECT_FALSE(replay->applied);
  EXPECT_EQ(reload(o.id).timeline.size(), stored.timeline.size());
}

TEST_P(OrdersTest, FailedPaymentWebhookCancelsTheOrderAndReleasesStock) {
  auto o = place({{medium_, 4}}, "card", std::string(kThreeDS));
  EXPECT_EQ(on_hand(medium_), 6);
  auto r = actions_->apply_webhook({"simulated_card", "evt_f", "payment.failed", *o.payment_id});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_TRUE(r->applied);
  EXPECT_EQ(reload(o.id).status, Status::cancelled);
  EXPECT_EQ(on_hand(medium_), 10);
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events WHERE topic = 'payment.failed'"), 1);
}

TEST_P(OrdersTest, ReturnIsApprovedReceivedRestockedAndRefunded) {
  auto o = place({{medium_, 2}, {large_, 1}});
  ASSERT_TRUE(actions_->ship(o.id, "ups", "1Z3", {}, "staff:a").ok());
  auto early = actions_->request_return(o.id, {{o.lines[0].id, 1}}, "too small", "refund",
                                        std::nullopt, "guest");
  ASSERT_TRUE(early.ok() == false);
  EXPECT_EQ(early.error().code, "return_not_allowed");
  ASSERT_TRUE(actions_->deliver(o.id, "staff:a").ok());
  auto too_many = actions_->request_return(o.id, {{o.lines[0].id, 3}}, "too small", "refund",
                                           std::nullopt, "guest");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().code, "invalid_return");
  auto requested = actions_->request_return(o.id, {{o.lines[0].id, 1}}, "too small", "refund",
                                            std::nullopt, "guest");
  ASSERT_TRUE(requested.ok()) << describe(requested);
  std::string rid = requested->return_request->id;
  auto early_receive = actions_->receive_return(o.id, rid, "main", "", "staff:a");
  ASSERT_FALSE(early_receive.ok());
  EXPECT_EQ(early_receive.error().code, "illegal_transition");
  ASSERT_TRUE(actions_->approve_return(o.id, rid, "ok", "staff:a").ok());
  EXPECT_EQ(on_hand(medium_), 8);
  auto received = actions_->receive_return(o.id, rid, "main", "as new", "staff:a");
  ASSERT_TRUE(received.ok()) << describe(received);
  EXPECT_EQ(on_hand(medium_), 9);
  auto refunded = actions_->refund_return(o.id, rid, std::nullopt, "staff:a");
  ASSERT_TRUE(refunded.ok()) << describe(refunded);
  EXPECT_EQ(refunded->return_request->refund_minor.value_or(0), o.lines[0].total_minor / 2);
  EXPECT_EQ(refunded->order.status, Status::partially_refunded);
  EXPECT_EQ(reload(o.id).refunded_minor, o.lines[0].total_minor / 2);
  auto again = actions_->refund_return(o.id, rid, std::nullopt, "staff:a");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "illegal_transition");
  // A rejected return changes no stock.
  auto second = actions_->request_return(o.id, {{o.lines[1].id, 1}}, "colour", "exchange",
                                         std::string("size M"), "guest");
  ASSERT_TRUE(second.ok()) << describe(second);
  ASSERT_TRUE(actions_->reject_return(o.id, second->return_request->id, "worn", "staff:a").ok());
  EXPECT_EQ(on_hand(large_), 9);
  auto t = topics();
  for (const char* topic : {"return.requested", "return.approved", "return.received",
                            "return.rejected", "payment.refunded"})
    EXPECT_NE(std::find(t.begin(), t.end(), topic), t.end()) << topic;
  auto verify = inventory_->verify();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->empty());
}

TEST_P(OrdersTest, CaptureAtFulfilmentTakesTheMoneyWithTheFirstShipment) {
  open("on_fulfilment");
  auto o = place({{medium_, 2}, {large_, 1}});
  EXPECT_EQ(o.status, Status::paid);
  EXPECT_EQ(o.payment_status, "authorized");
  auto refund = actions_->refund(o.id, 100, "x", "staff:a");
  ASSERT_FALSE(refund.ok());
  EXPECT_EQ(refund.error().code, "illegal_transition");  // nothing captured yet
  auto first = actions_->ship(o.id, "fedex", "FX 1", {{o.lines[0].id, 1}}, "staff:a");
  ASSERT_TRUE(first.ok()) << describe(first);
  EXPECT_EQ(first->order.status, Status::partially_fulfilled);
  EXPECT_EQ(first->order.payment_status, "captured");
  auto over = actions_->ship(o.id, "fedex", "FX2", {{o.lines[0].id, 2}}, "staff:a");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "invalid_shipment");
  auto rest = actions_->ship(o.id, "fedex", "FX3", {}, "staff:a");
  ASSERT_TRUE(rest.ok()) << describe(rest);
  EXPECT_EQ(rest->order.status, Status::shipped);
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events WHERE topic = 'order.shipped'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM outbox_events WHERE topic = 'payment.captured'"), 1);
}

TEST_P(OrdersTest, OrderListIsKeysetPaginatedAndFiltered) {
  std::vector<std::string> numbers;
  for (int i = 0; i < 5; ++i) numbers.push_back(place({{large_, 1}}).number);
  orders::OrderFilter f;
  f.limit = 2;
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    auto p = orders_->list(f);
    ASSERT_TRUE(p.ok()) << describe(p);
    for (const auto& o : p->items) seen.push_back(o.number);
    if (!p->next) break;
    f.after = p->next;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{numbers[4], numbers[3], numbers[2], numbers[1], numbers[0]}));
  orders::OrderFilter search;
  search.search = "fff-10003";
  auto found = orders_->list(search);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->items.size(), 1u);
  EXPECT_EQ(found->items[0].number, "FFF-10003");
  orders::OrderFilter cancelled;
  cancelled.status = "cancelled";
  auto none = orders_->list(cancelled);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->items.empty());
}

}  // namespace
}  // namespace fff::flows
