// infra/jobs: the transactional outbox and the job queue behind it (replaces SQS, SNS and
// EventBridge of the cloud design).
//
// A module reports a change by publish()ing an event in the transaction that makes the change,
// so the event exists exactly when the change does. Then:
//   - the dispatcher turns each event into one job per subscriber whose topics match, in one
//     transaction with marking the event dispatched (so nothing is lost or doubled when a process
//     dies between the two);
//   - workers claim due jobs (FOR UPDATE SKIP LOCKED on PostgreSQL, so several `fff worker`
//     processes share one queue; SQLite has one writer, which serialises claims), run the
//     handler, and mark the job done, or schedule a retry with exponential backoff and jitter,
//     or after max_attempts mark it dead (listed and retryable by staff);
//   - every node tails the outbox for its node-local listeners (on_event: the search index and
//     caches each node keeps for itself).
// Delivery is at least once: a handler may see a job again after a crash, so handlers are
// idempotent (dedupe by Job::event_id or Job::id where a repeat would matter).
//
// Thread-safety: register (subscribe, handle, every, on_event) before start(); everything else is
// safe from many threads.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "infra/db/database.hpp"

namespace fff {
class MetricsRegistry;
}

namespace fff::jobs {

struct Event {
  std::string id;        // UUIDv7
  int64_t sequence = 0;  // outbox order
  std::string topic;     // module.past_tense: "order.placed", "catalog.product_changed"
  std::string subject;   // id of what the event is about (an order id, a product id)
  std::string data;      // a JSON object's text
  Timestamp created_at;
  std::string origin;  // the node (this_node()) whose transaction wrote it

  // What subscribers and webhooks receive:
  // {"id":…,"topic":…,"subject":…,"created_at":…,"data":{…}}
  std::string envelope() const;
};

// This process's identity ("host:pid"): jobs' locked_by, events' origin, logs.
const std::string& this_node();

// Appends an event to the outbox inside the caller's transaction. `data` must be a JSON object's
// text (checked: invalid "invalid_event_data" otherwise, which aborts the caller's transaction —
// a programmer error, caught by tests). Returns the event as written.
Result<Event> publish(db::Transaction& tx, std::string_view topic, std::string_view subject,
                      std::string data, Timestamp now);

struct Job {
  std::string id;
  std::string kind;     // a subscriber's name or a directly enqueued kind
  std::string payload;  // for subscriber jobs: the event's envelope()
  std::optional<std::string> event_id;
  std::string status;  // ready, running, done, dead
  int attempts = 0;    // started so far, this one included while running
  int max_attempts = 0;
  std::string run_at;
  std::optional<std::string> last_error;
  std::string created_at;
  std::string updated_at;
};

// A handler's answer: a value for done, an error for "try again later" (the error's message is
// kept as last_error). Exceptions are caught and treated as errors.
using JobHandler = std::function<Result<void>(const Job&)>;

struct RetryPolicy {
  int max_attempts = 8;
  // Attempt n (1-based) failing waits base * 2^(n-1), at most cap, times a random factor in
  // [0.5, 1.0] (jitter, so failures do not retry in lockstep).
  std::chrono::milliseconds base{2000};
  std::chrono::milliseconds cap{std::chrono::hours(1)};
};

struct JobFilter {
  std::optional<std::string> status = std::nullopt;  // ready, running, done, dead
  std::optional<std::string> kind = std::nullopt;
  int limit = 50;
  std::optional<std::string> before_id =
      std::nullopt;  // keyset pagination: ids are UUIDv7, newest first
};

struct QueueCounts {
  int64_t events_pending = 0;  // not yet dispatched
  int64_t ready = 0;
  int64_t running = 0;
  int64_t done = 0;
  int64_t dead = 0;
};

struct WorkerOptions {
  bool run_jobs = true;     // dispatcher, workers and schedules; false: `fff serve --no-workers`
  bool tail_events = true;  // node-local listeners
  int threads = 2;
  std::chrono::milliseconds poll{100};
  std::chrono::seconds lease{60};  // a running job whose worker vanished is claimed again after
};

class JobQueue {
 public:
  JobQueue(db::Database& database, const Clock& clock, MetricsRegistry* metrics = nullptr);
  ~JobQueue();  // stop()s
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Subscriber `name` gets one job per event whose topic matches one of `topics`: an exact
  // topic ("order.placed"), a prefix ("order.*") or everything ("*").
  // `wants`, when given, is asked at dispatch for each matching event: false makes no job (a
  // subscriber with nothing to do for that topic right now, like webhooks without endpoints).
  void subscribe(const std::string& name, std::vector<std::string> topics, JobHandler handler,
                 RetryPolicy retry = {},
                 std::function<bool(std::string_view topic)> wants = nullptr);
  // Handles jobs of `kind` enqueued directly (webhook deliveries, one-off work).
  void handle(const std::string& kind, JobHandler handler, RetryPolicy retry = {});
  // Runs `task` about every `interval` on one node of the shop at a time (whoever advances the
  // schedule row in the database runs it). A failing task is logged and tried at the next turn.
  void every(const std::string& name, std::chrono::milliseconds interval,
             std::function<Result<void>()> task);
  // Calls `listener` in this process for every committed event whose topic matches, on every
  // node (at least once, roughly in order). For per-node state only: the search index, caches.
  void on_event(std::vector<std::string> topics, std::function<void(const Event&)> listener);

  // Enqueues a job of a handled `kind` in the caller's transaction (or its own), due at `run_at`
  // (now when absent). Error: invalid "unknown_job_kind" when nothing handles `kind`.
  Result<std::string> enqueue(db::Transaction& tx, std::string_view kind, std::string payload,
                              std::optional<Timestamp> run_at = std::nullopt);
  Result<std::string> enqueue(std::string_view kind, std::string payload,
                              std::optional<Timestamp> run_at = std::nullopt);

  // Starts the background threads. Idempotent. stop() lets running handlers finish.
  void start(const WorkerOptions& options);
  void stop();

  // One synchronous pass for tests and `fff worker --drain`: dispatches pending events, then
  // runs up to `max_jobs` due jobs on this thread. Returns how many jobs ran.
  Result<int> run_due(int max_jobs = 100);

  // The pieces of the background loops, one pass each, for tests: run the schedules that are
  // due (after register_schedules()), and hand new outbox events to the on_event listeners
  // (after start_tail(), which starts from the events already there).
  Result<void> register_schedules();
  Result<int> run_schedules_once();
  Result<void> start_tail();
  Result<int> tail_once();

  // Staff: jobs newest first, one job, a dead (or failed, waiting) job made due again now with
  // its attempts reset (error not_found "job_not_found"; conflict "job_not_retryable" when it is
  // running or done), and the counts.
  Result<std::vector<Job>> list(const JobFilter& filter);
  Result<Job> find(const std::string& id);
  Result<Job> retry(const std::string& id);
  Result<QueueCounts> counts();

  // The node's identity in locked_by and logs: host:pid.
  const std::string& node() const;

  struct State;  // registrations and threads (queue.cpp)

 private:
  std::unique_ptr<State> state_;
};

}  // namespace fff::jobs
