#include "infra/jobs/queue.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/id.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace fff::jobs {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kJobColumns =
    "id, kind, payload, event_id, status, attempts, max_attempts, run_at, last_error, "
    "created_at, updated_at";
constexpr const char* kEventColumns = "seq, id, topic, subject, data, created_at, origin";
// Done jobs and dispatched events are kept this long (staff can look at them; other nodes'
// tails read events), then pruned.
constexpr auto kRetention = std::chrono::hours(24 * 7);
// An outbox sequence number a node has not seen for this long belongs to a transaction that
// rolled back (PostgreSQL hands out sequence values before commit, so a later number can commit
// first: the tail waits this long for the gap before passing it).
constexpr auto kGapPatience = 10s;

Job job_from(const db::Row& row) {
  Job j;
  j.id = row.text(0);
  j.kind = row.text(1);
  j.payload = row.text(2);
  j.event_id = row.opt_text(3);
  j.status = row.text(4);
  j.attempts = static_cast<int>(row.int64(5));
  j.max_attempts = static_cast<int>(row.int64(6));
  j.run_at = row.text(7);
  j.last_error = row.opt_text(8);
  j.created_at = row.text(9);
  j.updated_at = row.text(10);
  return j;
}

Event event_from(const db::Row& row) {
  Event e;
  e.sequence = row.int64(0);
  e.id = row.text(1);
  e.topic = row.text(2);
  e.subject = row.text(3);
  e.data = row.text(4);
  e.created_at = parse_iso8601(row.text(5)).value_or(Timestamp{});
  e.origin = row.text(6);
  return e;
}

bool topic_matches(const std::vector<std::string>& patterns, std::string_view topic) {
  for (const auto& p : patterns) {
    if (p == "*" || p == topic) return true;
    if (p.size() >= 2 && p.ends_with(".*") &&
        topic.starts_with(std::string_view(p).substr(0, p.size() - 1)))
      return true;
  }
  return false;
}

std::string make_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

const std::string& this_node() {
  static const std::string node = make_node_id();
  return node;
}

std::string Event::envelope() const {
  json::object out{
      {"id", id}, {"topic", topic}, {"subject", subject}, {"created_at", to_iso8601(created_at)}};
  boost::system::error_code ec;
  auto parsed = json::parse(data, ec);
  out["data"] = ec ? json::value(json::object{}) : parsed;
  return json::serialize(out);
}

Result<Event> publish(db::Transaction& tx, std::string_view topic, std::string_view subject,
                      std::string data, Timestamp now) {
  boost::system::error_code ec;
  auto parsed = json::parse(data, ec);
  if (ec || !parsed.is_object()) {
    tx.rollback();
    return Error::invalid("invalid_event_data",
                          "event " + std::string(topic) + " data is not a JSON object");
  }
  Event event{Uuid::v7().str(), 0,   std::string(topic), std::string(subject),
              std::move(data),  now, this_node()};
  auto inserted = tx.query(
      "INSERT INTO outbox_events (id, topic, subject, data, created_at, origin) "
      "VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
      {event.id, event.topic, event.subject, event.data, to_iso8601(now), event.origin});
  if (!inserted) return inserted.error();
  event.sequence = inserted->rows.at(0).int64(0);
  return event;
}

struct JobQueue::State {
  State(db::Database& d, const Clock& c, MetricsRegistry* m)
      : database(d), clock(c), metrics(m), random(std::random_device{}()) {}

  db::Database& database;
  const Clock& clock;
  MetricsRegistry* metrics;

  struct Handler {
    JobHandler run;
    RetryPolicy retry;
    std::vector<std::string> topics;  // a subscriber's; empty: enqueued directly
    std::function<bool(std::string_view)> wants;
  };
  std::map<std::string, Handler> handlers;
  struct Schedule {
    std::string name;
    std::chrono::milliseconds interval;
    std::function<Result<void>()> task;
  };
  std::vector<Schedule> schedules;
  struct Listener {
    std::vector<std::string> topics;
    std::function<void(const Event&)> run;
  };
  std::vector<Listener> listeners;

