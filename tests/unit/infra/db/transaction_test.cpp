#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "storage_test.hpp"

namespace fff::db::test {
namespace {

class TransactionTest : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (HasFatalFailure()) return;
    must("CREATE TABLE stock (sku TEXT PRIMARY KEY, quantity INTEGER NOT NULL)");
    must("INSERT INTO stock (sku, quantity) VALUES ('DRS-RED-M', 10), ('DRS-RED-L', 0)");
  }

  int64_t quantity(const std::string& sku) {
    auto r = must("SELECT quantity FROM stock WHERE sku = $1", {sku});
    return r.rows.empty() ? -1 : r.rows[0].int64(0);
  }

  Transaction must_begin(Database& db) {
    auto tx = db.begin();
    EXPECT_TRUE(tx.ok()) << describe(tx);
    if (!tx.ok()) throw std::runtime_error("begin failed");
    return std::move(tx).value();
  }

  static void expect_ok(const Result<QueryResult>& r) { EXPECT_TRUE(r.ok()) << describe(r); }
};
FFF_STORAGE_TEST_SUITE(TransactionTest);

const char* kTake = "UPDATE stock SET quantity = quantity - $1 WHERE sku = $2";

TEST_P(TransactionTest, CommitMakesChangesVisible) {
  Transaction tx = must_begin(*db_);
  EXPECT_EQ(tx.dialect(), on_sqlite() ? Dialect::sqlite : Dialect::postgres);
  expect_ok(tx.query(kTake, {int64_t{3}, std::string("DRS-RED-M")}));
  auto inside = tx.query("SELECT quantity FROM stock WHERE sku = $1", {std::string("DRS-RED-M")});
  ASSERT_TRUE(inside.ok()) << describe(inside);
  EXPECT_EQ(inside->rows[0].int64(0), 7);  // a transaction sees its own writes
  auto committed = tx.commit();
  ASSERT_TRUE(committed.ok()) << describe(committed);
  EXPECT_EQ(quantity("DRS-RED-M"), 7);
}

TEST_P(TransactionTest, RollbackDiscardsChanges) {
  Transaction tx = must_begin(*db_);
  expect_ok(tx.query(kTake, {int64_t{3}, std::string("DRS-RED-M")}));
  tx.rollback();
  EXPECT_EQ(quantity("DRS-RED-M"), 10);
}

TEST_P(TransactionTest, DestroyingWithoutCommitRollsBack) {
  {
    Transaction tx = must_begin(*db_);
    expect_ok(tx.query(kTake, {int64_t{3}, std::string("DRS-RED-M")}));
  }
  EXPECT_EQ(quantity("DRS-RED-M"), 10);
  // The connection (or SQLite's writer) came back: another transaction can start and commit.
  Transaction next = must_begin(*db_);
  expect_ok(next.query(kTake, {int64_t{1}, std::string("DRS-RED-M")}));
  ASSERT_TRUE(next.commit().ok());
  EXPECT_EQ(quantity("DRS-RED-M"), 9);
}

TEST_P(TransactionTest, MovedTransactionKeepsItsWork) {
  Transaction first = must_begin(*db_);
  expect_ok(first.query(kTake, {int64_t{2}, std::string("DRS-RED-M")}));
  Transaction moved = std::move(first);
  expect_ok(moved.query(kTake, {int64_t{2}, std::string("DRS-RED-M")}));
  ASSERT_TRUE(moved.commit().ok());
  EXPECT_EQ(quantity("DRS-RED-M"), 6);
}

TEST_P(TransactionTest, UseAfterCommitIsTransactionFinished) {
  Transaction tx = must_begin(*db_);
  ASSERT_TRUE(tx.commit().ok());
  auto r = tx.query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "transaction_finished");
  auto again = tx.commit();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "transaction_finished");
}

TEST_P(TransactionTest, FailedStatementAbortsTheWholeTransaction) {
  Transaction tx = must_begin(*db_);
  expect_ok(tx.query(kTake, {int64_t{4}, std::string("DRS-RED-M")}));
  auto duplicate =
      tx.query("INSERT INTO stock (sku, quantity) VALUES ($1, 1)", {std::string("DRS-RED-L")});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().kind, ErrorKind::conflict);
  EXPECT_EQ(duplicate.error().code, "unique_violation");

  auto after = tx.query("SELECT 1");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "transaction_aborted");
  auto committed = tx.commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, "transaction_aborted");
  EXPECT_EQ(quantity("DRS-RED-M"), 10);  // the update before the failure is gone too
}

TEST_P(TransactionTest, ExecuteScriptRunsSeveralStatements) {
  Transaction tx = must_begin(*db_);
  auto r = tx.execute_script(
      "CREATE TABLE colours (name TEXT PRIMARY KEY);"
      "INSERT INTO colours (name) VALUES ('red');"
      "INSERT INTO colours (name) VALUES ('navy');");
  ASSERT_TRUE(r.ok()) << describe(r);
  ASSERT_TRUE(tx.commit().ok());
  EXPECT_EQ(count("colours"), 2);
}

TEST_P(TransactionTest, ReadersSeeOnlyCommittedDataWhileAWriteTransactionIsOpen) {
  Transaction tx = must_begin(*db_);
  expect_ok(tx.query(kTake, {int64_t{10}, std::string("DRS-RED-M")}));
  EXPECT_EQ(quantity("DRS-RED-M"), 10);  // db_->query runs outside the open transaction
  ASSERT_TRUE(tx.commit().ok());
  EXPECT_EQ(quantity("DRS-RED-M"), 0);
}

// Transfers keep the total at 10; readers running alongside must never see a half-done one.
TEST_P(TransactionTest, ReadersSeeConsistentTotalsWhileTransfersRun) {
  Options options;
  options.pool_size = 4;
  options.busy_timeout_ms = 20000;
  auto db = open(options);
  ASSERT_NE(db, nullptr);

  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, bad_totals{0}, read_errors{0}, write_errors{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 60; ++i) {
        auto tx = db->begin();
        if (!tx) {
          ++write_errors;
          continue;
        }
        // Rows are always locked in the same order (L, then M) so that the two writers queue
        // rather than deadlock on PostgreSQL; the direction of the transfer alternates.
        int64_t delta = (i + w) % 2 ? 1 : -1;
        const char* move = "UPDATE stock SET quantity = quantity + $1 WHERE sku = $2";
        bool ok = tx->query(move, {delta, std::string("DRS-RED-L")}).ok();
        // Widens the window in which a reader could see the first update without the second.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        ok = ok && tx->query(move, {-delta, std::string("DRS-RED-M")}).ok();
        if (!ok || !tx->commit().ok()) ++write_errors;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      while (!stop) {
        auto total = db->query("SELECT sum(quantity) FROM stock");
        if (!total) {
          ++read_errors;
          continue;
        }
        ++reads;
        if (total->rows[0].int64(0) != 10) ++bad_totals;
      }
    });
  }
  for (int w = 0; w < 2; ++w) threads[static_cast<size_t>(w)].join();
  stop = true;
  for (size_t t = 2; t < threads.size(); ++t) threads[t].join();

  EXPECT_EQ(write_errors.load(), 0);
  EXPECT_EQ(read_errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(bad_totals.load(), 0);
  EXPECT_EQ(quantity("DRS-RED-M") + quantity("DRS-RED-L"), 10);
}

}  // namespace
}  // namespace fff::db::test
