// What only the PostgreSQL driver does: type conversion, session settings, the self-healing
// pool, SQLSTATE mapping.
#include "infra/db/postgres/postgres_database.hpp"

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "storage_test.hpp"

namespace fff::db::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(PostgresTimestamps, TextBecomesCanonicalIso) {
  EXPECT_EQ(canonical_timestamp("2026-11-25 23:08:53.1+00", true), "2026-11-25T23:08:53.100000Z");
  EXPECT_EQ(canonical_timestamp("2026-11-25 23:08:53+00", true), "2026-11-25T23:08:53.000000Z");
  EXPECT_EQ(canonical_timestamp("2026-11-25 23:08:53.123456", false),
            "2026-11-25T23:08:53.123456Z");
  EXPECT_EQ(canonical_timestamp("infinity", true), "infinity");
}

class PostgresDriverTest : public ::testing::Test {
 protected:
  fff::testing::ScratchDatabase scratch_{"postgres"};

  std::unique_ptr<Database> open(const Options& options = {}) {
    auto r = Database::open(scratch_.url(), options);
    EXPECT_TRUE(r.ok()) << describe(r);
    return r.ok() ? std::move(r).value() : nullptr;
  }

  // Terminates every other session on the scratch database; returns how many.
  int64_t terminate_other_sessions(Database& admin) {
    auto r = admin.query(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    EXPECT_TRUE(r.ok()) << describe(r);
    return r.ok() ? r->rows[0].int64(0) : -1;
  }
};

TEST_F(PostgresDriverTest, ConvertsColumnsByType) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto r = db->query(
      "SELECT CAST(2 AS smallint), CAST(40000 AS integer), CAST(9000000000 AS bigint),"
      " CAST(1.5 AS real), CAST(2.25 AS double precision), CAST(12.30 AS numeric),"
      " true, false, CAST('2026-11-25T23:08:53+07:00' AS timestamptz),"
      " CAST('2026-11-25 23:08:53.5' AS timestamp), CAST('2026-11-25' AS date), now(), NULL");
  ASSERT_TRUE(r.ok()) << describe(r);
  const Row& row = r->rows.at(0);
  EXPECT_EQ(row.int64(0), 2);
  EXPECT_EQ(row.int64(1), 40000);
  EXPECT_EQ(row.int64(2), 9000000000);
  EXPECT_DOUBLE_EQ(std::get<double>(row[3]), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(row[4]), 2.25);
  EXPECT_EQ(row.text(5), "12.30");  // numeric stays exact, as text
  EXPECT_EQ(std::get<bool>(row[6]), true);
  EXPECT_EQ(std::get<bool>(row[7]), false);
  EXPECT_EQ(row.text(8), "2026-11-25T16:08:53.000000Z");
  EXPECT_EQ(row.text(9), "2026-11-25T23:08:53.500000Z");
  EXPECT_EQ(row.text(10), "2026-11-25");
  EXPECT_TRUE(
      std::regex_match(row.text(11), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")))
      << row.text(11);
  EXPECT_TRUE(row.is_null(12));
}

TEST_F(PostgresDriverTest, SessionsRunInUtcWithIsoDates) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto zone = db->query("SHOW TimeZone");
  ASSERT_TRUE(zone.ok()) << describe(zone);
  EXPECT_EQ(zone->rows[0].text(0), "UTC");
  auto style = db->query("SHOW DateStyle");
  ASSERT_TRUE(style.ok()) << describe(style);
  EXPECT_EQ(style->rows[0].text(0), "ISO, YMD");
}

TEST_F(PostgresDriverTest, ReconnectsAfterPooledConnectionsAreTerminated) {
  Options options;
  options.pool_size = 3;
  auto db = open(options);
  auto admin = open({1, 5000});
  ASSERT_TRUE(db && admin);

  // Fill the pool: three transactions at once need three connections.
  std::set<int64_t> before;
  {
    std::vector<Transaction> open_transactions;
    for (int i = 0; i < 3; ++i) {
      auto tx = db->begin();
      ASSERT_TRUE(tx.ok()) << describe(tx);
      auto pid = tx->query("SELECT pg_backend_pid()");
      ASSERT_TRUE(pid.ok()) << describe(pid);
      before.insert(pid->rows[0].int64(0));
      open_transactions.push_back(std::move(*tx));
    }
  }
  ASSERT_EQ(before.size(), 3u);
  ASSERT_EQ(terminate_other_sessions(*admin), 3);

  // Every pooled connection is dead; each call must still succeed, on a new backend.
  for (int i = 0; i < 6; ++i) {
    auto r = db->query("SELECT pg_backend_pid()");
    ASSERT_TRUE(r.ok()) << "call " << i << ": " << describe(r);
    EXPECT_EQ(before.count(r->rows[0].int64(0)), 0u);
  }
  auto tx = db->begin();
  ASSERT_TRUE(tx.ok()) << describe(tx);
  ASSERT_TRUE(tx->query("SELECT 1").ok());
  EXPECT_TRUE(tx->commit().ok());
}

TEST_F(PostgresDriverTest, TransactionWhoseConnectionDiesIsUnavailable) {
  auto db = open();
  auto admin = open({1, 5000});
  ASSERT_TRUE(db && admin);
  auto tx = db->begin();
  ASSERT_TRUE(tx.ok()) << describe(tx);
  ASSERT_TRUE(tx->query("SELECT 1").ok());
  ASSERT_EQ(terminate_other_sessions(*admin), 1);

  auto r = tx->query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(r.error().code, "database_unavailable");
  auto committed = tx->commit();
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, "database_unavailable");
  // The dead connection left the pool.
  EXPECT_TRUE(db->query("SELECT 1").ok());
}

