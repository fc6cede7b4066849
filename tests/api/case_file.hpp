// tests/api/case_file: the parsed form of one tests/api/cases/**/*.test file (the format is
// described in tests/api/README.md). Parsing checks the syntax of every line, including JSON
// paths and JSON operands, so a typo fails at its own line before any request is sent.
#pragma once

#include "support/http_client.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fff::api_cases {

// What an `expect` or `capture` line looks at.
// `cookie NAME` (capture only) is the value a Set-Cookie header gives NAME.
enum class Subject { json, header, body, cookie };

enum class Op {
  equals,         // =
  not_equals,     // !=
  contains,       // ~
  not_contains,   // !~
  matches,        // =~  (ECMAScript regular expression, searched anywhere)
  less,           // <
  less_equal,     // <=
  greater,        // >
  greater_equal,  // >=
  exists,         // exists
  missing,        // missing
  is_type,        // is string|integer|number|boolean|null|array|object
  empty,          // empty (body only)
};

struct Check {
  int line = 0;
  std::string text;  // the line as written
  bool capture = false;
  std::string variable;  // capture only
  Subject subject = Subject::json;
  std::string target;   // JSON path, header name or cookie name
  Op op = Op::exists;   // expect only
  std::string operand;  // raw text after the operator, before {name} substitution
};

struct Step {
  int line = 0;  // of the request line
  std::string method;
  std::string target;
  std::vector<testing::Header> headers;
  std::string body;
  int status_line = 0;
  int expected_status = 0;
  std::string expected_code;  // problem code, or empty
  // `---- 200 within 5s`: the request is repeated (every 100 ms) until the response passes, for
  // this long — for what background jobs do after a request (mails, webhooks, stock mirror).
  int within_ms = 0;
  std::vector<Check> checks;  // in file order
};

struct CaseFile {
  std::string path;
  // `env NAME=value` lines; `${VAR}` in a value is the test process's own VAR (empty when unset).
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<Step> steps;
};

class CaseSyntaxError : public std::runtime_error {
 public:
  CaseSyntaxError(int line, const std::string& message)
      : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// Throws CaseSyntaxError.
CaseFile parse_case_text(std::string_view text, std::string path);
// Reads and parses a file. Throws CaseSyntaxError (line 0 when the file cannot be read).
CaseFile parse_case_file(const std::string& path);

}  // namespace fff::api_cases
