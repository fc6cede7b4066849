#include "infra/jobs/queue.hpp"

#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "core/id.hpp"

namespace fff::jobs {
namespace json = boost::json;

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
  Event event{Uuid::v7().str(), 0, std::string(topic), std::string(subject), std::move(data), now};
  auto inserted = tx.query(
      "INSERT INTO outbox_events (id, topic, subject, data, created_at) VALUES ($1, $2, $3, $4, "
      "$5) "
      "RETURNING seq",
      {event.id, event.topic, event.subject, event.data, to_iso8601(now)});
  if (!inserted) return inserted.error();
  event.sequence = inserted->rows.at(0).int64(0);
  return event;
}

struct JobQueue::State {
  State(db::Database& d, const Clock& c, MetricsRegistry* m) : database(d), clock(c), metrics(m) {}
  db::Database& database;
  const Clock& clock;
  MetricsRegistry* metrics;
  struct Handler {
    JobHandler run;
    RetryPolicy retry;
    std::vector<std::string> topics;  // empty: enqueued directly
  };
  std::map<std::string, Handler> handlers;
  std::string node = "node";
};

JobQueue::JobQueue(db::Database& database, const Clock& clock, MetricsRegistry* metrics)
    : state_(std::make_unique<State>(database, clock, metrics)) {}
JobQueue::~JobQueue() {
  stop();
}

void JobQueue::subscribe(const std::string& name, std::vector<std::string> topics,
                         JobHandler handler, RetryPolicy retry) {
  state_->handlers[name] = {std::move(handler), retry, std::move(topics)};
}
void JobQueue::handle(const std::string& kind, JobHandler handler, RetryPolicy retry) {
  state_->handlers[kind] = {std::move(handler), retry, {}};
}
void JobQueue::every(const std::string&, std::chrono::milliseconds, std::function<Result<void>()>) {
}
void JobQueue::on_event(std::vector<std::string>, std::function<void(const Event&)>) {}

Result<std::string> JobQueue::enqueue(db::Transaction& tx, std::string_view kind,
                                      std::string payload, std::optional<Timestamp> run_at) {
  auto found = state_->handlers.find(std::string(kind));
  if (found == state_->handlers.end()) {
    tx.rollback();
    return Error::invalid("unknown_job_kind", "no handler for job kind " + std::string(kind));
  }
  auto now = to_iso8601(state_->clock.now());
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
  return id;
}

// TODO(lead, this session): dispatcher, workers, schedules, tail, staff listing.
void JobQueue::start(const WorkerOptions&) {}
void JobQueue::stop() {}
Result<int> JobQueue::run_due(int) {
  return 0;
}
Result<std::vector<Job>> JobQueue::list(const JobFilter&) {
  return std::vector<Job>{};
}
Result<Job> JobQueue::find(const std::string& id) {
  return Error::not_found("job_not_found", "no job " + id);
}
Result<Job> JobQueue::retry(const std::string& id) {
  return Error::not_found("job_not_found", "no job " + id);
}
Result<QueueCounts> JobQueue::counts() {
  return QueueCounts{};
}
const std::string& JobQueue::node() const {
  return state_->node;
}

}  // namespace fff::jobs
