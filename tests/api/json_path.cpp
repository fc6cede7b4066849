#include "json_path.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace fff::api_cases {
namespace json = boost::json;

namespace {

bool is_member_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_number(const json::value& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}

}  // namespace

std::vector<PathSegment> parse_json_path(std::string_view path) {
  auto fail = [&](const std::string& why) -> PathError {
    return PathError("bad JSON path `" + std::string(path) + "`: " + why);
  };
  if (path.empty() || path[0] != '$') throw fail("must start with $");
  std::vector<PathSegment> out;
  std::size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      std::size_t start = ++i;
      while (i < path.size() && is_member_char(path[i])) ++i;
      if (i == start) throw fail("expected a member name after '.'");
      out.push_back({PathSegment::Kind::member, std::string(path.substr(start, i - start)), 0});
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && path[i] == '"') {
        std::string member;
        ++i;
        while (i < path.size() && path[i] != '"') {
          if (path[i] == '\\' && i + 1 < path.size()) ++i;
          member += path[i++];
        }
        if (i >= path.size()) throw fail("unterminated quoted member");
        ++i;  // closing quote
        out.push_back({PathSegment::Kind::member, member, 0});
      } else {
        std::size_t start = i;
        if (i < path.size() && path[i] == '-') ++i;
        while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
        long long index = 0;
        auto [p, ec] = std::from_chars(path.data() + start, path.data() + i, index);
        if (ec != std::errc{} || p != path.data() + i) throw fail("expected an index in [ ]");
        out.push_back({PathSegment::Kind::index, {}, index});
      }
      if (i >= path.size() || path[i] != ']') throw fail("expected ']'");
      ++i;
    } else {
      throw fail(std::string("unexpected character '") + path[i] + "'");
    }
  }
  return out;
}

std::optional<json::value> resolve_json_path(const json::value& root,
                                             const std::vector<PathSegment>& path) {
  json::value current = root;
  for (const auto& seg : path) {
    if (seg.kind == PathSegment::Kind::index) {
      const json::array* arr = current.if_array();
      if (!arr) return std::nullopt;
      long long n = static_cast<long long>(arr->size());
      long long i = seg.index < 0 ? n + seg.index : seg.index;
      if (i < 0 || i >= n) return std::nullopt;
      current = (*arr)[static_cast<std::size_t>(i)];
      continue;
    }
    if (const json::object* obj = current.if_object()) {
      if (auto it = obj->find(seg.member); it != obj->end()) {
        current = it->value();
        continue;
      }
      if (seg.member == "length") {
        current = static_cast<std::int64_t>(obj->size());
        continue;
      }
      return std::nullopt;
    }
    if (seg.member == "length") {
      if (const json::array* arr = current.if_array()) {
        current = static_cast<std::int64_t>(arr->size());
        continue;
      }
      if (const json::string* str = current.if_string()) {
        current = static_cast<std::int64_t>(str->size());
        continue;
      }
    }
    return std::nullopt;
  }
  return current;
}

bool json_equal(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) {
    if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
    if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
    const json::value& s = a.is_int64() ? a : b;
    const json::value& u = a.is_int64() ? b : a;
    return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::array: {
      const auto& x = a.get_array();
      const auto& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!json_equal(x[i], y[i])) return false;
      }
      return true;
    }
    case json::kind::object: {
      const auto& x = a.get_object();
      const auto& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !json_equal(kv.value(), it->value())) return false;
      }
      return true;
    }
    default: return a == b;
  }
}

std::string json_type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

}  // namespace fff::api_cases
