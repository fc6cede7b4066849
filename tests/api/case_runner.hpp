// tests/api/case_runner: runs a parsed .test file against a server, step by step, and reports the
// first expectation that fails with its line, the request sent and the full response received.
#pragma once

#include "case_file.hpp"
#include "substitution.hpp"
#include "support/http_client.hpp"

#include <functional>
#include <optional>
#include <string>

namespace fff::api_cases {

struct Failure {
  int line = 0;
  std::string message;  // what failed, then the request and the response
};

// Sends one request and returns the response; may throw (e.g. testing::HttpError).
using Transport = std::function<testing::HttpResponse(const testing::HttpRequest&)>;

// Runs the steps in order and returns the first failure, or nullopt when all pass.
std::optional<Failure> run_case(const CaseFile& file, const Transport& transport);

// The request a step sends, with placeholders replaced. Throws SubstitutionError.
testing::HttpRequest build_request(const Step& step, const Variables& variables);

// Checks one response against a step's status, problem code and `expect` lines, and performs its
// `capture` lines into `variables`. Returns the first failure.
std::optional<Failure> check_response(const Step& step, const testing::HttpRequest& sent,
                                      const testing::HttpResponse& response, Variables& variables);

}  // namespace fff::api_cases
