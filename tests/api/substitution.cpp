#include "substitution.hpp"

namespace fff::api_cases {
namespace {

bool identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool identifier_char(char c) {
  return identifier_start(c) || (c >= '0' && c <= '9');
}

// If a placeholder starts at text[pos] (a '{'), returns its length including braces, else 0.
std::size_t placeholder_length(std::string_view text, std::size_t pos) {
  std::size_t i = pos + 1;
  if (i >= text.size() || !identifier_start(text[i])) return 0;
  while (i < text.size() && identifier_char(text[i])) ++i;
  if (i >= text.size() || text[i] != '}') return 0;
  return i + 1 - pos;
}

}  // namespace

std::vector<std::string> referenced_variables(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') continue;
    if (std::size_t len = placeholder_length(text, i)) {
      out.emplace_back(text.substr(i + 1, len - 2));
      i += len - 1;
    }
  }
  return out;
}

std::string substitute(std::string_view text, const Variables& variables) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t len = text[i] == '{' ? placeholder_length(text, i) : 0;
    if (len == 0) {
      out += text[i];
      continue;
    }
    std::string_view name = text.substr(i + 1, len - 2);
    auto it = variables.find(name);
    if (it == variables.end()) {
      throw SubstitutionError("unknown variable {" + std::string(name) + "}");
    }
    out += it->second;
    i += len - 1;
  }
  return out;
}

}  // namespace fff::api_cases
