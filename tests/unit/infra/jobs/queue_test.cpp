// The outbox and job queue: events become jobs exactly once per subscriber, failures retry with
// backoff and end dead, staff retry, leases, schedules shared by nodes, the per-node tail, and
// several workers never running one job twice — on every storage config.
#include "infra/jobs/queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "infra/db/migrator.hpp"
#include "migrations/jobs.hpp"
#include "support/test_databases.hpp"

namespace fff::jobs {
namespace {

using namespace std::chrono_literals;

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

// A clock the test moves by hand, so backoff, leases and schedules need no sleeping.
class ManualClock final : public Clock {
 public:
  Timestamp now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advance(std::chrono::microseconds d) {
    std::lock_guard lock(mutex_);
    now_ += d;
  }

 private:
  mutable std::mutex mutex_;
  Timestamp now_ =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
};

class JobQueueTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    db::Options options;
    options.pool_size = 8;
    options.busy_timeout_ms = 20'000;
    auto opened = db::Database::open(scratch_->url(), options);
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::jobs_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    queue_ = std::make_unique<JobQueue>(*db_, clock_);
  }

  // Publishes one event in its own transaction (or rolls it back).
  void publish_event(const std::string& topic, const std::string& data, bool commit = true) {
    auto tx = db_->begin();
    ASSERT_TRUE(tx.ok()) << describe(tx);
    auto e = publish(*tx, topic, "subject-1", data, clock_.now());
    ASSERT_TRUE(e.ok()) << describe(e);
    if (commit) {
      ASSERT_TRUE(tx->commit().ok());
    }
  }

  Job only_job(const std::string& kind) {
    auto jobs = queue_->list({.kind = kind});
    EXPECT_TRUE(jobs.ok()) << describe(jobs);
    EXPECT_EQ(jobs.ok() ? jobs->size() : 0u, 1u);
    return jobs.ok() && !jobs->empty() ? jobs->front() : Job{};
  }

  ManualClock clock_;
  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<JobQueue> queue_;
};
INSTANTIATE_TEST_SUITE_P(, JobQueueTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(JobQueueTest, AnEventBecomesOneJobPerMatchingSubscriberWithTheEnvelope) {
  std::vector<std::string> seen_by_orders, seen_by_all;
  int catalog_calls = 0;
  queue_->subscribe("mail", {"order.*"}, [&](const Job& j) -> Result<void> {
    seen_by_orders.push_back(j.payload);
    return {};
  });
  queue_->subscribe("hooks", {"*"}, [&](const Job& j) -> Result<void> {
    seen_by_all.push_back(j.payload);
    return {};
  });
  queue_->subscribe("search", {"catalog.product_changed"}, [&](const Job&) -> Result<void> {
    ++catalog_calls;
    return {};
  });
  publish_event("order.placed", R"({"order":{"number":"FFF-10001"}})");

  auto ran = queue_->run_due();
  ASSERT_TRUE(ran.ok()) << describe(ran);
  EXPECT_EQ(*ran, 2);
  ASSERT_EQ(seen_by_orders.size(), 1u);
  ASSERT_EQ(seen_by_all.size(), 1u);
  EXPECT_EQ(catalog_calls, 0);
  auto envelope = boost::json::parse(seen_by_orders.front()).as_object();
  EXPECT_EQ(envelope.at("topic").as_string(), "order.placed");
  EXPECT_EQ(envelope.at("subject").as_string(), "subject-1");
  EXPECT_EQ(envelope.at("data").at("order").at("number").as_string(), "FFF-10001");
  EXPECT_EQ(only_job("mail").status, "done");

  // Nothing more to do: the event is dispatched once.
  auto again = queue_->run_due();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(seen_by_orders.size(), 1u);
}

TEST_P(JobQueueTest, AnEventOfARolledBackTransactionNeverBecomesAJob) {
  int calls = 0;
  queue_->subscribe("mail", {"order.*"}, [&](const Job&) -> Result<void> {
    ++calls;
    return {};
  });
  publish_event("order.placed", "{}", /*commit=*/false);
  auto ran = queue_->run_due();
  ASSERT_TRUE(ran.ok());
  EXPECT_EQ(*ran, 0);
  EXPECT_EQ(calls, 0);
}

TEST_P(JobQueueTest, EventDataMustBeAJsonObject) {
  auto tx = db_->begin();
  ASSERT_TRUE(tx.ok());
  auto e = publish(*tx, "order.placed", "x", "[1,2]", clock_.now());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "invalid_event_data");
}

