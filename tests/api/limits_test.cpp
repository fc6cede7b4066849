// HTTP-level protection and protocol behaviour of `fff serve`, through real sockets against a
// child process: size limits, malformed input, timeouts, connection cap, load shedding, request
// ids, security headers, HEAD and keep-alive. Storage plays no part, so SQLite (the default) only.
#include "limits_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fff::api_limits {
namespace {

HttpResponse get_with_header(uint16_t port, const std::string& target, Header header) {
  HttpConnection conn(port);
  return conn.get(target, {std::move(header)});
}

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// ---------------------------------------------------------------- header and body size limits

TEST(HeaderLimit, HeadersOverTheDefaultLimitGet431AndTheConnectionCloses) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpRequest req;
  req.target = "/healthz";
  req.headers = {{"X-Filler", std::string(9 * 1024, 'a')}};
  ASSERT_TRUE(conn.send(req));
  HttpResponse r = conn.read_response();
  EXPECT_TRUE(is_problem(r, 431, "headers_too_large"));
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

TEST(HeaderLimit, HeadersJustUnderTheDefaultLimitAreServed) {
  ServerProcess server(server_options());
  HttpResponse r =
      get_with_header(server.port(), "/healthz", {"X-Filler", std::string(7 * 1024, 'a')});
  EXPECT_EQ(r.status, 200) << r.describe();
}

TEST(HeaderLimit, LimitFollowsFffHeaderLimit) {
  ServerProcess server(server_options({{"FFF_HEADER_LIMIT", "2048"}}));
  HttpResponse small =
      get_with_header(server.port(), "/healthz", {"X-Filler", std::string(1024, 'a')});
  EXPECT_EQ(small.status, 200) << small.describe();
  HttpResponse big =
      get_with_header(server.port(), "/healthz", {"X-Filler", std::string(3072, 'a')});
  EXPECT_TRUE(is_problem(big, 431, "headers_too_large"));
}

TEST(BodyLimit, BodyAtTheRouteLimitIsAccepted) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse r = conn.request(post_json("/_test/echo", json_of_size(1024)));
  EXPECT_EQ(r.status, 200) << r.describe();
}

TEST(BodyLimit, BodyOneByteOverTheRouteLimitGets413) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse r = conn.request(post_json("/_test/echo", json_of_size(1025)));
  EXPECT_TRUE(is_problem(r, 413, "body_too_large"));
}

TEST(BodyLimit, GlobalLimitBelowTheRouteLimitWins) {
  ServerProcess server(server_options({{"FFF_BODY_LIMIT", "512"}}));
  HttpConnection conn(server.port());
  HttpResponse r = conn.request(post_json("/_test/echo", json_of_size(600)));
  EXPECT_TRUE(is_problem(r, 413, "body_too_large"));
}

TEST(BodyLimit, DeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsSent) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  // Only the head: a server that waited for the megabyte before refusing would time out here.
  ASSERT_TRUE(conn.send_raw(
      "POST /_test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000000\r\n\r\n"));
  HttpResponse r = conn.read_response(Millis(5000));
  EXPECT_TRUE(is_problem(r, 413, "body_too_large"));
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

TEST(BodyLimit, ChunkedBodyOverTheLimitGets413) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  // Two 600-byte chunks exceed the 1024-byte route limit; the last chunk is never sent, so the
  // server must refuse on what it has rather than wait for the end of the body.
  std::string chunk(600, ' ');
  ASSERT_TRUE(conn.send_raw(
      "POST /_test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "258\r\n" +
      chunk +
      "\r\n"
      "258\r\n" +
      chunk + "\r\n"));
  HttpResponse r = conn.read_response(Millis(5000));
  EXPECT_TRUE(is_problem(r, 413, "body_too_large"));
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

TEST(BodyLimit, ChunkedBodyUnderTheLimitIsAccepted) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw(
      "POST /_test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"a\":\r\n"
      "3\r\n42}\r\n"
      "0\r\n\r\n"));
  HttpResponse r = conn.read_response();
  EXPECT_EQ(r.status, 200) << r.describe();
  EXPECT_NE(r.body.find("42"), std::string::npos) << r.describe();
}

// ---------------------------------------------------------------- malformed and unroutable input

TEST(Protocol, MalformedRequestLineGets400AndTheConnectionCloses) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw("THIS IS NOT HTTP\r\n\r\n"));
  HttpResponse r = conn.read_response();
  EXPECT_TRUE(is_problem(r, 400, "bad_request"));
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

