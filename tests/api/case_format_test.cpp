// The .test format and runner, checked against canned responses (no server): a case must fail
// where it should, at the line it should.
#include "case_file.hpp"
#include "case_runner.hpp"
#include "json_path.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>
#include <vector>

namespace fff::api_cases {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;

HttpResponse json_response(int status, std::string body,
                           std::string content_type = "application/json") {
  HttpResponse r;
  r.version = "HTTP/1.1";
  r.status = status;
  r.headers = {{"Content-Type", std::move(content_type)}, {"X-Request-Id", "req-1"}};
  r.body = std::move(body);
  return r;
}

// Runs `text` against responses handed out in order; records the requests sent.
struct Scripted {
  std::vector<HttpResponse> responses;
  std::vector<HttpRequest> sent;

  std::optional<Failure> run(const std::string& text) {
    CaseFile file = parse_case_text(text, "inline.test");
    std::size_t next = 0;
    return run_case(file, [&](const HttpRequest& request) {
      sent.push_back(request);
      if (next >= responses.size()) throw testing::HttpError("no more canned responses");
      return responses[next++];
    });
  }
};

int syntax_error_line(const std::string& text) {
  try {
    parse_case_text(text, "inline.test");
  } catch (const CaseSyntaxError& e) {
    return e.line();
  }
  return -1;
}

TEST(CaseFormat, ParsesRequestHeadersBodyStatusCodeAndChecks) {
  CaseFile f = parse_case_text(
      "# a comment\n"
      "env FFF_BODY_LIMIT=2048\n"
      "\n"
      "POST /_test/echo?x=1\n"
      "Content-Type: application/json\n"
      "X-Request-Id: abc\n"
      "{\"broken\": \n"
      "  \"more\"\n"
      "\n"
      "---- 400 malformed_json\n"
      "expect header Content-Type ~ application/problem+json\n"
      "capture id = $.request_id\n"
      "\n"
      "GET /a/{id}\n"
      "---- 200\n",
      "x.test");
  ASSERT_EQ(f.env.size(), 1u);
  EXPECT_EQ(f.env[0].first, "FFF_BODY_LIMIT");
  EXPECT_EQ(f.env[0].second, "2048");
  ASSERT_EQ(f.steps.size(), 2u);
  const Step& s = f.steps[0];
  EXPECT_EQ(s.line, 4);
  EXPECT_EQ(s.method, "POST");
  EXPECT_EQ(s.target, "/_test/echo?x=1");
  ASSERT_EQ(s.headers.size(), 2u);
  EXPECT_EQ(s.headers[1].name, "X-Request-Id");
  EXPECT_EQ(s.headers[1].value, "abc");
  EXPECT_EQ(s.body, "{\"broken\": \n  \"more\"");
  EXPECT_EQ(s.status_line, 10);
  EXPECT_EQ(s.expected_status, 400);
  EXPECT_EQ(s.expected_code, "malformed_json");
  ASSERT_EQ(s.checks.size(), 2u);
  EXPECT_EQ(s.checks[0].subject, Subject::header);
  EXPECT_EQ(s.checks[0].op, Op::contains);
  EXPECT_EQ(s.checks[0].operand, "application/problem+json");
  EXPECT_TRUE(s.checks[1].capture);
  EXPECT_EQ(f.steps[1].target, "/a/{id}");
  EXPECT_EQ(f.steps[1].body, "");
}

TEST(CaseFormat, BlankLineSeparatesHeaderLookingBodyFromHeaders) {
  CaseFile f = parse_case_text("POST /x\nContent-Type: text/plain\n\nkey: value\n---- 200\n", "x");
  ASSERT_EQ(f.steps[0].headers.size(), 1u);
  EXPECT_EQ(f.steps[0].body, "key: value");
}

TEST(CaseFormat, SyntaxErrorsNameTheirLine) {
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect $.a === 1\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 20\n"), 2);
  EXPECT_EQ(syntax_error_line("GET /x\n"), 1);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\n\nGET /y/{nope}\n---- 200\n"), 4);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect $.a = unquoted\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\n\nexpect $.a = 1\n"), 4);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect $.a[ = 1\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect $.a is text\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect header X-A > 3\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect body =~ ([a-z\n"), 3);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\nexpect $.a = {later}\ncapture later = $.b\n"), 3);
  EXPECT_EQ(syntax_error_line("# nothing\n"), 1);
  EXPECT_EQ(syntax_error_line("GET /x\n---- 200\n\nenv A=1\n"), 4);
}

TEST(CaseFormat, JsonPathsResolveMembersIndexesAndLength) {
  auto doc = boost::json::parse(R"({"items":[{"slug":"a"},{"slug":"b"}],"odd key":1,"s":"abc"})");
  auto at = [&](const std::string& p) { return resolve_json_path(doc, parse_json_path(p)); };
  EXPECT_EQ(at("$.items[0].slug")->as_string(), "a");
  EXPECT_EQ(at("$.items[-1].slug")->as_string(), "b");
  EXPECT_EQ(at("$.items.length")->as_int64(), 2);
  EXPECT_EQ(at("$.s.length")->as_int64(), 3);
  EXPECT_EQ(at("$[\"odd key\"]")->as_int64(), 1);
  EXPECT_FALSE(at("$.items[2]").has_value());
  EXPECT_FALSE(at("$.nope").has_value());
  EXPECT_THROW(parse_json_path("items"), PathError);
}

