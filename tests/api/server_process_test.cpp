// The child-server harness itself (tests/support/server_process), against the real binary.
#include "limits_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace fff::api_limits {
namespace {

TEST(ServerProcess, TakesThePortFromTheListeningLineAndCollectsTheLog) {
  ServerProcess server(server_options());
  EXPECT_NE(server.port(), 0);
  auto line =
      server.wait_for_log({"\"msg\":\"listening\"", std::to_string(server.port())}, Millis(1000));
  EXPECT_TRUE(line.has_value()) << server.output();
  HttpConnection conn(server.port());
  EXPECT_EQ(conn.get("/healthz").status, 200);
}

TEST(ServerProcess, InheritedFffSettingsDoNotReachTheServer) {
  ::setenv("FFF_TEST_ROUTES", "1", 1);
  ServerOptions options;
  options.env = {{"FFF_DEMO", "0"}};
  ServerProcess server(options);
  ::unsetenv("FFF_TEST_ROUTES");
  HttpConnection conn(server.port());
  EXPECT_EQ(conn.get("/_test/sleep?ms=1").status, 404);
}

TEST(ServerProcess, FailureToStartCarriesTheServerOutput) {
  ServerOptions options = server_options();
  options.args = {"serve", "--listen", "not-an-address"};
  try {
    ServerProcess server(options);
    FAIL() << "the server started with --listen not-an-address";
  } catch (const std::runtime_error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("exited before listening"), std::string::npos) << message;
    EXPECT_NE(message.find("---- output ----"), std::string::npos) << message;
  }
}

TEST(ServerProcess, StopReportsHowTheServerEnded) {
  ServerProcess server(server_options());
  auto status = server.stop(SIGKILL);
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_FALSE(server.running());
}

}  // namespace
}  // namespace fff::api_limits
