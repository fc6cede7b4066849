#include "infra/db/migrator.hpp"

#include <latch>
#include <thread>

#include "migrations/fixture.hpp"
#include "storage_test.hpp"

namespace fff::db::test {
namespace {

Migration both(std::string module, int version, std::string name, const std::string& sql) {
  return {std::move(module), version, std::move(name), sql, sql};
}

const Migration kCreateGarments =
    both("shop", 1, "create_garments",
         "CREATE TABLE garments (sku TEXT PRIMARY KEY, name TEXT NOT NULL);");
const Migration kSeedGarments = both("shop", 2, "seed_garments",
                                     "INSERT INTO garments (sku, name) VALUES ('DRS-1', 'dress');\n"
                                     "INSERT INTO garments (sku, name) VALUES ('CT-1', 'coat');");

class MigratorTest : public StorageTest {
 protected:
  bool table_exists(const std::string& table) {
    auto r = on_sqlite()
                 ? db_->query("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=$1",
                              {table})
                 : db_->query("SELECT count(*) FROM pg_tables WHERE tablename = $1", {table});
    EXPECT_TRUE(r.ok()) << describe(r);
    return r.ok() && r->rows[0].int64(0) == 1;
  }

  MigrationStatus must_status(const std::vector<Migration>& migrations) {
    auto s = status(*db_, migrations);
    EXPECT_TRUE(s.ok()) << describe(s);
    return s.ok() ? *s : MigrationStatus{-1, -1, -1};
  }
};
FFF_STORAGE_TEST_SUITE(MigratorTest);

TEST_P(MigratorTest, AppliesPendingMigrationsInVersionOrder) {
  // Given out of order: the seed only works after the table exists.
  auto report = migrate(*db_, {kSeedGarments, kCreateGarments});
  ASSERT_TRUE(report.ok()) << describe(report);
  EXPECT_EQ(report->applied,
            (std::vector<std::string>{"shop/0001_create_garments", "shop/0002_seed_garments"}));
  EXPECT_EQ(report->already_applied, 0);
  EXPECT_EQ(count("garments"), 2);

  auto rows = must(
      "SELECT module, version, name, checksum, applied_at FROM schema_migrations "
      "ORDER BY version");
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0].text(0), "shop");
  EXPECT_EQ(rows.rows[0].int64(1), 1);
  EXPECT_EQ(rows.rows[0].text(2), "create_garments");
  EXPECT_EQ(rows.rows[0].text(3), migration_checksum(kCreateGarments.sqlite_sql));
  EXPECT_EQ(rows.rows[0].text(4).size(), std::string("2026-11-25T23:08:53.123456Z").size());

  auto s = must_status({kCreateGarments, kSeedGarments});
  EXPECT_EQ(s.applied, 2);
  EXPECT_EQ(s.pending, 0);
  EXPECT_EQ(s.changed, 0);
}

TEST_P(MigratorTest, RunningAgainAppliesNothing) {
  ASSERT_TRUE(migrate(*db_, {kCreateGarments, kSeedGarments}).ok());
  auto again = migrate(*db_, {kCreateGarments, kSeedGarments});
  ASSERT_TRUE(again.ok()) << describe(again);
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->already_applied, 2);
  EXPECT_EQ(count("garments"), 2);  // the seed did not run twice
}

TEST_P(MigratorTest, AppliesOnlyTheNewMigrationLater) {
  ASSERT_TRUE(migrate(*db_, {kCreateGarments}).ok());
  auto later = migrate(*db_, {kCreateGarments, kSeedGarments});
  ASSERT_TRUE(later.ok()) << describe(later);
  EXPECT_EQ(later->applied, (std::vector<std::string>{"shop/0002_seed_garments"}));
  EXPECT_EQ(later->already_applied, 1);
}

TEST_P(MigratorTest, RefusesWhenAnAppliedMigrationChanged) {
  ASSERT_TRUE(migrate(*db_, {kCreateGarments}).ok());
  Migration edited = both("shop", 1, "create_garments",
                          "CREATE TABLE garments (sku TEXT PRIMARY KEY, name TEXT);");
  auto r = migrate(*db_, {edited, kSeedGarments});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::conflict);
  EXPECT_EQ(r.error().code, "migration_changed");
  EXPECT_NE(r.error().message.find("shop/0001_create_garments"), std::string::npos);
  EXPECT_EQ(count("garments"), 0);  // the pending seed did not run either

  auto s = must_status({edited, kSeedGarments});
  EXPECT_EQ(s.applied, 1);
  EXPECT_EQ(s.pending, 1);
  EXPECT_EQ(s.changed, 1);
}

TEST(MigrationChecksum, IgnoresCarriageReturnsOnly) {
  EXPECT_EQ(migration_checksum("CREATE TABLE a (x INTEGER);\r\n"),
            migration_checksum("CREATE TABLE a (x INTEGER);\n"));
  EXPECT_NE(migration_checksum("CREATE TABLE a (x INTEGER);"),
            migration_checksum("CREATE TABLE a (y INTEGER);"));
  EXPECT_EQ(migration_checksum("").size(), 16u);
}