TEST(Protocol, MalformedJsonGets400Problem) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse r = conn.request(post_json("/_test/echo", "{\"broken\": "));
  EXPECT_TRUE(is_problem(r, 400, "malformed_json"));
}

TEST(Protocol, UnknownRouteGets404Problem) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  EXPECT_TRUE(is_problem(conn.get("/no/such/route"), 404, "not_found"));
}

TEST(Protocol, WrongMethodGets405WithAllowListingTheRouteMethods) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpRequest req;
  req.method = "DELETE";
  req.target = "/healthz";
  HttpResponse r = conn.request(req);
  EXPECT_TRUE(is_problem(r, 405, "method_not_allowed"));
  auto allow = split_list(r.header("Allow").value_or(""));
  std::sort(allow.begin(), allow.end());
  EXPECT_EQ(allow, (std::vector<std::string>{"GET", "HEAD"})) << r.describe();
}

TEST(Protocol, ThrowingHandlerGets500CarryingTheRequestIdAndTheServerGoesOn) {
  ServerProcess server(server_options());
  {
    HttpConnection conn(server.port());
    HttpResponse r = conn.get("/_test/throw", {{"X-Request-Id", "trace-500-abc"}});
    EXPECT_TRUE(is_problem(r, 500, "internal_error"));
    EXPECT_EQ(r.header("X-Request-Id"), "trace-500-abc");
    EXPECT_NE(r.body.find("\"request_id\":\"trace-500-abc\""), std::string::npos) << r.body;
  }
  HttpConnection next(server.port());
  EXPECT_EQ(next.get("/healthz").status, 200);
}

// ---------------------------------------------------------------- timeouts

TEST(Timeouts, HeadArrivingOneBytePerSecondIsCutOffWith408) {
  ServerProcess server(server_options({{"FFF_HEADER_TIMEOUT", "2"}}));
  auto start = SteadyClock::now();
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  const std::string rest = "X-Slow: " + std::string(20, 'a') + "\r\n\r\n";
  std::size_t sent = conn.trickle(rest, Millis(1000));
  EXPECT_LT(sent, rest.size()) << "the server waited for the whole slow head";
  HttpResponse r = conn.read_response(Millis(5000));
  EXPECT_TRUE(is_problem(r, 408, "request_timeout"));
  ASSERT_TRUE(conn.wait_for_close(Millis(5000)));
  long long elapsed = millis_between(start, *conn.closed_at());
  EXPECT_GE(elapsed, 1500);
  EXPECT_LE(elapsed, 2000 + kSlack.count());
}

TEST(Timeouts, SilentNewConnectionIsClosedWithinTheHeaderTimeout) {
  ServerProcess server(server_options({{"FFF_HEADER_TIMEOUT", "2"}, {"FFF_IDLE_TIMEOUT", "30"}}));
  auto start = SteadyClock::now();
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.wait_for_close(Millis(2000) + kSlack));
  EXPECT_GE(millis_between(start, *conn.closed_at()), 1500);
}

TEST(Timeouts, BodyArrivingOneBytePerSecondIsCutOffWith408) {
  ServerProcess server(server_options({{"FFF_BODY_TIMEOUT", "2"}}));
  const std::string body = json_of_size(40);
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw(
      "POST /_test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n"));
  auto start = SteadyClock::now();
  std::size_t sent = conn.trickle(body, Millis(1000));
  EXPECT_LT(sent, body.size()) << "the server waited for the whole slow body";
  HttpResponse r = conn.read_response(Millis(5000));
  EXPECT_TRUE(is_problem(r, 408, "request_timeout"));
  ASSERT_TRUE(conn.wait_for_close(Millis(5000)));
  long long elapsed = millis_between(start, *conn.closed_at());
  EXPECT_GE(elapsed, 1500);
  EXPECT_LE(elapsed, 2000 + kSlack.count());
}

TEST(Timeouts, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerProcess server(server_options({{"FFF_IDLE_TIMEOUT", "2"}}));
  HttpConnection conn(server.port());
  ASSERT_EQ(conn.get("/healthz").status, 200);
  auto idle_since = SteadyClock::now();
  ASSERT_TRUE(conn.wait_for_close(Millis(2000) + kSlack));
  EXPECT_GE(millis_between(idle_since, *conn.closed_at()), 1500);
}

// ---------------------------------------------------------------- connection cap and shedding