TEST(CaseFormat, JsonEqualityComparesNumbersByValue) {
  EXPECT_TRUE(
      json_equal(boost::json::value(std::int64_t{2}), boost::json::value(std::uint64_t{2})));
  EXPECT_TRUE(
      json_equal(boost::json::parse("[1,{\"a\":2.5}]"), boost::json::parse("[1,{\"a\":2.5}]")));
  EXPECT_FALSE(json_equal(boost::json::parse("\"1\""), boost::json::parse("1")));
  EXPECT_FALSE(
      json_equal(boost::json::parse("{\"a\":1}"), boost::json::parse("{\"a\":1,\"b\":2}")));
}

TEST(CaseRunner, PassesWhenEveryExpectationHolds) {
  Scripted s;
  s.responses = {json_response(200, R"({"items":[{"slug":"red-dress","n":3}],"total":240})")};
  auto failure = s.run(
      "GET /api/v1/products\n"
      "---- 200\n"
      "expect $.items.length = 1\n"
      "expect $.items[0].slug = \"red-dress\"\n"
      "expect $.items[0].slug ~ dress\n"
      "expect $.items[0].slug =~ ^[a-z-]+$\n"
      "expect $.items[0].n is integer\n"
      "expect $.items[0].n is number\n"
      "expect $.total >= 200\n"
      "expect $.total != 0\n"
      "expect $.nothing missing\n"
      "expect header content-type = application/json\n"
      "expect header Retry-After missing\n"
      "expect body ~ red-dress\n");
  EXPECT_FALSE(failure.has_value()) << failure->message;
}

TEST(CaseRunner, WrongStatusFailsAtTheStatusLineAndShowsTheResponse) {
  Scripted s;
  s.responses = {json_response(404, R"({"oops":true})")};
  auto failure = s.run("# x\nGET /healthz\n---- 200\nexpect $.status = \"ok\"\n");
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->line, 3);
  EXPECT_NE(failure->message.find("expected status 200, got 404"), std::string::npos);
  EXPECT_NE(failure->message.find("{\"oops\":true}"), std::string::npos);
  EXPECT_NE(failure->message.find("GET /healthz HTTP/1.1"), std::string::npos);
}

TEST(CaseRunner, FailingExpectationReportsItsLineAndStopsTheCase) {
  Scripted s;
  s.responses = {json_response(200, R"({"a":1})"), json_response(200, "{}")};
  auto failure = s.run("GET /x\n---- 200\nexpect $.a = 1\nexpect $.a = 2\n\nGET /y\n---- 200\n");
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->line, 4);
  EXPECT_NE(failure->message.find("$.a is 1, expected 2"), std::string::npos) << failure->message;
  EXPECT_EQ(s.sent.size(), 1u);
}

TEST(CaseRunner, EachKindOfExpectationCanFail) {
  struct Example {
    std::string expectation;
    std::string body;
  };
  const std::vector<Example> examples = {
      {"expect $.a = 1", R"({"a":"1"})"},
      {"expect $.a != 1", R"({"a":1})"},
      {"expect $.a exists", R"({})"},
      {"expect $.a missing", R"({"a":null})"},
      {"expect $.a.length = 2", R"({"a":[1]})"},
      {"expect $.a ~ x", R"({"a":"abc"})"},
      {"expect $.a !~ b", R"({"a":"abc"})"},
      {"expect $.a ~ 3", R"({"a":[1,2]})"},
      {"expect $.a =~ ^b", R"({"a":"abc"})"},
      {"expect $.a < 1", R"({"a":1})"},
      {"expect $.a > 1", R"({"a":1})"},
      {"expect $.a >= 1", R"({"a":"2"})"},
      {"expect $.a is string", R"({"a":1})"},
      {"expect $.a is integer", R"({"a":1.5})"},
      {"expect header X-Nope exists", "{}"},
      {"expect header Content-Type missing", "{}"},
      {"expect header Content-Type = text/html", "{}"},
      {"expect header Content-Type ~ html", "{}"},
      {"expect body empty", "{}"},
      {"expect body = {}x", "{}"},
      {"expect $.a = 1", "not json"},
  };
  for (const auto& e : examples) {
    Scripted s;
    s.responses = {json_response(200, e.body)};
    auto failure = s.run("GET /x\n---- 200\n" + e.expectation + "\n");
    ASSERT_TRUE(failure.has_value()) << e.expectation << " passed on " << e.body;
    EXPECT_EQ(failure->line, 3) << e.expectation;
  }
}

