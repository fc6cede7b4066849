// tests/unit/modules/staff: a scratch database with the staff tables, a clock tests move by hand,
// a key ring and an in-process key-value store — on every storage config.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/time.hpp"
#include "infra/crypto/key_ring.hpp"
#include "infra/db/database.hpp"
#include "infra/db/migrator.hpp"
#include "infra/kv/kv_store.hpp"
#include "migrations/staff.hpp"
#include "support/test_databases.hpp"

namespace fff::staff::testing {

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

class TestClock : public Clock {
 public:
  Timestamp now() const override { return now_; }
  void advance(std::chrono::microseconds by) { now_ += by; }
  void set(Timestamp t) { now_ = t; }

 private:
  Timestamp now_ = *parse_iso8601("2026-11-26T05:00:00Z");
};

inline constexpr const char* kKeyOne = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
inline constexpr const char* kKeyTwo = "k2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";

class StaffStorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::staff_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    auto keys = crypto::KeyRing::parse(kKeyOne);
    ASSERT_TRUE(keys.ok()) << describe(keys);
    keys_ = std::make_unique<crypto::KeyRing>(std::move(*keys));
    auto kv = kv::KeyValueStore::open("memory:");
    ASSERT_TRUE(kv.ok()) << describe(kv);
    kv_ = std::move(*kv);
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<crypto::KeyRing> keys_;
  std::unique_ptr<kv::KeyValueStore> kv_;
  TestClock clock_;
};

}  // namespace fff::staff::testing
