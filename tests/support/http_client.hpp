// tests/support/http_client: a small HTTP/1.1 client over raw POSIX sockets, for tests that talk to
// a real `fff` process. It speaks to 127.0.0.1 only, can send well-formed requests or arbitrary
// bytes (malformed heads, byte-at-a-time trickles), reads one response at a time with a deadline,
// reuses the connection for keep-alive, and notices when the server closes it (and when).
//
// Deliberately free of Boost so that it compiles fast. Not thread-safe: one connection, one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fff::testing {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

struct Header {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<Header> headers;
  std::string body;

  // The bytes on the wire. Adds `Host` when absent, and `Content-Length` when absent, there is no
  // Transfer-Encoding header, and the body is non-empty or the method is POST, PUT or PATCH.
  std::string serialize() const;
};

struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<Header> headers;  // in arrival order
  std::string body;             // de-chunked
  bool chunked = false;

  // First header with this name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
  std::vector<std::string> header_values(std::string_view name) const;
  bool has_header(std::string_view name) const { return header(name).has_value(); }
  // Status line, headers and body, for failure messages.
  std::string describe() const;
};

// Connection, protocol and timeout failures. The message says what was received so far.
class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

bool iequals(std::string_view a, std::string_view b);

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; throws HttpError if that fails or takes longer than `timeout`.
  explicit HttpConnection(uint16_t port, Millis timeout = Millis(5000));
  // Like the constructor, but reports failure as nullopt; `error_number` receives the errno
  // (ECONNREFUSED when nothing listens).
  static std::optional<HttpConnection> try_connect(uint16_t port, Millis timeout,
                                                   int* error_number = nullptr);

  HttpConnection(HttpConnection&& other) noexcept;
  HttpConnection& operator=(HttpConnection&& other) noexcept;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  ~HttpConnection();

  // Sends every byte. Returns false if the peer has closed or reset the connection.
  bool send_raw(std::string_view bytes);
  bool send(const HttpRequest& request) { return send_raw(request.serialize()); }

  // Sends `bytes` one at a time, `interval` apart, and stops early as soon as the server answers or
  // closes (the socket becomes readable). Returns how many bytes were sent.
  std::size_t trickle(std::string_view bytes, Millis interval);

  // Reads one complete response (status line, headers, body by Content-Length, chunked, or until
  // close). Pass `head_request` when the request was HEAD: no body is read then. Throws HttpError
  // on timeout, on close before a complete response, or on a malformed response.
  HttpResponse read_response(Millis timeout = Millis(10000), bool head_request = false);
  // Same, but returns nullopt and fills `error` instead of throwing.
  std::optional<HttpResponse> try_read_response(Millis timeout, bool head_request,
                                                std::string* error);

  // send + read_response.
  HttpResponse request(const HttpRequest& request, Millis timeout = Millis(10000));
  HttpResponse get(std::string target, std::vector<Header> headers = {},
                   Millis timeout = Millis(10000));

  // Waits until the server closes the connection (FIN or RST). Returns true if it did within
  // `timeout`. Bytes that arrive meanwhile are kept in buffered().
  bool wait_for_close(Millis timeout);
  // Waits until bytes are available or the peer has closed. Returns true if so within `timeout`.
  bool wait_readable(Millis timeout);

  bool closed_by_peer() const { return peer_closed_; }
  bool reset_by_peer() const { return peer_reset_; }
  // When the close was first observed.
  std::optional<SteadyClock::time_point> closed_at() const { return closed_at_; }
  // Received bytes not consumed by a response yet.
  const std::string& buffered() const { return buffer_; }
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  struct AdoptFd {};
  HttpConnection(AdoptFd, int fd) : fd_(fd) {}
  enum class Fill { data, closed, timeout };
  // Appends whatever arrives before `deadline` to buffer_.
  Fill fill(SteadyClock::time_point deadline);
  void mark_closed(bool reset);

  int fd_ = -1;
  std::string buffer_;
  bool peer_closed_ = false;
  bool peer_reset_ = false;
  std::optional<SteadyClock::time_point> closed_at_;
};

}  // namespace fff::testing