TEST_P(JobQueueTest, AFailedJobWaitsWithBackoffAndDiesAfterItsLastAttempt) {
  int calls = 0;
  queue_->subscribe(
      "flaky", {"order.placed"},
      [&](const Job&) -> Result<void> {
        ++calls;
        return Error::unavailable("smtp_down", "mail server refused");
      },
      RetryPolicy{.max_attempts = 3, .base = 10s, .cap = 1h});
  publish_event("order.placed", "{}");

  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 1);
  Job j = only_job("flaky");
  EXPECT_EQ(j.status, "ready");
  EXPECT_EQ(j.attempts, 1);
  ASSERT_TRUE(j.last_error.has_value());
  EXPECT_NE(j.last_error->find("smtp_down"), std::string::npos);
  // Backoff: 10 s × jitter [0.5, 1] after the first failure — not due at once, due after 10 s.
  EXPECT_GE(*parse_iso8601(j.run_at), clock_.now() + 5s);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 1);
  clock_.advance(10s);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 2);
  // The second wait is twice the first (20 s × jitter).
  j = only_job("flaky");
  EXPECT_GE(*parse_iso8601(j.run_at), clock_.now() + 10s);
  clock_.advance(20s);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 3);
  j = only_job("flaky");
  EXPECT_EQ(j.status, "dead");
  EXPECT_EQ(j.attempts, 3);
  clock_.advance(2h);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 3);  // dead stays dead

  auto counts = queue_->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->dead, 1);

  // Staff retry: due again now, attempts reset, and it runs.
  auto retried = queue_->retry(j.id);
  ASSERT_TRUE(retried.ok()) << describe(retried);
  EXPECT_EQ(retried->status, "ready");
  EXPECT_EQ(retried->attempts, 0);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 4);
}

TEST_P(JobQueueTest, ADoneJobCannotBeRetriedAndAnUnknownOneIsNotFound) {
  queue_->subscribe("ok", {"*"}, [](const Job&) -> Result<void> { return {}; });
  publish_event("order.placed", "{}");
  ASSERT_TRUE(queue_->run_due().ok());
  auto done = queue_->retry(only_job("ok").id);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, "job_not_retryable");
  auto unknown = queue_->retry("0190a0a0-0000-7000-8000-000000000000");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "job_not_found");
  auto garbage = queue_->find("not-a-uuid");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "job_not_found");
}

TEST_P(JobQueueTest, AThrowingHandlerCountsAsAFailure) {
  queue_->subscribe("throws", {"*"},
                    [](const Job&) -> Result<void> { throw std::runtime_error("boom"); });
  publish_event("order.placed", "{}");
  ASSERT_TRUE(queue_->run_due().ok());
  Job j = only_job("throws");
  EXPECT_EQ(j.status, "ready");
  ASSERT_TRUE(j.last_error.has_value());
  EXPECT_NE(j.last_error->find("boom"), std::string::npos);
}

TEST_P(JobQueueTest, AJobWhoseWorkerVanishedIsClaimedAgainAfterItsLease) {
  // A worker claims the job and dies without recording an outcome: simulate by marking it
  // running with a lease in the database, as claim() does.
  int calls = 0;
  queue_->handle("work", [&](const Job&) -> Result<void> {
    ++calls;
    return {};
  });
  auto id = queue_->enqueue("work", R"({"n":1})");
  ASSERT_TRUE(id.ok()) << describe(id);
  auto lease_end = to_iso8601(clock_.now() + 60s);
  ASSERT_TRUE(db_->query("UPDATE jobs SET status = 'running', attempts = 1, locked_by = 'gone:1', "
                         "locked_until = $1 WHERE id = $2",
                         {lease_end, *id})
                  .ok());
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 0);  // still leased
  clock_.advance(61s);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 1);
  auto j = queue_->find(*id);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->status, "done");
  EXPECT_EQ(j->attempts, 2);
}

TEST_P(JobQueueTest, EnqueueingAnUnhandledKindIsRefused) {
  auto id = queue_->enqueue("nobody", "{}");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, "unknown_job_kind");
}

TEST_P(JobQueueTest, AJobEnqueuedForLaterWaitsUntilItsTime) {
  int calls = 0;
  queue_->handle("later", [&](const Job&) -> Result<void> {
    ++calls;
    return {};
  });
  ASSERT_TRUE(queue_->enqueue("later", "{}", clock_.now() + 5min).ok());
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 0);
  clock_.advance(5min);
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 1);
}

