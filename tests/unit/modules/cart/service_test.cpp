// Cart: lines by variant, bounds, expiry, ownership, claiming and merging guest carts, and the
// checkout hand-off (close_for_order), on every storage config.
#include "modules/cart/service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/id.hpp"
#include "infra/db/migrator.hpp"
#include "migrations/cart.hpp"
#include "support/test_databases.hpp"

namespace fff::cart {
namespace {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

// A clock the test moves by hand.
class ManualClock : public Clock {
 public:
  Timestamp now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::microseconds by) {
    std::lock_guard lock(mutex_);
    now_ += by;
  }

 private:
  mutable std::mutex mutex_;
  Timestamp now_ = now_utc();
};

class CartTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 8;
    options.busy_timeout_ms = 20'000;
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::cart_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    carts_ = std::make_unique<CartService>(
        *db_, clock_, CartLimits{.max_quantity = 5, .max_lines = 3, .expiry_days = 30});
  }

  Cart guest() {
    auto c = carts_->create(std::nullopt);
    EXPECT_TRUE(c.ok()) << describe(c);
    return c.ok() ? *c : Cart{};
  }

  ManualClock clock_;
  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<CartService> carts_;
};
INSTANTIATE_TEST_SUITE_P(, CartTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(CartTest, NewGuestCartIsOpenEmptyAndFoundById) {
  Cart c = guest();
  EXPECT_TRUE(is_uuid(c.id));
  EXPECT_EQ(c.status, "open");
  EXPECT_FALSE(c.account_id);
  auto found = carts_->find(c.id);
  ASSERT_TRUE(found.ok()) << describe(found);
  EXPECT_EQ(found->id, c.id);
  EXPECT_TRUE(found->lines.empty());
}

TEST_P(CartTest, UnknownOrMalformedIdIsCartNotFound) {
  EXPECT_EQ(carts_->find(new_id()).error().code, "cart_not_found");
  EXPECT_EQ(carts_->find("nope").error().code, "cart_not_found");
  EXPECT_EQ(carts_->find("nope").error().kind, ErrorKind::not_found);
}

TEST_P(CartTest, AddingTheSameVariantAgainAddsToItsLine) {
  Cart c = guest();
  std::string v = new_id();
  ASSERT_TRUE(carts_->add_line(c.id, v, 2, 10).ok());
  auto after = carts_->add_line(c.id, v, 1, 10);
  ASSERT_TRUE(after.ok()) << describe(after);
  ASSERT_EQ(after->lines.size(), 1u);
  EXPECT_EQ(after->lines[0].quantity, 3);
  EXPECT_EQ(after->lines[0].variant_id, v);
}

TEST_P(CartTest, QuantityOutsideBoundsIsInvalidQuantity) {
  Cart c = guest();
  for (int64_t q : {int64_t{0}, int64_t{-1}, int64_t{6}, int64_t{1'000'000'000}}) {
    auto r = carts_->add_line(c.id, new_id(), q, 1'000'000'000'000);
    ASSERT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.error().code, "invalid_quantity") << q;
    EXPECT_EQ(r.error().kind, ErrorKind::unprocessable);
  }
  EXPECT_TRUE(carts_->find(c.id)->lines.empty());
}

TEST_P(CartTest, AddingBeyondTheLineBoundIsRefusedAndKeepsTheLine) {
  Cart c = guest();
  std::string v = new_id();
  ASSERT_TRUE(carts_->add_line(c.id, v, 4, 100).ok());
  auto r = carts_->add_line(c.id, v, 2, 100);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_quantity");
  EXPECT_EQ(carts_->find(c.id)->lines[0].quantity, 4);
}

TEST_P(CartTest, MoreThanAvailableIsInsufficientStockNamingWhatIsAvailable) {
  Cart c = guest();
  auto r = carts_->add_line(c.id, new_id(), 4, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "insufficient_stock");
  EXPECT_EQ(r.error().kind, ErrorKind::conflict);
  EXPECT_NE(r.error().message.find("only 3 available"), std::string::npos) << r.error().message;
}

TEST_P(CartTest, LineCountIsCapped) {
  Cart c = guest();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(carts_->add_line(c.id, new_id(), 1, 10).ok());
  auto r = carts_->add_line(c.id, new_id(), 1, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "too_many_lines");
  EXPECT_EQ(carts_->find(c.id)->lines.size(), 3u);
}

TEST_P(CartTest, SetQuantityLowersFreelyButRaisesOnlyWithStock) {
  Cart c = guest();
  auto added = carts_->add_line(c.id, new_id(), 3, 3);
  ASSERT_TRUE(added.ok());
  std::string line = added->lines[0].id;
  // Stock fell to 1 meanwhile: lowering to 2 is fine, raising to 4 is not.
  auto lowered = carts_->set_quantity(c.id, line, 2, 1);
  ASSERT_TRUE(lowered.ok()) << describe(lowered);
  EXPECT_EQ(lowered->lines[0].quantity, 2);
  EXPECT_EQ(carts_->set_quantity(c.id, line, 4, 1).error().code, "insufficient_stock");
  EXPECT_EQ(carts_->set_quantity(c.id, line, 0, 10).error().code, "invalid_quantity");
  EXPECT_EQ(carts_->set_quantity(c.id, new_id(), 1, 10).error().code, "cart_line_not_found");
}

TEST_P(CartTest, RemoveLine) {
  Cart c = guest();
  auto added = carts_->add_line(c.id, new_id(), 1, 3);
  ASSERT_TRUE(added.ok());
  auto removed = carts_->remove_line(c.id, added->lines[0].id);
  ASSERT_TRUE(removed.ok()) << describe(removed);
  EXPECT_TRUE(removed->lines.empty());
  EXPECT_EQ(carts_->remove_line(c.id, added->lines[0].id).error().code, "cart_line_not_found");
}

TEST_P(CartTest, UntouchedOpenCartExpires) {
  Cart c = guest();
  clock_.advance(std::chrono::hours(24 * 30) + std::chrono::minutes(1));
  auto r = carts_->find(c.id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cart_expired");
  EXPECT_EQ(carts_->add_line(c.id, new_id(), 1, 5).error().code, "cart_expired");
}

TEST_P(CartTest, TouchingACartKeepsItAlive) {
  Cart c = guest();
  clock_.advance(std::chrono::hours(24 * 20));
  ASSERT_TRUE(carts_->add_line(c.id, new_id(), 1, 5).ok());
  clock_.advance(std::chrono::hours(24 * 20));
  EXPECT_TRUE(carts_->find(c.id).ok());
}

TEST_P(CartTest, CustomerCartAnswersOnlyItsOwner) {
  std::string alice = new_id(), bob = new_id();
  auto c = carts_->create(alice);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(carts_->find_for(c->id, alice).ok());
  EXPECT_EQ(carts_->find_for(c->id, bob).error().code, "cart_not_found");
  EXPECT_EQ(carts_->find_for(c->id, std::nullopt).error().code, "cart_not_found");
  // A guest cart answers anyone holding its id.
  Cart g = guest();
  EXPECT_TRUE(carts_->find_for(g.id, bob).ok());
  EXPECT_TRUE(carts_->find_for(g.id, std::nullopt).ok());
}

TEST_P(CartTest, ClaimWithoutAnOpenCartMakesTheGuestCartTheCustomers) {
  Cart g = guest();
  std::string v = new_id();
  ASSERT_TRUE(carts_->add_line(g.id, v, 2, 5).ok());
  std::string alice = new_id();
  auto claimed = carts_->claim(g.id, alice, {{v, 5}});
  ASSERT_TRUE(claimed.ok()) << describe(claimed);
  EXPECT_EQ(claimed->id, g.id);
  EXPECT_EQ(claimed->account_id, alice);
  EXPECT_EQ(claimed->lines.size(), 1u);
  EXPECT_EQ(carts_->find_for(g.id, std::nullopt).error().code, "cart_not_found");
  auto mine = carts_->open_cart_of(alice);
  ASSERT_TRUE(mine.ok());
  ASSERT_TRUE(mine->has_value());
  EXPECT_EQ((*mine)->id, g.id);
}

TEST_P(CartTest, ClaimMergesIntoTheCustomersOpenCartCappedByBoundsAndStock) {
  std::string alice = new_id();
  auto mine = carts_->create(alice);
  ASSERT_TRUE(mine.ok());
  std::string shared = new_id(), scarce = new_id(), fresh = new_id();
  ASSERT_TRUE(carts_->add_line(mine->id, shared, 3, 10).ok());
  Cart g = guest();
  ASSERT_TRUE(carts_->add_line(g.id, shared, 4, 10).ok());  // 3 + 4 > max 5
  ASSERT_TRUE(carts_->add_line(g.id, scarce, 4, 10).ok());  // only 2 available now
  ASSERT_TRUE(carts_->add_line(g.id, fresh, 1, 10).ok());
  auto merged = carts_->claim(g.id, alice, {{shared, 10}, {scarce, 2}, {fresh, 10}});
  ASSERT_TRUE(merged.ok()) << describe(merged);
  EXPECT_EQ(merged->id, mine->id);
  std::map<std::string, int64_t> q;
  for (const auto& l : merged->lines) q[l.variant_id] = l.quantity;
  EXPECT_EQ(q[shared], 5);
  EXPECT_EQ(q[scarce], 2);
  // Line cap is 3: shared, scarce, fresh all fit.
  EXPECT_EQ(q[fresh], 1);
  auto old = carts_->find(g.id);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->status, "merged");
  // A merged cart cannot change any more.
  EXPECT_EQ(carts_->add_line(g.id, new_id(), 1, 5).error().code, "cart_not_open");
}

TEST_P(CartTest, AnotherCustomersCartCannotBeClaimed) {
  auto c = carts_->create(new_id());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(carts_->claim(c->id, new_id(), {}).error().code, "cart_not_found");
}

TEST_P(CartTest, CloseForOrderHappensOnceAndClosesTheCart) {
  Cart c = guest();
  ASSERT_TRUE(carts_->add_line(c.id, new_id(), 1, 5).ok());
  std::string order = new_id();
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    auto closed = carts_->close_for_order(*tx, c.id, order);
    ASSERT_TRUE(closed.ok()) << describe(closed);
    ASSERT_TRUE(tx->commit().ok());
  }
  auto after = carts_->find(c.id);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, "ordered");
  EXPECT_EQ(after->order_id, order);
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto again = carts_->close_for_order(*tx, c.id, new_id());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "cart_not_open");
  EXPECT_EQ(again.error().kind, ErrorKind::conflict);
  tx->rollback();
  EXPECT_EQ(carts_->add_line(c.id, new_id(), 1, 5).error().code, "cart_not_open");
}

TEST_P(CartTest, RolledBackCloseLeavesTheCartOpen) {
  Cart c = guest();
  {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(carts_->close_for_order(*tx, c.id, new_id()).ok());
  }  // not committed
  EXPECT_EQ(carts_->find(c.id)->status, "open");
}

TEST_P(CartTest, ConcurrentCloseForOrderClosesOnce) {
  Cart c = guest();
  std::atomic<int> closed{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      auto tx = db_->begin();
      if (!tx.ok()) return;
      auto r = carts_->close_for_order(*tx, c.id, new_id());
      if (r.ok() && tx->commit().ok())
        ++closed;
      else if (!r.ok() && r.error().code == "cart_not_open")
        ++refused;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(closed.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST_P(CartTest, ConcurrentAddsToOneLineAreNotLost) {
  Cart c = guest();
  std::string v = new_id();
  ASSERT_TRUE(carts_->add_line(c.id, v, 1, 100).ok());
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] { EXPECT_TRUE(carts_->add_line(c.id, v, 1, 100).ok()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(carts_->find(c.id)->lines[0].quantity, 5);
}

}  // namespace
}  // namespace fff::cart
