// tests/api/substitution: `{name}` placeholders in .test files. A placeholder is `{` + identifier
// ([A-Za-z_][A-Za-z0-9_]*) + `}`; any other brace is literal text, so JSON bodies need no escaping.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fff::api_cases {

class SubstitutionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Variables = std::map<std::string, std::string, std::less<>>;

// Names of the placeholders in `text`, in order of appearance.
std::vector<std::string> referenced_variables(std::string_view text);

// `text` with every placeholder replaced by its value. Throws SubstitutionError for a name that is
// not in `variables`.
std::string substitute(std::string_view text, const Variables& variables);

}  // namespace fff::api_cases
