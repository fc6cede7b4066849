// Progressive lockout and per-email mail allowances, on the in-process store and on Redis
// (FFF_TEST_REDIS_URL, which `make test` sets; without it the redis cases fail, never skip).
#include "modules/accounts/lockout.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "core/id.hpp"

namespace fff::accounts {
namespace {

class LockoutTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = "memory:";
    if (GetParam() == "redis") {
      const char* env = std::getenv("FFF_TEST_REDIS_URL");
      if (!env || !*env)
        throw std::runtime_error("FFF_TEST_REDIS_URL is not set (make test starts Redis)");
      url = env;
    }
    auto opened = kv::KeyValueStore::open(url);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    lockout_ = std::make_unique<Lockout>(*store_);
    email_ = "lock-" + new_id() + "@example.com";  // tests share one Redis server
  }

  Lockout::Failure fail_once() {
    auto f = lockout_->record_failure(email_);
    EXPECT_TRUE(f.ok());
    return f.ok() ? *f : Lockout::Failure{};
  }

  int64_t locked_for() {
    auto left = lockout_->locked_for(email_);
    EXPECT_TRUE(left.ok());
    return left.ok() ? *left : -1;
  }

  std::unique_ptr<kv::KeyValueStore> store_;
  std::unique_ptr<Lockout> lockout_;
  std::string email_;
};
INSTANTIATE_TEST_SUITE_P(, LockoutTest, ::testing::Values("memory", "redis"),
                         [](const auto& p) { return p.param; });

TEST_P(LockoutTest, FourFailuresDoNotLock) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(fail_once().locked_for, 0);
  EXPECT_EQ(locked_for(), 0);
}

TEST_P(LockoutTest, FiveFailuresLockForAMinute) {
  for (int i = 0; i < 4; ++i) fail_once();
  auto f = fail_once();
  EXPECT_EQ(f.failures, 5);
  EXPECT_EQ(f.locked_for, 60);
  EXPECT_GT(locked_for(), 55);
  EXPECT_LE(locked_for(), 60);
}

TEST_P(LockoutTest, TenFailuresLockForFifteenMinutes) {
  for (int i = 0; i < 9; ++i) fail_once();
  EXPECT_EQ(fail_once().locked_for, 15 * 60);
  EXPECT_GT(locked_for(), 15 * 60 - 5);
}

TEST_P(LockoutTest, TwentyFailuresLockUntilUnlockedOnce) {
  Lockout::Failure f;
  for (int i = 0; i < 20; ++i) f = fail_once();
  EXPECT_TRUE(f.hard);
  EXPECT_GT(locked_for(), 29 * 86'400);
  EXPECT_FALSE(fail_once().hard);  // the unlock mail goes out once, at the threshold
  ASSERT_TRUE(lockout_->clear(email_).ok());
  EXPECT_EQ(locked_for(), 0);
  EXPECT_EQ(fail_once().failures, 1);  // cleared means counting starts afresh
}

TEST_P(LockoutTest, EmailsAreLockedIndependently) {
  for (int i = 0; i < 5; ++i) fail_once();
  auto other = lockout_->locked_for("other-" + email_);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, 0);
}

TEST_P(LockoutTest, ThreeMailsAnHourPerEmailAndKind) {
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(*lockout_->allow_mail("reset", email_));
  EXPECT_FALSE(*lockout_->allow_mail("reset", email_));
  EXPECT_TRUE(*lockout_->allow_mail("verify", email_));
}

}  // namespace
}  // namespace fff::accounts
