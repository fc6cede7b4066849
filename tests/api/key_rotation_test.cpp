// `fff keys add` and `fff keys rotate` against a shop with sealed personal data: after the
// rotation every value is sealed under the new key (checked in the database file itself), a
// second run has nothing left to do (so an interrupted run resumes), and the shop still reads
// everything. SQLite: this tests the key handling, not the storage.
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "infra/db/database.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace fff::api_keys {
namespace {

using testing::HttpConnection;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::Millis;
using testing::ServerOptions;
using testing::ServerProcess;

struct CliRun {
  int exit_code = -1;
  std::string output;
};

// Runs `fff <args>` to completion with a clean environment plus `env`, stdout and stderr together.
CliRun run_fff(const std::string& args, const std::string& env = "") {
  std::string command = "env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=1 " + env + " " +
                        FFF_BINARY_PATH + " " + args + " 2>&1";
  CliRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

HttpResponse call(uint16_t port, const std::string& method, const std::string& target,
                  const std::string& body, const std::string& cookie = "",
                  const std::string& csrf = "") {
  HttpConnection connection(port);
  HttpRequest req{method, target, {}, body};
  if (!body.empty()) req.headers.push_back({"Content-Type", "application/json"});
  if (!cookie.empty()) req.headers.push_back({"Cookie", "fff_session=" + cookie});
  if (!csrf.empty()) req.headers.push_back({"X-CSRF-Token", csrf});
  return connection.request(req, Millis(15000));
}

struct Session {
  std::string cookie, csrf;
};

Session sign_in(uint16_t port) {
  HttpResponse r = call(port, "POST", "/api/v1/auth/login",
                        R"({"email":"keys@example.com","password":"rotate me please 42"})");
  Session s;
  for (const auto& v : r.header_values("Set-Cookie"))
    if (v.rfind("fff_session=", 0) == 0) s.cookie = v.substr(12, v.find(';') - 12);
  s.csrf = r.header("X-CSRF-Token").value_or("");
  return s;
}

ServerOptions shop(const std::filesystem::path& data) {
  return ServerOptions{
      .env = {{"FFF_DEMO", "0"}, {"FFF_PASSWORD_HASH", "min"}, {"FFF_DATA_DIR", data.string()}}};
}

TEST(KeyRotation, EveryValueMovesToTheNewKeyAndStaysReadable) {
  auto dir = std::filesystem::temp_directory_path() / ("fff-keys-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto data = dir / "data";
  {
    ServerProcess server(shop(data));
    ASSERT_EQ(call(server.port(), "POST", "/api/v1/auth/signup",
                   R"({"email":"keys@example.com","password":"rotate me please 42","name":"K"})")
                  .status,
              202);
    Session s = sign_in(server.port());
    ASSERT_FALSE(s.cookie.empty());
    ASSERT_EQ(call(server.port(), "POST", "/api/v1/me/addresses",
                   R"({"name":"K","line1":"12 Rue du Bac","city":"Paris","country":"FR",)"
                   R"("postal_code":"75007"})",
                   s.cookie, s.csrf)
                  .status,
              201);
    HttpResponse phone = call(server.port(), "PATCH", "/api/v1/me",
                              R"({"phone":"+33 1 23 45 67 89"})", s.cookie, s.csrf);
    ASSERT_EQ(phone.status, 200) << phone.body;
    ASSERT_TRUE(server.stop(SIGTERM).clean());
  }

  std::string where = "--data-dir " + data.string();
  CliRun refused = run_fff("keys add " + where, "FFF_MASTER_KEY=k1:" + std::string(43, 'A'));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("FFF_MASTER_KEY"), std::string::npos) << refused.output;

  CliRun added = run_fff("keys add " + where);
  ASSERT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(added.output.find("added master key k2"), std::string::npos) << added.output;

  CliRun rotated = run_fff("keys rotate --batch 1 " + where);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  EXPECT_NE(rotated.output.find("re-sealed 2 values under master key k2"), std::string::npos)
      << rotated.output;
  CliRun again = run_fff("keys rotate " + where);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("re-sealed 0 values"), std::string::npos) << again.output;

  {
    auto database = db::Database::open("sqlite:" + (data / "fff.db").string(), {});
    ASSERT_TRUE(database);
    auto rows = (*database)->query("SELECT key_id, sealed FROM addresses");
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0].text(0), "k2");
    EXPECT_EQ(rows->rows[0].text(1).rfind("pii1.k2.", 0), 0u);
    EXPECT_EQ(rows->rows[0].text(1).find("Rue du Bac"), std::string::npos);
    auto phones = (*database)->query("SELECT phone_key_id, phone_sealed FROM accounts");
    ASSERT_TRUE(phones);
    ASSERT_EQ(phones->rows.size(), 1u);
    EXPECT_EQ(phones->rows[0].text(0), "k2");
    EXPECT_EQ(phones->rows[0].text(1).find("23 45"), std::string::npos);
  }

  {
    ServerProcess server(shop(data));
    Session s = sign_in(server.port());
    HttpResponse addresses = call(server.port(), "GET", "/api/v1/me/addresses", "", s.cookie);
    ASSERT_EQ(addresses.status, 200);
    auto items = boost::json::parse(addresses.body).at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("line1").as_string(), "12 Rue du Bac");
    HttpResponse me = call(server.port(), "GET", "/api/v1/me", "", s.cookie);
    EXPECT_EQ(boost::json::parse(me.body).at("phone").as_string(), "+33 1 23 45 67 89");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fff::api_keys
