#include "case_runner.hpp"

#include <chrono>
#include <thread>

#include "json_path.hpp"

#include <boost/json.hpp>

#include <regex>

namespace fff::api_cases {
namespace json = boost::json;
using testing::HttpRequest;
using testing::HttpResponse;

namespace {

std::string clip(std::string s, std::size_t limit = 300) {
  if (s.size() > limit) s = s.substr(0, limit) + "…";
  return s;
}

std::string show(const json::value& v) {
  return clip(json::serialize(v));
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && testing::iequals(s.substr(0, prefix.size()), prefix);
}

// A text operand: placeholders replaced, and a "quoted" operand unquoted as a JSON string so that
// leading or trailing spaces can be expressed.
std::string text_operand(const std::string& raw, const Variables& vars) {
  std::string text = substitute(raw, vars);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec && v.is_string()) return std::string(v.get_string());
  }
  return text;
}

bool is_number(const json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

// Compares two numbers; returns <0, 0, >0.
int compare_numbers(const json::value& a, const json::value& b) {
  if (a.is_int64() && b.is_int64()) {
    return a.get_int64() < b.get_int64() ? -1 : a.get_int64() > b.get_int64() ? 1 : 0;
  }
  double x = a.to_number<double>();
  double y = b.to_number<double>();
  return x < y ? -1 : x > y ? 1 : 0;
}

bool regex_found(const std::string& text, const std::string& pattern) {
  return std::regex_search(text, std::regex(pattern));
}

// Text comparisons shared by headers and bodies. Returns an explanation when the check fails.
std::optional<std::string> check_text(const std::string& what, const std::string& actual, Op op,
                                      const std::string& operand) {
  switch (op) {
    case Op::equals:
      if (actual != operand)
        return what + " is \"" + clip(actual) + "\", expected \"" + operand + "\"";
      return std::nullopt;
    case Op::not_equals:
      if (actual == operand) return what + " is \"" + clip(actual) + "\", expected anything else";
      return std::nullopt;
    case Op::contains:
      if (actual.find(operand) == std::string::npos) {
        return what + " is \"" + clip(actual) + "\", which does not contain \"" + operand + "\"";
      }
      return std::nullopt;
    case Op::not_contains:
      if (actual.find(operand) != std::string::npos) {
        return what + " contains \"" + operand + "\"";
      }
      return std::nullopt;
    case Op::matches:
      if (!regex_found(actual, operand)) {
        return what + " is \"" + clip(actual) + "\", which does not match /" + operand + "/";
      }
      return std::nullopt;
    case Op::empty:
      if (!actual.empty())
        return what + " is not empty (" + std::to_string(actual.size()) + " bytes)";
      return std::nullopt;
    default: return "operator not supported here";
  }
}

class StepChecker {
 public:
  StepChecker(const Step& step, const HttpResponse& response, Variables& vars)
      : step_(step), response_(response), vars_(vars) {}

  // Returns (line, explanation) of the first failure.
  std::optional<std::pair<int, std::string>> run() {
    if (response_.status != step_.expected_status) {
      return std::make_pair(step_.status_line, "expected status " +
                                                   std::to_string(step_.expected_status) +
                                                   ", got " + std::to_string(response_.status));
    }
    if (!step_.expected_code.empty()) {
      if (auto why = check_problem()) return std::make_pair(step_.status_line, *why);
    }
    for (const auto& c : step_.checks) {
      std::optional<std::string> why;
      try {
        why = c.capture ? capture(c) : expect(c);
      } catch (const SubstitutionError& e) {
        why = e.what();
      }
      if (why) return std::make_pair(c.line, "`" + c.text + "`: " + *why);
    }
    return std::nullopt;
  }

 private:
  // The body as JSON, parsed once; nullptr (with body_error_) when it is not JSON.
  const json::value* body_json() {
    if (!parsed_) {
      parsed_ = true;
      boost::system::error_code ec;
      body_ = json::parse(response_.body, ec);
      if (ec) body_error_ = "the body is not JSON (" + ec.message() + ")";
    }
    return body_error_.empty() ? &body_ : nullptr;
  }

  std::optional<std::string> check_problem() {
    const std::string& code = step_.expected_code;
    auto content_type = response_.header("Content-Type");
    if (!content_type || !starts_with_icase(*content_type, "application/problem+json")) {
      return "expected a problem (Content-Type application/problem+json), got Content-Type " +
             (content_type ? "\"" + *content_type + "\"" : std::string("none"));
    }
    const json::value* body = body_json();
    if (!body) return "problem " + body_error_;
    const json::object* obj = body->if_object();
    if (!obj) return "the problem body is not a JSON object";
    auto member = [&](std::string_view key) -> const json::value* { return obj->if_contains(key); };
    const json::value* got_code = member("code");
    if (!got_code || !got_code->is_string() || got_code->get_string() != code) {
      return "expected problem code \"" + code + "\", got " +
             (got_code ? show(*got_code) : std::string("no code"));
    }
    const json::value* status = member("status");
    if (!status || !is_number(*status) ||
        !json_equal(*status, json::value(static_cast<std::int64_t>(step_.expected_status)))) {
      return "problem status member is " + (status ? show(*status) : std::string("missing")) +
             ", expected " + std::to_string(step_.expected_status);
    }
    const json::value* type = member("type");
    std::string expected_type = "urn:fff:problem:" + code;
    if (!type || !type->is_string() || type->get_string() != expected_type) {
      return "problem type is " + (type ? show(*type) : std::string("missing")) + ", expected \"" +
             expected_type + "\"";
    }
    const json::value* title = member("title");
    if (!title || !title->is_string() || title->get_string().empty()) {
      return "problem title is missing or empty";
    }
    const json::value* request_id = member("request_id");
    auto header_id = response_.header("X-Request-Id");
    if (!request_id || !request_id->is_string() || !header_id ||
        request_id->get_string() != *header_id) {
      return "problem request_id " + (request_id ? show(*request_id) : std::string("is missing")) +
             " does not equal the X-Request-Id header " +
             (header_id ? "\"" + *header_id + "\"" : std::string("(absent)"));
    }
    return std::nullopt;
  }

  std::optional<std::string> capture(const Check& c) {
    if (c.subject == Subject::cookie) {
      for (const auto& set_cookie : response_.header_values("Set-Cookie")) {
        std::string_view pair(set_cookie);
        pair = pair.substr(0, pair.find(';'));
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != c.target) continue;
        vars_[c.variable] = std::string(pair.substr(eq + 1));
        return std::nullopt;
      }
      return "no Set-Cookie header sets " + c.target;
    }
    if (c.subject == Subject::header) {
      auto v = response_.header(c.target);
      if (!v) return "header " + c.target + " is absent";
      vars_[c.variable] = *v;
      return std::nullopt;
    }
    const json::value* body = body_json();
    if (!body) return body_error_;
    auto v = resolve_json_path(*body, parse_json_path(c.target));
    if (!v) return c.target + " does not exist";
    vars_[c.variable] = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    return std::nullopt;
  }

  std::optional<std::string> expect(const Check& c) {
    switch (c.subject) {
      case Subject::header: return expect_header(c);
      case Subject::body:
        return check_text("the body", response_.body, c.op, text_operand(c.operand, vars_));
      case Subject::json: return expect_json(c);
      case Subject::cookie: break;  // the parser allows cookies in captures only
    }
    return std::nullopt;
  }

  std::optional<std::string> expect_header(const Check& c) {
    auto values = response_.header_values(c.target);
    std::string what = "header " + c.target;
    if (c.op == Op::exists)
      return values.empty() ? std::optional(what + " is absent") : std::nullopt;
    if (c.op == Op::missing) {
      return values.empty() ? std::nullopt
                            : std::optional(what + " is present: \"" + values[0] + "\"");
    }
    if (values.empty()) return what + " is absent";
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ", ") + v;
    return check_text(what, joined, c.op, text_operand(c.operand, vars_));
  }

  std::optional<std::string> expect_json(const Check& c) {
    const json::value* body = body_json();
    if (!body) return body_error_;
    auto actual = resolve_json_path(*body, parse_json_path(c.target));
    if (c.op == Op::exists) {
      return actual ? std::nullopt : std::optional(c.target + " does not exist");
    }
    if (c.op == Op::missing) {
      return actual ? std::optional(c.target + " exists: " + show(*actual)) : std::nullopt;
    }
    if (!actual) return c.target + " does not exist";
    const std::string what = c.target + " is " + show(*actual);

    switch (c.op) {
      case Op::equals:
      case Op::not_equals:
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal: {
        std::string text = substitute(c.operand, vars_);
        boost::system::error_code ec;
        json::value expected = json::parse(text, ec);
        if (ec) return "operand is not JSON after substitution: " + text;
        if (c.op == Op::equals) {
          return json_equal(*actual, expected)
                     ? std::nullopt
                     : std::optional(what + ", expected " + show(expected));
        }
        if (c.op == Op::not_equals) {
          return json_equal(*actual, expected) ? std::optional(what + ", expected anything else")
                                               : std::nullopt;
        }
        if (!is_number(*actual)) return what + ", not a number";
        if (!is_number(expected)) return "operand is not a number: " + text;
        int cmp = compare_numbers(*actual, expected);
        bool ok = (c.op == Op::less && cmp < 0) || (c.op == Op::less_equal && cmp <= 0) ||
                  (c.op == Op::greater && cmp > 0) || (c.op == Op::greater_equal && cmp >= 0);
        return ok ? std::nullopt : std::optional(what);
      }
      case Op::contains:
      case Op::not_contains: {
        bool found;
        std::string needle = text_operand(c.operand, vars_);
        if (actual->is_string()) {
          found = std::string_view(actual->get_string()).find(needle) != std::string_view::npos;
        } else if (const json::array* arr = actual->if_array()) {
          std::string raw = substitute(c.operand, vars_);
          boost::system::error_code ec;
          json::value element = json::parse(raw, ec);
          if (ec) element = json::string(raw);
          found = false;
          for (const auto& e : *arr) found = found || json_equal(e, element);
        } else {
          found = json::serialize(*actual).find(needle) != std::string::npos;
        }
        if (c.op == Op::contains && !found) return what + ", which does not contain " + needle;
        if (c.op == Op::not_contains && found) return what + ", which contains " + needle;
        return std::nullopt;
      }
      case Op::matches: {
        std::string text =
            actual->is_string() ? std::string(actual->get_string()) : json::serialize(*actual);
        std::string pattern = substitute(c.operand, vars_);
        return regex_found(text, pattern)
                   ? std::nullopt
                   : std::optional(what + ", which does not match /" + pattern + "/");
      }
      case Op::is_type: {
        std::string type = json_type_name(*actual);
        bool ok = type == c.operand || (c.operand == "number" && type == "integer");
        return ok ? std::nullopt : std::optional(what + " (" + type + "), expected " + c.operand);
      }
      default: return "operator not supported for JSON";
    }
  }

  const Step& step_;
  const HttpResponse& response_;
  Variables& vars_;
  bool parsed_ = false;
  json::value body_;
  std::string body_error_;
};