TEST_F(PostgresDriverTest, UnreachableServerIsUnavailable) {
  auto db = Database::open("postgresql://postgres@127.0.0.1:1/nowhere", {});
  ASSERT_TRUE(db.ok()) << describe(db);  // connections are made on first use
  auto started = steady_clock::now();
  auto r = (*db)->query("SELECT 1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(r.error().code, "database_unavailable");
  EXPECT_LT(steady_clock::now() - started, milliseconds(5000));
  auto ping = (*db)->ping();
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, "database_unavailable");
}

TEST_F(PostgresDriverTest, MalformedUrlIsInvalid) {
  auto db = Database::open("postgresql://127.0.0.1/shop?no_such_option=1", {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "invalid_database_url");
}

TEST_F(PostgresDriverTest, DeadlockIsSerializationFailure) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->query("CREATE TABLE stock (sku TEXT PRIMARY KEY, quantity INTEGER)").ok());
  ASSERT_TRUE(db->query("INSERT INTO stock VALUES ('A', 1), ('B', 1)").ok());
  auto one = db->begin();
  auto two = db->begin();
  ASSERT_TRUE(one.ok() && two.ok());
  const char* take = "UPDATE stock SET quantity = quantity - 1 WHERE sku = $1";
  ASSERT_TRUE(one->query(take, {std::string("A")}).ok());
  ASSERT_TRUE(two->query(take, {std::string("B")}).ok());
  Result<QueryResult> from_one = Error::internal("not run");
  std::thread waiter([&] { from_one = one->query(take, {std::string("B")}); });  // waits for two
  std::this_thread::sleep_for(milliseconds(200));
  auto from_two = two->query(take, {std::string("A")});  // closes the cycle
  waiter.join();
  // The server picks one victim; the other goes through.
  const Result<QueryResult>& victim = from_one.ok() ? from_two : from_one;
  ASSERT_FALSE(victim.ok()) << "no deadlock detected";
  EXPECT_EQ(victim.error().kind, ErrorKind::conflict);
  EXPECT_EQ(victim.error().code, "serialization_failure");
  EXPECT_TRUE(from_one.ok() || from_two.ok());
}

}  // namespace
}  // namespace fff::db::test
