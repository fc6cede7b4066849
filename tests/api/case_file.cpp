#include "case_file.hpp"

#include "json_path.hpp"
#include "substitution.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace fff::api_cases {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Splits off the first whitespace-delimited word.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  std::size_t end = s.find_first_of(" \t");
  std::string_view word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : trim(s.substr(end));
  return word;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_request_line(std::string_view line) {
  std::size_t sp = line.find(' ');
  if (sp == 0 || sp == std::string_view::npos) return false;
  for (std::size_t i = 0; i < sp; ++i) {
    if (line[i] < 'A' || line[i] > 'Z') return false;
  }
  std::string_view target = line.substr(sp + 1);
  return !target.empty() && target.find_first_of(" \t") == std::string_view::npos &&
         (target[0] == '/' || target[0] == '*');
}

bool is_header_line(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    if (!is_tchar(line[i])) return false;
  }
  return true;
}

struct OpSpelling {
  std::string_view word;
  Op op;
};
constexpr OpSpelling kOps[] = {
    {"=", Op::equals},        {"!=", Op::not_equals},   {"~", Op::contains},
    {"!~", Op::not_contains}, {"=~", Op::matches},      {"<", Op::less},
    {"<=", Op::less_equal},   {">", Op::greater},       {">=", Op::greater_equal},
    {"exists", Op::exists},   {"missing", Op::missing}, {"is", Op::is_type},
    {"empty", Op::empty},
};

const std::set<std::string, std::less<>> kTypeNames = {"string", "integer", "number", "boolean",
                                                       "null",   "array",   "object"};

class Parser {
 public:
  Parser(std::string_view text, std::string path) {
    file_.path = std::move(path);
    split(text);
  }

  CaseFile parse() {
    enum class State { top, headers, body, checks } state = State::top;
    std::vector<std::string> body_lines;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      line_no_ = static_cast<int>(i) + 1;
      std::string_view line = lines_[i];
      bool comment = starts_with(trim(line), "#");
      switch (state) {
        case State::top:
        case State::checks:
          if (trim(line).empty()) {
            state = State::top;
          } else if (comment) {
          } else if (is_request_line(line)) {
            start_step(line);
            state = State::headers;
          } else if (state == State::checks &&
                     (starts_with(line, "expect ") || starts_with(line, "capture "))) {
            parse_check(line);
          } else if (state == State::top && starts_with(line, "env ")) {
            parse_env(line);
          } else if (state == State::top &&
                     (starts_with(line, "expect ") || starts_with(line, "capture "))) {
            fail(
                "`expect` and `capture` belong right after a `---- STATUS` line, with no blank "
                "line between");
          } else {
            fail("expected a request line (METHOD /target), `env NAME=value`, or a comment; got: " +
                 std::string(line));
          }
          break;
        case State::headers:
          if (starts_with(line, "----")) {
            finish_step(line, body_lines);
            state = State::checks;
          } else if (comment) {
          } else if (trim(line).empty()) {
            state = State::body;
          } else if (is_header_line(line)) {
            std::size_t colon = line.find(':');
            std::string value(trim(line.substr(colon + 1)));
            check_variables(value);
            step().headers.push_back({std::string(line.substr(0, colon)), value});
          } else {
            state = State::body;
            body_lines.emplace_back(line);
          }
          break;
        case State::body:
          if (starts_with(line, "----")) {
            finish_step(line, body_lines);
            state = State::checks;
          } else {
            body_lines.emplace_back(line);
          }
          break;
      }
    }
    if (state == State::headers || state == State::body) {
      line_no_ = step().line;
      fail("request without its `---- STATUS` line");
    }
    if (file_.steps.empty()) {
      line_no_ = 1;
      fail("no requests in the file");
    }
    return std::move(file_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) { throw CaseSyntaxError(line_no_, message); }

  Step& step() { return file_.steps.back(); }

