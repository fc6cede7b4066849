// The key-value store on both backends: this process's memory and a real Redis server
// (FFF_TEST_REDIS_URL, which `make test` sets; without it the redis cases fail, never skip).
#include "infra/kv/kv_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/id.hpp"

namespace fff::kv {
namespace {

using std::chrono::milliseconds;

class KeyValueStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string url = "memory:";
    if (GetParam() == "redis") {
      const char* env = std::getenv("FFF_TEST_REDIS_URL");
      if (!env || !*env)
        throw std::runtime_error("FFF_TEST_REDIS_URL is not set (make test starts Redis)");
      url = env;
    }
    auto opened = KeyValueStore::open(url);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
    prefix_ = "test:" + new_id() + ":";  // tests share one Redis server
  }
  std::string key(const std::string& k) { return prefix_ + k; }

  std::unique_ptr<KeyValueStore> store_;
  std::string prefix_;
};
INSTANTIATE_TEST_SUITE_P(, KeyValueStoreTest, ::testing::Values("memory", "redis"),
                         [](const auto& p) { return p.param; });

TEST_P(KeyValueStoreTest, KindAndPing) {
  EXPECT_EQ(store_->kind(), GetParam());
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(KeyValueStoreTest, CountersStartAtZeroAndKeepTheirWindow) {
  auto k = key("hits");
  EXPECT_EQ(store_->increment(k, 1, milliseconds(60'000)).value(), 1);
  EXPECT_EQ(store_->increment(k, 2, milliseconds(60'000)).value(), 3);
  auto left = store_->time_left(k);
  ASSERT_TRUE(left.ok());
  ASSERT_TRUE(left->has_value());
  EXPECT_GT(left->value().count(), 50'000);
  EXPECT_LE(left->value().count(), 60'000);
  // A later increment with a shorter ttl does not move the window.
  EXPECT_EQ(store_->increment(k, 1, milliseconds(10)).value(), 4);
  EXPECT_GT(store_->time_left(k)->value().count(), 50'000);
}

TEST_P(KeyValueStoreTest, ExpiredKeysAreGone) {
  auto k = key("short");
  ASSERT_TRUE(store_->set(k, "v", milliseconds(30)).ok());
  EXPECT_EQ(store_->get(k).value(), std::optional<std::string>("v"));
  std::this_thread::sleep_for(milliseconds(80));
  EXPECT_EQ(store_->get(k).value(), std::nullopt);
  EXPECT_EQ(store_->time_left(k).value(), std::nullopt);
  // An expired counter starts again from zero.
  auto c = key("counter");
  EXPECT_EQ(store_->increment(c, 5, milliseconds(30)).value(), 5);
  std::this_thread::sleep_for(milliseconds(80));
  EXPECT_EQ(store_->increment(c, 1, milliseconds(30)).value(), 1);
}

TEST_P(KeyValueStoreTest, SetOnlyIfAbsentLeavesAnExistingValue) {
  auto k = key("once");
  EXPECT_TRUE(store_->set(k, "first", milliseconds(60'000), true).value());
  EXPECT_FALSE(store_->set(k, "second", milliseconds(60'000), true).value());
  EXPECT_EQ(store_->get(k).value(), std::optional<std::string>("first"));
  EXPECT_TRUE(store_->set(k, "third", milliseconds(60'000)).value());
  EXPECT_EQ(store_->get(k).value(), std::optional<std::string>("third"));
  ASSERT_TRUE(store_->remove(k).ok());
  EXPECT_EQ(store_->get(k).value(), std::nullopt);
  EXPECT_TRUE(store_->remove(k).ok());  // removing an absent key is fine
}

TEST_P(KeyValueStoreTest, ValuesAreBytes) {
  auto k = key("bytes");
  std::string value("a\0b \xff\n", 6);
  ASSERT_TRUE(store_->set(k, value, milliseconds(60'000)).ok());
  EXPECT_EQ(store_->get(k).value(), std::optional<std::string>(value));
}

TEST_P(KeyValueStoreTest, BadKeysAndExpiriesAreRefused) {
  EXPECT_EQ(store_->get("").error().code, "invalid_kv_key");
  EXPECT_EQ(store_->get("has space").error().code, "invalid_kv_key");
  EXPECT_EQ(store_->get(std::string(kMaxKeyBytes + 1, 'k')).error().code, "invalid_kv_key");
  EXPECT_EQ(store_->increment(key("x"), 1, milliseconds(0)).error().code, "invalid_kv_ttl");
  EXPECT_EQ(store_->set(key("x"), "v", milliseconds(-5)).error().code, "invalid_kv_ttl");
}

TEST_P(KeyValueStoreTest, ConcurrentIncrementsAreNeitherLostNorDoubled) {
  auto k = key("race");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i)
        if (!store_->increment(k, 1, milliseconds(60'000)).ok()) ++failures;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store_->increment(k, 0, milliseconds(60'000)).value(), 800);
}

TEST(KeyValueStoreOpen, UrlsAreCheckedAndAnUnreachableServerIsUnavailable) {
  for (const char* bad : {"redis://", "redis://host:0", "redis://host:99999", "redis://h:1/16",
                          "redis://user:pw@host:6379", "http://host", "redis://h:x"}) {
    auto r = KeyValueStore::open(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_kv_url") << bad;
  }
  EXPECT_EQ(KeyValueStore::open("").value()->kind(), "memory");
  // Port 1 on loopback: nothing listens there; the store opens (lazily) and then says so.
  auto nobody = KeyValueStore::open("redis://127.0.0.1:1/0");
  ASSERT_TRUE(nobody.ok());
  auto ping = (*nobody)->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, "kv_unavailable");
  EXPECT_EQ((*nobody)->increment("k", 1, milliseconds(1000)).error().code, "kv_unavailable");
}

}  // namespace
}  // namespace fff::kv