  std::mutex random_mutex;
  std::mt19937_64 random;

  // Threads.
  std::mutex mutex;
  std::condition_variable wake;
  bool running = false;
  bool stopping = false;
  WorkerOptions options;
  std::vector<std::thread> threads;

  // The outbox tail (node-local listeners).
  int64_t tail_low = 0;         // every seq <= tail_low was handed to listeners or given up
  std::set<int64_t> tail_seen;  // seqs above tail_low already handed over
  std::optional<std::chrono::steady_clock::time_point> gap_since;

  bool is_postgres() const { return database.dialect() == db::Dialect::postgres; }
  std::string now_text() const { return to_iso8601(clock.now()); }

  void count(const char* name, const char* help, const std::string& kind) {
    if (metrics) metrics->counter(name, help, {{"kind", kind}}).add();
  }

  std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempts) {
    auto wait = policy.base;
    for (int i = 1; i < attempts && wait < policy.cap; ++i) wait *= 2;
    wait = std::min(wait, policy.cap);
    std::lock_guard lock(random_mutex);
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(static_cast<int64_t>(wait.count() * jitter(random)));
  }

  // Turns up to `limit` undispatched events into subscriber jobs; returns how many events.
  Result<int> dispatch(int limit) {
    auto tx = database.begin();
    if (!tx) return tx.error();
    std::string sql = std::string("SELECT ") + kEventColumns +
                      " FROM outbox_events WHERE dispatched_at IS NULL ORDER BY seq LIMIT $1";
    if (is_postgres()) sql += " FOR UPDATE SKIP LOCKED";
    auto pending = tx->query(sql, {int64_t{limit}});
    if (!pending) return pending.error();
    if (pending->rows.empty()) return 0;
    auto now = now_text();
    for (const auto& row : pending->rows) {
      Event event = event_from(row);
      auto payload = event.envelope();
      for (const auto& [name, handler] : handlers) {
        if (handler.topics.empty() || !topic_matches(handler.topics, event.topic)) continue;
        if (handler.wants && !handler.wants(event.topic)) continue;
        auto made = tx->query(
            "INSERT INTO jobs (id, kind, payload, event_id, status, max_attempts, run_at, "
            "created_at, updated_at) VALUES ($1, $2, $3, $4, 'ready', $5, $6, $6, $6) "
            "ON CONFLICT (kind, event_id) DO NOTHING",
            {Uuid::v7().str(), name, payload, event.id, int64_t{handler.retry.max_attempts}, now});
        if (!made) return made.error();
      }
      auto marked = tx->query("UPDATE outbox_events SET dispatched_at = $1 WHERE seq = $2",
                              {now, event.sequence});
      if (!marked) return marked.error();
    }
    if (auto c = tx->commit(); !c) return c.error();
    return static_cast<int>(pending->rows.size());
  }

  // Claims up to `limit` due jobs of kinds this process handles.
  Result<std::vector<Job>> claim(int limit, std::chrono::seconds lease) {
    if (handlers.empty()) return std::vector<Job>{};
    auto now = clock.now();
    db::Params params{this_node(), to_iso8601(now + lease), to_iso8601(now), int64_t{limit}};
    std::string kinds;
    for (const auto& [name, handler] : handlers) {
      params.push_back(name);
      kinds += (kinds.empty() ? "$" : ", $") + std::to_string(params.size());
    }
    std::string pick =
        "SELECT id FROM jobs WHERE ((status = 'ready' AND run_at <= $3) OR "
        "(status = 'running' AND locked_until < $3)) AND kind IN (" +
        kinds + ") ORDER BY run_at LIMIT $4";
    if (is_postgres()) pick += " FOR UPDATE SKIP LOCKED";
    auto claimed = database.query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, "
        "locked_until = $2, updated_at = $3 WHERE id IN (" +
            pick + ") RETURNING " + kJobColumns,
        params);
    if (!claimed) return claimed.error();
    std::vector<Job> out;
    for (const auto& row : claimed->rows) out.push_back(job_from(row));
    std::sort(out.begin(), out.end(),
              [](const Job& a, const Job& b) { return a.run_at < b.run_at; });
    return out;
  }

  // Runs one claimed job and records the outcome.
  void run(const Job& job) {
    auto found = handlers.find(job.kind);
    Result<void> outcome = Error::internal("no handler");
    if (found != handlers.end()) {
      try {
        outcome = found->second.run(job);
      } catch (const std::exception& e) {
        outcome = Error::internal(std::string("handler threw: ") + e.what());
      }
    }
    auto now = clock.now();
    Result<db::QueryResult> recorded = db::QueryResult{};
    if (outcome) {
      recorded = database.query(
          "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, "
          "last_error = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3",
          {to_iso8601(now), job.id, this_node()});
      count("fff_jobs_done_total", "Jobs that ran to completion, by kind.", job.kind);
    } else {
      const auto& error = outcome.error();
      std::string message = error.code + ": " + error.message;
      bool dead = job.attempts >= job.max_attempts;
      RetryPolicy policy = found != handlers.end() ? found->second.retry : RetryPolicy{};
      auto next = now + backoff(policy, job.attempts);
      recorded = database.query(
          "UPDATE jobs SET status = $1, run_at = $2, locked_by = NULL, locked_until = NULL, "
          "last_error = $3, updated_at = $4 WHERE id = $5 AND locked_by = $6",
          {std::string(dead ? "dead" : "ready"), to_iso8601(dead ? now : next), message,
           to_iso8601(now), job.id, this_node()});
      (dead ? log::error : log::warn)(
          dead ? "job dead" : "job failed, will retry",
          {{"job_id", job.id}, {"kind", job.kind}, {"attempt", job.attempts}, {"error", message}});
      count(dead ? "fff_jobs_dead_total" : "fff_jobs_failed_total",
            dead ? "Jobs given up after their last attempt, by kind."
                 : "Job attempts that failed and will be retried, by kind.",
            job.kind);
    }
    if (!recorded)
      log::warn("job outcome not recorded (it will run again after its lease)",
                {{"job_id", job.id}, {"error", recorded.error().message}});
  }

  // Runs the schedules that are due and that this node wins.
  void run_schedules() {
    for (const auto& s : schedules) {
      auto now = clock.now();
      auto won = database.query(
          "UPDATE job_schedules SET next_run_at = $1, last_node = $2 "
          "WHERE name = $3 AND next_run_at <= $4",
          {to_iso8601(now + s.interval), this_node(), s.name, to_iso8601(now)});
      if (!won) {
        log::warn("schedule not checked", {{"name", s.name}, {"error", won.error().message}});
        continue;
      }
      if (won->affected != 1) continue;
      Result<void> done = Error::internal("not run");
      try {
        done = s.task();
      } catch (const std::exception& e) {
        done = Error::internal(e.what());
      }
      if (!done)
        log::warn("scheduled task failed",
                  {{"name", s.name}, {"error", done.error().code + ": " + done.error().message}});
    }
  }

  Result<void> register_schedules() {
    for (const auto& s : schedules) {
      auto r = database.query(
          "INSERT INTO job_schedules (name, next_run_at) VALUES ($1, $2) "
          "ON CONFLICT (name) DO NOTHING",
          {s.name, now_text()});
      if (!r) return r.error();
    }
    return {};
  }

  // Hands new outbox events to this node's listeners. Returns how many.
  Result<int> tail_once() {
    auto found = database.query(std::string("SELECT ") + kEventColumns +
                                    " FROM outbox_events WHERE seq > $1 ORDER BY seq LIMIT 500",
                                {tail_low});
    if (!found) return found.error();
    int handed = 0;
    for (const auto& row : found->rows) {
      Event event = event_from(row);
      if (!tail_seen.insert(event.sequence).second) continue;
      ++handed;
      for (const auto& l : listeners) {
        if (!topic_matches(l.topics, event.topic)) continue;
        try {
          l.run(event);
        } catch (const std::exception& e) {
          log::warn("event listener threw", {{"topic", event.topic}, {"error", e.what()}});
        }
      }
    }
    // Move the low-water mark over every contiguous number seen; wait kGapPatience for a gap.
    while (!tail_seen.empty()) {
      auto first = *tail_seen.begin();
      if (first == tail_low + 1) {
        tail_low = first;
        tail_seen.erase(tail_seen.begin());
        gap_since.reset();
        continue;
      }
      auto now = std::chrono::steady_clock::now();
      if (!gap_since) gap_since = now;
      if (now - *gap_since < kGapPatience) break;
      tail_low = first - 1;  // the missing numbers never committed
    }
    return handed;
  }

  Result<void> start_tail() {
    auto last = database.query("SELECT COALESCE(MAX(seq), 0) FROM outbox_events");
    if (!last) return last.error();
    tail_low = last->rows.at(0).int64(0);
    return {};
  }

  Result<void> prune() {
    auto cutoff = to_iso8601(clock.now() - kRetention);
    auto jobs =
        database.query("DELETE FROM jobs WHERE status = 'done' AND updated_at < $1", {cutoff});
    if (!jobs) return jobs.error();
    auto events = database.query(
        "DELETE FROM outbox_events WHERE dispatched_at IS NOT NULL AND created_at < $1", {cutoff});
    if (!events) return events.error();
    return {};
  }

  bool sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [this] { return stopping; });
    return !stopping;
  }

  void worker_loop() {
    while (!stopping) {
      // A few at a time: one claim statement per batch instead of per job (SQLite has one
      // writer, and the shop's requests need it too).
      auto jobs = claim(4, options.lease);
      if (!jobs) {
        log::warn("jobs not claimed", {{"error", jobs.error().message}});
        if (!sleep_for(1s)) return;
        continue;
      }
      if (jobs->empty()) {
        if (!sleep_for(options.poll)) return;
        continue;
      }
      for (const auto& j : *jobs) run(j);
    }
  }

  // The queue's depth as gauges for /metrics (alert on a growing dead count or backlog).
  void publish_depth() {
    if (!metrics) return;
    auto c = counts_now();
    if (!c) return;
    metrics->gauge("fff_outbox_events_pending", "Outbox events not yet dispatched.")
        .set(c->events_pending);
    const char* help = "Jobs by status.";
    metrics->gauge("fff_jobs", help, {{"status", "ready"}}).set(c->ready);
    metrics->gauge("fff_jobs", help, {{"status", "running"}}).set(c->running);
    metrics->gauge("fff_jobs", help, {{"status", "dead"}}).set(c->dead);
  }

  Result<QueueCounts> counts_now() {
    QueueCounts c;
    auto pending = database.query("SELECT COUNT(*) FROM outbox_events WHERE dispatched_at IS NULL");
    if (!pending) return pending.error();
    c.events_pending = pending->rows.at(0).int64(0);
    auto rows = database.query("SELECT status, COUNT(*) FROM jobs GROUP BY status");
    if (!rows) return rows.error();
    for (const auto& row : rows->rows) {
      const auto& status = row.text(0);
      int64_t n = row.int64(1);
      if (status == "ready") c.ready = n;
      if (status == "running") c.running = n;
      if (status == "done") c.done = n;
      if (status == "dead") c.dead = n;
    }
    return c;
  }

  void dispatcher_loop() {
    auto next_prune = std::chrono::steady_clock::now();
    auto next_depth = std::chrono::steady_clock::now();
    while (!stopping) {
      auto moved = dispatch(200);
      if (!moved) log::warn("events not dispatched", {{"error", moved.error().message}});
      run_schedules();
      if (std::chrono::steady_clock::now() >= next_depth) {
        publish_depth();
        next_depth = std::chrono::steady_clock::now() + 10s;
      }
      if (std::chrono::steady_clock::now() >= next_prune) {
        if (auto p = prune(); !p) log::warn("jobs not pruned", {{"error", p.error().message}});
        next_prune = std::chrono::steady_clock::now() + 1h;
      }
      if (moved && *moved > 0) {
        wake.notify_all();  // new jobs for the workers
        continue;
      }
      if (!sleep_for(options.poll)) return;
    }
  }

  void tail_loop() {
    while (!stopping) {
      auto handed = tail_once();
      if (!handed) log::warn("outbox not read", {{"error", handed.error().message}});
      if (handed && *handed > 0) continue;
      if (!sleep_for(options.poll)) return;
    }
  }
};

