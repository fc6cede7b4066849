#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace fff::testing {
namespace {

constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

std::string errno_text(int err) {
  return std::string(std::strerror(err));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool has_header(const std::vector<Header>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return iequals(h.name, name); });
}

int remaining_ms(SteadyClock::time_point deadline) {
  // Rounded up: a timeout must never end before its deadline.
  auto left = std::chrono::ceil<Millis>(deadline - SteadyClock::now()).count();
  if (left <= 0) return 0;
  return left > 1'000'000 ? 1'000'000 : static_cast<int>(left);
}

// Printable form of received bytes: control characters other than CR/LF/TAB escaped.
std::string printable(std::string_view bytes, std::size_t limit = 4096) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (bytes.size() > limit) out += "…(" + std::to_string(bytes.size() - limit) + " more bytes)";
  return out;
}

enum class Parse { complete, need_more, error };

// Parses one response from the front of `buf`. `eof` says the peer has closed, which completes a
// body delimited by the close. On success `consumed` is the response's length in bytes.
Parse parse_response(std::string_view buf, bool head_request, bool eof, HttpResponse& out,
                     std::size_t& consumed, std::string& error) {
  std::size_t head_end = buf.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return Parse::need_more;
  std::string_view head = buf.substr(0, head_end);
  out = HttpResponse{};

  std::size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  std::size_t sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos || status_line.substr(0, 5) != "HTTP/") {
    error = "malformed status line: " + printable(status_line);
    return Parse::error;
  }
  out.version = std::string(status_line.substr(0, sp1));
  std::string_view rest = status_line.substr(sp1 + 1);
  std::size_t sp2 = rest.find(' ');
  std::string_view code = rest.substr(0, sp2);
  int status = 0;
  auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
  if (ec != std::errc{} || ptr != code.data() + code.size() || code.size() != 3) {
    error = "malformed status code in: " + printable(status_line);
    return Parse::error;
  }
  out.status = status;
  out.reason = sp2 == std::string_view::npos ? "" : std::string(rest.substr(sp2 + 1));

  std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) end = head.size();
    std::string_view line = head.substr(pos, end - pos);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error = "malformed header line: " + printable(line);
      return Parse::error;
    }
    out.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1)))});
    pos = end + 2;
  }

  std::size_t body_start = head_end + 4;
  bool no_body = head_request || out.status / 100 == 1 || out.status == 204 || out.status == 304;
  if (no_body) {
    consumed = body_start;
    return Parse::complete;
  }

  auto te = out.header("Transfer-Encoding");
  if (te && te->find("chunked") != std::string::npos) {
    out.chunked = true;
    std::size_t p = body_start;
    for (;;) {
      std::size_t eol = buf.find("\r\n", p);
      if (eol == std::string_view::npos) return Parse::need_more;
      std::string_view size_line = buf.substr(p, eol - p);
      std::size_t semi = size_line.find(';');
      std::string_view hex = trim(size_line.substr(0, semi));
      std::size_t size = 0;
      auto [sp, sec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
      if (hex.empty() || sec != std::errc{} || sp != hex.data() + hex.size()) {
        error = "malformed chunk size line: " + printable(size_line);
        return Parse::error;
      }
      p = eol + 2;
      if (size == 0) {
        // Trailer section: header lines up to an empty line.
        for (;;) {
          std::size_t t_end = buf.find("\r\n", p);
          if (t_end == std::string_view::npos) return Parse::need_more;
          bool empty = t_end == p;
          p = t_end + 2;
          if (empty) break;
        }
        consumed = p;
        return Parse::complete;
      }
      if (buf.size() < p + size + 2) return Parse::need_more;
      out.body.append(buf.substr(p, size));
      if (buf.substr(p + size, 2) != "\r\n") {
        error = "chunk data not followed by CRLF";
        return Parse::error;
      }
      p += size + 2;
    }
  }

  if (auto cl = out.header("Content-Length")) {
    std::size_t length = 0;
    std::string_view v = *cl;
    auto [lp, lec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (v.empty() || lec != std::errc{} || lp != v.data() + v.size()) {
      error = "malformed Content-Length: " + printable(v);
      return Parse::error;
    }
    if (buf.size() < body_start + length) return Parse::need_more;
    out.body = std::string(buf.substr(body_start, length));
    consumed = body_start + length;
    return Parse::complete;
  }

  // Neither chunked nor Content-Length: the body runs until the server closes.
  if (!eof) return Parse::need_more;
  out.body = std::string(buf.substr(body_start));
  consumed = buf.size();
  return Parse::complete;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string HttpRequest::serialize() const {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  if (!has_header(headers, "Host")) out += "Host: 127.0.0.1\r\n";
  for (const auto& h : headers) out += h.name + ": " + h.value + "\r\n";
  bool carries_body = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (carries_body && !has_header(headers, "Content-Length") &&
      !has_header(headers, "Transfer-Encoding")) {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::header_values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& h : headers) {
    if (iequals(h.name, name)) out.push_back(h.value);
  }
  return out;
}

std::string HttpResponse::describe() const {
  std::string out = version + " " + std::to_string(status) + " " + reason + "\n";
  for (const auto& h : headers) out += h.name + ": " + h.value + "\n";
  out += "\n";
  out += printable(body, 64 * 1024);
  return out;
}

HttpConnection::HttpConnection(uint16_t port, Millis timeout) {
  int err = 0;
  auto conn = try_connect(port, timeout, &err);
  if (!conn) {
    throw HttpError("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                    (err ? errno_text(err) : std::string("timed out")));
  }
  *this = std::move(*conn);
}

std::optional<HttpConnection> HttpConnection::try_connect(uint16_t port, Millis timeout,
                                                          int* error_number) {
  auto fail = [&](int err) -> std::optional<HttpConnection> {
    if (error_number) *error_number = err;
    return std::nullopt;
  };
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail(errno);
  HttpConnection conn(AdoptFd{}, fd);  // closes fd on every failure path below
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) return fail(errno);
    auto deadline = SteadyClock::now() + timeout;
    pollfd p{fd, POLLOUT, 0};
    int r;
    do {
      r = ::poll(&p, 1, remaining_ms(deadline));
    } while (r < 0 && errno == EINTR);
    if (r == 0) return fail(ETIMEDOUT);
    if (r < 0) return fail(errno);
    int so_error = 0;
    socklen_t len = sizeof so_error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (so_error != 0) return fail(so_error);
  }
  if (error_number) *error_number = 0;
  return conn;
}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      buffer_(std::move(other.buffer_)),
      peer_closed_(other.peer_closed_),
      peer_reset_(other.peer_reset_),
      closed_at_(other.closed_at_) {}

HttpConnection& HttpConnection::operator=(HttpConnection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    peer_closed_ = other.peer_closed_;
    peer_reset_ = other.peer_reset_;
    closed_at_ = other.closed_at_;
  }
  return *this;
}

