// infra/http/pipeline: the middleware chain every request goes through, including requests the
// server refuses itself (431, 413, 408, 503) so that they too get a request id, security
// headers, an access-log line and metrics.
#pragma once

#include <functional>
#include <vector>

#include "infra/http/message.hpp"
#include "infra/http/router.hpp"

namespace fff {
class MetricsRegistry;
}

namespace fff::http {

class Pipeline;

// Calls the rest of the chain. Cheap to copy; valid only during the call that received it.
class Next {
 public:
  Response operator()(Request& request) const;

 private:
  friend class Pipeline;
  Next(const Pipeline* p, size_t i, const Handler* t) : pipeline_(p), index_(i), terminal_(t) {}
  const Pipeline* pipeline_;
  size_t index_;
  const Handler* terminal_;
};

using Middleware = std::function<Response(Request&, const Next&)>;

class Pipeline {
 public:
  // REQUIRES: all use() calls happen before the first run(). run() is thread-safe.
  void use(Middleware middleware) { middlewares_.push_back(std::move(middleware)); }
  // Runs every middleware in order, then `terminal` (the route's handler, or a problem).
  Response run(Request& request, const Handler& terminal) const;

 private:
  friend class Next;
  std::vector<Middleware> middlewares_;
};

// The standard chain, in the order the app installs them.

// Accepts a sane X-Request-Id (1–128 of [A-Za-z0-9._:-]) or makes a UUIDv7; echoes it.
Middleware request_id();
// One JSON access-log line per request (id, method, route, status, duration, bytes, remote)
// and the request metrics: fff_http_requests_total{route,method,status},
// fff_http_request_duration_seconds{route,method}, fff_http_in_flight_requests.
// Never logs headers, cookies, query strings or bodies.
Middleware observe(MetricsRegistry& metrics);
// X-Content-Type-Options, Referrer-Policy, X-Frame-Options, Content-Security-Policy (no inline
// script, frame-ancestors 'none'), Permissions-Policy, Strict-Transport-Security when the
// client came over TLS; Cache-Control: no-store unless the handler set caching.
Middleware security_headers();
// Turns an exception escaping a handler into a 500 problem carrying the request id, and logs
// the cause; the server keeps serving.
Middleware barrier();

}  // namespace fff::http
