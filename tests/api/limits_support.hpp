// Helpers shared by the limit and shutdown tests: a server with test routes and no demo data, and
// assertions on problem responses and the headers every response must carry.
#pragma once

#include "support/http_client.hpp"
#include "support/server_process.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace fff::api_limits {

using fff::testing::Header;
using fff::testing::HttpConnection;
using fff::testing::HttpRequest;
using fff::testing::HttpResponse;
using fff::testing::Millis;
using fff::testing::ServerOptions;
using fff::testing::ServerProcess;
using fff::testing::SteadyClock;

// Allowance for a loaded two-core machine running sanitizer builds, on top of a configured timeout.
constexpr Millis kSlack{3000};

// A server with test routes, no demo shop (faster start), and `env` on top.
inline ServerOptions server_options(std::vector<std::pair<std::string, std::string>> env = {}) {
  ServerOptions options;
  options.env = {{"FFF_TEST_ROUTES", "1"}, {"FFF_DEMO", "0"}};
  for (auto& kv : env) options.env.push_back(std::move(kv));
  return options;
}

inline long long millis_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration_cast<Millis>(b - a).count();
}

// The response is an RFC 9457 problem with this status and code, whose request_id is the
// response's X-Request-Id.
inline ::testing::AssertionResult is_problem(const HttpResponse& r, int status,
                                             const std::string& code) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n---- response ----\n" << r.describe();
  };
  if (r.status != status) {
    return fail("status " + std::to_string(r.status) + ", expected " + std::to_string(status));
  }
  auto type = r.header("Content-Type");
  if (!type || type->rfind("application/problem+json", 0) != 0) {
    return fail("Content-Type is not application/problem+json");
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(r.body, ec);
  if (ec || !body.is_object()) return fail("body is not a JSON object");
  const auto& obj = body.get_object();
  auto str = [&](const char* key) -> std::string {
    const auto* v = obj.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string("<missing>");
  };
  if (str("code") != code) return fail("code is " + str("code") + ", expected " + code);
  if (str("type") != "urn:fff:problem:" + code) return fail("type is " + str("type"));
  const auto* st = obj.if_contains("status");
  if (!st || !st->is_int64() || st->get_int64() != status) return fail("status member is wrong");
  if (str("title") == "<missing>") return fail("title is missing");
  if (str("request_id") != r.header("X-Request-Id").value_or("<absent>")) {
    return fail("request_id " + str("request_id") + " differs from X-Request-Id");
  }
  return ::testing::AssertionSuccess();
}

// X-Request-Id and the security headers that every response carries.
inline ::testing::AssertionResult has_security_headers(const HttpResponse& r) {
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "\n---- response ----\n" << r.describe();
  };
  if (!r.header("X-Request-Id") || r.header("X-Request-Id")->empty()) {
    return fail("no X-Request-Id");
  }
  if (r.header("X-Content-Type-Options") != "nosniff") return fail("X-Content-Type-Options");
  if (r.header("X-Frame-Options") != "DENY") return fail("X-Frame-Options");
  if (r.header("Referrer-Policy").value_or("").empty()) return fail("Referrer-Policy");
  if (r.header("Content-Security-Policy").value_or("").find("frame-ancestors 'none'") ==
      std::string::npos) {
    return fail("Content-Security-Policy without frame-ancestors 'none'");
  }
  return ::testing::AssertionSuccess();
}

inline bool is_uuid_v7(const std::string& s) {
  static const std::regex re(
      "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(s, re);
}

inline HttpRequest post_json(std::string target, std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

// A JSON document of exactly `size` bytes: {"pad":"xxx…"}.
inline std::string json_of_size(std::size_t size) {
  const std::string open = "{\"pad\":\"";
  const std::string close = "\"}";
  return open + std::string(size - open.size() - close.size(), 'x') + close;
}

}  // namespace fff::api_limits
