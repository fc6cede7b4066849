// The only translation unit that includes Beast and Asio's heavy headers (with
// boost_sources.cpp, which compiles their separate-compilation sources once).
#include "infra/http/server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "infra/http/problem.hpp"

namespace fff::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto tok = asio::as_tuple(asio::use_awaitable);

// What a connection is doing, so that shutdown knows which ones it may close at once.
enum class Phase { waiting, reading, handling, writing };

struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
  Phase phase = Phase::waiting;
  bool timed_out = false;
  std::string remote;
};

// Starts a deadline: when it passes, pending socket operations are cancelled and `timed_out`
// tells the session why. Runs on the connection's strand, like the session itself.
void arm(const std::shared_ptr<Connection>& c, std::chrono::milliseconds d) {
  c->timed_out = false;
  c->timer.expires_after(d);
  c->timer.async_wait([weak = std::weak_ptr<Connection>(c)](error_code ec) {
    if (ec) return;  // re-armed or cancelled
    if (auto conn = weak.lock()) {
      conn->timed_out = true;
      error_code ignored;
      conn->socket.cancel(ignored);
    }
  });
}

void disarm(const std::shared_ptr<Connection>& c) {
  c->timer.cancel();
}

bool is_parse_error(const error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions o, const Router& r, const Pipeline& p, MetricsRegistry& m)
      : options_(std::move(o)),
        router_(r),
        pipeline_(p),
        metrics_(m),
        io_(options_.io_threads),
        acceptor_(asio::make_strand(io_)),
        pool_(static_cast<size_t>(options_.handler_threads)) {
    metrics_.gauge_callback("fff_http_handler_queue_depth",
                            "Requests waiting for a handler thread.",
                            [this] { return static_cast<double>(waiting_.load()); });
    metrics_.gauge_callback("fff_http_open_connections", "Open client connections.",
                            [this] { return static_cast<double>(open_.load()); });
  }

  ~Impl() {
    pool_.stop();
    pool_.join();
  }

  std::string listen() {
    error_code ec;
    auto address = asio::ip::make_address(options_.host, ec);
    if (ec) throw std::runtime_error("invalid listen host '" + options_.host + "'");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      throw std::runtime_error("cannot listen on " + options_.host + ":" +
                               std::to_string(options_.port) + ": " + ec.message());
    auto bound = acceptor_.local_endpoint();
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
      if (e) log_exception("accept loop", e);
    });
    std::string host = bound.address().to_string();
    if (bound.address().is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(bound.port());
  }

  bool run(bool handle_signals) {
    std::unique_ptr<asio::signal_set> signals;
    if (handle_signals) {
      signals = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
      signals->async_wait([this](error_code ec, int sig) {
        if (ec) return;
        log::info("shutdown requested", {{"signal", sig}});
        stop();
      });
    }
    std::vector<std::thread> threads;
    for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { io_.run(); });
    io_.run();
    for (auto& t : threads) t.join();
    if (signals) signals.reset();
    return clean_;
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [this] { begin_shutdown(); });
  }

  size_t queue_depth() const { return waiting_.load(); }
  size_t open() const { return open_.load(); }

 private:
  static void log_exception(const char* where, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("unexpected exception", {{"where", where}, {"error", ex.what()}});
    } catch (...) {
      log::error("unexpected exception", {{"where", where}});
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto strand = asio::make_strand(io_);
      auto [ec, socket] = co_await acceptor_.async_accept(strand, tok);
      if (draining_) co_return;
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors and the like: back off briefly instead of spinning.
        log::warn("accept failed", {{"error", ec.message()}});
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(tok);
        continue;
      }
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto conn = std::make_shared<Connection>(std::move(socket));
      auto ep = conn->socket.remote_endpoint(ignored);
      conn->remote = ignored ? std::string("-") : ep.address().to_string();
      if (open_.load() >= options_.limits.max_connections) {
        rejected("too_many_connections").add();
        asio::co_spawn(strand, refuse(conn), asio::detached);
        continue;
      }
      open_.fetch_add(1);
      uint64_t id = next_id_++;
      {
        std::lock_guard lock(connections_mutex_);
        connections_[id] = conn;
      }
      asio::co_spawn(strand, session(conn), [this, id](std::exception_ptr e) {
        if (e) log_exception("session", e);
        {
          std::lock_guard lock(connections_mutex_);
          connections_.erase(id);
        }
        open_.fetch_sub(1);
      });
    }
  }

  Counter& rejected(const std::string& reason) {
    return metrics_.counter("fff_http_rejected_total",
                            "Requests or connections refused by a server limit, by reason.",
                            {{"reason", reason}});
  }

  // Over the connection cap: a short 503 and close, without reading the request.
  asio::awaitable<void> refuse(std::shared_ptr<Connection> c) {
    Request req;
    req.remote_address = c->remote;
    req.client_address = c->remote;
    Response res = reject(req, 503, "too_many_connections",
                          "the server has too many open connections; retry shortly");
    res.headers.set("Retry-After", "1");
    co_await write(c, res, false, false);
    co_await close_lingering(c);
  }

  // A refused request still goes through the middleware chain (request id, headers, log).
  Response reject(Request& req, int status, const char* code, std::string message) {
    Error error{ErrorKind::invalid, code, std::move(message), {}};
    Handler terminal = [&](const Request& r) { return problem(error, r.request_id, status); };
    return pipeline_.run(req, terminal);
  }

  asio::awaitable<void> session(std::shared_ptr<Connection> c) {
    const auto& limits = options_.limits;
    for (bool first = true;; first = false) {
      // Between requests on a kept-alive connection, wait for the next one's first byte under
      // the idle deadline; the header deadline starts once the client begins to send. A new
      // connection has no such grace: its first head must arrive within the header deadline
      // from accept, so silent connections cannot hold slots for long.
      c->phase = Phase::waiting;
      if (draining_) break;
      if (!first && c->buffer.size() == 0) {
        arm(c, limits.idle_timeout);
        auto [ec] = co_await c->socket.async_wait(tcp::socket::wait_read, tok);
        if (ec || draining_) break;  // idle timeout, shutdown, or a dead socket: close quietly
      }

      c->phase = Phase::reading;
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(limits.header_bytes));
      parser.body_limit(limits.body_bytes);
      arm(c, limits.header_timeout);
      auto [hec, hn] = co_await bhttp::async_read_header(c->socket, c->buffer, parser, tok);
      if (hec) {
        co_await answer_read_error(c, hec, parser.got_some());
        break;
      }

      Request req;
      req.remote_address = c->remote;
      req.client_address = c->remote;
      const auto& head = parser.get();
      req.method = std::string(head.method_string());
      req.target = std::string(head.target());
      if (req.target.empty() || req.target[0] != '/') {
        co_await fail(c, req, 400, "bad_request", "the request target must be an absolute path");
        break;
      }
      size_t q = req.target.find('?');
      req.path = req.target.substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);

      RouteMatch match = router_.match(req.method, req.path);
      // A route's own limit replaces the server-wide default: JSON routes keep the small
      // default, while an upload route names the larger body it is built for.
      size_t body_limit = limits.body_bytes;
      if (match.route && match.route->options.body_limit)
        body_limit = match.route->options.body_limit;
      if (auto length = parser.content_length(); length && *length > body_limit) {
        co_await fail(c, req, 413, "body_too_large",
                      "the request body exceeds " + std::to_string(body_limit) + " bytes");
        break;
      }
      if (!parser.is_done()) {
        parser.body_limit(body_limit);
        if (auto expect = head[bhttp::field::expect]; iequals(expect, "100-continue")) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          arm(c, limits.write_timeout);
          auto [wec, wn] = co_await asio::async_write(c->socket, asio::buffer(kContinue), tok);
          if (wec) break;
        }
        arm(c, limits.body_timeout);
        auto [bec, bn] = co_await bhttp::async_read(c->socket, c->buffer, parser, tok);
        if (bec) {
          if (bec == bhttp::error::body_limit) {
            co_await fail(c, req, 413, "body_too_large",
                          "the request body exceeds " + std::to_string(body_limit) + " bytes");
          } else {
            co_await answer_read_error(c, bec, true, &req);
          }
          break;
        }
      }
      disarm(c);

      auto message = parser.release();
      for (const auto& field : message) req.headers.add(field.name_string(), field.value());
      req.body = std::move(message.body());
      req.keep_alive = message.keep_alive();
      const bool head_request = message.method() == bhttp::verb::head;

      c->phase = Phase::handling;
      Response res;
      if (match.bad_path) {
        res = reject(req, 400, "bad_request", "the path has an invalid percent-escape");
      } else if (match.outcome == RouteMatch::Outcome::not_found) {
        res = terminal_problem(req, 404, "not_found", "no resource at " + req.path);
      } else if (match.outcome == RouteMatch::Outcome::method_not_allowed) {
        res = terminal_problem(req, 405, "method_not_allowed",
                               req.method + " is not allowed here; allowed: " + match.allow);
        res.headers.set("Allow", match.allow);
      } else {
        req.route = match.route;
        req.path_params = std::move(match.params);
        res = co_await handle(req);
      }

      c->phase = Phase::writing;
      bool keep = req.keep_alive && !draining_;
      if (!co_await write(c, res, head_request, keep)) break;
      if (!keep) break;
    }
    co_await close_lingering(c);
  }

  Response terminal_problem(Request& req, int status, const char* code, std::string message) {
    return reject(req, status, code, std::move(message));
  }

  // Runs the pipeline on the handler pool, or refuses with 503 when too many already wait.
  asio::awaitable<Response> handle(Request& req) {
    if (waiting_.load() >= options_.handler_queue) {
      rejected("overloaded").add();
      Response res = reject(req, 503, "overloaded", "the server is busy; retry in a moment");
      res.headers.set("Retry-After", "1");
      co_return res;
    }
    waiting_.fetch_add(1);
    Response res = co_await asio::co_spawn(
        pool_.get_executor(),
        [this, &req]() -> asio::awaitable<Response> {
          waiting_.fetch_sub(1);
          const Handler& handler = req.route->handler;
          co_return pipeline_.run(req, handler);
        },
        asio::use_awaitable);
    co_return res;
  }

  // Answers a request the server refuses and marks the connection for closing.
  asio::awaitable<void> fail(std::shared_ptr<Connection> c, Request& req, int status,
                             const char* code, std::string message) {
    disarm(c);
    rejected(code).add();
    Response res = reject(req, status, code, std::move(message));
    co_await write(c, res, false, false);
  }

  asio::awaitable<void> answer_read_error(std::shared_ptr<Connection> c, error_code ec,
                                          bool got_some, Request* partial = nullptr) {
    Request fallback;
    fallback.remote_address = c->remote;
    fallback.client_address = c->remote;
    Request& req = partial ? *partial : fallback;
    if (c->timed_out) {
      // Slow clients get a 408; a client that never started a request is simply closed.
      if (got_some)
        co_await fail(c, req, 408, "request_timeout",
                      "the request did not arrive in time; the connection is closed");
      co_return;
    }
    if (ec == bhttp::error::header_limit) {
      co_await fail(
          c, req, 431, "headers_too_large",
          "the request headers exceed " + std::to_string(options_.limits.header_bytes) + " bytes");
    } else if (ec == bhttp::error::body_limit) {
      co_await fail(c, req, 413, "body_too_large", "the request body is too large");
    } else if (is_parse_error(ec) && !draining_) {
      co_await fail(c, req, 400, "bad_request",
                    "the request is not valid HTTP/1.1: " + ec.message());
    }
    // Anything else (reset, EOF, cancelled by shutdown): nobody to answer.
  }

  // Writes `res` under the write deadline. False when the connection is unusable afterwards.
  asio::awaitable<bool> write(std::shared_ptr<Connection> c, const Response& res, bool head,
                              bool keep_alive) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
    for (const auto& [name, value] : res.headers) out.insert(name, value);
    out.keep_alive(keep_alive);
    if (head) {
      out.content_length(res.body.size());  // the GET body's length, no body (RFC 9110 9.3.2)
    } else {
      out.body() = res.body;
      out.prepare_payload();
    }
    arm(c, options_.limits.write_timeout);
    bhttp::serializer<false, bhttp::string_body> sr{out};
    if (head) sr.split(true);
    error_code ec;
    if (head) {
      std::tie(ec, std::ignore) = co_await bhttp::async_write_header(c->socket, sr, tok);
    } else {
      std::tie(ec, std::ignore) = co_await bhttp::async_write(c->socket, sr, tok);
    }
    disarm(c);
    co_return !ec;
  }

  // Half-closes, then reads and discards what the client is still sending for a moment, so
  // that a client that sent too much receives our answer instead of a connection reset.
  asio::awaitable<void> close_lingering(std::shared_ptr<Connection> c) {
    error_code ec;
    c->socket.shutdown(tcp::socket::shutdown_send, ec);
    if (!ec) {
      arm(c, std::chrono::milliseconds(1000));
      std::array<char, 4096> sink;
      size_t drained = 0;
      while (drained < 1024 * 1024) {
        auto [rec, n] = co_await c->socket.async_read_some(asio::buffer(sink), tok);
        if (rec) break;
        drained += n;
      }
      disarm(c);
    }
    c->socket.close(ec);
  }

  void begin_shutdown() {
    if (draining_.exchange(true)) return;
    error_code ec;
    acceptor_.close(ec);
    deadline_ = std::chrono::steady_clock::now() + options_.shutdown_grace;
    std::vector<std::shared_ptr<Connection>> conns;
    {
      std::lock_guard lock(connections_mutex_);
      for (auto& [id, weak] : connections_)
        if (auto c = weak.lock()) conns.push_back(std::move(c));
    }
    for (auto& c : conns) {
      // On the connection's own strand: close only connections between requests; the others
      // finish their request and see `draining_` before reading another one.
      asio::post(c->socket.get_executor(), [c] {
        if (c->phase == Phase::waiting) {
          error_code ignored;
          c->socket.cancel(ignored);
        }
      });
    }
    log::info("draining", {{"open_connections", static_cast<uint64_t>(open_.load())},
                           {"grace_ms", static_cast<int64_t>(options_.shutdown_grace.count())}});
    drain_timer_ = std::make_unique<asio::steady_timer>(acceptor_.get_executor());
    poll_drained();
  }

  void poll_drained() {
    if (open_.load() == 0) {
      clean_ = true;
      log::info("stopped", {});
      pool_.stop();
      io_.stop();
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline_) {
      clean_ = false;
      log::warn("shutdown grace period passed; abandoning open connections",
                {{"open_connections", static_cast<uint64_t>(open_.load())}});
      io_.stop();
      return;
    }
    drain_timer_->expires_after(std::chrono::milliseconds(20));
    drain_timer_->async_wait([this](error_code ec) {
      if (!ec) poll_drained();
    });
  }

  ServerOptions options_;
  const Router& router_;
  const Pipeline& pipeline_;
  MetricsRegistry& metrics_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::thread_pool pool_;
  std::unique_ptr<asio::steady_timer> drain_timer_;
  std::chrono::steady_clock::time_point deadline_{};
  std::atomic<bool> draining_{false};
  bool clean_ = false;
  std::atomic<size_t> waiting_{0};
  std::atomic<size_t> open_{0};
  uint64_t next_id_ = 1;  // only touched by the accept loop
  std::mutex connections_mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;
};

Server::Server(ServerOptions options, const Router& router, const Pipeline& pipeline,
               MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, pipeline, metrics)) {}
Server::~Server() = default;
std::string Server::listen() {
  return impl_->listen();
}
bool Server::run(bool handle_signals) {
  return impl_->run(handle_signals);
}
void Server::stop() {
  impl_->stop();
}
size_t Server::handler_queue_depth() const {
  return impl_->queue_depth();
}
size_t Server::open_connections() const {
  return impl_->open();
}

}  // namespace fff::http