TEST(ConnectionCap, ConnectionOverTheCapGets503AndIsClosed) {
  ServerProcess server(server_options({{"FFF_MAX_CONNECTIONS", "4"}}));
  std::vector<HttpConnection> held;
  for (int i = 0; i < 4; ++i) {
    held.emplace_back(server.port());
    ASSERT_EQ(held.back().get("/healthz").status, 200) << "connection " << i + 1;
  }

  HttpConnection fifth(server.port());
  // The server may refuse at once or read a request first; give it the chance to do either.
  if (!fifth.wait_readable(Millis(1000)))
    fifth.send_raw(HttpRequest{"GET", "/healthz", {}, ""}.serialize());
  HttpResponse r = fifth.read_response(Millis(5000));
  EXPECT_TRUE(is_problem(r, 503, "too_many_connections"));
  EXPECT_TRUE(fifth.wait_for_close(Millis(5000)));

  // The held connections are unaffected, and closing one frees a place.
  EXPECT_EQ(held[1].get("/healthz").status, 200);
  held[0].close();
  bool admitted = false;
  auto deadline = SteadyClock::now() + Millis(5000);
  while (!admitted && SteadyClock::now() < deadline) {
    HttpConnection again(server.port());
    admitted = again.get("/healthz").status == 200;
  }
  EXPECT_TRUE(admitted) << "no connection admitted after one of the four closed";
}

TEST(Overload, FullHandlerQueueSheds503WithRetryAfter) {
  ServerProcess server(server_options({{"FFF_HANDLER_THREADS", "1"}, {"FFF_HANDLER_QUEUE", "1"}}));
  constexpr int kRequests = 5;
  struct Outcome {
    std::optional<HttpResponse> response;
    std::string error;
    long long after_ms = 0;
  };
  std::vector<HttpConnection> conns;
  for (int i = 0; i < kRequests; ++i) conns.emplace_back(server.port());
  std::vector<Outcome> outcomes(kRequests);
  auto start = SteadyClock::now();
  for (auto& c : conns) ASSERT_TRUE(c.send(HttpRequest{"GET", "/_test/sleep?ms=1500", {}, ""}));
  {
    // One reader per connection, so each response's arrival time is its own.
    std::vector<std::thread> readers;
    for (int i = 0; i < kRequests; ++i) {
      readers.emplace_back([&, i] {
        outcomes[i].response = conns[i].try_read_response(Millis(15000), false, &outcomes[i].error);
        outcomes[i].after_ms = millis_between(start, SteadyClock::now());
      });
    }
    for (auto& t : readers) t.join();
  }

  int ok = 0;
  int shed = 0;
  for (const auto& o : outcomes) {
    ASSERT_TRUE(o.response.has_value()) << o.error;
    const HttpResponse& r = *o.response;
    if (r.status == 200) {
      ++ok;
      continue;
    }
    ++shed;
    EXPECT_TRUE(is_problem(r, 503, "overloaded"));
    std::string retry = r.header("Retry-After").value_or("");
    EXPECT_TRUE(
        !retry.empty() &&
        std::all_of(retry.begin(), retry.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
        std::stoi(retry) > 0)
        << "Retry-After: " << retry;
    // Shed, not queued: the refusal comes before the first sleep could have finished.
    EXPECT_LT(o.after_ms, 1500) << "a 503 came only after " << o.after_ms << " ms";
  }
  // One handler thread plus one queue slot admit at most two at a time.
  EXPECT_GE(ok, 1);
  EXPECT_LE(ok, 2);
  EXPECT_EQ(ok + shed, kRequests);
}

// ---------------------------------------------------------------- request ids

TEST(RequestId, SaneClientIdIsEchoed) {
  ServerProcess server(server_options());
  const std::vector<std::string> sane = {"abc", "Trace.01:x_y-z", std::string(128, 'q')};
  for (const auto& id : sane) {
    HttpResponse r = get_with_header(server.port(), "/healthz", {"X-Request-Id", id});
    EXPECT_EQ(r.header("X-Request-Id"), id);
  }
}

TEST(RequestId, MissingIdIsGeneratedAsUuidV7) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse a = conn.get("/healthz");
  HttpResponse b = conn.get("/healthz");
  std::string id_a = a.header("X-Request-Id").value_or("");
  std::string id_b = b.header("X-Request-Id").value_or("");
  EXPECT_TRUE(is_uuid_v7(id_a)) << id_a;
  EXPECT_TRUE(is_uuid_v7(id_b)) << id_b;
  EXPECT_NE(id_a, id_b);
}

