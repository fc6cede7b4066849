#include "infra/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace fff::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // "{name}" at this position
  std::string param_name;
  std::map<std::string, Route*, std::less<>> methods;  // method → route ending at this node
};

namespace {

// Splits "/a/b/" into {"a","b",""}; the root "/" into {}. A trailing slash is significant:
// "/products/" does not match "/products" (one canonical URL per resource).
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

std::string allow_header(const std::map<std::string, Route*, std::less<>>& methods) {
  std::vector<std::string> names;
  for (const auto& [m, r] : methods) {
    names.push_back(m);
    if (m == "GET") names.push_back("HEAD");
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string s;
  for (const auto& n : names) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options,
                 bool listed) {
  if (pattern.empty() || pattern[0] != '/')
    throw std::logic_error("route must start with /: " + pattern);
  Node* node = root_.get();
  for (std::string_view seg : split_path(pattern)) {
    if (is_param(seg)) {
      std::string name(seg.substr(1, seg.size() - 2));
      if (!node->param) {
        node->param = std::make_unique<Node>();
        node->param_name = name;
      } else if (node->param_name != name) {
        throw std::logic_error("conflicting parameter names at the same position: " + pattern);
      }
      node = node->param.get();
    } else {
      auto& child = node->literals[std::string(seg)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  if (node->methods.count(method))
    throw std::logic_error("route registered twice: " + method + " " + pattern);
  auto route = std::make_unique<Route>(Route{method, pattern, std::move(handler), options, listed});
  node->methods[method] = route.get();
  routes_.push_back(std::move(route));
}

// Depth-first with backtracking: a literal is tried before the parameter at each position so
// "/products/new" can coexist with "/products/{slug}". A plain recursive function rather than a
// std::function: this runs for every request.
const Router::Node* Router::walk(const Node& node, const std::vector<std::string_view>& segments,
                                 size_t i, std::vector<std::pair<std::string, std::string>>& params,
                                 bool& bad_path) {
  if (i == segments.size()) return node.methods.empty() ? nullptr : &node;
  std::string_view seg = segments[i];
  if (auto it = node.literals.find(seg); it != node.literals.end()) {
    if (auto found = walk(*it->second, segments, i + 1, params, bad_path)) return found;
  }
  if (node.param && !seg.empty()) {
    std::string decoded;
    if (!percent_decode(seg, decoded, false)) {
      bad_path = true;
      return nullptr;
    }
    params.emplace_back(node.param_name, std::move(decoded));
    if (auto found = walk(*node.param, segments, i + 1, params, bad_path)) return found;
    params.pop_back();
  }
  return nullptr;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto segments = split_path(path);
  std::vector<std::pair<std::string, std::string>> params;

  const Node* node = walk(*root_, segments, 0, params, m.bad_path);
  if (!node) return m;
  std::string_view effective = method == "HEAD" ? std::string_view("GET") : method;
  auto it = node->methods.find(effective);
  if (it == node->methods.end()) {
    m.outcome = RouteMatch::Outcome::method_not_allowed;
    m.allow = allow_header(node->methods);
    return m;
  }
  m.outcome = RouteMatch::Outcome::found;
  m.route = it->second;
  m.params = std::move(params);
  return m;
}

std::vector<const Route*> Router::routes() const {
  std::vector<const Route*> out;
  for (const auto& r : routes_)
    if (r->listed) out.push_back(r.get());
  std::sort(out.begin(), out.end(), [](const Route* a, const Route* b) {
    return a->pattern != b->pattern ? a->pattern < b->pattern : a->method < b->method;
  });
  return out;
}

}  // namespace fff::http