JobQueue::JobQueue(db::Database& database, const Clock& clock, MetricsRegistry* metrics)
    : state_(std::make_unique<State>(database, clock, metrics)) {}
JobQueue::~JobQueue() {
  stop();
}

void JobQueue::subscribe(const std::string& name, std::vector<std::string> topics,
                         JobHandler handler, RetryPolicy retry,
                         std::function<bool(std::string_view topic)> wants) {
  if (topics.empty()) topics.push_back("*");
  state_->handlers[name] = {std::move(handler), retry, std::move(topics), std::move(wants)};
}
void JobQueue::handle(const std::string& kind, JobHandler handler, RetryPolicy retry) {
  state_->handlers[kind] = {std::move(handler), retry, {}, nullptr};
}
void JobQueue::every(const std::string& name, std::chrono::milliseconds interval,
                     std::function<Result<void>()> task) {
  state_->schedules.push_back({name, interval, std::move(task)});
}
void JobQueue::on_event(std::vector<std::string> topics,
                        std::function<void(const Event&)> listener) {
  state_->listeners.push_back({std::move(topics), std::move(listener)});
}

Result<std::string> JobQueue::enqueue(db::Transaction& tx, std::string_view kind,
                                      std::string payload, std::optional<Timestamp> run_at) {
  auto found = state_->handlers.find(std::string(kind));
  if (found == state_->handlers.end()) {
    tx.rollback();
    return Error::invalid("unknown_job_kind", "no handler for job kind " + std::string(kind));
  }
  auto now = state_->now_text();
  auto id = Uuid::v7().str();
  auto inserted = tx.query(
      "INSERT INTO jobs (id, kind, payload, status, max_attempts, run_at, created_at, updated_at) "
      "VALUES ($1, $2, $3, 'ready', $4, $5, $6, $6)",
      {id, std::string(kind), std::move(payload), int64_t{found->second.retry.max_attempts},
       run_at ? to_iso8601(*run_at) : now, now});
  if (!inserted) return inserted.error();
  return id;
}

