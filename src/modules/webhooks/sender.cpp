#include "modules/webhooks/sender.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>

namespace fff::webhooks {
namespace {

Error bad_url(const std::string& why) {
  return Error::unprocessable("invalid_webhook_url", "url " + why, {{"url", why}});
}

bool private_v4(uint32_t a) {  // host order
  auto in = [a](uint32_t net, int bits) {
    uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
  };
  return in(0x00000000, 8) ||   // "this" network, unspecified
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // loopback
         in(0xA9FE0000, 16) ||  // link-local (cloud metadata lives here)
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // multicast
         in(0xF0000000, 4);     // reserved and broadcast
}

bool private_v6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t kZero[16] = {0};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  if ((b[0] & 0xFE) == 0xFC) return true;                                         // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;                         // fe80::/10
  if (b[0] == 0xFF) return true;                                                  // multicast
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::memcmp(b, kMapped, 12) == 0) {  // ::ffff:a.b.c.d
    uint32_t v4 =
        (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) | b[15];
    return private_v4(v4);
  }
  return false;
}

void curl_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Capture {
  std::string excerpt;
};

size_t capture_body(char* data, size_t size, size_t count, void* user) {
  auto* capture = static_cast<Capture*>(user);
  size_t n = size * count;
  if (capture->excerpt.size() < 512)
    capture->excerpt.append(data, std::min(n, 512 - capture->excerpt.size()));
  return n;
}

struct SocketGuard {
  bool allow_private = false;
  bool refused = false;
};

curl_socket_t open_socket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* guard = static_cast<SocketGuard*>(user);
  if (!guard->allow_private && is_private_address(&address->addr)) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

}  // namespace

bool is_private_address(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return private_v4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return private_v6(v6->sin6_addr);
  }
  return true;  // anything else is no public Internet address
}

Result<void> check_endpoint_url(const std::string& url, bool allow_private) {
  if (url.empty()) return bad_url("must not be empty");
  if (url.size() > 2048) return bad_url("must be at most 2048 bytes");
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return bad_url("is not an absolute URL");
  std::string scheme(parsed->scheme());
  if (scheme != "http" && scheme != "https") return bad_url("must start with http:// or https://");
  if (!parsed->has_authority() || parsed->encoded_host().empty()) return bad_url("needs a host");
  if (parsed->has_userinfo()) return bad_url("must not carry a user name or password");
  std::string host(parsed->encoded_host());
  if (allow_private) return {};
  Error refused = Error::unprocessable(
      "webhook_url_private",
      "url points to a loopback, private or link-local address, which webhooks may not reach",
      {{"url", "points to a loopback, private or link-local address"}});
  std::string lower;
  for (char c : host) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "localhost" || lower.ends_with(".localhost") || lower.ends_with(".local") ||
      lower.ends_with(".internal"))
    return refused;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  // Literal addresses are judged as they are; names by every address they resolve to now
  // (and again at each delivery, when the connection is made).
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  bool numeric = ::getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0;
  if (!numeric) {
    hints.ai_flags = 0;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};  // judged later
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, ::freeaddrinfo);
  for (const addrinfo* a = found; a; a = a->ai_next)
    if (is_private_address(a->ai_addr)) return refused;
  return {};
}

std::string sign(std::string_view secret, int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp) + "." + std::string(body);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

std::string new_secret() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("whsec_") + hex;
}

PostOutcome post(const std::string& url,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 const std::string& body, const PostOptions& options) {
  curl_init_once();
  PostOutcome outcome;
  auto started = std::chrono::steady_clock::now();
  auto finish = [&] {
    outcome.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
    return outcome;
  };
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    outcome.error = "cannot start an HTTP client";
    return finish();
  }
  CURL* c = curl.get();
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers)
    list = curl_slist_append(list, (name + ": " + value).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> owned_list(list, curl_slist_free_all);
  Capture capture;
  SocketGuard guard{options.allow_private, false};
  char error_text[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, capture_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &capture);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "FFF-Webhooks/1");
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    if (guard.refused)
      outcome.error = "the address is loopback, private or link-local";
    else if (code == CURLE_OPERATION_TIMEDOUT)
      outcome.error = "timed out after " + std::to_string(options.timeout.count()) + " ms";
    else
      outcome.error = error_text[0] ? std::string(error_text) : curl_easy_strerror(code);
    return finish();
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  outcome.status = status;
  // Kept as printable ASCII: the log shows it, whatever bytes the receiver sent.
  for (char& ch : capture.excerpt)
    if (static_cast<unsigned char>(ch) >= 0x7F || (ch < ' ' && ch != '\n' && ch != '\t')) ch = '?';
  outcome.excerpt = std::move(capture.excerpt);
  return finish();
}

}  // namespace fff::webhooks