TEST_P(MigratorTest, FailingMigrationLeavesNeitherItsChangesNorItsRow) {
  Migration broken = both("shop", 2, "half_done",
                          "CREATE TABLE half_done (id INTEGER);\n"
                          "INSERT INTO no_such_table (id) VALUES (1);");
  auto r = migrate(*db_, {kCreateGarments, broken});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("shop/0002_half_done"), std::string::npos) << r.error().message;
  EXPECT_TRUE(table_exists("garments"));
  EXPECT_FALSE(table_exists("half_done"));
  auto s = must_status({kCreateGarments, broken});
  EXPECT_EQ(s.applied, 1);
  EXPECT_EQ(s.pending, 1);
}

TEST_P(MigratorTest, StatusBeforeAnyMigrationCountsAllPendingAndChangesNothing) {
  auto s = must_status({kCreateGarments, kSeedGarments});
  EXPECT_EQ(s.applied, 0);
  EXPECT_EQ(s.pending, 2);
  EXPECT_FALSE(table_exists("schema_migrations"));
}

TEST_P(MigratorTest, RefusesTwoMigrationsWithTheSameVersion) {
  Migration clash = both("shop", 1, "other_name", "CREATE TABLE other (id INTEGER);");
  auto r = migrate(*db_, {kCreateGarments, clash});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "duplicate_migration");
  EXPECT_FALSE(table_exists("garments"));
}

TEST_P(MigratorTest, SameVersionInAnotherModuleIsIndependent) {
  Migration other = both("review", 1, "create_reviews", "CREATE TABLE reviews (id INTEGER);");
  auto r = migrate(*db_, {kCreateGarments, other});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r->applied,
            (std::vector<std::string>{"review/0001_create_reviews", "shop/0001_create_garments"}));
}

TEST_P(MigratorTest, EmbeddedMigrationsUseTheSharedOrTheDialectsOwnFile) {
  std::vector<Migration> embedded = fixture_migrations();
  ASSERT_EQ(embedded.size(), 2u);
  EXPECT_EQ(embedded[0].module, "fixture");
  EXPECT_EQ(embedded[0].version, 1);
  EXPECT_EQ(embedded[0].name, "create_garments");
  EXPECT_EQ(embedded[0].sqlite_sql, embedded[0].postgres_sql);
  EXPECT_NE(embedded[0].sqlite_sql.find("CREATE TABLE fixture_garments"), std::string::npos);
  EXPECT_EQ(embedded[1].version, 2);
  EXPECT_EQ(embedded[1].name, "record_dialect");
  EXPECT_NE(embedded[1].sqlite_sql, embedded[1].postgres_sql);

  auto r = migrate(*db_, embedded);
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r->applied.size(), 2u);
  auto dialect = must("SELECT name FROM fixture_dialect");
  ASSERT_EQ(dialect.rows.size(), 1u);
  EXPECT_EQ(dialect.rows[0].text(0), GetParam());
}

// Two nodes starting at once: every migration must run exactly once, and neither may fail.
// Each migration creates a table without IF NOT EXISTS and appends to a log, so running one
// twice either fails or shows in the log.
TEST_P(MigratorTest, ConcurrentMigratorsApplyEachMigrationExactlyOnce) {
  constexpr int kSteps = 6;
  std::vector<Migration> migrations = {
      both("shop", 1, "create_log", "CREATE TABLE migration_log (step INTEGER NOT NULL);")};
  for (int step = 2; step <= kSteps; ++step) {
    std::string common = "CREATE TABLE step_" + std::to_string(step) + " (id INTEGER);\n" +
                         "INSERT INTO migration_log (step) VALUES (" + std::to_string(step) + ");";
    // On PostgreSQL the pause keeps the other node waiting on the lock at the worst moment.
    migrations.push_back({"shop", step, "step_" + std::to_string(step), common,
                          common + "\nSELECT pg_sleep(0.02);"});
  }

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    fff::testing::ScratchDatabase scratch(GetParam());
    auto a = Database::open(scratch.url(), {});
    auto b = Database::open(scratch.url(), {});
    ASSERT_TRUE(a.ok() && b.ok());
    Result<MigrationReport> report_a = Error::internal("not run");
    Result<MigrationReport> report_b = Error::internal("not run");
    std::latch start(2);
    std::thread node_a([&] {
      start.arrive_and_wait();
      report_a = migrate(**a, migrations);
    });
    std::thread node_b([&] {
      start.arrive_and_wait();
      report_b = migrate(**b, migrations);
    });
    node_a.join();
    node_b.join();
    ASSERT_TRUE(report_a.ok()) << describe(report_a);
    ASSERT_TRUE(report_b.ok()) << describe(report_b);
    EXPECT_EQ(report_a->applied.size() + report_b->applied.size(), size_t{kSteps});
    EXPECT_EQ(report_a->already_applied + report_b->already_applied, kSteps);

    auto log = (*a)->query("SELECT step, count(*) FROM migration_log GROUP BY step ORDER BY step");
    ASSERT_TRUE(log.ok()) << describe(log);
    ASSERT_EQ(log->rows.size(), size_t{kSteps - 1});
    for (const Row& row : log->rows) EXPECT_EQ(row.int64(1), 1) << "step " << row.int64(0);
  }
}

}  // namespace
}  // namespace fff::db::test