Result<std::string> JobQueue::enqueue(std::string_view kind, std::string payload,
                                      std::optional<Timestamp> run_at) {
  auto tx = state_->database.begin();
  if (!tx) return tx.error();
  auto id = enqueue(*tx, kind, std::move(payload), run_at);
  if (!id) return id;
  if (auto c = tx->commit(); !c) return c.error();
  state_->wake.notify_all();
  return id;
}

void JobQueue::start(const WorkerOptions& options) {
  auto& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    if (s.running) return;
    s.running = true;
    s.stopping = false;
    s.options = options;
  }
  if (options.tail_events && !s.listeners.empty()) {
    if (auto t = s.start_tail(); !t)
      log::warn("outbox tail starts from the beginning", {{"error", t.error().message}});
    s.threads.emplace_back([&s] { s.tail_loop(); });
  }
  if (options.run_jobs) {
    if (auto r = s.register_schedules(); !r)
      log::warn("schedules not registered", {{"error", r.error().message}});
    s.threads.emplace_back([&s] { s.dispatcher_loop(); });
    for (int i = 0; i < std::max(1, options.threads); ++i)
      s.threads.emplace_back([&s] { s.worker_loop(); });
  }
  log::info("job queue started", {{"node", this_node()},
                                  {"workers", options.run_jobs ? options.threads : 0},
                                  {"tail", options.tail_events}});
}

