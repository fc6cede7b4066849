#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <thread>

#include "core/metrics.hpp"
#include "storage_test.hpp"

namespace fff::db::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class DatabaseTest : public StorageTest {
 protected:
  void create_garments() {
    must(
        sql("CREATE TABLE garments (id INTEGER PRIMARY KEY, price BIGINT NOT NULL, weight REAL,"
            " name TEXT NOT NULL, in_stock BOOLEAN NOT NULL, launched_at TEXT, note TEXT)",
            "CREATE TABLE garments (id BIGINT PRIMARY KEY, price BIGINT NOT NULL, weight DOUBLE "
            "PRECISION, name TEXT NOT NULL, in_stock BOOLEAN NOT NULL, launched_at TIMESTAMPTZ,"
            " note TEXT)"));
  }
  QueryResult insert_garment(int64_t id, const std::string& name) {
    return must(
        "INSERT INTO garments (id, price, weight, name, in_stock, launched_at, note)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {id, int64_t{1999}, 0.5, name, true, std::string("2026-11-25T23:08:53.000000Z"),
         std::monostate{}});
  }
};
FFF_STORAGE_TEST_SUITE(DatabaseTest);

TEST_P(DatabaseTest, RoundTripsEveryValueTypeIncludingNull) {
  create_garments();
  const std::string unicode = "Áo dài — 東京 🎉 \"quoted\" 'single'";
  const Params first = {
      int64_t{1}, std::numeric_limits<int64_t>::max(),        0.125,           unicode,
      true,       std::string("2026-11-25T23:08:53.123456Z"), std::monostate{}};
  const Params second = {int64_t{2},
                         std::numeric_limits<int64_t>::min(),
                         -1.5,
                         std::string(),
                         false,
                         std::string("1999-01-01T00:00:00.000000Z"),
                         std::string("note")};
  const char* insert =
      "INSERT INTO garments (id, price, weight, name, in_stock, launched_at, note)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)";
  must(insert, first);
  must(insert, second);

  auto r =
      must("SELECT id, price, weight, name, in_stock, launched_at, note FROM garments ORDER BY id");
  ASSERT_EQ(r.rows.size(), 2u);
  const Row& a = r.rows[0];
  EXPECT_EQ(a.int64(0), 1);
  EXPECT_EQ(a.int64(1), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(std::holds_alternative<double>(a[2]));
  EXPECT_DOUBLE_EQ(a.real(2), 0.125);
  EXPECT_EQ(a.text(3), unicode);
  EXPECT_TRUE(a.boolean(4));
  EXPECT_EQ(a.text(5), "2026-11-25T23:08:53.123456Z");
  EXPECT_TRUE(a.is_null(6));
  EXPECT_EQ(a.opt_text(6), std::nullopt);

  const Row& b = r.rows[1];
  EXPECT_EQ(b.int64(1), std::numeric_limits<int64_t>::min());
  EXPECT_DOUBLE_EQ(b.real(2), -1.5);
  EXPECT_EQ(b.text(3), "");
  EXPECT_FALSE(b.boolean(4));
  EXPECT_EQ(b.text(5), "1999-01-01T00:00:00.000000Z");
  EXPECT_EQ(b.opt_text(6), "note");
}

TEST_P(DatabaseTest, BooleansComeBackAsBoolOnPostgresAndZeroOrOneOnSqlite) {
  auto r = must("SELECT CAST($1 AS INTEGER) = 7, CAST($1 AS INTEGER) <> 7", {int64_t{7}});
  ASSERT_EQ(r.rows.size(), 1u);
  if (on_sqlite()) {
    EXPECT_EQ(r.rows[0].int64(0), 1);
  } else {
    EXPECT_TRUE(std::holds_alternative<bool>(r.rows[0][0]));
  }
  EXPECT_TRUE(r.rows[0].boolean(0));
  EXPECT_FALSE(r.rows[0].boolean(1));
}

TEST_P(DatabaseTest, ReportsColumnNames) {
  auto r = must("SELECT 1 AS quantity, 'red' AS colour");
  EXPECT_EQ(r.columns, (std::vector<std::string>{"quantity", "colour"}));
}

TEST_P(DatabaseTest, PlaceholdersBindByNumberNotByFirstAppearance) {
  auto r = must("SELECT CAST($2 AS TEXT), CAST($1 AS TEXT), CAST($2 AS TEXT) || CAST($1 AS TEXT)",
                {std::string("first"), std::string("second")});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].text(0), "second");
  EXPECT_EQ(r.rows[0].text(1), "first");
  EXPECT_EQ(r.rows[0].text(2), "secondfirst");
}