  void split(std::string_view text) {
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t nl = text.find('\n', pos);
      std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (nl == std::string_view::npos) {
        if (!line.empty()) lines_.emplace_back(line);
        break;
      }
      lines_.emplace_back(line);
      pos = nl + 1;
    }
  }

  void check_variables(std::string_view text) {
    try {
      for (const auto& name : referenced_variables(text)) {
        if (!known_.count(name)) {
          fail("{" + name + "} is not a captured variable here (captures so far: " + known_list() +
               ")");
        }
      }
    } catch (const SubstitutionError& e) {
      fail(e.what());
    }
  }

  std::string known_list() const {
    std::string out;
    for (const auto& k : known_) out += (out.empty() ? "" : ", ") + k;
    return out.empty() ? "none" : out;
  }

  void parse_env(std::string_view line) {
    if (!file_.steps.empty()) fail("`env` lines must come before the first request");
    std::string_view rest = trim(line.substr(4));
    std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos || !is_identifier(rest.substr(0, eq))) {
      fail("expected `env NAME=value`");
    }
    file_.env.emplace_back(std::string(rest.substr(0, eq)), std::string(rest.substr(eq + 1)));
  }

  void start_step(std::string_view line) {
    Step s;
    s.line = line_no_;
    std::size_t sp = line.find(' ');
    s.method = std::string(line.substr(0, sp));
    s.target = std::string(line.substr(sp + 1));
    file_.steps.push_back(std::move(s));
    check_variables(step().target);
  }

  void finish_step(std::string_view line, std::vector<std::string>& body_lines) {
    while (!body_lines.empty() && trim(body_lines.back()).empty()) body_lines.pop_back();
    std::string body;
    for (std::size_t i = 0; i < body_lines.size(); ++i) {
      if (i) body += '\n';
      body += body_lines[i];
    }
    body_lines.clear();
    check_variables(body);
    step().body = std::move(body);
    step().status_line = line_no_;

    static const std::regex status_re(
        R"(^----\s+(\d{3})(?:\s+([a-z][a-z0-9_]*))?(?:\s+within\s+(\d{1,2})s)?\s*$)");
    std::string s(line);
    std::smatch m;
    if (!std::regex_match(s, m, status_re)) {
      fail(
          "expected `---- STATUS` or `---- STATUS problem_code`, e.g. `---- 404 not_found`, "
          "optionally followed by `within Ns` (N up to 99)");
    }
    step().expected_status = std::stoi(m[1].str());
    step().expected_code = m[2].matched ? m[2].str() : "";
    step().within_ms = m[3].matched ? std::stoi(m[3].str()) * 1000 : 0;
  }

  void parse_check(std::string_view line) {
    Check c;
    c.line = line_no_;
    c.text = std::string(line);
    std::string_view rest = line;
    std::string_view keyword = next_word(rest);
    c.capture = keyword == "capture";
    if (c.capture) {
      std::string_view name = next_word(rest);
      if (!is_identifier(name))
        fail("expected `capture NAME = $.path`, `capture NAME = header H` or `cookie C`");
      if (next_word(rest) != "=") fail("expected `=` after the capture name");
      c.variable = std::string(name);
    }
    std::string_view subject = next_word(rest);
    if (starts_with(subject, "$")) {
      c.subject = Subject::json;
      c.target = std::string(subject);
      try {
        parse_json_path(c.target);
      } catch (const PathError& e) {
        fail(e.what());
      }
    } else if (subject == "header") {
      c.subject = Subject::header;
      c.target = std::string(next_word(rest));
      if (c.target.empty() || !is_header_line(c.target + ":")) fail("expected a header name");
    } else if (subject == "cookie" && c.capture) {
      c.subject = Subject::cookie;
      c.target = std::string(next_word(rest));
      if (c.target.empty() || !is_header_line(c.target + ":")) fail("expected a cookie name");
    } else if (subject == "body" && !c.capture) {
      c.subject = Subject::body;
    } else {
      fail(c.capture ? "a capture takes `$.path`, `header NAME` or `cookie NAME`"
                     : "expected `$.path`, `header NAME` or `body` after `expect`");
    }
    if (c.capture) {
      if (!rest.empty()) fail("unexpected text after the capture source: " + std::string(rest));
      step().checks.push_back(std::move(c));
      known_.insert(step().checks.back().variable);
      return;
    }

    std::string_view op_word = next_word(rest);
    bool found = false;
    for (const auto& spelling : kOps) {
      if (spelling.word == op_word) {
        c.op = spelling.op;
        found = true;
      }
    }
    if (!found) fail("unknown operator `" + std::string(op_word) + "`");
    c.operand = std::string(rest);
    check_variables(c.operand);
    validate(c);
    step().checks.push_back(std::move(c));
  }

  void validate(const Check& c) {
    bool no_operand = c.op == Op::exists || c.op == Op::missing || c.op == Op::empty;
    if (no_operand && !c.operand.empty()) fail("`" + op_name(c.op) + "` takes no operand");
    if (!no_operand && c.operand.empty()) fail("missing operand after the operator");
    bool ordering = c.op == Op::less || c.op == Op::less_equal || c.op == Op::greater ||
                    c.op == Op::greater_equal;
    switch (c.subject) {
      case Subject::json:
        if (c.op == Op::empty) fail("`empty` applies to `body`; use `.length = 0` for JSON");
        break;
      case Subject::header:
        if (ordering || c.op == Op::is_type || c.op == Op::empty) {
          fail("headers take =, !=, ~, !~, =~, exists or missing");
        }
        break;
      case Subject::body:
        if (ordering || c.op == Op::is_type || c.op == Op::exists || c.op == Op::missing) {
          fail("body takes =, !=, ~, !~, =~ or empty");
        }
        break;
      case Subject::cookie: break;  // capture only: never validated as an expectation
    }
    // Check operand syntax with every {name} replaced by a harmless value.
    std::string sample = substitute_sample(c.operand);
    if (c.subject == Subject::json && (c.op == Op::equals || c.op == Op::not_equals || ordering)) {
      boost::system::error_code ec;
      auto v = boost::json::parse(sample, ec);
      if (ec) fail("operand is not a JSON value (quote strings): " + c.operand);
      if (ordering && !(v.is_int64() || v.is_uint64() || v.is_double())) {
        fail("ordering operators need a number");
      }
    }
    if (c.op == Op::is_type && !kTypeNames.count(c.operand)) {
      fail("unknown type `" + c.operand +
           "` (string, integer, number, boolean, null, array, object)");
    }
    if (c.op == Op::matches) {
      try {
        std::regex re(sample);
      } catch (const std::regex_error& e) {
        fail(std::string("bad regular expression: ") + e.what());
      }
    }
  }

  static std::string op_name(Op op) {
    for (const auto& s : kOps) {
      if (s.op == op) return std::string(s.word);
    }
    return "?";
  }

  std::string substitute_sample(const std::string& text) {
    std::map<std::string, std::string, std::less<>> zeros;
    for (const auto& k : known_) zeros[k] = "0";
    return substitute(text, zeros);
  }

  CaseFile file_;
  std::vector<std::string> lines_;
  std::set<std::string, std::less<>> known_;
  int line_no_ = 0;
};

}  // namespace

CaseFile parse_case_text(std::string_view text, std::string path) {
  return Parser(text, std::move(path)).parse();
}

CaseFile parse_case_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CaseSyntaxError(0, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_case_text(ss.str(), path);
}

}  // namespace fff::api_cases
