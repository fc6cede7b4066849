// infra/http/server: HTTP/1.1 over Boost.Beast + Asio, with every limit named.
//
// Threads: network I/O runs on `io_threads` Asio threads (one strand per connection); handlers
// run on a separate pool of `handler_threads`, sized for the database. When more than
// `handler_queue` requests wait for a handler thread the server answers 503 + Retry-After at
// once instead of queueing without bound.
//
// Shutdown (SIGINT/SIGTERM or stop()): the listening socket closes, idle connections close,
// requests in flight finish and are answered with `Connection: close`; after `shutdown_grace`
// whatever is left is abandoned.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "infra/http/pipeline.hpp"
#include "infra/http/router.hpp"

namespace fff {
class MetricsRegistry;
}

namespace fff::http {

struct ServerLimits {
  size_t header_bytes = 8 * 1024;   // request line + headers → 431 beyond
  size_t body_bytes = 1024 * 1024;  // default body limit (a route may set its own) → 413
  std::chrono::milliseconds header_timeout{10'000};  // whole head must arrive → 408
  std::chrono::milliseconds body_timeout{30'000};    // whole body must arrive → 408
  std::chrono::milliseconds idle_timeout{30'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};   // slow readers of our response
  size_t max_connections = 1024;                     // beyond: 503 and close
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (tests)
  int io_threads = 1;
  int handler_threads = 4;
  size_t handler_queue = 256;
  std::chrono::milliseconds shutdown_grace{10'000};
  ServerLimits limits;
};

class Server {
 public:
  // `router`, `pipeline` and `metrics` must outlive the server.
  Server(ServerOptions options, const Router& router, const Pipeline& pipeline,
         MetricsRegistry& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. Returns the bound address "host:port". Throws std::runtime_error when the
  // address cannot be bound (a start-up failure).
  std::string listen();

  // Serves until shutdown completes. With `handle_signals`, SIGINT and SIGTERM start a graceful
  // shutdown. Returns true when every request in flight finished within the grace period.
  bool run(bool handle_signals);

  // Starts a graceful shutdown. Thread-safe; idempotent.
  void stop();

  size_t handler_queue_depth() const;
  size_t open_connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fff::http