TEST_P(DatabaseTest, DollarDigitsInsideStringLiteralsAreNotParameters) {
  auto r = must("SELECT '$1 costs $2', CAST($1 AS TEXT) /* $2 */ -- $3\n", {std::string("scarf")});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].text(0), "$1 costs $2");
  EXPECT_EQ(r.rows[0].text(1), "scarf");
}

TEST_P(DatabaseTest, InjectionLookingParameterStaysData) {
  create_garments();
  const std::string hostile = "x'); DROP TABLE garments; --";
  insert_garment(1, hostile);
  auto r = must("SELECT id FROM garments WHERE name = $1", {hostile});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].int64(0), 1);
  EXPECT_EQ(count("garments"), 1);
}

TEST_P(DatabaseTest, CountsAffectedRows) {
  create_garments();
  insert_garment(1, "coat");
  insert_garment(2, "scarf");
  insert_garment(3, "hat");
  EXPECT_EQ(must("UPDATE garments SET price = price + 1 WHERE id < $1", {int64_t{3}}).affected, 2);
  EXPECT_EQ(must("DELETE FROM garments WHERE id = $1", {int64_t{3}}).affected, 1);
  EXPECT_EQ(must("UPDATE garments SET price = 0 WHERE id = $1", {int64_t{42}}).affected, 0);
}

TEST_P(DatabaseTest, InsertReturningGivesTheRow) {
  create_garments();
  auto r = must(
      "INSERT INTO garments (id, price, name, in_stock) VALUES ($1, $2, $3, $4) "
      "RETURNING id, name",
      {int64_t{9}, int64_t{500}, std::string("belt"), false});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].int64(0), 9);
  EXPECT_EQ(r.rows[0].text(1), "belt");
  EXPECT_EQ(r.affected, 1);
}

TEST_P(DatabaseTest, UniqueViolationIsConflictNamingTheConstraint) {
  create_garments();
  must("CREATE UNIQUE INDEX garments_name_key ON garments (name)");
  insert_garment(1, "coat");
  auto r = db_->query("INSERT INTO garments (id, price, name, in_stock) VALUES ($1, $2, $3, $4)",
                      {int64_t{2}, int64_t{1}, std::string("coat"), true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::conflict);
  EXPECT_EQ(r.error().code, "unique_violation");
  // PostgreSQL names the index, SQLite the column it covers.
  EXPECT_NE(r.error().message.find(on_sqlite() ? "garments.name" : "garments_name_key"),
            std::string::npos)
      << r.error().message;

  auto again =
      db_->query("INSERT INTO garments (id, price, name, in_stock) VALUES (1, 1, 'x', $1)", {true});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "unique_violation");  // primary key
}

