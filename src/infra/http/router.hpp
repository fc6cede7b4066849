// infra/http/router: method + path patterns ("/api/v1/products/{slug}") to handlers.
//
// Patterns are matched segment by segment; a literal segment wins over a parameter at the same
// position. A path that matches some pattern under another method is a 405 with Allow, not a 404.
// Routes are registered at start-up; matching is read-only and thread-safe afterwards.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "infra/http/message.hpp"

namespace fff::http {

// A plain synchronous function; it runs on the handler pool, never on a network thread.
using Handler = std::function<Response(const Request&)>;

struct RouteOptions {
  // Largest request body accepted, in bytes; 0 means the server-wide limit. A route's limit
  // replaces the server-wide one, lower or higher (uploads need more than JSON routes).
  size_t body_limit = 0;
  // The path carries a secret (a guest cart's id is its capability): the access log shows the
  // route pattern instead of the path.
  bool secret_path = false;
  // An HTML page of the storefront rather than an API operation: `fff routes` marks it, the
  // OpenAPI check leaves it out, and errors before the handler answer with a page.
  bool page = false;
};

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  bool listed = true;  // false for test-only routes: hidden from `fff routes` and the spec check
};

struct RouteMatch {
  enum class Outcome { found, not_found, method_not_allowed };
  Outcome outcome = Outcome::not_found;
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // decoded values
  std::string allow;      // for method_not_allowed: "GET, HEAD, POST"
  bool bad_path = false;  // a segment had an invalid percent-escape
};

class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // REQUIRES: pattern starts with '/', parameters are whole segments "{name}", and the same
  // method + pattern shape is not registered twice (throws std::logic_error otherwise).
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {},
           bool listed = true);

  // `path` is the raw path (before '?'), still percent-encoded. HEAD matches GET routes.
  RouteMatch match(std::string_view method, std::string_view path) const;

  // Every listed route, sorted by pattern then method.
  std::vector<const Route*> routes() const;

 private:
  struct Node;
  static const Node* walk(const Node& node, const std::vector<std::string_view>& segments, size_t i,
                          std::vector<std::pair<std::string, std::string>>& params, bool& bad_path);
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace fff::http
