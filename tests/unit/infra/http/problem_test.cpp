#include "infra/http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "infra/http/json.hpp"
#include "infra/http/pipeline.hpp"

namespace fff::http {
namespace {

TEST(Problem, MapsEveryKindToOneStatus) {
  EXPECT_EQ(status_for(ErrorKind::invalid), 400);
  EXPECT_EQ(status_for(ErrorKind::unprocessable), 422);
  EXPECT_EQ(status_for(ErrorKind::unsupported), 415);
  EXPECT_EQ(status_for(ErrorKind::not_found), 404);
  EXPECT_EQ(status_for(ErrorKind::conflict), 409);
  EXPECT_EQ(status_for(ErrorKind::unauthenticated), 401);
  EXPECT_EQ(status_for(ErrorKind::forbidden), 403);
  EXPECT_EQ(status_for(ErrorKind::too_large), 413);
  EXPECT_EQ(status_for(ErrorKind::rate_limited), 429);
  EXPECT_EQ(status_for(ErrorKind::unavailable), 503);
  EXPECT_EQ(status_for(ErrorKind::internal), 500);
}

TEST(Problem, RendersRfc9457BodyWithCodeAndFields) {
  auto res = problem(Error::unprocessable("invalid_product", "negative price",
                                          {{"price", "must not be negative"}}),
                     "req-1");
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.headers.get("Content-Type"), "application/problem+json");
  auto body = boost::json::parse(res.body).as_object();
  EXPECT_EQ(body["type"], "urn:fff:problem:invalid_product");
  EXPECT_EQ(body["title"], "Unprocessable Content");
  EXPECT_EQ(body["status"], 422);
  EXPECT_EQ(body["code"], "invalid_product");
  EXPECT_EQ(body["detail"], "negative price");
  EXPECT_EQ(body["request_id"], "req-1");
  EXPECT_EQ(body["errors"].as_array()[0].as_object()["field"], "price");
}

TEST(Problem, InternalErrorsDoNotLeakTheirCause) {
  auto res = problem(Error::internal("password=hunter2 in connection string"), "abc");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("hunter2"), std::string::npos);
  EXPECT_NE(res.body.find("abc"), std::string::npos);
}

Request json_request(std::string body, std::string type = "application/json") {
  Request r;
  r.headers.set("Content-Type", type);
  r.body = std::move(body);
  return r;
}

TEST(Problem, RetryAfterBecomesTheHeader) {
  Response limited =
      problem(Error::rate_limited("account_locked", "too many failed logins", 42), "req-1");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers.get("Retry-After").value_or(""), "42");
  Response plain = problem(Error::conflict("sku_taken", "taken"), "req-2");
  EXPECT_FALSE(plain.headers.has("Retry-After"));
}

TEST(JsonBody, ParsesJsonAndVendorJsonTypes) {
  EXPECT_TRUE(json_body(json_request(R"({"a":1})")));
  EXPECT_TRUE(json_body(json_request("[1,2]", "application/merge-patch+json; charset=utf-8")));
}

TEST(JsonBody, MalformedJsonIsAnInvalidRequestNamingTheOffset) {
  auto r = json_body(json_request(R"({"a": )"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "malformed_json");
  EXPECT_EQ(status_for(r.error().kind), 400);
  EXPECT_FALSE(json_body(json_request(R"({"a":1} trailing)")));
}

TEST(JsonBody, OtherMediaTypesAreUnsupported) {
  auto r = json_body(json_request("a=1", "application/x-www-form-urlencoded"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "unsupported_media_type");
  EXPECT_EQ(status_for(r.error().kind), 415);
}

TEST(Pipeline, BarrierTurnsAThrowIntoA500WithTheRequestId) {
  Pipeline p;
  p.use(request_id());
  p.use(security_headers());
  p.use(barrier());
  Handler boom = [](const Request&) -> Response { throw std::runtime_error("boom"); };
  Request req;
  req.headers.set("X-Request-Id", "trace-42");
  Response res = p.run(req, boom);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.headers.get("X-Request-Id"), "trace-42");
  EXPECT_NE(res.body.find("trace-42"), std::string::npos);
  EXPECT_EQ(res.headers.get("X-Content-Type-Options"), "nosniff");
}

TEST(Pipeline, InsaneRequestIdsAreReplaced) {
  Pipeline p;
  p.use(request_id());
  Handler ok = [](const Request& r) { return Response::text(200, r.request_id); };
  Request req;
  req.headers.set("X-Request-Id", "has space\r\nInjected: yes");
  Response res = p.run(req, ok);
  EXPECT_EQ(res.body.size(), 36u);  // a fresh UUIDv7
  EXPECT_EQ(res.headers.get("X-Request-Id"), res.body);
}

TEST(Pipeline, MiddlewaresRunInOrderAroundTheHandler) {
  Pipeline p;
  std::string trace;
  p.use([&](Request& r, const Next& next) {
    trace += "a";
    auto res = next(r);
    trace += "A";
    return res;
  });
  p.use([&](Request& r, const Next& next) {
    trace += "b";
    auto res = next(r);
    trace += "B";
    return res;
  });
  Handler h = [&](const Request&) {
    trace += "h";
    return Response::text(200, "");
  };
  Request req;
  p.run(req, h);
  EXPECT_EQ(trace, "abhBA");
}

}  // namespace
}  // namespace fff::http