void JobQueue::stop() {
  auto& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    if (!s.running) return;
    s.stopping = true;
  }
  s.wake.notify_all();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  std::lock_guard lock(s.mutex);
  s.running = false;
}

Result<int> JobQueue::run_due(int max_jobs) {
  auto& s = *state_;
  for (;;) {
    auto moved = s.dispatch(200);
    if (!moved) return moved.error();
    if (*moved == 0) break;
  }
  int ran = 0;
  while (ran < max_jobs) {
    auto jobs = s.claim(1, std::chrono::seconds(60));
    if (!jobs) return jobs.error();
    if (jobs->empty()) break;
    for (const auto& j : *jobs) {
      s.run(j);
      ++ran;
    }
  }
  return ran;
}

Result<int> JobQueue::run_schedules_once() {
  state_->run_schedules();
  return static_cast<int>(state_->schedules.size());
}

Result<void> JobQueue::register_schedules() {
  return state_->register_schedules();
}

Result<int> JobQueue::tail_once() {
  return state_->tail_once();
}
Result<void> JobQueue::start_tail() {
  return state_->start_tail();
}

Result<std::vector<Job>> JobQueue::list(const JobFilter& filter) {
  std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE 1 = 1";
  db::Params params;
  if (filter.status) {
    params.push_back(*filter.status);
    sql += " AND status = $" + std::to_string(params.size());
  }
  if (filter.kind) {
    params.push_back(*filter.kind);
    sql += " AND kind = $" + std::to_string(params.size());
  }
  if (filter.before_id) {
    params.push_back(*filter.before_id);
    sql += " AND id < $" + std::to_string(params.size());
  }
  params.push_back(int64_t{std::clamp(filter.limit, 1, 200)});
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
  auto rows = state_->database.query(sql, params);
  if (!rows) return rows.error();
  std::vector<Job> out;
  for (const auto& row : rows->rows) out.push_back(job_from(row));
  return out;
}

