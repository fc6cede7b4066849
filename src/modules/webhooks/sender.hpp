// modules/webhooks/sender: the HTTP side of webhooks — URL checks (http/https only, no private,
// loopback or link-local addresses unless allowed), the signature, and one POST over libcurl
// (timeout, no redirects followed, the address checked again at connect time so a name cannot
// be re-pointed at the shop's own network after it was registered).
//
// Thread-safety: free functions, safe from many threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

struct sockaddr;

namespace fff::webhooks {

// Ok when `url` can be an endpoint. Errors (unprocessable, field "url"): "invalid_webhook_url"
// (not an absolute http:// or https:// URL with a host, or longer than 2048 bytes, or with
// credentials or a fragment), "webhook_url_private" (its host is, or resolves to, a loopback,
// private, link-local, multicast or unspecified address) unless `allow_private`.
Result<void> check_endpoint_url(const std::string& url, bool allow_private);

// True for addresses a webhook must not reach: loopback, RFC 1918, CGNAT, link-local,
// unspecified, multicast, reserved, IPv6 unique-local and IPv4-mapped forms of those.
bool is_private_address(const sockaddr* address);

// hex(HMAC-SHA256(secret, timestamp + "." + body)): the v1 signature.
std::string sign(std::string_view secret, int64_t timestamp, std::string_view body);
// A new signing secret: "whsec_" + 64 hex digits.
std::string new_secret();

struct PostOutcome {
  std::optional<int64_t> status;     // the HTTP status when an answer came
  std::string excerpt;               // its first bytes (at most 512)
  std::optional<std::string> error;  // no answer: timeout, refused connection, refused address
  int64_t duration_ms = 0;
  bool delivered() const { return status && *status >= 200 && *status < 300; }
};

struct PostOptions {
  std::chrono::milliseconds timeout{5000};
  bool allow_private = false;
};

PostOutcome post(const std::string& url,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 const std::string& body, const PostOptions& options);

}  // namespace fff::webhooks
