// What only the SQLite driver does: placeholder rewriting, file handling, pragmas, routing.
#include "infra/db/sqlite/sqlite_database.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

#include "storage_test.hpp"

namespace fff::db::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(SqlitePlaceholders, DollarNumbersBecomeQuestionNumbers) {
  EXPECT_EQ(translate_placeholders("SELECT $2, $1 WHERE a = $10"), "SELECT ?2, ?1 WHERE a = ?10");
}

TEST(SqlitePlaceholders, QuotedTextAndCommentsStayAsWritten) {
  EXPECT_EQ(translate_placeholders("SELECT '$1', 'it''s $2', \"col$3\", `x$4`, [y $5], $6"),
            "SELECT '$1', 'it''s $2', \"col$3\", `x$4`, [y $5], ?6");
  EXPECT_EQ(translate_placeholders("SELECT $1 -- costs $2\n, $3 /* $4 */"),
            "SELECT ?1 -- costs $2\n, ?3 /* $4 */");
}

TEST(SqlitePlaceholders, DollarInsideAnIdentifierIsNotAParameter) {
  EXPECT_EQ(translate_placeholders("SELECT price$1 FROM t WHERE x=$1"),
            "SELECT price$1 FROM t WHERE x=?1");
  EXPECT_EQ(translate_placeholders("SELECT $name, $"), "SELECT $name, $");
}

TEST(SqlitePlaceholders, UnterminatedQuoteIsCopiedWithoutOverrun) {
  EXPECT_EQ(translate_placeholders("SELECT 'abc $1"), "SELECT 'abc $1");
  EXPECT_EQ(translate_placeholders("SELECT /* $1"), "SELECT /* $1");
}

class SqliteDriverTest : public ::testing::Test {
 protected:
  fff::testing::ScratchDatabase scratch_{"sqlite"};

  std::unique_ptr<Database> open(const Options& options = {}) {
    auto r = Database::open(scratch_.url(), options);
    EXPECT_TRUE(r.ok()) << describe(r);
    return r.ok() ? std::move(r).value() : nullptr;
  }
  std::string path() const { return scratch_.url().substr(std::string("sqlite:").size()); }
};

TEST_F(SqliteDriverTest, OpensInWalModeWithForeignKeysEnforced) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto mode = db->query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok()) << describe(mode);
  EXPECT_EQ(mode->rows[0].text(0), "wal");

  ASSERT_TRUE(db->query("CREATE TABLE products (id INTEGER PRIMARY KEY)").ok());
  ASSERT_TRUE(db->query("CREATE TABLE variants (id INTEGER PRIMARY KEY,"
                        " product_id INTEGER NOT NULL REFERENCES products (id))")
                  .ok());
  auto orphan = db->query("INSERT INTO variants (id, product_id) VALUES (1, 99)");
  ASSERT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.error().kind, ErrorKind::internal);
  EXPECT_NE(orphan.error().message.find("FOREIGN KEY"), std::string::npos)
      << orphan.error().message;
}

TEST_F(SqliteDriverTest, CreatesMissingParentDirectories) {
  std::filesystem::path nested =
      std::filesystem::path(path()).parent_path() / "data" / "shop" / "fff.db";
  auto db = Database::open(nested.string(), {});  // a bare path, no scheme
  ASSERT_TRUE(db.ok()) << describe(db);
  EXPECT_EQ((*db)->dialect(), Dialect::sqlite);
  ASSERT_TRUE((*db)->query("CREATE TABLE t (x INTEGER)").ok());
  EXPECT_TRUE(std::filesystem::exists(nested));
}

TEST_F(SqliteDriverTest, AcceptsTheTripleSlashUrlForm) {
  auto db = Database::open("sqlite://" + path(), {});
  ASSERT_TRUE(db.ok()) << describe(db);
  EXPECT_TRUE((*db)->ping().ok());
}

TEST_F(SqliteDriverTest, RejectsInMemoryDatabases) {
  auto db = Database::open("sqlite::memory:", {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "invalid_database_url");
}

TEST_F(SqliteDriverTest, RefusesTransactionControlThroughQuery) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto begin = db->query("BEGIN");
  ASSERT_FALSE(begin.ok());
  EXPECT_EQ(begin.error().code, "transaction_statement");
  // No reader was left inside a transaction: later reads and writes work and see each other.
  ASSERT_TRUE(db->query("CREATE TABLE t (x INTEGER)").ok());
  for (int i = 0; i < 8; ++i)
    ASSERT_TRUE(db->query("INSERT INTO t (x) VALUES ($1)", {int64_t{i}}).ok());
  for (int i = 0; i < 8; ++i) {
    auto r = db->query("SELECT count(*) FROM t");
    ASSERT_TRUE(r.ok()) << describe(r);
    EXPECT_EQ(r->rows[0].int64(0), 8);
  }
}

TEST_F(SqliteDriverTest, RefusesSeveralStatementsInOneQuery) {
  auto db = open();
  ASSERT_NE(db, nullptr);
  auto r = db->query("CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("execute_script"), std::string::npos) << r.error().message;
  EXPECT_TRUE(db->query("SELECT 1; -- a trailing comment is fine").ok());
}

// Another process (here: a raw connection) holding SQLite's write lock makes our writer wait
// busy_timeout and then report database_busy, not a generic failure.
TEST_F(SqliteDriverTest, WriteLockHeldElsewhereIsDatabaseBusy) {
  Options options;
  options.busy_timeout_ms = 200;
  auto db = open(options);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->query("CREATE TABLE t (x INTEGER)").ok());

  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto started = steady_clock::now();
  auto r = db->query("INSERT INTO t (x) VALUES (1)");
  auto waited = steady_clock::now() - started;
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_EQ(r.error().code, "database_busy");
  EXPECT_GE(waited, milliseconds(150));
  EXPECT_TRUE(db->query("INSERT INTO t (x) VALUES (1)").ok());
}

}  // namespace
}  // namespace fff::db::test