std::string printable_request(const HttpRequest& request) {
  std::string text = request.serialize();
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    out += c;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return clip(out, 8192);
}

std::string report(const std::string& what, const HttpRequest* request,
                   const HttpResponse* response) {
  std::string out = what + "\n";
  if (request) out += "---- request sent ----\n" + printable_request(*request) + "\n";
  if (response) out += "---- response received ----\n" + response->describe() + "\n";
  out += "----";
  return out;
}

}  // namespace

HttpRequest build_request(const Step& step, const Variables& variables) {
  HttpRequest request;
  request.method = step.method;
  request.target = substitute(step.target, variables);
  for (const auto& h : step.headers) {
    request.headers.push_back({h.name, substitute(h.value, variables)});
  }
  request.body = substitute(step.body, variables);
  return request;
}

std::optional<Failure> check_response(const Step& step, const HttpRequest& sent,
                                      const HttpResponse& response, Variables& variables) {
  auto failed = StepChecker(step, response, variables).run();
  if (!failed) return std::nullopt;
  return Failure{failed->first, report(failed->second, &sent, &response)};
}

std::optional<Failure> run_case(const CaseFile& file, const Transport& transport) {
  Variables variables;
  for (const auto& step : file.steps) {
    HttpRequest request;
    try {
      request = build_request(step, variables);
    } catch (const SubstitutionError& e) {
      return Failure{step.line, report(e.what(), nullptr, nullptr)};
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(step.within_ms);
    for (;;) {
      HttpResponse response;
      try {
        response = transport(request);
      } catch (const std::exception& e) {
        return Failure{step.line,
                       report(std::string("request failed: ") + e.what(), &request, nullptr)};
      }
      Variables attempt = variables;  // a failed attempt must not leave half its captures
      auto f = check_response(step, request, response, attempt);
      if (!f) {
        variables = std::move(attempt);
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return f;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return std::nullopt;
}

}  // namespace fff::api_cases