TEST_P(JobQueueTest, SeveralWorkersNeverRunOneJobTwice) {
  // Four queues on one database stand for four `fff worker` processes.
  constexpr int kJobs = 120;
  std::mutex mutex;
  std::multiset<std::string> ran;
  auto handler = [&](const Job& j) -> Result<void> {
    std::lock_guard lock(mutex);
    ran.insert(j.id);
    return {};
  };
  std::vector<std::unique_ptr<JobQueue>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<JobQueue>(*db_, clock_));
    workers.back()->subscribe("count", {"order.*"}, handler);
  }
  for (int i = 0; i < kJobs; ++i) publish_event("order.placed", "{}");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (auto& w : workers)
    threads.emplace_back([&w, &failures] {
      for (;;) {
        auto n = w->run_due(10);
        if (!n.ok()) {
          ++failures;
          return;
        }
        if (*n == 0) return;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(ran.size(), static_cast<size_t>(kJobs));
  for (const auto& id : ran) EXPECT_EQ(ran.count(id), 1u) << id;
  auto counts = queue_->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->done, kJobs);
  EXPECT_EQ(counts->events_pending, 0);
}

TEST_P(JobQueueTest, AScheduleRunsOnOneNodePerInterval) {
  JobQueue other(*db_, clock_);
  int here = 0, there = 0;
  queue_->every("orders.release_unpaid", 1min, [&]() -> Result<void> {
    ++here;
    return {};
  });
  other.every("orders.release_unpaid", 1min, [&]() -> Result<void> {
    ++there;
    return {};
  });
  ASSERT_TRUE(queue_->register_schedules().ok());
  ASSERT_TRUE(other.register_schedules().ok());
  ASSERT_TRUE(queue_->run_schedules_once().ok());
  ASSERT_TRUE(other.run_schedules_once().ok());
  EXPECT_EQ(here + there, 1);
  clock_.advance(30s);
  ASSERT_TRUE(other.run_schedules_once().ok());
  EXPECT_EQ(here + there, 1);
  clock_.advance(31s);
  ASSERT_TRUE(other.run_schedules_once().ok());
  ASSERT_TRUE(queue_->run_schedules_once().ok());
  EXPECT_EQ(here + there, 2);
}

TEST_P(JobQueueTest, EveryNodeTailsNewEventsForItsListeners) {
  publish_event("catalog.product_changed", R"({"product_ids":["old"]})");  // before start
  JobQueue node_a(*db_, clock_), node_b(*db_, clock_);
  std::vector<std::string> a, b;
  node_a.on_event({"catalog.*"}, [&](const Event& e) { a.push_back(e.data); });
  node_b.on_event({"catalog.*"}, [&](const Event& e) { b.push_back(e.data); });
  ASSERT_TRUE(node_a.start_tail().ok());
  ASSERT_TRUE(node_b.start_tail().ok());
  publish_event("catalog.product_changed", R"({"product_ids":["p1"]})");
  publish_event("order.placed", "{}");
  publish_event("catalog.product_changed", R"({"product_ids":["p2"]})");
  ASSERT_TRUE(node_a.tail_once().ok());
  ASSERT_TRUE(node_b.tail_once().ok());
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[0].find("p1"), std::string::npos);
  EXPECT_NE(a[1].find("p2"), std::string::npos);
  EXPECT_EQ(b, a);
  // Nothing is handed over twice.
  ASSERT_TRUE(node_a.tail_once().ok());
  EXPECT_EQ(a.size(), 2u);
  // Tailing does not consume: the subscriber jobs are still made.
  int jobs = 0;
  queue_->subscribe("s", {"catalog.*"}, [&](const Job&) -> Result<void> {
    ++jobs;
    return {};
  });
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(jobs, 3);
}

TEST_P(JobQueueTest, StaffListingFiltersByStatusAndKindNewestFirst) {
  queue_->handle("a", [](const Job&) -> Result<void> { return {}; });
  queue_->handle(
      "b", [](const Job&) -> Result<void> { return Error::unavailable("x", "y"); },
      RetryPolicy{.max_attempts = 1});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue_->enqueue("a", "{}").ok());
  ASSERT_TRUE(queue_->enqueue("b", "{}").ok());
  ASSERT_TRUE(queue_->run_due().ok());
  auto dead = queue_->list({.status = std::string("dead")});
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().kind, "b");
  auto page = queue_->list({.kind = std::string("a"), .limit = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_GT(page->at(0).id, page->at(1).id);
  auto rest = queue_->list({.kind = std::string("a"), .limit = 2, .before_id = page->back().id});
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->size(), 1u);
}

}  // namespace
}  // namespace fff::jobs

namespace fff::jobs {
namespace {

TEST_P(JobQueueTest, ASubscriberThatDoesNotWantATopicGetsNoJobForIt) {
  int calls = 0;
  bool wanted = false;
  queue_->subscribe(
      "hooks", {"*"},
      [&](const Job&) -> Result<void> {
        ++calls;
        return {};
      },
      {}, [&](std::string_view topic) { return wanted && topic == "order.placed"; });
  publish_event("order.placed", "{}");
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 0);
  wanted = true;
  publish_event("order.placed", "{}");
  publish_event("stock.changed", "{}");
  ASSERT_TRUE(queue_->run_due().ok());
  EXPECT_EQ(calls, 1);
  auto counts = queue_->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->events_pending, 0);  // unwanted events are still dispatched
}

}  // namespace
}  // namespace fff::jobs
