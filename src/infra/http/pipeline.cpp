#include "infra/http/pipeline.hpp"

#include <chrono>
#include <exception>
#include <unordered_map>

#include "core/id.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "infra/http/problem.hpp"

namespace fff::http {

Response Next::operator()(Request& request) const {
  if (index_ < pipeline_->middlewares_.size())
    return pipeline_->middlewares_[index_](request, Next(pipeline_, index_ + 1, terminal_));
  return (*terminal_)(request);
}

Response Pipeline::run(Request& request, const Handler& terminal) const {
  return Next(this, 0, &terminal)(request);
}

namespace {

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Middleware request_id() {
  return [](Request& req, const Next& next) {
    auto given = req.headers.get("X-Request-Id");
    req.request_id = given && sane_request_id(*given) ? std::string(*given) : new_id();
    Response res = next(req);
    res.headers.set("X-Request-Id", req.request_id);
    return res;
  };
}

namespace {

// Methods are a closed set in the metrics so that a client sending random method tokens cannot
// grow the registry without bound (the access log still shows the method as sent).
int method_index(std::string_view m) {
  static constexpr std::string_view known[] = {"GET",   "HEAD",   "POST",   "PUT",
                                               "PATCH", "DELETE", "OPTIONS"};
  for (int i = 0; i < 7; ++i)
    if (m == known[i]) return i;
  return 7;
}
constexpr std::string_view kMethodLabels[] = {"GET",   "HEAD",   "POST",    "PUT",
                                              "PATCH", "DELETE", "OPTIONS", "OTHER"};

// The series a request lands in, looked up in the registry once per thread and then kept:
// the registry's lookup builds label strings under a lock, too slow for every request.
struct RequestSeries {
  Counter* requests = nullptr;
  Histogram* duration = nullptr;
};

RequestSeries& series_for(MetricsRegistry& metrics, const Route* route, int method, int status) {
  struct Key {
    const MetricsRegistry* registry;
    const Route* route;
    int method;
    int status;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      size_t h = std::hash<const void*>()(k.route) ^ (std::hash<const void*>()(k.registry) << 1);
      return h ^ (static_cast<size_t>(k.method) << 16) ^ (static_cast<size_t>(k.status) << 24);
    }
  };
  thread_local std::unordered_map<Key, RequestSeries, KeyHash> cache;
  auto [it, inserted] = cache.try_emplace(Key{&metrics, route, method, status});
  if (inserted) {
    std::string route_label = route ? route->pattern : "unmatched";
    std::string method_label(kMethodLabels[method]);
    it->second.requests = &metrics.counter(
        "fff_http_requests_total", "HTTP requests answered, by route, method and status.",
        {{"route", route_label}, {"method", method_label}, {"status", std::to_string(status)}});
    it->second.duration =
        &metrics.histogram("fff_http_request_duration_seconds",
                           "Time from a complete request to its response, by route and method.",
                           {{"route", route_label}, {"method", method_label}});
  }
  return it->second;
}

}  // namespace

Middleware observe(MetricsRegistry& metrics) {
  Gauge& in_flight =
      metrics.gauge("fff_http_in_flight_requests", "Requests being handled right now.");
  return [&metrics, &in_flight](Request& req, const Next& next) {
    auto start = std::chrono::steady_clock::now();
    in_flight.add(1);
    Response res;
    try {
      res = next(req);
    } catch (...) {
      in_flight.add(-1);
      throw;
    }
    in_flight.add(-1);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    RequestSeries& series = series_for(metrics, req.route, method_index(req.method), res.status);
    series.requests->add();
    series.duration->observe(seconds);
    if (log::enabled(log::Level::info))
      log::info("request",
                {{"request_id", req.request_id},
                 {"method", req.method.empty() ? std::string_view("-") : req.method},
                 {"route", req.route_pattern()},
                 {"path", req.route && req.route->options.secret_path ? req.route_pattern()
                                                                      : std::string_view(req.path)},
                 {"status", res.status},
                 {"duration_ms", seconds * 1000.0},
                 {"bytes", static_cast<uint64_t>(res.body.size())},
                 {"remote", req.client_address}});
    return res;
  };
}

Middleware security_headers() {
  return [](Request& req, const Next& next) {
    Response res = next(req);
    res.headers.set("X-Content-Type-Options", "nosniff");
    res.headers.set("X-Frame-Options", "DENY");
    res.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
    res.headers.set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src "
                    "'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                    "frame-ancestors 'none'");
    res.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (!res.headers.has("Cache-Control")) res.headers.set("Cache-Control", "no-store");
    // Only over TLS: a browser told this over plain HTTP would ignore it anyway, and a shop
    // tried out on http://localhost must not pin itself to HTTPS.
    if (req.secure) res.headers.set("Strict-Transport-Security", "max-age=31536000");
    return res;
  };
}

Middleware barrier() {
  return [](Request& req, const Next& next) {
    try {
      return next(req);
    } catch (const std::exception& e) {
      log::error(
          "handler failed",
          {{"request_id", req.request_id}, {"route", req.route_pattern()}, {"error", e.what()}});
    } catch (...) {
      log::error(
          "handler failed",
          {{"request_id", req.request_id}, {"route", req.route_pattern()}, {"error", "unknown"}});
    }
    return problem(Error::internal("handler threw"), req.request_id, 500);
  };
}

}  // namespace fff::http