TEST(CaseRunner, ProblemCodeChecksTheWholeProblemShape) {
  const std::string good =
      R"({"type":"urn:fff:problem:not_found","title":"Not Found","status":404,)"
      R"("detail":"x","code":"not_found","request_id":"req-1"})";
  {
    Scripted s;
    s.responses = {json_response(404, good, "application/problem+json")};
    auto failure = s.run("GET /x\n---- 404 not_found\n");
    EXPECT_FALSE(failure.has_value()) << failure->message;
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {good, "application/json"},
      {R"({"type":"urn:fff:problem:not_found","title":"t","status":404,"code":"nope","request_id":"req-1"})",
       "application/problem+json"},
      {R"({"type":"urn:fff:problem:x","title":"t","status":404,"code":"not_found","request_id":"req-1"})",
       "application/problem+json"},
      {R"({"type":"urn:fff:problem:not_found","title":"t","status":400,"code":"not_found","request_id":"req-1"})",
       "application/problem+json"},
      {R"({"type":"urn:fff:problem:not_found","title":"t","status":404,"code":"not_found","request_id":"other"})",
       "application/problem+json"},
      {R"({"type":"urn:fff:problem:not_found","status":404,"code":"not_found","request_id":"req-1"})",
       "application/problem+json"},
  };
  for (const auto& [body, type] : bad) {
    Scripted s;
    s.responses = {json_response(404, body, type)};
    auto failure = s.run("GET /x\n---- 404 not_found\n");
    ASSERT_TRUE(failure.has_value()) << body << " as " << type;
    EXPECT_EQ(failure->line, 2);
  }
}

TEST(CaseRunner, CapturesFlowIntoLaterRequestsAndExpectations) {
  Scripted s;
  s.responses = {json_response(200, R"({"items":[{"slug":"blue-shirt","n":7}]})"),
                 json_response(200, R"({"slug":"blue-shirt","n":7})")};
  auto failure = s.run(
      "GET /api/v1/products\n"
      "---- 200\n"
      "capture slug = $.items[0].slug\n"
      "capture n = $.items[0].n\n"
      "capture rid = header X-Request-Id\n"
      "\n"
      "POST /api/v1/products/{slug}?n={n}\n"
      "X-Trace: {rid}\n"
      "{\"slug\": \"{slug}\"}\n"
      "---- 200\n"
      "expect $.slug = \"{slug}\"\n"
      "expect $.n = {n}\n");
  EXPECT_FALSE(failure.has_value()) << failure->message;
  ASSERT_EQ(s.sent.size(), 2u);
  EXPECT_EQ(s.sent[1].target, "/api/v1/products/blue-shirt?n=7");
  EXPECT_EQ(s.sent[1].headers[0].value, "req-1");
  EXPECT_EQ(s.sent[1].body, "{\"slug\": \"blue-shirt\"}");
}

TEST(CaseRunner, TransportErrorFailsAtTheRequestLine) {
  Scripted s;  // no responses: the transport throws
  auto failure = s.run("\nGET /x\n---- 200\n");
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->line, 2);
  EXPECT_NE(failure->message.find("no more canned responses"), std::string::npos);
}

}  // namespace
}  // namespace fff::api_cases

namespace fff::api_cases {
namespace {

TEST(CaseRunner, WithinRepeatsTheRequestUntilItPasses) {
  Scripted s;
  s.responses = {json_response(200, R"({"sent": 0})"), json_response(404, "{}"),
                 json_response(200, R"({"sent": 1, "id": "m-1"})")};
  auto failure = s.run(
      "GET /_test/mail/latest?to=a@example.com\n---- 200 within 5s\nexpect $.sent = 1\n"
      "capture id = $.id\n\nGET /x/{id}\n---- 200\n");
  // The fourth request carries the capture from the passing (third) attempt; it has no
  // canned response, so the run fails there, at line 6.
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->line, 6);
  ASSERT_EQ(s.sent.size(), 4u);
  EXPECT_EQ(s.sent[3].target, "/x/m-1");
}

TEST(CaseRunner, WithinGivesUpAfterItsTimeWithTheLastFailure) {
  Scripted s;
  for (int i = 0; i < 40; ++i) s.responses.push_back(json_response(200, R"({"sent": 0})"));
  auto started = std::chrono::steady_clock::now();
  auto failure = s.run("GET /a\n---- 200 within 1s\nexpect $.sent = 1\n");
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->line, 3);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
  EXPECT_GT(s.sent.size(), 3u);
  EXPECT_LT(s.sent.size(), 40u);
}

TEST(CaseFormat, WithinAcceptsSecondsAfterTheStatusOrCode) {
  auto file = parse_case_text("GET /a\n---- 404 mail_not_found within 3s\n", "inline.test");
  ASSERT_EQ(file.steps.size(), 1u);
  EXPECT_EQ(file.steps[0].expected_code, "mail_not_found");
  EXPECT_EQ(file.steps[0].within_ms, 3000);
  EXPECT_EQ(syntax_error_line("GET /a\n---- 200 within soon\n"), 2);
}

}  // namespace
}  // namespace fff::api_cases
