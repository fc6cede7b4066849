#include "infra/jobs/staff_api.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "core/id.hpp"
#include "infra/http/json.hpp"
#include "infra/http/problem.hpp"

namespace fff::jobs {
namespace {

namespace json = boost::json;
using http::Request;
using http::Response;

constexpr std::string_view kStatuses[] = {"ready", "running", "done", "dead"};

json::object job_json(const Job& j) {
  boost::system::error_code ec;
  json::value payload = json::parse(j.payload, ec);
  if (ec) payload = j.payload;  // a direct job's payload need not be JSON
  return {{"id", j.id},
          {"kind", j.kind},
          {"status", j.status},
          {"attempts", j.attempts},
          {"max_attempts", j.max_attempts},
          {"run_at", j.run_at},
          {"last_error", j.last_error ? json::value(*j.last_error) : json::value(nullptr)},
          {"event_id", j.event_id ? json::value(*j.event_id) : json::value(nullptr)},
          {"payload", std::move(payload)},
          {"created_at", j.created_at},
          {"updated_at", j.updated_at}};
}

Error bad_parameter(const std::string& name, const std::string& message) {
  return Error::invalid("invalid_parameter", name + " " + message, {{name, message}});
}

Result<JobFilter> filter_from(const Request& req) {
  JobFilter f;
  if (auto status = req.query_param("status")) {
    bool known = false;
    for (auto s : kStatuses) known = known || *status == s;
    if (!known) return bad_parameter("status", "must be one of ready, running, done, dead");
    f.status = *status;
  }
  if (auto kind = req.query_param("kind")) {
    if (kind->empty() || kind->size() > 100)
      return bad_parameter("kind", "must be 1 to 100 characters");
    f.kind = *kind;
  }
  if (auto limit = req.query_param("limit")) {
    int v = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || ptr != limit->data() + limit->size() || v < 1 || v > 200)
      return bad_parameter("limit", "must be a whole number from 1 to 200");
    f.limit = v;
  }
  if (auto before = req.query_param("before")) {
    Uuid id;
    if (!Uuid::parse(*before, id)) return bad_parameter("before", "must be a job id");
    f.before_id = *before;
  }
  return f;
}

}  // namespace

void add_staff_routes(http::Router& router, JobQueue& queue, const http::StaffAccess& access) {
  http::add_staff_route(
      router, access, "settings", "GET", "/api/v1/admin/jobs", [&queue](const Request& req) {
        auto filter = filter_from(req);
        if (!filter) return http::problem(filter.error(), req.request_id);
        auto jobs = queue.list(*filter);
        if (!jobs) return http::problem(jobs.error(), req.request_id);
        auto counts = queue.counts();
        if (!counts) return http::problem(counts.error(), req.request_id);
        json::array items;
        for (const auto& j : *jobs) items.push_back(job_json(j));
        json::value next = nullptr;
        if (static_cast<int>(jobs->size()) == filter->limit) next = json::value(jobs->back().id);
        return http::json_response(
            json::object{{"items", std::move(items)},
                         {"next_before", std::move(next)},
                         {"counts", json::object{{"events_pending", counts->events_pending},
                                                 {"ready", counts->ready},
                                                 {"running", counts->running},
                                                 {"done", counts->done},
                                                 {"dead", counts->dead}}}});
      });
  http::add_staff_route(router, access, "settings", "GET", "/api/v1/admin/jobs/{id}",
                        [&queue](const Request& req) {
                          auto job = queue.find(std::string(req.param("id")));
                          if (!job) return http::problem(job.error(), req.request_id);
                          return http::json_response(job_json(*job));
                        });
  http::add_staff_route(router, access, "settings", "POST", "/api/v1/admin/jobs/{id}/retry",
                        [&queue](const Request& req) {
                          auto job = queue.retry(std::string(req.param("id")));
                          if (!job) return http::problem(job.error(), req.request_id);
                          return http::json_response(job_json(*job));
                        });
}

}  // namespace fff::jobs
