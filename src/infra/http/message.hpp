// infra/http: the HTTP layer. Handlers see only these plain types; Boost.Beast stays inside
// server.cpp so that module code compiles fast and never depends on the network library.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "infra/http/principal.hpp"

namespace fff::http {

// Case-insensitive header list, in arrival order. Small: a linear scan beats hashing here.
class Headers {
 public:
  // The first value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // Replaces every existing value of `name`.
  void set(std::string_view name, std::string_view value);
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);

  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

bool iequals(std::string_view a, std::string_view b);

struct Route;

struct Request {
  std::string method;  // upper-case token as sent ("GET"); HEAD is matched as GET
  std::string target;  // origin-form as sent: "/api/v1/products?page=2"
  std::string path;    // target before '?', percent-decoded per segment by the router
  std::string query;   // raw text after '?', not decoded
  Headers headers;
  std::string body;
  std::string remote_address;
  bool keep_alive = true;

  // Filled in as the request moves through the server.
  std::string request_id;
  const Route* route = nullptr;  // null when no route matched
  std::vector<std::pair<std::string, std::string>> path_params;
  // Set by the authentication middleware; null for an anonymous request.
  std::shared_ptr<const Principal> principal;
  // The client's address as the perimeter trusts it: remote_address, or the first hop of
  // X-Forwarded-For when the peer is a configured trusted proxy. Rate limits key on it.
  std::string client_address;
  // True when the client reached us over TLS (directly, or per X-Forwarded-Proto from a
  // trusted proxy): cookies get Secure and responses HSTS.
  bool secure = false;

  // A path parameter by name ("slug" for /products/{slug}); empty when absent.
  std::string_view param(std::string_view name) const;
  // A decoded query parameter ('+' is a space, %XX decoded); nullopt when absent.
  // Invalid percent-encoding yields the raw text.
  std::optional<std::string> query_param(std::string_view name) const;
  // The value of cookie `name` from the Cookie header(s), or nullopt.
  std::optional<std::string_view> cookie(std::string_view name) const;
  // The route pattern for logs and metrics: "/api/v1/products/{slug}" or "unmatched".
  std::string_view route_pattern() const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
};

// Percent-decodes `in` (and '+' → ' ' when `plus_is_space`). False on a malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);
// Percent-encodes all but RFC 3986 unreserved characters and those in `keep` ("/" for a path);
// a space becomes '+' when `space_as_plus` (form and query values), else %20.
std::string percent_encode(std::string_view in, std::string_view keep = {},
                           bool space_as_plus = false);

}  // namespace fff::http