Result<Job> JobQueue::find(const std::string& id) {
  Uuid parsed;
  if (!Uuid::parse(id, parsed)) return Error::not_found("job_not_found", "no job " + id);
  auto rows = state_->database.query(
      std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = $1", {id});
  if (!rows) return rows.error();
  if (rows->rows.empty()) return Error::not_found("job_not_found", "no job " + id);
  return job_from(rows->rows.front());
}

Result<Job> JobQueue::retry(const std::string& id) {
  auto job = find(id);
  if (!job) return job.error();
  auto now = state_->now_text();
  // Only a dead job, or one waiting for its next attempt, can be made due again; the condition
  // sits in the update so a worker claiming it meanwhile wins cleanly.
  auto updated = state_->database.query(
      "UPDATE jobs SET status = 'ready', attempts = 0, run_at = $1, updated_at = $1 "
      "WHERE id = $2 AND (status = 'dead' OR (status = 'ready' AND attempts > 0))",
      {now, id});
  if (!updated) return updated.error();
  if (updated->affected != 1)
    return Error::conflict("job_not_retryable",
                           "job " + id + " is " + job->status +
                               ": only a dead job or one waiting to retry can be retried");
  state_->wake.notify_all();
  return find(id);
}

Result<QueueCounts> JobQueue::counts() {
  return state_->counts_now();
}

const std::string& JobQueue::node() const {
  return this_node();
}

}  // namespace fff::jobs
