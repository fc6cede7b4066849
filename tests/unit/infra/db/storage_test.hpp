// tests/unit/infra/db: storage tests. The fixture here gives each test a scratch database and
// runs it once per storage config, so test names end in /sqlite and /postgres.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "infra/db/database.hpp"
#include "support/test_databases.hpp"

namespace fff::db::test {

// "ok", or the error's kind, code and message, for assertion messages.
template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return std::string(to_string(r.error().kind)) + " " + r.error().code + ": " + r.error().message;
}

class StorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db_ = open();
    ASSERT_NE(db_, nullptr);
  }

  // Another Database on the same scratch database (a second node, other options, metrics).
  std::unique_ptr<Database> open(const Options& options = {}, MetricsRegistry* metrics = nullptr) {
    auto r = Database::open(scratch_->url(), options, metrics);
    EXPECT_TRUE(r.ok()) << describe(r);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  bool on_sqlite() const { return GetParam() == "sqlite"; }
  // DDL where the dialects differ.
  std::string sql(const std::string& sqlite, const std::string& postgres) const {
    return on_sqlite() ? sqlite : postgres;
  }

  // Runs a statement the test needs to succeed.
  QueryResult must(std::string_view statement, const Params& params = {}) {
    auto r = db_->query(statement, params);
    EXPECT_TRUE(r.ok()) << statement << " -> " << describe(r);
    return r.ok() ? std::move(r).value() : QueryResult{};
  }

  int64_t count(const std::string& table) {
    auto r = must("SELECT count(*) FROM " + table);
    return r.rows.empty() ? -1 : r.rows[0].int64(0);
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<Database> db_;
};

inline std::string config_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

}  // namespace fff::db::test

#define FFF_STORAGE_TEST_SUITE(suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(, suite, ::testing::ValuesIn(::fff::testing::storage_configs()), \
                           ::fff::db::test::config_name)
