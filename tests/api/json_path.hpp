// tests/api/json_path: the small JSON path language of .test files.
//
//   $                   the whole document
//   $.items             member "items"
//   $.items[0].slug     first element, then member "slug"
//   $.items[-1]         last element
//   $["odd key"]        member with characters other than [A-Za-z0-9_-]
//   $.items.length      number of elements of an array, characters of a string, or members of an
//                       object (an object's own "length" member wins)
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fff::api_cases {

struct PathSegment {
  enum class Kind { member, index } kind = Kind::member;
  std::string member;
  long long index = 0;
};

class PathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws PathError on bad syntax.
std::vector<PathSegment> parse_json_path(std::string_view path);

// The value at `path`, or nullopt when some step does not exist.
std::optional<boost::json::value> resolve_json_path(const boost::json::value& root,
                                                    const std::vector<PathSegment>& path);

// Equality as a reader expects it: integers equal regardless of signedness, numbers of different
// kinds compared as doubles, arrays and objects compared member by member.
bool json_equal(const boost::json::value& a, const boost::json::value& b);

// "string", "integer", "number", "boolean", "null", "array", "object".
std::string json_type_name(const boost::json::value& v);

}  // namespace fff::api_cases
