// Graceful shutdown of `fff serve`: on SIGTERM it stops accepting, lets requests in flight finish
// within FFF_SHUTDOWN_GRACE, closes idle connections, and exits 0.
#include "limits_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

namespace fff::api_limits {
namespace {

// Sum of a Prometheus sample over all its label sets, or nullopt if the metric is absent.
std::optional<double> metric_value(const std::string& text, const std::string& name) {
  std::optional<double> total;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(name, 0) != 0 || line.size() == name.size()) continue;
    char next = line[name.size()];
    std::size_t value_at;
    if (next == '{') {
      std::size_t close = line.find('}', name.size());
      if (close == std::string::npos) continue;
      value_at = close + 1;
    } else if (next == ' ') {
      value_at = name.size();
    } else {
      continue;  // a longer metric name with this prefix
    }
    total = total.value_or(0) + std::strtod(line.c_str() + value_at, nullptr);
  }
  return total;
}

double in_flight(uint16_t port) {
  HttpConnection conn(port);
  HttpResponse r = conn.get("/metrics");
  auto v = metric_value(r.body, "fff_http_in_flight_requests");
  if (!v) throw fff::testing::HttpError("/metrics has no fff_http_in_flight_requests:\n" + r.body);
  return *v;
}

// Waits until the server reports one more request in flight than `baseline` (the baseline covers
// whether /metrics counts itself).
bool wait_until_in_flight(uint16_t port, double baseline, Millis timeout) {
  auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (in_flight(port) >= baseline + 1) return true;
    std::this_thread::sleep_for(Millis(20));
  }
  return false;
}

TEST(Shutdown, SigtermLetsTheRequestInFlightFinishRefusesNewConnectionsAndExits0) {
  ServerProcess server(server_options());
  const uint16_t port = server.port();
  const double baseline = in_flight(port);
  HttpConnection slow(port);
  ASSERT_TRUE(slow.send(HttpRequest{"GET", "/_test/sleep?ms=2000", {}, ""}));
  ASSERT_TRUE(wait_until_in_flight(port, baseline, Millis(1500)))
      << "the slow request never showed in fff_http_in_flight_requests";

  server.signal(SIGTERM);
  std::optional<SteadyClock::time_point> refused_at;
  auto deadline = SteadyClock::now() + Millis(1500);
  while (!refused_at && SteadyClock::now() < deadline) {
    int err = 0;
    auto probe = HttpConnection::try_connect(port, Millis(1000), &err);
    if (!probe && err == ECONNREFUSED) {
      refused_at = SteadyClock::now();
    } else {
      std::this_thread::sleep_for(Millis(10));
    }
  }
  ASSERT_TRUE(refused_at.has_value()) << "new connections still accepted 1.5 s after SIGTERM";

  HttpResponse r = slow.read_response(Millis(10000));
  auto finished_at = SteadyClock::now();
  EXPECT_EQ(r.status, 200) << r.describe();
  EXPECT_NE(r.body.find("\"slept_ms\":2000"), std::string::npos) << r.body;
  EXPECT_LT(*refused_at, finished_at) << "refusals began only after the request finished";

  auto status = server.wait(Millis(15000));
  EXPECT_TRUE(status.clean()) << status.describe();
}

TEST(Shutdown, SigtermWithOnlyIdleKeepAliveConnectionsExitsPromptly) {
  ServerProcess server(server_options({{"FFF_IDLE_TIMEOUT", "60"}}));
  HttpConnection idle(server.port());
  ASSERT_EQ(idle.get("/healthz").status, 200);
  auto start = SteadyClock::now();
  auto status = server.stop(SIGTERM, Millis(15000));
  EXPECT_TRUE(status.clean()) << status.describe();
  EXPECT_LT(millis_between(start, SteadyClock::now()), 5000)
      << "shutdown waited for an idle keep-alive connection";
  EXPECT_TRUE(idle.wait_for_close(Millis(1000)));
}

TEST(Shutdown, RequestOutlastingTheGraceDoesNotHoldTheProcess) {
  ServerProcess server(server_options({{"FFF_SHUTDOWN_GRACE", "1"}}));
  const uint16_t port = server.port();
  const double baseline = in_flight(port);
  HttpConnection slow(port);
  ASSERT_TRUE(slow.send(HttpRequest{"GET", "/_test/sleep?ms=30000", {}, ""}));
  ASSERT_TRUE(wait_until_in_flight(port, baseline, Millis(5000)));
  auto start = SteadyClock::now();
  auto status = server.stop(SIGTERM, Millis(15000));
  long long elapsed = millis_between(start, SteadyClock::now());
  EXPECT_FALSE(status.timed_out) << status.describe();
  EXPECT_TRUE(status.exited) << status.describe();
  EXPECT_LE(elapsed, 1000 + kSlack.count());
  EXPECT_TRUE(slow.wait_for_close(Millis(1000)));
}

TEST(Shutdown, SigintShutsDownCleanlyToo) {
  ServerProcess server(server_options());
  HttpConnection conn(server.port());
  ASSERT_EQ(conn.get("/healthz").status, 200);
  auto status = server.stop(SIGINT, Millis(15000));
  EXPECT_TRUE(status.clean()) << status.describe();
}

}  // namespace
}  // namespace fff::api_limits