TEST(RequestId, InsaneClientIdIsReplacedByUuidV7) {
  ServerProcess server(server_options());
  const std::vector<std::string> insane = {std::string(300, 'a'),
                                           std::string(129, 'a'),
                                           "has space",
                                           "semi;colon",
                                           "<script>",
                                           "quote\"d"};
  for (const auto& id : insane) {
    HttpResponse r = get_with_header(server.port(), "/healthz", {"X-Request-Id", id});
    std::string got = r.header("X-Request-Id").value_or("");
    EXPECT_TRUE(is_uuid_v7(got)) << "sent \"" << id << "\", got \"" << got << "\"";
  }
}

TEST(RequestId, EmptyClientIdIsReplacedByUuidV7) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id:\r\n\r\n"));
  HttpResponse r = conn.read_response();
  std::string got = r.header("X-Request-Id").value_or("");
  EXPECT_TRUE(is_uuid_v7(got)) << got;
}

// ---------------------------------------------------------------- headers on every response

TEST(SecurityHeaders, PresentOnEveryKindOfResponse) {
  ServerProcess server(server_options());
  const uint16_t port = server.port();
  auto one = [&](const HttpRequest& req) {
    HttpConnection conn(port);
    return conn.request(req);
  };
  EXPECT_TRUE(has_security_headers(one({"GET", "/healthz", {}, ""})));
  EXPECT_TRUE(has_security_headers(one({"GET", "/api/v1/ping", {}, ""})));
  EXPECT_TRUE(has_security_headers(one({"GET", "/metrics", {}, ""})));
  EXPECT_TRUE(has_security_headers(one({"GET", "/nope", {}, ""})));
  EXPECT_TRUE(has_security_headers(one({"PUT", "/healthz", {}, ""})));
  EXPECT_TRUE(has_security_headers(one({"GET", "/_test/throw", {}, ""})));
  EXPECT_TRUE(has_security_headers(one(post_json("/_test/echo", "{"))));
  EXPECT_TRUE(has_security_headers(one(post_json("/_test/echo", json_of_size(2000)))));
  EXPECT_TRUE(
      has_security_headers(one({"GET", "/healthz", {{"X-Big", std::string(9000, 'b')}}, ""})));
  HttpConnection raw(port);
  ASSERT_TRUE(raw.send_raw("THIS IS NOT HTTP\r\n\r\n"));
  EXPECT_TRUE(has_security_headers(raw.read_response()));
}

TEST(Head, HeadOnAGetRouteHasTheGetHeadersAndNoBody) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse get = conn.get("/healthz");
  ASSERT_EQ(get.status, 200);
  HttpResponse head = conn.request({"HEAD", "/healthz", {}, ""});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("Content-Type"), get.header("Content-Type"));
  EXPECT_EQ(head.header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_TRUE(has_security_headers(head));
  // Had the server sent a body after the HEAD response, this next response would not parse.
  HttpResponse after = conn.get("/api/v1/ping");
  EXPECT_EQ(after.status, 200) << after.describe();
  EXPECT_NE(after.body.find("pong"), std::string::npos) << after.describe();
}

// ---------------------------------------------------------------- keep-alive

TEST(KeepAlive, SeveralRequestsShareOneConnection) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  const std::vector<std::string> targets = {"/healthz", "/api/v1/ping", "/nope", "/healthz",
                                            "/api/v1/ping"};
  for (const auto& t : targets) {
    HttpResponse r = conn.get(t);
    EXPECT_EQ(r.status, t == "/nope" ? 404 : 200) << t;
    EXPECT_FALSE(conn.closed_by_peer()) << "closed after " << t;
  }
  HttpResponse echo = conn.request(post_json("/_test/echo", R"({"n":1})"));
  EXPECT_EQ(echo.status, 200) << echo.describe();
  EXPECT_EQ(conn.get("/healthz").status, 200);
}

TEST(KeepAlive, ConnectionCloseIsHonoured) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  HttpResponse r = conn.get("/healthz", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

TEST(KeepAlive, Http10ClosesAfterTheResponseByDefault) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  ASSERT_TRUE(conn.send_raw("GET /healthz HTTP/1.0\r\n\r\n"));
  HttpResponse r = conn.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(conn.wait_for_close(Millis(5000)));
}

}  // namespace
}  // namespace fff::api_limits