TEST_P(DatabaseTest, WrongParameterCountIsAnError) {
  auto r = db_->query("SELECT CAST($1 AS TEXT)", {std::string("a"), std::string("b")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::internal);
}

TEST_P(DatabaseTest, SyntaxErrorIsInternal) {
  auto r = db_->query("SELEKT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::internal);
  EXPECT_EQ(r.error().code, "internal_error");
}

TEST_P(DatabaseTest, PingSucceeds) {
  EXPECT_TRUE(db_->ping().ok());
}

TEST_P(DatabaseTest, RecordsStatementDurationsAndErrorsInMetrics) {
  MetricsRegistry metrics;
  auto db = open({}, &metrics);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->query("CREATE TABLE sizes (label TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(db->query("INSERT INTO sizes (label) VALUES ($1)", {std::string("M")}).ok());
  ASSERT_FALSE(db->query("INSERT INTO sizes (label) VALUES ($1)", {std::string("M")}).ok());
  ASSERT_TRUE(db->query("SELECT label FROM sizes").ok());
  ASSERT_TRUE(db->query("WITH s AS (SELECT label FROM sizes) SELECT * FROM s").ok());

  std::string text = metrics.render();
  const std::string driver = "driver=\"" + GetParam() + "\"";
  auto line = [&](const std::string& series) { return series + "\n"; };
  EXPECT_NE(
      text.find(line("fff_db_query_duration_seconds_count{" + driver + ",statement=\"select\"} 2")),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(line("fff_db_query_duration_seconds_count{" + driver + ",statement=\"insert\"} 2")),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(line("fff_db_query_duration_seconds_count{" + driver + ",statement=\"other\"} 1")),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(line("fff_db_errors_total{" + driver + ",code=\"unique_violation\"} 1")),
            std::string::npos)
      << text;
}

TEST_P(DatabaseTest, ConcurrentWritersAllSucceed) {
  Options options;
  options.pool_size = 4;
  options.busy_timeout_ms = 20000;
  auto db = open(options);
  ASSERT_NE(db, nullptr);
  must("CREATE TABLE orders (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL)");

  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  auto fail = [&](const Error& e) {
    std::lock_guard lock(failure_mutex);
    if (failures++ == 0) first_failure = e.code + ": " + e.message;
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int64_t id = t * kPerThread + i;
        if (i % 2 == 0) {
          auto r = db->query("INSERT INTO orders (id, writer) VALUES ($1, $2)", {id, int64_t{t}});
          if (!r) fail(r.error());
          continue;
        }
        auto tx = db->begin();
        if (!tx) {
          fail(tx.error());
          continue;
        }
        auto r = tx->query("INSERT INTO orders (id, writer) VALUES ($1, $2)", {id, int64_t{t}});
        if (!r) fail(r.error());
        auto seen = tx->query("SELECT count(*) FROM orders WHERE writer = $1", {int64_t{t}});
        if (!seen) fail(seen.error());
        if (auto c = tx->commit(); !c) fail(c.error());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(count("orders"), kThreads * kPerThread);
}

// The writer (SQLite) or the only pooled connection (PostgreSQL, pool_size 1) is held by a
// transaction; a second begin() waits busy_timeout_ms and then gives up.
TEST_P(DatabaseTest, BeginWhileAllConnectionsAreBusyFailsWithinTheTimeout) {
  Options options;
  options.pool_size = 1;
  options.busy_timeout_ms = 300;
  auto db = open(options);
  ASSERT_NE(db, nullptr);
  auto held = db->begin();
  ASSERT_TRUE(held.ok()) << describe(held);

  Result<Transaction> second = Error::internal("not run");
  Result<QueryResult> read = Error::internal("not run");
  auto started = steady_clock::now();
  std::thread other([&] { second = db->begin(); });
  other.join();
  auto waited = steady_clock::now() - started;
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(second.error().code, "database_busy");
  EXPECT_GE(waited, milliseconds(250));
  EXPECT_LT(waited, milliseconds(3000));

  std::thread reader([&] { read = db->query("SELECT 1"); });
  reader.join();
  if (on_sqlite()) {
    EXPECT_TRUE(read.ok()) << describe(read);  // readers do not need the writer
  } else {
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, "database_busy");
  }

  held->rollback();
  auto third = db->begin();
  EXPECT_TRUE(third.ok()) << describe(third);
}

TEST(DatabaseOpen, RejectsAnUnknownUrlSchemeNamingIt) {
  auto r = Database::open("mysql://root@localhost/shop", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().code, "invalid_database_url");
  EXPECT_NE(r.error().message.find("mysql"), std::string::npos) << r.error().message;
}

TEST(DatabaseOpen, RejectsAnEmptyUrl) {
  auto r = Database::open("", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_database_url");
}

TEST(RowTest, ReadingTheWrongTypeThrowsNamingTheColumn) {
  Row row({int64_t{5}, std::string("red"), std::monostate{}});
  EXPECT_EQ(row.int64(0), 5);
  EXPECT_DOUBLE_EQ(row.real(0), 5.0);
  try {
    (void)row.text(0);
    FAIL() << "text() of an integer did not throw";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("column 0"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)row.int64(2), std::logic_error);  // NULL
  EXPECT_THROW((void)row.boolean(1), std::logic_error);
  EXPECT_THROW((void)row[3], std::out_of_range);
  EXPECT_EQ(row.opt_int64(2), std::nullopt);
  EXPECT_EQ(row.opt_int64(0), 5);
}

TEST(RowTest, BooleanAcceptsOnlyZeroAndOneAsIntegers) {
  Row row({int64_t{1}, int64_t{0}, int64_t{2}, true});
  EXPECT_TRUE(row.boolean(0));
  EXPECT_FALSE(row.boolean(1));
  EXPECT_THROW((void)row.boolean(2), std::logic_error);
  EXPECT_TRUE(row.boolean(3));
}

}  // namespace
}  // namespace fff::db::test
