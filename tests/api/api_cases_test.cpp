// The data-driven API cases: every tests/api/cases/**/*.test file, once per storage config, each
// against a fresh `fff serve` child process on a fresh scratch database.
// Test names: Cases/ApiCase.Run/<path with / as _>__<config>, e.g. system_healthz__sqlite.
#include "case_file.hpp"
#include "case_runner.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/test_databases.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace fff::api_cases {
namespace {

namespace fs = std::filesystem;
using testing::HttpConnection;
using testing::ServerOptions;
using testing::ServerProcess;

const fs::path kCasesDir = fs::path(FFF_SOURCE_DIR) / "tests" / "api" / "cases";

struct CaseParam {
  fs::path file;
  std::string config;
  std::string name;
};

void PrintTo(const CaseParam& p, std::ostream* os) {
  *os << p.file.string() << " on " << p.config;
}

std::string test_name(const fs::path& file, const std::string& config) {
  std::string rel = fs::relative(file, kCasesDir).replace_extension().generic_string();
  for (char& c : rel) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  return rel + "__" + config;
}

std::vector<CaseParam> all_cases() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(kCasesDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".test") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<CaseParam> out;
  for (const auto& f : files) {
    for (const auto& config : testing::storage_configs()) {
      out.push_back({f, config, test_name(f, config)});
    }
  }
  return out;
}

// `${VAR}` → this process's VAR, so a case can reach the services `make test` started
// (`env FFF_REDIS_URL=${FFF_TEST_REDIS_URL}`).
std::string expand_env(const std::string& value) {
  std::string out;
  size_t at = 0;
  while (at < value.size()) {
    size_t open = value.find("${", at);
    size_t close = open == std::string::npos ? open : value.find('}', open);
    if (close == std::string::npos) break;
    out += value.substr(at, open - at);
    const char* found = std::getenv(value.substr(open + 2, close - open - 2).c_str());
    out += found ? found : "";
    at = close + 1;
  }
  return out + value.substr(std::min(at, value.size()));
}

// Every password, token, session and CSRF value a case sends or receives, kept (with
// FFF_TEST_SERVER_LOG_DIR set, as `make test` does) in secrets-<pid>.txt beside the servers'
// logs, so that scripts/check_secret_leaks.sh can prove none of them was ever logged.
class SecretsSeen {
 public:
  SecretsSeen() {
    if (const char* dir = std::getenv("FFF_TEST_SERVER_LOG_DIR"); dir && *dir) {
      std::filesystem::create_directories(dir);
      out_.open(std::filesystem::path(dir) / ("secrets-" + std::to_string(::getpid()) + ".txt"),
                std::ios::app);
    }
  }

  void request(const testing::HttpRequest& r) {
    if (!out_.is_open()) return;
    for (const auto& h : r.headers) {
      std::string_view v = h.value;
      if (http_iequals(h.name, "Authorization") && v.substr(0, 7) == "Bearer ") keep(v.substr(7));
      if (http_iequals(h.name, "X-CSRF-Token")) keep(v);
      if (http_iequals(h.name, "Cookie")) cookie_values(v);
    }
    json_fields(r.body, true);
  }

  void response(const testing::HttpResponse& r) {
    if (!out_.is_open()) return;
    for (const auto& v : r.header_values("Set-Cookie")) cookie_values(v.substr(0, v.find(';')));
    if (auto t = r.header("X-CSRF-Token")) keep(*t);
    json_fields(r.body, false);
  }

 private:
  static bool http_iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) ==
                    std::tolower(static_cast<unsigned char>(y));
           });
  }
  void keep(std::string_view value) {
    // Short values (a 6-digit code, "x") would match log text by chance.
    if (value.size() >= 10) out_ << value << "\n";
  }
  void cookie_values(std::string_view header) {
    while (!header.empty()) {
      size_t end = header.find(';');
      std::string_view pair = header.substr(0, end);
      header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
      if (size_t eq = pair.find('='); eq != std::string_view::npos) keep(pair.substr(eq + 1));
    }
  }
  // `code` is a second-factor code in a request but a problem's error code in a response.
  void json_fields(const std::string& body, bool sent) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (!ec) walk(doc, sent);
  }
  void walk(const boost::json::value& v, bool sent) {
    static const std::set<std::string, std::less<>> kSecretKeys = {
        "password", "current_password", "new_password",   "token",      "csrf_token",
        "secret",   "recovery_code",    "recovery_codes", "otpauth_uri"};
    if (v.is_array())
      for (const auto& item : v.get_array()) walk(item, sent);
    if (!v.is_object()) return;
    for (const auto& [key, value] : v.get_object()) {
      if (kSecretKeys.count(std::string_view(key)) || (sent && key == "code")) {
        if (value.is_string()) keep(value.get_string());
        if (value.is_array())
          for (const auto& item : value.get_array())
            if (item.is_string()) keep(item.get_string());
      }
      walk(value, sent);
    }
  }
  std::ofstream out_;
};

class ApiCase : public ::testing::TestWithParam<CaseParam> {};

TEST_P(ApiCase, Run) {
  const CaseParam& param = GetParam();
  const std::string path = param.file.string();
  CaseFile file;
  try {
    file = parse_case_file(path);
  } catch (const CaseSyntaxError& e) {
    ADD_FAILURE_AT(path.c_str(), e.line()) << "syntax error: " << e.what();
    return;
  }

  testing::ScratchDatabase database(param.config);
  ServerOptions options;
  // A smaller demo shop than the default 2,000 keeps each file's fresh server quick to start
  // under the sanitizers; it still has products in every category (a file may override it).
  options.env = {{"FFF_DATABASE_URL", database.url()},
                 {"FFF_TEST_ROUTES", "1"},
                 {"FFF_DEMO_PRODUCTS", "300"},
                 // Rendering the demo pictures takes seconds; cases that look at them say
                 // `env FFF_DEMO_IMAGES=1` (and media_api_test.cpp fetches them).
                 {"FFF_DEMO_IMAGES", "0"},
                 // Cases run in parallel and may share one Redis: each server counts apart
                 // (the process id is unique among running cases; a prefix has ≤ 64 characters).
                 {"FFF_KV_PREFIX",
                  "case-" + std::to_string(::getpid()) + "-" + param.name.substr(0, 40) + ":"}};
  for (const auto& [name, value] : file.env) options.env.emplace_back(name, expand_env(value));
  ServerProcess server(options);

  // A fresh connection per request keeps each step independent of the previous one's fate.
  SecretsSeen secrets;
  auto transport = [&](const testing::HttpRequest& request) {
    secrets.request(request);
    HttpConnection connection(server.port());
    auto response = connection.request(request, testing::Millis(15000));
    secrets.response(response);
    return response;
  };
  if (auto failure = run_case(file, transport)) {
    ADD_FAILURE_AT(path.c_str(), failure->line) << failure->message;
  }

  // The server must have survived the case and must shut down cleanly (this also surfaces
  // sanitizer reports, which turn into a non-zero exit).
  ASSERT_TRUE(server.running()) << "the server died during the case";
  auto status = server.stop(SIGTERM);
  EXPECT_TRUE(status.clean()) << "server " << status.describe() << " after SIGTERM";
}

INSTANTIATE_TEST_SUITE_P(Cases, ApiCase, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<CaseParam>& case_info) {
                           return case_info.param.name;
                         });

}  // namespace
}  // namespace fff::api_cases