HttpConnection::~HttpConnection() {
  close();
}

void HttpConnection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void HttpConnection::mark_closed(bool reset) {
  if (!peer_closed_) closed_at_ = SteadyClock::now();
  peer_closed_ = true;
  peer_reset_ = peer_reset_ || reset;
}

bool HttpConnection::send_raw(std::string_view bytes) {
  if (fd_ < 0) return false;
  auto deadline = SteadyClock::now() + Millis(10000);
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // The server is not reading; wait for room, but not forever.
      pollfd p{fd_, POLLOUT, 0};
      int r = ::poll(&p, 1, remaining_ms(deadline));
      if (r == 0) return false;
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) mark_closed(errno == ECONNRESET);
    return false;
  }
  return true;
}

std::size_t HttpConnection::trickle(std::string_view bytes, Millis interval) {
  std::size_t sent = 0;
  for (char c : bytes) {
    if (!send_raw(std::string_view(&c, 1))) break;
    ++sent;
    if (wait_readable(interval)) break;
  }
  return sent;
}

HttpConnection::Fill HttpConnection::fill(SteadyClock::time_point deadline) {
  if (fd_ < 0 || peer_closed_) return Fill::closed;
  for (;;) {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return Fill::data;
    }
    if (n == 0) {
      mark_closed(false);
      return Fill::closed;
    }
    if (errno == EINTR) continue;
    if (errno == ECONNRESET) {
      mark_closed(true);
      return Fill::closed;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      mark_closed(false);
      return Fill::closed;
    }
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r == 0) return Fill::timeout;
    if (r < 0 && errno != EINTR) return Fill::timeout;
  }
}

std::optional<HttpResponse> HttpConnection::try_read_response(Millis timeout, bool head_request,
                                                              std::string* error) {
  auto deadline = SteadyClock::now() + timeout;
  std::string why;
  for (;;) {
    HttpResponse response;
    std::size_t consumed = 0;
    Parse p = parse_response(buffer_, head_request, peer_closed_, response, consumed, why);
    if (p == Parse::complete) {
      buffer_.erase(0, consumed);
      return response;
    }
    if (p == Parse::error) break;
    if (buffer_.size() > kMaxResponseBytes) {
      why = "response larger than " + std::to_string(kMaxResponseBytes) + " bytes";
      break;
    }
    if (peer_closed_) {
      why = peer_reset_ ? "connection reset by the server before a complete response"
                        : "connection closed by the server before a complete response";
      break;
    }
    Fill f = fill(deadline);
    if (f == Fill::timeout) {
      why = "timed out after " + std::to_string(timeout.count()) +
            " ms waiting for a complete response";
      break;
    }
  }
  if (error) {
    *error = why + "; received " + std::to_string(buffer_.size()) + " bytes";
    if (!buffer_.empty()) *error += ":\n" + printable(buffer_);
  }
  return std::nullopt;
}

HttpResponse HttpConnection::read_response(Millis timeout, bool head_request) {
  std::string error;
  auto response = try_read_response(timeout, head_request, &error);
  if (!response) throw HttpError(error);
  return std::move(*response);
}

HttpResponse HttpConnection::request(const HttpRequest& req, Millis timeout) {
  if (!send(req)) {
    throw HttpError("could not send " + req.method + " " + req.target +
                    ": the server closed the connection");
  }
  return read_response(timeout, req.method == "HEAD");
}

HttpResponse HttpConnection::get(std::string target, std::vector<Header> headers, Millis timeout) {
  HttpRequest req;
  req.target = std::move(target);
  req.headers = std::move(headers);
  return request(req, timeout);
}

bool HttpConnection::wait_for_close(Millis timeout) {
  auto deadline = SteadyClock::now() + timeout;
  while (!peer_closed_) {
    if (fill(deadline) == Fill::timeout) return false;
  }
  return true;
}

bool HttpConnection::wait_readable(Millis timeout) {
  if (!buffer_.empty() || peer_closed_) return true;
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace fff::testing
